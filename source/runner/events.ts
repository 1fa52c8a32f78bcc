// What the runner tells a UI, and what it asks it. The UI (Ink screens, plain
// prompts, unattended output) implements these; the runner never prints.
import type {Action, ActionStatus, CheckpointAction} from '../actions/action.js';

export type PlannedAction = {
	action: Action;
	status: ActionStatus;
	/** Files: what is on disk now (null: absent), for a diff against action.content. */
	current?: string | null;
	/** Why the action is satisfied or what it waits for, when known. */
	note?: string;
};

export type PlannedStep = {
	id: string;
	title: string;
	status: ActionStatus;
	actions: PlannedAction[];
};

export type Failure = {
	stepId: string;
	action: Action;
	message: string;
	exitCode?: number;
	/** The last lines the command printed (stdout and stderr interleaved). */
	outputTail: string[];
	/** What the wizard knows about this failure's usual cause, and the fix. */
	hint?: string;
	/** Whether skipping is safe (later steps do not need what it does). */
	skippable: boolean;
};

export type RunEvent =
	| {type: 'step'; stepId: string; status: ActionStatus}
	| {type: 'action'; stepId: string; action: Action; status: ActionStatus; note?: string}
	/**
	 * A running command's output, every 50 ms: the batch's last lines only (at
	 * most a few hundred; the transcript has every line). Never one event per line.
	 * `printed`: how many lines the batch held in all (default: lines.length).
	 */
	| {type: 'output'; actionId: string; lines: string[]; printed?: number};

export type Decisions = {
	/** Shown the step's plan before it applies. Default: apply. */
	beforeStep?: (step: PlannedStep) => Promise<'apply' | 'skip' | 'quit'>;
	/** A failed action. Default: quit. */
	onFailure?: (failure: Failure) => Promise<'retry' | 'skip' | 'quit'>;
	/**
	 * The operator's turn (e.g. an OS install over VNC). Default: wait (stop the
	 * run). "pass": nobody can act here (a rehearsal); noted as not done, and the run goes on.
	 */
	atCheckpoint?: (action: CheckpointAction) => Promise<'done' | 'wait' | 'pass'>;
};

export type RunOutcome = 'done' | 'failed' | 'waiting' | 'quit';

export type RunResult = {
	outcome: RunOutcome;
	steps: PlannedStep[];
	/** For 'failed' and 'waiting': the action it stopped at. */
	stoppedAt?: {stepId: string; action: Action; message: string; hint?: string};
};
