// Actions: the only things a step can ask for. Steps build them (pure), the
// runner applies them through the host adapter. Every action knows how to tell
// whether it is already satisfied, so applying a plan twice changes nothing.

/**
 * How to tell that something is already there, without changing anything:
 * - a read-only command, satisfied when it exits 0 and its stdout meets the
 *   optional conditions;
 * - or a path that exists, which a rehearsal decides from its own folder's
 *   files just as a real run decides from the host's.
 */
export type Probe =
	| {
			argv: string[];
			stdoutIncludes?: string;
			stdoutEmpty?: boolean;
	  }
	| {exists: string}
	/** Holds when `not` does not: an undo is done once the effect it reverses is gone. */
	| {not: Probe};

type ActionBase = {
	/** Stable across runs: progress is recorded under it. `step.thing[.detail]`. */
	id: string;
	/** One line for people: "write /etc/bind/db.farm". */
	title: string;
};

export type FileAction = ActionBase & {
	kind: 'file';
	path: string;
	content: string;
	mode: number;
	owner?: {user: string; group: string};
	/**
	 * The daemon's own checker, run on the candidate file before it replaces the
	 * live one. "{}" in argv stands for the candidate's path.
	 */
	check?: {argv: string[]};
	/** A zone serial this file carries: journalled with the write's end record. */
	serial?: {zone: string; value: number};
	/** A secret (a private key, a password): plans and `changes` never show its content (the journal keeps it for undo, in the state directory). */
	secret?: boolean;
};

/** A scratch tree for a check: copies of `copy`, `files` laid over them, `emptyDirectories` made. */
export type Stage = {copy: string[]; files: Array<{path: string; content: string}>; needs: string; emptyDirectories?: string[]};

export type CommandAction = ActionBase & {
	kind: 'command';
	argv: string[];
	/**
	 * How to tell the command's effect is already there. Without a probe the
	 * command runs once and the journal remembers it; it must then be
	 * `idempotent` so a run interrupted mid-command may safely run it again.
	 */
	satisfiedWhen?: Probe;
	idempotent?: boolean;
	/**
	 * Changes nothing (a check). Real runs always run it, and it passes or fails
	 * the step. A rehearsal runs it too when its argv names "{root}" (the
	 * rehearsal folder, "/" for real), i.e. when it checks the files written.
	 */
	readOnly?: boolean;
	/**
	 * For a check of files before they are installed: a scratch tree holding a
	 * copy of `copy` (the live directories) with `files` laid over it, passed
	 * to argv as "{stage}" (e.g. named-checkconf -t {stage} -z ...). The check is
	 * skipped, with a note, when `needs` is not in that tree (a bare rehearsal).
	 */
	stage?: Stage;
	/** Also run whenever one of these actions was applied after this one last ran. */
	rerunAfter?: string[];
	/**
	 * The command that reverses this one (iptables -D for -A, ip route del for
	 * replace, gnt-instance remove for add), journalled with it. Without it the
	 * journal says the change has no command to reverse it.
	 */
	inverse?: string[];
	/**
	 * Why no command reverses this one (it only reads, finishes what another
	 * action's inverse undoes, or its effect goes with something removed later).
	 * Journalled as the inverse's note. A command that changes the host has
	 * `inverse` or this.
	 */
	inverseNote?: string;
	/** The operator can skip this action if it fails. */
	skippable?: boolean;
	timeoutMs?: number;
	env?: Record<string, string>;
};

export type ServiceAction = ActionBase & {
	kind: 'service';
	service: string;
	/** "running": start if stopped; "reload"/"restart" additionally after any of `after` changed. */
	operation: 'running' | 'reload' | 'restart' | 'stopped';
	/** Ids of actions whose change requires the reload/restart. */
	after?: string[];
};

/**
 * Removes a file the wizard created, then each of `directories` (made for it,
 * deepest first) that is left empty. Undo plans these.
 */
export type RemoveAction = ActionBase & {
	kind: 'remove';
	path: string;
	directories?: string[];
};

/** A labelled fact shown at a checkpoint. */
export type CheckpointDetail = {
	label: string;
	/** What the plan knows (shown in a rehearsal, or until `live` answered). */
	value: string;
	/**
	 * A fact only the host knows once earlier actions ran (e.g. the VNC port
	 * Ganeti gave an instance): at the checkpoint of a real run, the value is
	 * `template` with "{}" replaced by the trimmed stdout of this read-only argv.
	 */
	live?: {argv: string[]; template: string};
};

export type CheckpointAction = ActionBase & {
	kind: 'checkpoint';
	/** What the operator must do, in a few sentences. */
	instructions: string;
	/** Labelled facts to show: "VNC address", "SSH tunnel", ... */
	details: CheckpointDetail[];
	/** When this probe succeeds the operator's work is known to be done. */
	satisfiedWhen?: Probe;
};

export type Action = FileAction | RemoveAction | CommandAction | ServiceAction | CheckpointAction;

/**
 * "unchecked": what could not be done or checked here (a rehearsal runs no
 * check that needs the host's processes, and no operator installs an OS into
 * a folder): nothing is claimed either way.
 */
export type ActionStatus = 'pending' | 'running' | 'done' | 'satisfied' | 'failed' | 'waiting' | 'skipped' | 'unchecked';

export type Step = {
	id: string;
	title: string;
	/** Ids of steps that must be done (or satisfied) first. */
	requires: string[];
	actions: Action[];
};

/** A probe as the command that asks it (`test -e PATH` for a path), for hosts that only run commands. */
export function probeArgv(probe: Exclude<Probe, {not: Probe}>): string[] {
	return 'exists' in probe ? ['test', '-e', probe.exists] : probe.argv;
}
