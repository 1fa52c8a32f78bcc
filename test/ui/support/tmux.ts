// A real terminal for the built wizard: one tmux server of the test's own
// (its own socket) with one window, keys sent one at a time, the screen read back.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {tick} from './ink.js';

export class Terminal {
	private readonly socket = `wizard-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

	constructor(
		private readonly columns = 120,
		private readonly rows = 40,
	) {}

	tmux(...args: string[]): string {
		return spawnSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8'}).stdout;
	}

	/** Runs `command` in a new window; its exit status stays on screen as `EXIT=n`. */
	start(command: string): void {
		this.tmux('kill-server');
		this.tmux('new-session', '-d', '-x', String(this.columns), '-y', String(this.rows), `${command}; echo "EXIT=$?"; sleep 600`);
	}

	screen(): string {
		// -J: lines the terminal wrapped come back whole.
		return this.tmux('capture-pane', '-p', '-J');
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
