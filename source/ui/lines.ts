// Progress as plain lines, one per step or action status change: the
// unattended output of apply --yes and the plain mode's progress alike
// (serial consoles, screen readers, logs). Command output stays in the
// transcript; a failure can show its last lines.
import chalk, {type ChalkInstance} from 'chalk';
import type {RunEvent} from '../runner/events.js';
import {statusSymbol, styleStatus} from './status-style.js';

export type LineOptions = {
	/** After a failed command, its last lines (plain mode shows them in its own prompt). */
	failureTail?: boolean;
};

export function lineReporter(write: (line: string) => void, paint: ChalkInstance = chalk, options: LineOptions = {}): (event: RunEvent) => void {
	const tails = new Map<string, string[]>();
	return event => {
		if (event.type === 'output') {
			if (options.failureTail) tails.set(event.actionId, [...(tails.get(event.actionId) ?? []), ...event.lines].slice(-15));
			return;
		}
		const label = styleStatus(event.status, `${statusSymbol[event.status]} ${event.status}`, paint);
		if (event.type === 'step') {
			write(`${paint.bold(`step ${event.stepId}`)}: ${label}`);
			return;
		}
		write(`  ${label} ${event.action.title}${event.note ? paint.dim(` (${event.note})`) : ''}`);
		if (event.status === 'failed') for (const line of tails.get(event.action.id) ?? []) write(paint.dim(`      | ${line}`));
	};
}
