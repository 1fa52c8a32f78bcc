// undo: reverses what the wizard changed, from its journal, newest first:
// instances, then the cluster, daemons it started, files restored byte for
// byte or removed, the inverse commands, the sysctl. Planned as ordinary
// actions, so it has a plan (--dry-run shows it and writes nothing), resumes
// after a kill and changes nothing the second time. It asks for a typed
// confirmation unless --yes. A file someone changed after the wizard wrote it
// is kept, listed, and the exit code says so. Nodes that left the site with
// node remove are reached as they were last listed, and reversed too.
import {createInterface} from 'node:readline/promises';
import {UsageError} from '../errors.js';
import {everyNode, otherNodeRuns} from '../node-runs.js';
import {parseRecipe} from '../recipe/load.js';
import type {RunResult} from '../runner/events.js';
import {planAll, runPlan} from '../runner/run.js';
import type {RecipeNode} from '../recipe/schema.js';
import {addNodeToRecipe, removeNodeFromRecipe} from '../site/recipe-edit.js';
import {hasSite, openSession, resolveLocation, type Session} from '../session.js';
import {wizardChanges} from '../site/changes.js';
import {readJournal} from '../site/journal.js';
import {nodeLeaveActions} from '../steps/removals.js';
import type {StepDefinition} from '../steps/step.js';
import {undoStep, type KeptFile} from '../steps/undo.js';
import {lineReporter} from '../ui/lines.js';
import {summarize} from '../ui/unattended.js';
import type {CommandFlags} from './flags.js';
import {planText} from './report.js';

export type UndoFlags = CommandFlags & {dryRun: boolean; purgePackages: boolean; /** Only this node: it leaves the cluster and its host goes back to how it was found. */ node?: string};

/** Exit codes: 0 undone (or nothing to undo), 1 failed or not confirmed, 5 undone but files kept as someone changed them (4 is the wizard's "quit to resume later"). */
export const undoExitCodes = {done: 0, failed: 1, kept: 5} as const;

/** The word the operator types to confirm. */
export const confirmationWord = 'undo';

export async function undo(flags: UndoFlags, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
	if (flags.recipe !== undefined) throw new UsageError('undo works on the saved site: leave out --recipe (give --state-dir DIR, and --root DIR for a rehearsal)');
	const location = resolveLocation(flags);
	if (!hasSite(location.stateDir)) throw new UsageError(`no site is saved in ${location.stateDir}, so there is nothing to undo; give the site's --state-dir DIR (and --root DIR for a rehearsal)`);
	const write = (line: string) => process.stdout.write(`${line}\n`);
	if (flags.node !== undefined) return undoNode(flags, flags.node, input);

	// Looked at read-only first: nothing to undo, the dry run and the question write nothing.
	const site = await openSession({...flags, unattended: true, readOnly: true});
	const records = readJournal(location.stateDir);
	// Nodes that left with node remove keep the wizard's changes on their hosts: reached as they were last listed.
	const departed = Object.values(site.progress.settings.departed).filter(node => !site.inventory.nodes.some(entry => entry.name === node.name) && wizardChanges(records, node.name).length > 0);
	const looking = departed.length > 0 ? await withDeparted(flags, site, departed) : site;
	const master = looking.inventory.master.name;
	// The master first (its inverses take the other nodes out of the cluster, then destroy it), then each other node.
	const withChanges = (readOnly: boolean) => otherNodeRuns(looking, {readOnly}).filter(run => wizardChanges(records, run.node.name).length > 0);
	let others = withChanges(!flags.yes || flags.dryRun);
	const parts = [{name: master, changes: wizardChanges(records, master)}, ...others.map(run => ({name: run.node.name, changes: wizardChanges(records, run.node.name)}))];
	const total = parts.reduce((sum, part) => sum + part.changes.length, 0);
	if (total === 0) {
		write(`Nothing to undo: the journal (${looking.progress.path}) records no change of the wizard's${records.some(record => record.type === 'undone') ? ' since the last undo' : ''}.`);
		return undoExitCodes.done;
	}
	const kept = new Map<string, KeptFile[]>();
	const stepOf = (part: (typeof parts)[number], blob: (digest: string) => string | null) =>
		undoStep(part.changes, {stateDir: location.stateDir, blob, purgePackages: flags.purgePackages}, files => kept.set(part.name, files));
	const contextOf = (name: string, session: typeof looking) => (name === master ? session.context : others.find(run => run.node.name === name)!.context);
	const allKept = () => [...kept.entries()].flatMap(([name, files]) => files.map(file => (parts.length > 1 ? {...file, path: `${name}:${file.path}`} : file)));

	try {
		if (flags.dryRun || !flags.yes) {
			write(`Undo of ${total} change${total === 1 ? '' : 's'} recorded in ${looking.progress.path}, newest first${looking.host.kind === 'rehearsal' ? ` (a rehearsal under ${looking.host.root})` : ''}:`);
			for (const part of parts) {
				if (parts.length > 1) write(`On ${part.name}:`);
				const planned = await planAll({...contextOf(part.name, looking), steps: [stepOf(part, digest => looking.progress.settings.blob(digest))]});
				write((await planText(planned)).join('\n'));
			}
			for (const line of keptLines(allKept())) write(line);
			if (flags.dryRun) return undoExitCodes.done;
			const answer = await ask(`Type "${confirmationWord}" to reverse these changes (anything else changes nothing): `, input);
			if (answer.trim() !== confirmationWord) {
				write('Nothing was changed.');
				return undoExitCodes.failed;
			}
		}

		if (!flags.yes) {
			// Confirmed: the other nodes are reached again, to record this time.
			for (const run of others) await run.host.close?.();
			others = withChanges(false);
		}
		const session = await openSession({...flags, unattended: true});
		write(`Undoing ${total} change${total === 1 ? '' : 's'} of the wizard (journal: ${session.progress.path})${session.host.kind === 'rehearsal' ? `, rehearsed under ${session.host.root}: commands recorded in ${session.progress.directory}/commands.sh` : ''}.`);
		let reversed = 0;
		for (const part of parts) {
			if (parts.length > 1) write(`On ${part.name}:`);
			const context = contextOf(part.name, session);
			const result = await runPlan({...context, steps: [stepOf(part, digest => session.progress.settings.blob(digest))]}, lineReporter(write, undefined, {failureTail: true}));
			if (result.outcome !== 'done') {
				for (const line of summarize(result, continueUndo(flags))) write(line);
				return undoExitCodes.failed;
			}
			// Each node's undo is journalled when it is through: a failure on the next resumes there.
			const files = (kept.get(part.name) ?? []).map(file => file.path);
			if (parts.length > 1) context.progress.markUndone(files, {node: part.name});
			else context.progress.markUndone(files);
			reversed += result.steps.flatMap(entry => entry.actions).filter(entry => entry.status === 'done').length;
		}
		write(`Undone: ${reversed} action${reversed === 1 ? '' : 's'} reversed the wizard's changes${parts.length > 1 ? ` on ${parts.map(part => part.name).join(' and ')}` : ''}.`);
		for (const line of keptLines(allKept())) write(line);
		return kept.size > 0 && allKept().length > 0 ? undoExitCodes.kept : undoExitCodes.done;
	} finally {
		for (const run of others) await run.host.close?.();
	}
}

/**
 * undo --node NAME: the node leaves the cluster (its instances moved away,
 * gnt-node remove, its names out of the zones: node remove's edit of the
 * site), then every change the wizard made on it is reversed through its own
 * host, then the master forgets its key. The master keeps the rest of the site.
 * A node that node remove took out already (it left the cluster, its names
 * the zones) is reached as the site last listed it (SiteSettings.departed):
 * only its host's changes and the master's key for it are reversed.
 */
async function undoNode(flags: UndoFlags, name: string, input: NodeJS.ReadableStream): Promise<number> {
	const write = (line: string) => process.stdout.write(`${line}\n`);
	const site = await openSession({...flags, unattended: true, readOnly: true});
	const {inventory} = site;
	const listed = inventory.nodes.find(node => node.name === name);
	// A node node remove took out has left the cluster; its host is reached as it was last listed.
	const departed = listed ? undefined : site.progress.settings.departed[name];
	if (!listed && !departed) throw new UsageError(`--node: "${name}" is not a node of the site (its nodes: ${inventory.nodes.map(node => node.name).join(', ')})`);
	if (listed?.role === 'master') throw new UsageError(`--node: ${name} is the site's master; undo without --node reverses the whole site`);
	const looking = departed ? await withDeparted(flags, site, [departed]) : site;
	const target = looking.inventory.nodes.find(node => node.name === name)!;
	const records = readJournal(looking.progress.directory);
	const nodeChanges = wizardChanges(records, name);
	const masterIds = [`nodes.join.${name}`, `nodes.authorize.${name}`];
	const masterChanges = wizardChanges(records, inventory.master.name).filter(change => masterIds.includes(change.id));
	if (departed && nodeChanges.length === 0 && masterChanges.length === 0) {
		write(`Nothing to undo on ${name}: it left the site (node remove), and the journal (${site.progress.path}) records no change of the wizard's on it${records.some(record => record.type === 'undone') ? ' since the last undo' : ''}.`);
		return undoExitCodes.done;
	}
	const blob = (digest: string) => looking.progress.settings.blob(digest);
	const options = {stateDir: looking.progress.directory, blob, purgePackages: flags.purgePackages};
	const kept: KeptFile[] = [];
	const nodeStep = undoStep(nodeChanges, options, files => kept.splice(0, kept.length, ...files));
	const masterStep = undoStep(masterChanges, options);
	const saved = looking.progress.recipe!;
	const without = departed ? saved.text : removeNodeFromRecipe(saved.text, name);
	const edited = {recipe: parseRecipe(without, saved.path), origin: saved.path, text: without, removals: [target.fqdn]};

	if (flags.dryRun || !flags.yes) {
		if (departed) {
			write(`Undo of node ${name}, which left the cluster with node remove: ${nodeChanges.length} change${nodeChanges.length === 1 ? '' : 's'} on it are reversed, newest first, then ${inventory.master.name} forgets its key.`);
			write(`On ${inventory.master.name}:`);
			write((await planText(await planAll({...site.context, steps: [masterStep]}))).join('\n'));
		} else {
			const leaving = await openSession({...flags, unattended: true, readOnly: true}, edited);
			write(`Undo of node ${name}: it leaves the cluster, then ${nodeChanges.length} change${nodeChanges.length === 1 ? '' : 's'} on it are reversed, newest first.`);
			write(`On ${inventory.master.name}:`);
			write((await planText(await planAll(leaving.context))).join('\n'));
		}
		const answers = await everyNode(looking, {readOnly: true}, async run => (run.context.host.node === name ? planAll({...run.context, steps: [nodeStep]}) : []));
		write(`On ${name}:`);
		write((await planText(answers.find(answer => answer.name === name)?.result ?? [])).join('\n'));
		for (const line of keptLines(kept)) write(line);
		if (flags.dryRun) return undoExitCodes.done;
		const answer = await ask(`Type "${confirmationWord}" to remove ${name} and reverse its changes (anything else changes nothing): `, input);
		if (answer.trim() !== confirmationWord) {
			write('Nothing was changed.');
			return undoExitCodes.failed;
		}
	}

	const reporter = lineReporter(write, undefined, {failureTail: true});
	const failed = (result: RunResult) => {
		for (const line of summarize(result, continueUndo(flags))) write(line);
		return undoExitCodes.failed;
	};
	// In this order, each resumable: while the site still lists the node, undo --node runs again.
	const [run] = otherNodeRuns(looking, {readOnly: false}).filter(entry => entry.node.name === name);
	const session = await openSession({...flags, unattended: true});
	const leave: StepDefinition = {id: 'removals', title: `Node ${name} leaves the cluster`, requires: [], plan: own => nodeLeaveActions(own, target.fqdn)};
	// After an undo of the whole site the master holds no cluster and none of the wizard's files: only the recipe changes there.
	const masterUndone = wizardChanges(records, inventory.master.name).length === 0;
	try {
		let result: RunResult;
		if (!masterUndone) {
			write(`${name} leaves the cluster (on ${inventory.master.name}):`);
			result = await runPlan({...session.context, steps: [leave]}, reporter);
			if (result.outcome !== 'done') return failed(result);
		}
		write(`${name} goes back to how the wizard found it:`);
		result = await runPlan({...run!.context, steps: [nodeStep]}, reporter);
		if (result.outcome !== 'done') return failed(result);
		run!.progress.markUndone(kept.map(file => file.path), {node: name});
		write(`${inventory.master.name} forgets ${name} (its key, its names):`);
		result = await runPlan({...session.context, steps: [masterStep]}, reporter);
		if (result.outcome !== 'done') return failed(result);
		session.progress.markUndone([], {node: inventory.master.name, ids: masterIds});
		// A node that left with node remove took its names out of the zones then: the site stays as it is.
		if (!departed) {
			const leaving = await openSession({...flags, unattended: true}, edited);
			if (masterUndone) {
				leaving.context.begin?.();
			} else {
				result = await runPlan(leaving.context, reporter);
				if (result.outcome !== 'done') return failed(result);
			}
		}
	} finally {
		await run?.host.close?.();
	}
	write(`Undone: ${name} left the cluster and its host is as the wizard found it${kept.length > 0 ? ', but for the files below' : ''}.`);
	for (const line of keptLines(kept)) write(line);
	return kept.length > 0 ? undoExitCodes.kept : undoExitCodes.done;
}

/**
 * The saved site, read-only, with nodes that left it listed again (their
 * entries as they were last): how their hosts are reached and their changes
 * planned. Never saved: the site keeps its own recipe.
 */
async function withDeparted(flags: UndoFlags, site: Session, nodes: RecipeNode[]): Promise<Session> {
	const saved = site.progress.recipe!;
	const text = nodes.reduce((recipe, node) => addNodeToRecipe(recipe, node), saved.text);
	return openSession({...flags, unattended: true, readOnly: true}, {recipe: parseRecipe(text, saved.path), origin: saved.path, text});
}

function keptLines(kept: KeptFile[]): string[] {
	return kept.map(file => `Kept ${file.path}: ${file.reason}; undo leaves it as it is (\`ganeti-wizard changes\` shows the wizard's version).`);
}

function continueUndo(flags: UndoFlags): string {
	const parts = ['ganeti-wizard', 'undo'];
	if (flags.node) parts.push('--node', flags.node);
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
