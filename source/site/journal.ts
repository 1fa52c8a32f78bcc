// The journal: an append-only file of every change the wizard makes, one JSON
// record a line; a change's begin record is written (and, for a host whose
// changes are durable, on disk) before the change goes ahead, and its end
// record follows it there. Each record names the run, the time, the node and
// the action, what it changes and what would reverse it. Progress is replayed from it; undo and
// `changes` read it. Appending costs the same whatever the size of the site.
import {closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import type {ActionStatus, Probe} from '../actions/action.js';
import {RecipeError} from '../errors.js';

export const journalName = 'journal.jsonl';

/** A file's content before or after a change: absent, or kept as a blob under its sha256. */
export type FileVersion = {absent: true} | {sha256: string};

/** What an action changes, as far as the wizard can say before it runs. */
export type Change =
	| {kind: 'file'; path: string; before: FileVersion; after: FileVersion; /** Directories made for a new file, deepest first. */ createdDirectories?: string[]; /** Its content is never shown (a private key, a password). */ secret?: true}
	| {kind: 'command'; argv: string[]; /** What tells that its effect is there (undo's is the opposite). */ probe?: Probe}
	| {kind: 'service'; service: string; operation: string; /** Whether it ran before: a start, or a reload/restart. */ wasRunning: boolean}
	| {kind: 'checkpoint'; instructions: string};

/**
 * How to reverse a change: restore a file's earlier version (or remove a file
 * that was absent), run a command, or nothing a command can do (`note` says
 * what an operator would do instead).
 */
export type Inverse = {restore: string; to: FileVersion} | {argv: string[]} | {note: string};

type Stamp = {run: string; at: string};

/** A zone's SOA serial, as a zone file carries it. */
export type ZoneSerial = {zone: string; value: number};

export type JournalRecord =
	| (Stamp & {type: 'run'; phase: 'start'; mode: string})
	| (Stamp & {type: 'run'; phase: 'end'; outcome: string})
	| (Stamp & {type: 'action'; phase: 'begin'; node: string; step: string; id: string; title: string; fingerprint: string; seq: number; change?: Change; inverse?: Inverse})
	| (Stamp & {type: 'action'; phase: 'end'; node: string; step: string; id: string; fingerprint: string; status: ActionStatus; applied: boolean; seq: number; message?: string; /** The serial a zone file in place carries. */ serial?: ZoneSerial})
	| (Stamp & {type: 'step'; node: string; step: string; status: ActionStatus})
	| (Stamp & {type: 'confirm'; node: string; id: string})
	/** "Start over": statuses and confirmations before it no longer count. */
	| (Stamp & {type: 'start-over'})
	/**
	 * An undo finished: the changes before it are reversed (but for `kept`,
	 * files changed by someone else after the wizard wrote them) and, as after
	 * a start over, statuses before it no longer count. With `node`, only that
	 * node's changes were undone (undo --node), and with `ids` only those
	 * actions of it.
	 */
	| (Stamp & {type: 'undone'; kept: string[]; node?: string; ids?: string[]});

/** The journal's size in bytes (0 when there is none). */
export function journalBytes(directory: string): number {
	const path = join(directory, journalName);
	return existsSync(path) ? statSync(path).size : 0;
}

/**
 * Reads every record. A last line torn by a kill mid-write (no newline after
 * it) is ignored: its change had not begun, or its begin record is whole.
 * Any other line that is not a record (damaged by hand or by the disk) throws
 * a RecipeError naming the file and the line: skipping it would drop a change
 * from progress, `changes` and undo without a word.
 */
export function readJournal(directory: string): JournalRecord[] {
	const path = join(directory, journalName);
	if (!existsSync(path)) return [];
	const records: JournalRecord[] = [];
	const lines = readFileSync(path, 'utf8').split('\n');
	for (const [index, line] of lines.entries()) {
		if (line === '') continue;
		// The text after the last newline: the only line a kill can tear (records are appended whole).
		const torn = index === lines.length - 1;
		let record: JournalRecord | null = null;
		try {
			record = JSON.parse(line) as JournalRecord | null;
		} catch {
			if (torn) continue;
		}
		if (typeof record === 'object' && record !== null && typeof record.type === 'string') {
			records.push(record);
			continue;
		}
		if (torn) continue;
		const shown = line.length > 40 ? `${line.slice(0, 40)}...` : line;
		throw new RecipeError([`line ${index + 1} is not a record the wizard wrote (${JSON.stringify(shown)}): it is damaged; nothing was changed. Restore the file from a backup, or repair or delete that line (a deleted record's change is then neither shown nor undone)`], path);
	}
	return records;
}

/** The writing end, opened once a run begins to change things. */
export class Journal {
	private descriptor: number | undefined;
	readonly path: string;
	/**
	 * Whether the host whose changes are journalled makes them durable (fsyncs
	 * them). Then a begin record is synced before the change it announces, so
	 * no power cut can leave the change on disk without its record. When the
	 * host does not sync its changes (a rehearsal folder), syncing the record
	 * would buy nothing: a kill -9 loses neither (the page cache keeps both, in
	 * the order written), and a power cut loses the change's durability too.
	 * True until told otherwise.
	 */
	durable = true;

	constructor(readonly directory: string) {
		this.path = join(directory, journalName);
	}

	/**
	 * Appends one record as one line. Write-ahead: a begin record is written
	 * before the change it announces, and synced (fdatasync) first when
	 * `durable`, so it is on disk before the change is. Every other record is
	 * written (a kill -9 cannot lose it) and reaches the disk with the next
	 * synced begin record or at close; one lost to a power cut only makes the
	 * next run probe that action again. Throws when the state directory cannot
	 * be written.
	 */
	append(record: JournalRecord): void {
		if (this.descriptor === undefined) {
			mkdirSync(this.directory, {recursive: true, mode: 0o700});
			this.descriptor = openSync(this.path, 'a', 0o600);
			this.mendTornLine();
		}
		writeSync(this.descriptor, `${JSON.stringify(record)}\n`);
		// fdatasync: the data and the file's new size, all a reader of an append-only file needs.
		if (this.durable && record.type === 'action' && record.phase === 'begin') fdatasyncSync(this.descriptor);
	}

	close(): void {
		if (this.descriptor === undefined) return;
		if (this.durable) fdatasyncSync(this.descriptor);
		closeSync(this.descriptor);
		this.descriptor = undefined;
	}

	/**
	 * A record torn by a kill must not swallow the next one, nor stay in the
	 * middle where a reader takes it for damage: cut the file back to its
	 * last whole line.
	 */
	private mendTornLine(): void {
		const {size} = fstatSync(this.descriptor!);
		if (size === 0) return;
		const content = readFileSync(this.path);
		if (content[size - 1] === 0x0a) return;
		ftruncateSync(this.descriptor!, content.lastIndexOf(0x0a) + 1);
	}
}
