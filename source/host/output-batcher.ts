// A running command's output on its way out. Every byte goes to the transcript
// as it came, in one write per batch; only the batch's last lines are decoded
// for the screen. An installer may print 100,000 lines: joining, decoding and
// splitting all of them would cost more than the command's own printing does.

export type OutputSinks = {
	/** Every byte, in order (the transcript). Called once per batch. */
	record: (chunks: readonly Buffer[]) => void;
	/**
	 * The batch's last whole lines (at most `tailLines`), never empty, and how
	 * many lines the batch ended in all (counted, not decoded).
	 */
	show: (lines: string[], printed: number) => void;
};

export class OutputBatcher {
	/** Lines handed on per batch at most: a pane shows fewer, a failure its last 20. */
	static readonly tailLines = 200;
	/** Bytes decoded per batch at most: 200 ordinary lines fit; one huge line is kept by its end. */
	static readonly tailBytes = 64 * 1024;
	static readonly intervalMs = 50;
	/** A burst is handed on at once: holding megabytes for 50 ms only raises the peak. */
	static readonly burstBytes = 512 * 1024;

	private pending: Buffer[] = [];
	private pendingBytes = 0;
	/** The bytes of the unterminated last line so far (bounded; a character may straddle chunks). */
	private carry: Buffer[] = [];
	private recordedNewline = true;
	private timer: NodeJS.Timeout | undefined;

	constructor(private readonly sinks: OutputSinks) {}

	push(chunk: Buffer): void {
		if (chunk.length === 0) return;
		this.pending.push(chunk);
		this.pendingBytes += chunk.length;
		if (this.pendingBytes > OutputBatcher.burstBytes) this.flush(false);
		else this.timer ??= setTimeout(() => this.flush(false), OutputBatcher.intervalMs);
	}

	/** Hands on what is pending; at the end (`final`) also an unterminated last line. */
	flush(final = true): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		const chunks = this.pending;
		this.pending = [];
		this.pendingBytes = 0;
		if (chunks.length > 0) {
			const last = chunks.at(-1)!;
			// The transcript's next line starts on a line of its own.
			const closing = final && last[last.length - 1] !== 0x0a;
			this.sinks.record(closing ? [...chunks, Buffer.from('\n')] : chunks);
			this.recordedNewline = closing || last[last.length - 1] === 0x0a;
		} else if (final && !this.recordedNewline) {
			this.sinks.record([Buffer.from('\n')]);
			this.recordedNewline = true;
		}
		let printed = countNewlines(chunks);
		const {lines, rest} = lastLines([...this.carry, ...chunks], OutputBatcher.tailLines, OutputBatcher.tailBytes);
		this.carry = rest;
		if (final && rest.length > 0) {
			lines.push(Buffer.concat(rest).toString('utf8'));
			printed++;
			this.carry = [];
		}
		if (lines.length > 0) this.sinks.show(lines, printed);
	}
}

/**
 * The last whole lines of `parts` (chunks in order, the first one starting a
 * line): at most `count` lines and about `maxBytes` bytes, decoded; and `rest`,
 * the bytes after the last newline (at most `maxBytes`, the end kept). Only the
 * bytes of those lines are joined and decoded, never the whole.
 */
export function lastLines(parts: readonly Buffer[], count: number, maxBytes: number): {lines: string[]; rest: Buffer[]} {
	let part = parts.length - 1;
	let newline = -1;
	for (; part >= 0; part--) {
		newline = parts[part]!.lastIndexOf(0x0a);
		if (newline >= 0) break;
	}
	if (part < 0) return {lines: [], rest: keepLast(parts, maxBytes)};
	const rest = keepLast([parts[part]!.subarray(newline + 1), ...parts.slice(part + 1)], maxBytes);

	// Back from that newline over `count - 1` more (then `count` lines lie between), or `maxBytes`.
	const region: Buffer[] = [];
	let bytes = 0;
	let found = 0;
	for (let index = part; index >= 0; index--) {
		const chunk = parts[index]!;
		const stop = index === part ? newline : chunk.length;
		let start = 0;
		let done = false;
		for (let search = stop - 1; search >= 0; ) {
			const at = chunk.lastIndexOf(0x0a, search);
			if (at < 0) break;
			if (++found === count) {
				start = at + 1;
				done = true;
				break;
			}
			search = at - 1;
		}
		if (bytes + stop - start > maxBytes) {
			start = characterStart(chunk, stop - (maxBytes - bytes));
			done = true;
		}
		region.push(chunk.subarray(start, stop));
		bytes += stop - start;
		if (done) break;
	}
	region.reverse();
	const text = (region.length === 1 ? region[0]! : Buffer.concat(region)).toString('utf8');
	return {lines: text.split('\n'), rest};
}

function countNewlines(chunks: readonly Buffer[]): number {
	let count = 0;
	for (const chunk of chunks) for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) count++;
	return count;
}

/** The last `maxBytes` of `parts`, empty chunks dropped. */
function keepLast(parts: readonly Buffer[], maxBytes: number): Buffer[] {
	const kept: Buffer[] = [];
	let bytes = 0;
	for (let index = parts.length - 1; index >= 0 && bytes < maxBytes; index--) {
		const chunk = parts[index]!;
		if (chunk.length === 0) continue;
		const room = maxBytes - bytes;
		const piece = chunk.length <= room ? chunk : chunk.subarray(characterStart(chunk, chunk.length - room));
		kept.push(piece);
		bytes += piece.length;
	}
	return kept.reverse();
}

/** `offset`, moved past UTF-8 continuation bytes so a cut never splits a character. */
function characterStart(chunk: Buffer, offset: number): number {
	let start = Math.max(0, offset);
	while (start < chunk.length && (chunk[start]! & 0xc0) === 0x80) start++;
	return start;
}
