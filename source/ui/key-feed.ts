// Keys for line-mode prompts, handed over one at a time. Each inquirer prompt
// makes a readline interface of its own on its input, and closes it as soon as
// an Enter answers it: readline still parses the rest of that chunk, with no
// one listening. Two Enters typed ahead (or pasted, or sent over a slow link
// in one packet) answered one question and lost the other. Here the operator's
// input is read once, cut into keys, and each key goes to the prompt in front
// only when the one before it has been dealt with; what a prompt leaves goes
// to the next.
import {PassThrough} from 'node:stream';
import {StringDecoder} from 'node:string_decoder';

/**
 * A burst of input cut into keys, in order: an escape sequence (CSI such as
 * `ESC [ B`, SS3 such as `ESC O A`, or ESC and one character: Alt-x) stays
 * whole, as does a CR LF pair; anything else is one key per character.
 * ESC ESC is two Escapes (ECMA-48 has no sequence starting with two).
 */
export function splitKeys(burst: string): string[] {
	return burst.match(/\u001B\[[0-?]*[ -/]*[@-~]|\u001BO[\s\S]|\u001B[^\u001B]|\r\n|[\s\S]/gu) ?? [];
}

/** One prompt's view of the input: a stream to give it, and what it is doing. */
export type FedInput = {
	/** The input to hand to the prompt (readline reads it as a terminal when it is one). */
	stream: NodeJS.ReadableStream;
	/** Marks the prompt as busy until `work` settles (an answer being validated): keys wait. */
	busy: <T>(work: Promise<T> | T) => Promise<T> | T;
	/** The prompt is over: keys not given to it wait for the next one. */
	close: () => void;
	/** Called, instead of the prompt hearing it, for a ? pressed on its own (not inside pasted text). */
	onHelp?: () => void;
};

/** A ? pressed on its own: the help, never a character of an answer. */
const help = Symbol('help');

export class KeyFeed {
	private readonly queue: Array<string | typeof help> = [];
	private readonly decoder = new StringDecoder('utf8');
	private prompt: {stream: PassThrough; ready: boolean; closed: boolean; busy: Set<Promise<unknown>>; fed: FedInput} | null = null;
	private feeding = false;

	constructor(private readonly input: NodeJS.ReadableStream) {}

	private readonly heard = (chunk: Buffer | string): void => {
		const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
		// Text pasted or typed ahead keeps its ? as a character: only a ? read alone asks for help.
		if (text === '?') this.queue.push(help);
		else this.queue.push(...splitKeys(text));
		void this.feed();
	};

	/**
	 * An input for the next prompt. Raw mode set on it reaches the real input
	 * (readline turns it on while it reads, off as it closes).
	 */
	open(): FedInput {
		const stream = new PassThrough();
		const real = this.input as NodeJS.ReadStream;
		if (typeof real.setRawMode === 'function') {
			Object.defineProperty(stream, 'isRaw', {get: () => real.isRaw});
			Object.assign(stream, {setRawMode: (mode: boolean) => (real.setRawMode(mode), stream)});
		}
		const prompt = {stream, ready: false, closed: false, busy: new Set<Promise<unknown>>(), fed: undefined as unknown as FedInput};
		this.prompt = prompt;
		// Readline resumes its input as it starts listening: the prompt is ready for keys.
		stream.once('resume', () => {
			prompt.ready = true;
			void this.feed();
		});
		// And pauses it as it closes, the moment an answer ends the prompt: later keys wait for the next one.
		stream.on('pause', () => (prompt.closed = true));
		this.input.on('data', this.heard);
		this.input.resume();
		prompt.fed = {
			stream,
			busy: work => {
				if (!(work instanceof Promise)) return work;
				const tracked = work.finally(() => {
					prompt.busy.delete(tracked);
					void this.feed();
				});
				prompt.busy.add(tracked);
				return work;
			},
			close: () => {
				prompt.closed = true;
				if (this.prompt === prompt) {
					this.prompt = null;
					this.input.removeListener('data', this.heard);
					this.input.pause();
				}
			},
		};
		return prompt.fed;
	}

	/** Gives the queued keys to the prompt in front, one at a time, while it is ready and not busy. */
	private async feed(): Promise<void> {
		if (this.feeding) return;
		this.feeding = true;
		try {
			for (;;) {
				const prompt = this.prompt;
				if (!prompt || !prompt.ready || prompt.closed || prompt.busy.size > 0 || this.queue.length === 0) return;
				const key = this.queue.shift()!;
				if (key !== help) prompt.stream.write(key);
				else if (prompt.fed.onHelp) prompt.fed.onHelp();
				// Without a help to show, a lone ? is typed as it is.
				else prompt.stream.write('?');
				// The key is parsed and acted on (an Enter may end the prompt) before the next goes.
				await new Promise(resolve => setImmediate(resolve));
				await new Promise(resolve => setImmediate(resolve));
			}
		} finally {
			this.feeding = false;
		}
	}
}
