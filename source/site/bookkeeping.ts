// The benchmark's meter for bookkeeping: the CPU the wizard spends keeping
// its journal, progress and settings, as opposed to doing the site's work.
// Off by default, so a real run pays nothing for it.
import {closeSync, openSync, readSync} from 'node:fs';

/** `cpuMicros`: CPU time, in µs, spent inside metered work while `measuring` is on. */
export const bookkeeping = {measuring: false, cpuMicros: 0};

let schedstat: number | undefined;
const buffer = Buffer.alloc(64);

/**
 * CPU time of the calling thread, in µs. Bookkeeping runs on the main thread,
 * while the process total also counts the garbage collector's and libuv's
 * threads, which run beside it. Linux keeps a thread's CPU time, in ns, as the
 * first field of /proc/thread-self/schedstat (proc(5)); elsewhere the
 * process's time stands in.
 */
function threadCpuMicros(): number {
	try {
		schedstat ??= openSync('/proc/thread-self/schedstat', 'r');
		const length = readSync(schedstat, buffer, 0, buffer.length, 0);
		return Number(buffer.toString('latin1', 0, length).split(' ')[0]) / 1000;
	} catch {
		const used = process.cpuUsage();
		return used.user + used.system;
	}
}

/** Runs `work` and, while measuring, adds the CPU it took to `bookkeeping.cpuMicros`. */
export function metered<T>(work: () => T): T {
	if (!bookkeeping.measuring) return work();
	const started = threadCpuMicros();
	try {
		return work();
	} finally {
		bookkeeping.cpuMicros += threadCpuMicros() - started;
	}
}

/** Stops measuring and lets the meter's file go. */
export function stopMeasuring(): void {
	bookkeeping.measuring = false;
	if (schedstat !== undefined) closeSync(schedstat);
	schedstat = undefined;
}
