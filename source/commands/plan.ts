// plan: every change the site needs, step by step, and the checks that will
// run. Read-only: nothing is created or written, not the state directory, not
// the transcript, not the rehearsal folder. With --detailed-exitcode: 0 no
// changes, 2 changes pending, 1 error (so cron can watch for drift).
import {planAll} from '../runner/run.js';
import {openSession} from '../session.js';
import type {CommandFlags} from './flags.js';
import {planCounts, planJson, planText} from './report.js';

export async function plan(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true, readOnly: true, preflight: true});
	const steps = await planAll(session.context);
	const write = (text: string) => process.stdout.write(`${text}\n`);
	if (flags.json) {
		write(planJson(steps, session.host.node));
	} else {
		if (session.siteChanges.length > 0) write(['What the recipe changes in the saved site:', ...session.siteChanges.map(line => `  ${line}`), ''].join('\n'));
		write((await planText(steps)).join('\n'));
	}
	if (!flags.detailedExitcode) return 0;
	return planCounts(steps).changes > 0 ? 2 : 0;
}
