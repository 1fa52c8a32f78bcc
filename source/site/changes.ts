// What the wizard changed, read from the journal: every change since the last
// undo (or since the site began), one entry per thing changed. A file written
// several times is one entry, from the version found before the first write
// to the last one written; a command run again (after a reboot, say) is one
// entry with its last inverse. Undo reverses them in reverse order, `changes`
// lists them. Undo's own records are no change of the wizard's.
import type {Probe} from '../actions/action.js';
import type {FileVersion, Inverse, JournalRecord} from './journal.js';

/** The step undo's own actions are journalled under. */
export const undoStepId = 'undo';

type Origin = {
	/** Order of the last change among all of them: undo goes from the highest down. */
	position: number;
	node: string;
	step: string;
	/** The action's id (a file: the last action that wrote it). */
	id: string;
	title: string;
	/** When the wizard made it (the last time), ISO 8601. */
	at: string;
};

export type FileChange = Origin & {
	kind: 'file';
	path: string;
	/** As found before the wizard's first write. */
	before: FileVersion;
	/** As the wizard last left it. */
	after: FileVersion;
	/** Directories the wizard made for it, deepest first. */
	createdDirectories: string[];
	/** A secret (a private key, a password): its content is never shown. */
	secret: boolean;
	/**
	 * Order of the wizard's first write of it. Undo restores it there: what
	 * was done since may need the file as the wizard left it (`ifdown br0`
	 * reads br0's stanza), however often it was rewritten after.
	 */
	firstPosition: number;
};

export type CommandChange = Origin & {kind: 'command'; argv: string[]; probe?: Probe; inverse: Inverse};

export type ServiceChange = Origin & {kind: 'service'; service: string; operation: string; /** As found before the wizard's first start, reload or restart. */ wasRunning: boolean};

export type WizardChange = FileChange | CommandChange | ServiceChange;

/**
 * The wizard's changes on `node` since the last finished undo, collapsed per
 * file, command and service, in the order they were (last) made. Records of
 * undo itself and checkpoints are left out.
 */
export function wizardChanges(records: JournalRecord[], node?: string): WizardChange[] {
	const byKey = new Map<string, WizardChange>();
	records.forEach((record, position) => {
		if (record.type === 'undone') {
			for (const [key, change] of byKey) if (undoneBy(record, change.node, change.id)) byKey.delete(key);
			return;
		}
		if (record.type !== 'action' || record.phase !== 'begin' || !record.change || record.step === undoStepId) return;
		if (node !== undefined && record.node !== node) return;
		const origin: Origin = {position, node: record.node, step: record.step, id: record.id, title: record.title, at: record.at};
		const {change} = record;
		switch (change.kind) {
			case 'file': {
				const key = `file:${record.node}:${change.path}`;
				const first = byKey.get(key) as FileChange | undefined;
				byKey.set(key, {
					...origin,
					kind: 'file',
					path: change.path,
					before: first ? first.before : change.before,
					after: change.after,
					createdDirectories: first ? first.createdDirectories : (change.createdDirectories ?? []),
					secret: Boolean(change.secret),
					firstPosition: first ? first.firstPosition : position,
				});
				return;
			}
			case 'command': {
				const inverse = record.inverse ?? {note: 'no command reverses this one'};
				byKey.set(`command:${record.node}:${record.id}`, {...origin, kind: 'command', argv: change.argv, ...(change.probe ? {probe: change.probe} : {}), inverse});
				return;
			}
			case 'service': {
				const key = `service:${record.node}:${change.service}`;
				const first = byKey.get(key) as ServiceChange | undefined;
				byKey.set(key, {...origin, kind: 'service', service: change.service, operation: change.operation, wasRunning: first ? first.wasRunning : change.wasRunning});
				return;
			}
			case 'checkpoint':
				return;
		}
	});
	return [...byKey.values()].sort((a, b) => a.position - b.position);
}

/** Whether an undo record reversed the change `id` of `node` (every change, without node and ids). */
export function undoneBy(record: {node?: string; ids?: string[]}, node: string, id: string): boolean {
	return (record.node === undefined || record.node === node) && (record.ids === undefined || record.ids.includes(id));
}

/** Files the last finished undo kept as someone else had changed them. */
export function keptAtLastUndo(records: JournalRecord[]): string[] {
	for (let index = records.length - 1; index >= 0; index--) {
		const record = records[index]!;
		if (record.type === 'undone') return record.kept;
	}
	return [];
}
