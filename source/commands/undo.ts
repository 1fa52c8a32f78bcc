// undo: reverses what the wizard changed, from its journal, newest first:
// instances, then the cluster, daemons it started, files restored byte for
// byte or removed, the inverse commands, the sysctl. Planned as ordinary
// actions, so it has a plan (--dry-run shows it and writes nothing), resumes
// after a kill and changes nothing the second time. It asks for a typed
// confirmation unless --yes. A file someone changed after the wizard wrote it
// is kept, listed, and the exit code says so.
import {createInterface} from 'node:readline/promises';
import {UsageError} from '../errors.js';
import {planAll, runPlan} from '../runner/run.js';
import {hasSite, openSession, resolveLocation} from '../session.js';
import {wizardChanges} from '../site/changes.js';
import {readJournal} from '../site/journal.js';
import {undoStep, type KeptFile} from '../steps/undo.js';
import {lineReporter} from '../ui/lines.js';
import {summarize} from '../ui/unattended.js';
import type {CommandFlags} from './flags.js';
import {planText} from './report.js';

export type UndoFlags = CommandFlags & {dryRun: boolean; purgePackages: boolean};

/** Exit codes: 0 undone (or nothing to undo), 1 failed or not confirmed, 5 undone but files kept as someone changed them (4 is the wizard's "quit to resume later"). */
export const undoExitCodes = {done: 0, failed: 1, kept: 5} as const;

/** The word the operator types to confirm. */
export const confirmationWord = 'undo';

export async function undo(flags: UndoFlags, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
	if (flags.recipe !== undefined) throw new UsageError('undo works on the saved site: leave out --recipe (give --state-dir DIR, and --root DIR for a rehearsal)');
	const location = resolveLocation(flags);
	if (!hasSite(location.stateDir)) throw new UsageError(`no site is saved in ${location.stateDir}, so there is nothing to undo; give the site's --state-dir DIR (and --root DIR for a rehearsal)`);
	const write = (line: string) => process.stdout.write(`${line}\n`);

	// Looked at read-only first: nothing to undo, the dry run and the question write nothing.
	const looking = await openSession({...flags, unattended: true, readOnly: true});
	const records = readJournal(location.stateDir);
	const changes = wizardChanges(records, looking.host.node);
	if (changes.length === 0) {
		write(`Nothing to undo: the journal (${looking.progress.path}) records no change of the wizard's${records.some(record => record.type === 'undone') ? ' since the last undo' : ''}.`);
		return undoExitCodes.done;
	}
	let kept: KeptFile[] = [];
	const options = {stateDir: location.stateDir, blob: (digest: string) => looking.progress.settings.blob(digest), purgePackages: flags.purgePackages};
	const step = undoStep(changes, options, files => (kept = files));

	if (flags.dryRun || !flags.yes) {
		const planned = await planAll({...looking.context, steps: [step]});
		write(`Undo of ${changes.length} change${changes.length === 1 ? '' : 's'} recorded in ${looking.progress.path}, newest first${looking.host.kind === 'rehearsal' ? ` (a rehearsal under ${looking.host.root})` : ''}:`);
		write((await planText(planned)).join('\n'));
		for (const line of keptLines(kept)) write(line);
		if (flags.dryRun) return undoExitCodes.done;
		const answer = await ask(`Type "${confirmationWord}" to reverse these changes (anything else changes nothing): `, input);
		if (answer.trim() !== confirmationWord) {
			write('Nothing was changed.');
			return undoExitCodes.failed;
		}
	}

	const session = await openSession({...flags, unattended: true});
	const context = {...session.context, steps: [undoStep(changes, {...options, blob: (digest: string) => session.progress.settings.blob(digest)}, files => (kept = files))]};
	write(`Undoing ${changes.length} change${changes.length === 1 ? '' : 's'} of the wizard (journal: ${session.progress.path})${session.host.kind === 'rehearsal' ? `, rehearsed under ${session.host.root}: commands recorded in ${session.progress.directory}/commands.sh` : ''}.`);
	const result = await runPlan(context, lineReporter(write, undefined, {failureTail: true}));
	if (result.outcome !== 'done') {
		for (const line of summarize(result, continueUndo(flags))) write(line);
		return undoExitCodes.failed;
	}
	session.progress.markUndone(kept.map(file => file.path));
	const reversed = result.steps.flatMap(entry => entry.actions).filter(entry => entry.status === 'done').length;
	write(`Undone: ${reversed} action${reversed === 1 ? '' : 's'} reversed the wizard's changes.`);
	for (const line of keptLines(kept)) write(line);
	return kept.length > 0 ? undoExitCodes.kept : undoExitCodes.done;
}

function keptLines(kept: KeptFile[]): string[] {
	return kept.map(file => `Kept ${file.path}: ${file.reason}; undo leaves it as it is (\`ganeti-wizard changes\` shows the wizard's version).`);
}

function continueUndo(flags: UndoFlags): string {
	const parts = ['ganeti-wizard', 'undo'];
	if (flags.root) parts.push('--root', flags.root);
	if (flags.stateDir) parts.push('--state-dir', flags.stateDir);
	if (flags.purgePackages) parts.push('--purge-packages');
	parts.push('--yes');
	return parts.join(' ');
}

async function ask(question: string, input: NodeJS.ReadableStream): Promise<string> {
	const lines = createInterface({input, output: process.stdout, terminal: false});
	try {
		process.stdout.write(question);
		for await (const line of lines) return line;
		return '';
	} finally {
		lines.close();
	}
}
