// A fixed-size ring of the most recent lines. Pushing is O(1) per line and
// keeps no reference to older lines, so any amount of output costs the same memory.
export class LineRing {
	private readonly slots: string[];
	private next = 0;
	private filled = 0;
	/** Every line ever pushed, for "… N earlier lines" and tests. */
	total = 0;

	constructor(readonly capacity: number) {
		this.slots = new Array<string>(capacity).fill('');
	}

	/** `lines`: the latest ones of `printed` lines (the rest were seen only by the transcript). */
	push(lines: readonly string[], printed = lines.length): void {
		this.total += Math.max(printed, lines.length);
		// Only the last `capacity` lines of a batch can survive it.
		const start = Math.max(0, lines.length - this.capacity);
		for (let index = start; index < lines.length; index++) {
			this.slots[this.next] = lines[index]!;
			this.next = (this.next + 1) % this.capacity;
		}
		this.filled = Math.min(this.capacity, this.filled + lines.length - start);
	}

	/** The last `count` lines, oldest first. */
	tail(count = this.capacity): string[] {
		const size = Math.min(count, this.filled);
		const result: string[] = [];
		for (let index = size; index > 0; index--) result.push(this.slots[(this.next - index + this.capacity) % this.capacity]!);
		return result;
	}

	clear(): void {
		this.next = 0;
		this.filled = 0;
		this.total = 0;
	}
}
