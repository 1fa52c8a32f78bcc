// The transcript: every command the wizard ran, with its output, beside the
// saved progress. Appended synchronously so a kill -9 loses at most a line.
import {appendFileSync, mkdirSync} from 'node:fs';
import {dirname} from 'node:path';
import {quoteArgv} from './quote.js';

export class Transcript {
	constructor(readonly path: string | undefined) {
		if (path) mkdirSync(dirname(path), {recursive: true, mode: 0o700});
	}

	command(argv: readonly string[], outcome: string): void {
		this.write(`$ ${quoteArgv(argv)}  # ${outcome}`);
	}

	/** A command's output as it printed it, between its "started" and "exit" lines. */
	output(bytes: Buffer | string): void {
		if (this.path) appendFileSync(this.path, bytes, {mode: 0o600});
	}

	note(message: string): void {
		this.write(`# ${message}`);
	}

	private write(text: string): void {
		if (!this.path) return;
		appendFileSync(this.path, `${new Date().toISOString()} ${text}\n`, {mode: 0o600});
	}
}
