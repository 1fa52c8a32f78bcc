// The transcript: every command the wizard ran, with its output, beside the
// saved progress. Appended synchronously so a kill -9 loses at most a line.
import {appendFileSync, closeSync, mkdirSync, openSync, writevSync} from 'node:fs';
import {dirname} from 'node:path';
import {quoteArgv} from './quote.js';

export class Transcript {
	constructor(readonly path: string | undefined) {
		if (path) mkdirSync(dirname(path), {recursive: true, mode: 0o700});
	}

	command(argv: readonly string[], outcome: string): void {
		this.write(`$ ${quoteArgv(argv)}  # ${outcome}`);
	}

	/**
	 * A command's output as it printed it, between its "started" and "exit"
	 * lines: a batch of chunks in one write, never joined into one buffer first.
	 */
	output(chunks: readonly Buffer[]): void {
		if (!this.path || chunks.length === 0) return;
		const descriptor = openSync(this.path, 'a', 0o600);
		try {
			writevSync(descriptor, chunks as Buffer[]);
		} finally {
			closeSync(descriptor);
		}
	}

	note(message: string): void {
		this.write(`# ${message}`);
	}

	private write(text: string): void {
		if (!this.path) return;
		appendFileSync(this.path, `${new Date().toISOString()} ${text}\n`, {mode: 0o600});
	}
}
