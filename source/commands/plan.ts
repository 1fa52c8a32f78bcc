// plan: every change the site needs, step by step, and the checks that will
// run. Read-only: nothing is created or written, not the state directory, not
// the transcript, not the rehearsal folder. With --detailed-exitcode: 0 no
// changes, 2 changes pending, 1 error (so cron can watch for drift).
import chalk from 'chalk';
import {everyNode} from '../node-runs.js';
import {planAll} from '../runner/run.js';
import {openSession} from '../session.js';
import type {CommandFlags} from './flags.js';
import {nodesPlanJson, planCounts, planJson, planText} from './report.js';

export async function plan(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true, readOnly: true, preflight: true});
	const write = (text: string) => process.stdout.write(`${text}\n`);
	const plans = await everyNode(session, {readOnly: true}, async run => planAll(run.context));
	const all = plans.flatMap(entry => entry.result);
	// What preflight could not tell: beside the plan, or on stderr when stdout is JSON.
	for (const note of session.notes) (flags.json ? process.stderr.write(`ganeti-wizard: note: ${note}\n`) : write(`Note: ${note}`));
	if (flags.json) {
		write(plans.length === 1 ? planJson(all, session.host.node) : nodesPlanJson(plans.map(entry => ({node: entry.name, steps: entry.result}))));
	} else {
		if (session.siteChanges.length > 0) write(['What the recipe changes in the saved site:', ...session.siteChanges.map(line => `  ${line}`), ''].join('\n'));
		for (const entry of plans) {
			if (plans.length > 1) write(chalk.bold.underline(`Node ${entry.name} (${entry.where})`));
			write((await planText(entry.result)).join('\n'));
			if (plans.length > 1) write('');
		}
	}
	if (!flags.detailedExitcode) return 0;
	return planCounts(all).changes > 0 ? 2 : 0;
}
