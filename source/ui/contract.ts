// What the CLI hands the interactive wizard (TUI or plain), and what it gets
// back. The wizard only shows and asks: it reaches the host, the journal and
// the runner through these callbacks.
import type {Detected} from '../host/detect.js';
import type {Recipe} from '../recipe/schema.js';
import type {Decisions, PlannedStep, RunEvent, RunOutcome, RunResult} from '../runner/events.js';
import type {Handover} from './resume-view.js';
import type {VmSite, VmValues} from './vm-flow.js';

export type RunIo = {
	onEvent: (event: RunEvent) => void;
	decisions: Decisions;
	/** Aborted when the operator quits (Ctrl-C) while a command runs. */
	signal: AbortSignal;
	/** The operator chose "start over" on the resume screen (the journal and backups stay). */
	startOver: boolean;
};

export type SavedProgress = {
	/** The answers (as a recipe) saved with the progress, when they parse. */
	recipe: Recipe | null;
	/** Every step and action with its status as the journal has it. */
	steps: PlannedStep[];
	/** Answers given so far (a recipe draft), kept by `keepAnswers` when no recipe was saved yet. */
	answers?: Record<string, unknown>;
	/** The question the operator stopped at (its id), when the answers are not all given. */
	nextQuestion?: string;
	/** When the last run stopped, ISO 8601. */
	updatedAt?: string;
};

export type WizardOptions = {
	/** "real" acts on this host, "rehearsal" writes under `root` and only records commands. */
	mode: 'real' | 'rehearsal';
	root: string;
	/** Answers to start from (--recipe); saved answers come with `progress`. */
	recipe: Recipe | null;
	/** Where --recipe was read from: the default path to save answers to. */
	recipePath?: string;
	/** Saved progress of an earlier run; null on a first run. */
	progress: SavedProgress | null;
	/** Probes the host for default answers. Called once, without waiting for it to draw. */
	detect: () => Promise<Detected>;
	/**
	 * Why this host cannot be set up for real (not root, Ganeti missing ...). The
	 * wizard says so and offers the rehearsal; `rehearse` switches to it and
	 * returns the folder it writes under.
	 */
	realProblem?: string;
	rehearse?: () => Promise<{root: string}>;
	/** The steps of the recipe's plan as the journal has them, without probing (the sidebar before the run). */
	steps?: (recipe: Recipe) => Promise<PlannedStep[]>;
	/** Applies the recipe: the CLI opens a session on it and calls runPlan. */
	run: (recipe: Recipe, io: RunIo) => Promise<RunResult>;
	/** Keeps the answers given so far with the progress (quitting mid-questions loses nothing). */
	keepAnswers?: (answers: Record<string, unknown>, nextQuestion?: string) => void;
	/** Writes the answers as a recipe file (mode 0644, replacing any file there). */
	saveRecipe: (path: string, text: string) => Promise<void>;
	/** `user@host` for the ssh tunnel shown at a VNC checkpoint (default root@<public address or hostname>). */
	sshTarget?: string;
	/** The command that resumes, for the closing message (default "ganeti-wizard"). */
	resumeCommand?: string;
	/**
	 * Where the site is kept, for the closing lines (asked when the run ends: the
	 * rehearsal offer moves it). `stateDirFlag`: plan and status need --state-dir.
	 */
	site?: () => {stateDir: string; stateDirFlag: boolean};
	/** The recipe with the MACs and addresses the site generated written in, so a replay gives the same files. */
	pinGenerated?: (recipe: Recipe) => Recipe;
	/** The command that replays a recipe saved at `path` as this run would (a rehearsal stays one). */
	replayCommand?: (path: string) => string;
	/** The saved site as vm add's questions see it ("add a VM" on a finished site). */
	vmSite?: () => Promise<VmSite>;
};

export type WizardExit = {
	/** "quit": the operator left (q, Ctrl-C); the journal lets the next run resume. */
	outcome: RunOutcome | 'quit';
	/** Closing lines for the terminal, after the wizard is gone. */
	message: string[];
	/** Where the answers were saved as a recipe, if they were. */
	savedRecipe?: string;
	/**
	 * What the operator chose to do instead from the resume screen: list the
	 * wizard's changes, or undo them (the CLI runs that command once the wizard
	 * is gone; undo then asks for its confirmation typed); on a finished site,
	 * add, list or remove a VM, or check for drift (doctor).
	 */
	then?: Handover;
	/** With then "vm-add": the VM's name and values, when the wizard asked for them already (the TUI). */
	vm?: {name: string; values: VmValues};
};
