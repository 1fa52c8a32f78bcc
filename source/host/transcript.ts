// The transcript: every command the wizard ran, with its output, beside the
// saved progress. Appended synchronously so a kill -9 loses at most a line.
import {appendFileSync, closeSync, mkdirSync, openSync, writevSync} from 'node:fs';
import {dirname} from 'node:path';
import {quoteArgv} from './quote.js';

export class Transcript {
	/** While held, what would be written waits here (the operator has not confirmed anything yet). */
	private held: Buffer[] | undefined;
	private made = false;

	/**
	 * `path` undefined: nothing is kept (plan, status, detection). `held`: the
	 * transcript stays in memory, and nothing is created, until `release()`.
	 */
	constructor(
		readonly path: string | undefined,
		options: {held?: boolean} = {},
	) {
		if (path && options.held) this.held = [];
	}

	/** Writes what was held and every later line to the file (creating its folder). */
	release(): void {
		const held = this.held;
		this.held = undefined;
		if (held && held.length > 0) this.append(held);
	}

	command(argv: readonly string[], outcome: string): void {
		this.write(`$ ${quoteArgv(argv)}  # ${outcome}`);
	}

	/**
	 * A command's output as it printed it, between its "started" and "exit"
	 * lines: a batch of chunks in one write, never joined into one buffer first.
	 */
	output(chunks: readonly Buffer[]): void {
		if (chunks.length > 0) this.append(chunks);
	}

	note(message: string): void {
		this.write(`# ${message}`);
	}

	private write(text: string): void {
		this.append([Buffer.from(`${new Date().toISOString()} ${text}\n`)]);
	}

	private append(chunks: readonly Buffer[]): void {
		if (!this.path) return;
		if (this.held) {
			this.held.push(...chunks);
			return;
		}
		if (!this.made) {
			mkdirSync(dirname(this.path), {recursive: true, mode: 0o700});
			this.made = true;
		}
		const descriptor = openSync(this.path, 'a', 0o600);
		try {
			writevSync(descriptor, chunks as Buffer[]);
		} finally {
			closeSync(descriptor);
		}
	}
}
