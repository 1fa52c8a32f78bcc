// How each status reads on a line: a symbol that survives NO_COLOR, and a colour.
import chalk, {type ChalkInstance} from 'chalk';
import type {ActionStatus} from '../actions/action.js';

if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') chalk.level = 0;

export const statusSymbol: Record<ActionStatus, string> = {
	pending: '·',
	running: '▸',
	done: '✓',
	satisfied: '=',
	failed: '✗',
	waiting: '…',
	skipped: '-',
};

const statusColour: Record<ActionStatus, 'dim' | 'cyan' | 'green' | 'red' | 'yellow'> = {
	pending: 'dim',
	running: 'cyan',
	done: 'green',
	satisfied: 'green',
	failed: 'red',
	waiting: 'yellow',
	skipped: 'yellow',
};

/** `text` in the status's colour; `paint` is plain mode's own chalk (it may have colour off). */
export function styleStatus(status: ActionStatus, text: string, paint: ChalkInstance = chalk): string {
	return paint[statusColour[status]](text);
}
