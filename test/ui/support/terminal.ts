// A real terminal for the built command: tmux on a socket of its own, keys
// sent as a person types them, the screen read back as text.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {tick} from './ink.js';

/** One tmux server of our own (its own socket), one window (120x40 unless told). */
export class Terminal {
	private readonly socket: string;

	constructor(
		name = 'wizard-test',
		private readonly size: {columns: number; rows: number} = {columns: 120, rows: 40},
	) {
		this.socket = `${name}-${process.pid}-${size.columns}x${size.rows}`;
	}

	tmux(...args: string[]): string {
		const result = spawnSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8'});
		return result.stdout;
	}

	start(command: string): void {
		this.tmux('kill-server');
		// The exit status stays on screen after the wizard is gone.
		this.tmux('new-session', '-d', '-x', String(this.size.columns), '-y', String(this.size.rows), `${command}; echo "EXIT=$?"; sleep 600`);
	}

	screen(): string {
		// -J: lines the terminal wrapped come back whole.
		return this.tmux('capture-pane', '-p', '-J');
	}

	/** The screen as it looks: a line the terminal wrapped stays two lines. */
	visible(): string {
		return this.tmux('capture-pane', '-p');
	}

	/** Everything the terminal showed, the lines scrolled off the top too. */
	history(): string {
		return this.tmux('capture-pane', '-p', '-J', '-S', '-');
	}

	/** Each key in its own send-keys: a letter and Enter in one write would arrive as one input. */
	async press(...keys: string[]): Promise<void> {
		for (const key of keys) {
			this.tmux('send-keys', key);
			await tick(120);
		}
	}

	/** All keys in one send-keys: one write, as a paste or a slow link delivers them. */
	async burst(...keys: string[]): Promise<void> {
		this.tmux('send-keys', ...keys);
		await tick(120);
	}

	/** Text typed as it is, never read as a key name (-l). */
	async type(text: string): Promise<void> {
		this.tmux('send-keys', '-l', text);
		await tick(120);
	}

	async waitFor(expected: string | RegExp, timeoutMs = 30_000): Promise<string> {
		const started = Date.now();
		for (;;) {
			const screen = this.screen();
			if (typeof expected === 'string' ? screen.includes(expected) : expected.test(screen)) return screen;
			if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${expected}; the screen:\n${screen}`);
			await tick(100);
		}
	}

	close(): void {
		this.tmux('kill-server');
	}
}

/**
 * Words broken mid-way on a screen `columns` wide (as `visible()` returns it):
 * a full line cut short with an ellipsis, or a full line ending inside a word
 * that the next line goes on with. Each is returned with the line after it.
 */
export function brokenWords(screen: string, columns: number): string[] {
	const lines = screen.split('\n');
	return lines.flatMap((line, index) => {
		if ([...line].length < columns) return [];
		const next = lines[index + 1] ?? '';
		const cut = line.endsWith('…') || (/[\p{L}\p{N}]$/u.test(line) && /^[\p{L}\p{N}]/u.test(next));
		return cut ? [`${line}⏎${next}`] : [];
	});
}
