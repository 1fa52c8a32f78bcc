// The host adapter's contract: the only way any code touches the system.
// One implementation (local.ts) acts for real at root "/" or rehearses under a
// folder, where it maps every path under that folder and records commands.
import type {Stage} from '../actions/action.js';

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

export interface Host {
	readonly mode: 'real' | 'rehearsal';
	/** "/" for real, the rehearsal folder otherwise. */
	readonly root: string;
	readFile(path: string): Promise<string | null>;
	stat(path: string): Promise<FileInfo | null>;
	/** Lists a directory's entries (empty when absent). */
	list(path: string): Promise<string[]>;
	/**
	 * Atomic replace: candidate beside the target, checked, then renamed over it.
	 * Keeps the existing mode and owner unless given; backs up the old content.
	 */
	writeFile(path: string, content: string, options: WriteOptions): Promise<void>;
	/** A command that changes the host. In a rehearsal it is only recorded. */
	run(argv: string[], options?: RunOptions): Promise<RunResult>;
	/** A read-only command. In a rehearsal: null (the rehearsal host has no processes). */
	probe(argv: string[], options?: {timeoutMs?: number}): Promise<RunResult | null>;
	/**
	 * A read-only checker (named-checkconf, dhcpd -t ...): runs in a rehearsal
	 * too when installed. With `stage`, on a scratch copy with candidates laid
	 * over it ("{stage}" in argv). null: not checked (the transcript says why).
	 */
	check(argv: string[], stage?: Stage): Promise<RunResult | null>;
	/** Whether a rehearsal already recorded this action's command. Real hosts: false. */
	recorded(actionId: string, argv: string[]): Promise<boolean>;
}
