// How each status looks, in lines and in the TUI alike: a symbol that survives
// NO_COLOR, and one colour table for chalk and Ink.
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
	unchecked: '?',
};

const statusColour: Record<ActionStatus, 'dim' | 'cyan' | 'green' | 'red' | 'yellow'> = {
	pending: 'dim',
	running: 'cyan',
	done: 'green',
	satisfied: 'green',
	failed: 'red',
	waiting: 'yellow',
	skipped: 'yellow',
	unchecked: 'dim',
};

/** `text` in the status's colour; `paint` is plain mode's own chalk (it may have colour off). */
export function styleStatus(status: ActionStatus, text: string, paint: ChalkInstance = chalk): string {
	return paint[statusColour[status]](text);
}

/** The same colour as Ink <Text> props (dim is a prop of its own there). */
export function statusTextProps(status: ActionStatus): {color?: string; dimColor: boolean} {
	const colour = statusColour[status];
	return colour === 'dim' ? {dimColor: true} : {color: colour, dimColor: false};
}
