// apply: makes the changes. With --yes nothing is asked: a failure stops the
// run (exit 1), a checkpoint stops it until the operator confirms (exit 3). A
// rehearsal notes each checkpoint as not done and goes on: nobody installs an
// OS into a folder.
import {existsSync, readFileSync} from 'node:fs';
import {isAbsolute} from 'node:path';
import chalk from 'chalk';
import {RecipeError, UsageError} from '../errors.js';
import {everyNode, nodeWhere, trustSharedHostKeys} from '../node-runs.js';
import type {Decisions, RunResult} from '../runner/events.js';
import {journalView, runPlan} from '../runner/run.js';
import {openSession, realStateDir, type Session} from '../session.js';
import {afterRun} from '../ui/closing.js';
import {lineReporter} from '../ui/lines.js';
import {summarize} from '../ui/unattended.js';
import {continueCommand, type CommandFlags} from './flags.js';

/** Exit codes by outcome: quit is the operator leaving the wizard (q, Ctrl-C) to resume later. */
export const exitCodes = {done: 0, failed: 1, waiting: 3, quit: 4} as const;

export async function apply(flags: CommandFlags): Promise<number> {
	if (!flags.yes) {
		const {interactive} = await import('./interactive.js');
		return interactive(flags);
	}
	return applySession(await openSession({...flags, unattended: true, preflight: true}), flags);
}

/** Applies an opened (writable) session unattended: progress lines, then the closing summary. Returns the exit code. */
export async function applySession(session: Session, flags: CommandFlags): Promise<number> {
	if (flags.confirm.length > 0) {
		// A mistyped id would be journalled and confirm nothing: refused before anything is written.
		const checkpoints = (await journalView(session.context)).flatMap(step => step.actions.flatMap(({action}) => (action.kind === 'checkpoint' ? [action.id] : [])));
		const unknown = flags.confirm.find(id => !checkpoints.includes(id));
		if (unknown !== undefined) {
			throw new UsageError(`--confirm: ${JSON.stringify(unknown)} is not a checkpoint of the plan (${checkpoints.length > 0 ? `its checkpoints: ${checkpoints.join(', ')}` : 'it has none'}); give one of those, as apply printed it`);
		}
		session.context.begin?.();
		for (const id of flags.confirm) session.progress.confirm(id);
	}
	const write = (line: string) => process.stdout.write(`${line}\n`);
	write(introduction(session));
	for (const note of session.notes) write(`Note: ${note}`);
	if (session.siteChanges.length > 0) for (const line of ['What the recipe changes in the saved site:', ...session.siteChanges.map(change => `  ${change}`)]) write(line);
	const rehearsal = session.host.kind === 'rehearsal';
	const decisions: Decisions = rehearsal ? {atCheckpoint: async () => 'pass'} : {};
	const reporter = lineReporter(write, undefined, {failureTail: true});
	// The other nodes prepare themselves first; the master then joins them.
	const several = session.inventory.nodes.length > 1;
	const answers = await everyNode<RunResult>(
		session,
		{
			readOnly: false,
			stop: result => result.outcome !== 'done',
			async before(node, run) {
				if (!several) return;
				write(chalk.bold(`Node ${node.name} (${nodeWhere(node, run.host)}):`));
				const keys = run.context.inventory.keys;
				if (run.host.kind === 'real' && node.role !== 'master' && keys) {
					const refused = await trustSharedHostKeys(session.progress.directory, node.name, node.publicAddress ?? node.fqdn, keys);
					if (refused) throw new RecipeError([refused], session.recipePath);
				}
			},
		},
		async (run): Promise<RunResult> => runPlan(run.context, reporter, decisions),
	);
	const result = answers.at(-1)!.result;
	const changed = answers.reduce((sum, answer) => sum + changes(answer.result), 0);
	const lines = summarize(result, continueCommand(flags));
	// A finished run says how much it changed, then where a rehearsal's work is and what to do next.
	if (result.outcome === 'done') {
		lines[lines.length - 1] += ` ${changed} change${changed === 1 ? '' : 's'} made (journal: ${session.progress.path}).`;
		const stateDir = session.progress.directory;
		lines.push(...afterRun({mode: rehearsal ? 'rehearsal' : 'real', root: session.host.root, stateDir, stateDirFlag: stateDir !== realStateDir, ...recipeFile(session)}));
	}
	for (const line of lines) write(line);
	return exitCodes[result.outcome];
}

function changes(result: RunResult): number {
	return result.steps.flatMap(step => step.actions).filter(entry => entry.status === 'done').length;
}

/** The recipe file the site came from; none when it came from answers given in the wizard. */
function recipeFile(session: Session): {recipePath?: string; edited?: boolean} {
	if (!isAbsolute(session.recipePath) || !existsSync(session.recipePath)) return {};
	// vm add and vm remove edit the saved site: the file no longer replays it.
	const saved = session.progress.recipe?.text;
	return {recipePath: session.recipePath, ...(saved !== undefined && saved !== readFileSync(session.recipePath, 'utf8') ? {edited: true} : {})};
}

export function introduction(session: Session): string {
	const {host, progress} = session;
	if (host.kind === 'real') return `Applying ${session.recipePath} to this host (site saved in ${progress.directory}).`;
	const source = session.builtInDefault ? 'the bundled seed recipe' : session.recipePath;
	return `Rehearsal of ${source} under ${host.root}: files are written there, commands recorded in ${progress.directory}/commands.sh; nothing runs on this host.`;
}
