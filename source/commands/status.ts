// status: the site's progress as its journal has it. Read-only: nothing is
// created or written.
import {journalView} from '../runner/run.js';
import {openSession} from '../session.js';
import type {CommandFlags} from './flags.js';
import {planJson, statusText} from './report.js';

export async function status(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true, readOnly: true});
	const steps = await journalView(session.context);
	if (flags.json) process.stdout.write(`${planJson(steps, session.host.node)}\n`);
	else process.stdout.write(`${[`site: ${session.recipePath} (journal ${session.progress.path})`, ...statusText(steps)].join('\n')}\n`);
	return 0;
}
