// plan: every step's actions and whether each is already in place. Changes
// nothing on the host; it only saves generated values (MACs) so that a later
// apply uses the same ones.
import {planAll} from '../runner/run.js';
import {openSession} from '../session.js';
import type {CommandFlags} from './flags.js';
import {planJson, planText} from './report.js';

export async function plan(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true});
	const steps = await planAll(session.context);
	if (flags.json) process.stdout.write(`${planJson(steps)}\n`);
	else process.stdout.write(`${planText(steps).join('\n')}\n`);
	return 0;
}
