// How each status reads on a line: a symbol that survives NO_COLOR, and a colour.
import chalk from 'chalk';
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

const statusColour: Record<ActionStatus, (text: string) => string> = {
	pending: chalk.dim,
	running: chalk.cyan,
	done: chalk.green,
	satisfied: chalk.green,
	failed: chalk.red,
	waiting: chalk.yellow,
	skipped: chalk.yellow,
};

export function styleStatus(status: ActionStatus, text: string): string {
	return statusColour[status](text);
}
