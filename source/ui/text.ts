// Turning a child's raw output into lines a fixed-size pane can show: no
// escape codes (they would move Ink's cursor), carriage-return progress bars
// reduced to what the terminal would finally show, tabs expanded.

// CSI / OSC / other ESC sequences, and lone C0 controls except tab.
const escapes = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])|[\u0000-\u0008\u000B-\u001F\u007F]/g;

export function cleanLine(raw: string): string {
	// "50%\r100%" shows as "100%" on a terminal.
	const lastReturn = raw.lastIndexOf('\r', raw.length - 2);
	const visible = lastReturn === -1 ? raw : raw.slice(lastReturn + 1);
	return visible.replace(escapes, '').replace(/\r$/, '').replace(/\t/g, '    ');
}

/** Printable ASCII only: as many columns as characters. */
export function isPlainAscii(text: string): boolean {
	return /^[\x20-\x7E]*$/.test(text);
}

/** Cut to `width` columns (by code points: the tail pane never needs more precision). */
export function clip(text: string, width: number): string {
	if (width <= 0) return '';
	const points = [...text];
	return points.length <= width ? text : `${points.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export function formatBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatElapsed(milliseconds: number): string {
	const seconds = Math.floor(milliseconds / 1000);
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
	return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** One line for a command whose arguments may hold scripts: newlines shown as ⏎. */
export function oneLine(text: string): string {
	return text.replace(/\s*\n\s*/g, ' ⏎ ');
}

/** Shell quoting for display: what an operator could paste to run the same thing. */
export function quoteArgv(argv: readonly string[]): string {
	return argv.map(part => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(' ');
}
