// Driving Ink screens in tests: keys as terminals send them, and waiting for a
// frame instead of asserting at once (Ink renders asynchronously).
import assert from 'node:assert/strict';

export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	right: '\u001B[C',
	left: '\u001B[D',
	enter: '\r',
	home: '\u001B[H',
	end: '\u001B[F',
	escape: '\u001B',
	backspace: '\u007F',
	clear: '\u0015',
	ctrlC: '\u0003',
	pageDown: '\u001B[6~',
};

export const tick = (ms = 20) => new Promise(resolve => setTimeout(resolve, ms));

/** The frame's text with line breaks and runs of spaces as one space: wrapped messages read whole. */
export function flat(text: string): string {
	return text.replace(/\s+/g, ' ');
}

/**
 * Polls `frame()` until it satisfies `ok` (a substring, found even across a
 * line wrap; a pattern; or a test); fails with the last frame.
 */
export async function waitFor(frame: () => string | undefined, ok: string | RegExp | ((text: string) => boolean), timeoutMs = 10_000): Promise<string> {
	const test = typeof ok === 'string' ? (text: string) => text.includes(ok) || flat(text).includes(flat(ok)) : ok instanceof RegExp ? (text: string) => ok.test(text) : ok;
	const started = Date.now();
	for (;;) {
		const text = frame() ?? '';
		if (test(text)) return text;
		if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${String(ok)}; last frame:\n${text}`);
		await tick(10);
	}
}

/** Sends keys one write at a time, as a person types (a letter and Enter in one write is not Enter). */
export async function press(stdin: {write: (data: string) => void}, ...sequence: string[]): Promise<void> {
	for (const key of sequence) {
		// Ink listens from a passive effect: a frame on screen does not yet mean
		// keys are heard (the process's first render takes longest).
		await tick(15);
		stdin.write(key);
	}
	await tick(15);
}

/** Types text one character per write. */
export async function type(stdin: {write: (data: string) => void}, text: string): Promise<void> {
	await press(stdin, ...[...text]);
}

/** Resolves with the next value `register` receives. */
export function nextCall<T>(): {callback: (value: T) => void; value: Promise<T>; calls: T[]} {
	let resolve!: (value: T) => void;
	const calls: T[] = [];
	const value = new Promise<T>(done => (resolve = done));
	return {
		callback: (value: T) => {
			calls.push(value);
			resolve(value);
		},
		value,
		calls,
	};
}
