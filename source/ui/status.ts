// How a status looks in the TUI: the symbol the plain and unattended output
// use too (it survives NO_COLOR), and an Ink colour.
import type {ActionStatus} from '../actions/action.js';
import {statusSymbol} from './status-style.js';

export const statusColor: Record<ActionStatus, string | undefined> = {
	pending: undefined,
	running: 'cyan',
	done: 'green',
	satisfied: 'green',
	failed: 'red',
	waiting: 'yellow',
	skipped: 'yellow',
};

export function statusMark(status: ActionStatus): string {
	return statusSymbol[status];
}
