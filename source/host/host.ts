// The host interface: the only way any code touches a node. Two
// implementations: the real host (real.ts) acts on this machine; the rehearsal
// (rehearsal.ts) maps every path under a folder and records commands instead
// of running them. The runner calls the same methods on both and never asks
// which one it has; a later host reaches a node over SSH.
import type {Probe, Stage} from '../actions/action.js';

export type RunResult = {exitCode: number; stdout: string; stderr: string};

export type RunOptions = {
	input?: string;
	env?: Record<string, string>;
	timeoutMs?: number;
	/**
	 * Batches of output lines as they arrive (stdout and stderr interleaved):
	 * a batch's last lines, and how many lines it held in all.
	 */
	onLines?: (lines: string[], printed: number) => void;
	/** Recorded under this id in a rehearsal, so a rerun can tell it already ran. */
	actionId?: string;
	/** Stops the command (SIGTERM) when aborted. */
	signal?: AbortSignal;
};

export type WriteOptions = {
	mode: number;
	owner?: {user: string; group: string};
	/** Checker argv run on the candidate before it is installed; "{}" is its path. */
	check?: string[];
};

export type FileInfo = {mode: number; uid: number; gid: number; size: number};

/** A checker's verdict, or why it could not run here (a rehearsal without the tool, say). */
export type CheckOutcome = {ran: RunResult} | {unchecked: string};

/** Which action a command or probe stands for: a rehearsal records it under this id. */
export type ActionRef = {actionId: string; argv: string[]};

export interface Host {
	/** The node this host acts on (journal records and progress name it). */
	readonly node: string;
	/** For people only ("acting on this host", "rehearsal under ..."); the runner never branches on it. */
	readonly kind: 'real' | 'rehearsal';
	/** "/" for real, the rehearsal folder otherwise. */
	readonly root: string;
	/**
	 * Whether a change this host makes is on disk (fsynced) when the call
	 * returns, so that it outlives a power cut. The real host: yes. A rehearsal
	 * folder: no; what it writes outlives a kill -9 (the page cache keeps it),
	 * not a power cut. The journal asks this: a record that announces a change
	 * must be as durable as the change, and no more is worth paying for.
	 */
	readonly durable: boolean;
	readFile(path: string): Promise<string | null>;
	/** Where a symbolic link points, as written in the link (null: absent or not a link). */
	readLink(path: string): Promise<string | null>;
	stat(path: string): Promise<FileInfo | null>;
	/**
	 * Up to `length` bytes of a file from byte `offset` (fewer where the file
	 * ends first; none for what is no regular file or block device, such as a
	 * directory); null when the path is absent. Reads only those bytes, so a
	 * multi-GiB image costs no more than its header.
	 */
	readBytes(path: string, offset: number, length: number): Promise<Buffer | null>;
	/** Lists a directory's entries (empty when absent). */
	list(path: string): Promise<string[]>;
	/**
	 * Atomic replace: candidate beside the target, checked, then renamed over it.
	 * Keeps the existing mode and owner unless given. Throws CheckFailedError
	 * when the checker refuses the candidate (the target is then untouched).
	 */
	writeFile(path: string, content: string, options: WriteOptions): Promise<void>;
	/**
	 * Removes a file (nothing when absent), then each of `directories` that is
	 * left empty, in the order given (deepest first). A rehearsal removes them
	 * under its folder.
	 */
	remove(path: string, directories: string[]): Promise<void>;
	/** A command that changes the host. A rehearsal records it instead. */
	run(argv: string[], options?: RunOptions): Promise<RunResult>;
	/** A read-only command. null where the host has no processes to ask (a rehearsal). */
	probe(argv: string[], options?: {timeoutMs?: number}): Promise<RunResult | null>;
	/**
	 * A read-only checker (named-checkconf, dhcpd -t, a check program). With
	 * `stage`, it runs on a scratch copy with candidates laid over it ("{stage}"
	 * in argv); "{root}" in argv is the host's root.
	 */
	check(argv: string[], stage?: Stage): Promise<CheckOutcome>;
	/** Whether a probe says the action's effect is there (a rehearsal: its files, or its record). */
	holds(probe: Probe, as: ActionRef): Promise<boolean>;
	/**
	 * Whether this host holds a record of the command having run: a rehearsal's
	 * commands.sh does; a real host keeps none (false), and the journal decides.
	 */
	recorded(as: ActionRef): Promise<boolean>;
	/** Whether a service runs (a rehearsal: whether it recorded starting it). */
	serviceRunning(service: string, as: ActionRef): Promise<boolean>;
	/** Ends what the host keeps open (an SSH connection); a local host has nothing to end. */
	close?(): Promise<void>;
}
