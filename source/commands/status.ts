// status: the site's progress as its journal has it. Read-only: nothing is
// created or written.
import chalk from 'chalk';
import {everyNode} from '../node-runs.js';
import {journalView} from '../runner/run.js';
import {openSession} from '../session.js';
import type {CommandFlags} from './flags.js';
import {nodesPlanJson, planJson, statusText} from './report.js';

export async function status(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true, readOnly: true});
	// The journal answers for every node: no node is reached.
	const views = await everyNode(session, {readOnly: true}, async run => journalView(run.context));
	if (flags.json) {
		const all = views.flatMap(entry => entry.result);
		process.stdout.write(`${views.length === 1 ? planJson(all, session.host.node) : nodesPlanJson(views.map(entry => ({node: entry.name, steps: entry.result})))}\n`);
		return 0;
	}
	const lines = [`site: ${session.recipePath} (journal ${session.progress.path})`];
	for (const entry of views) {
		if (views.length > 1) lines.push(chalk.bold.underline(`Node ${entry.name} (${entry.role})`));
		lines.push(...statusText(entry.result));
	}
	process.stdout.write(`${lines.join('\n')}\n`);
	return 0;
}
