// status: saved progress as recorded, without probing the host.
import {journalView} from '../runner/run.js';
import {openSession} from '../session.js';
import type {CommandFlags} from './flags.js';
import {planJson, planText} from './report.js';

export async function status(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true});
	const steps = await journalView(session.context);
	if (flags.json) process.stdout.write(`${planJson(steps)}\n`);
	else process.stdout.write(`${[`progress: ${session.progress.path}`, ...planText(steps)].join('\n')}\n`);
	return 0;
}
