// Running a command through zx: output batched to the transcript and the UI,
// a changing command's output capped in memory, a kill point for the resume
// tests. Shared by every host that runs processes on this machine.
import {stat} from 'node:fs/promises';
import {join} from 'node:path';
import {$, ps, type ProcessPromise} from 'zx/core';
import {die, failpointReached} from '../runner/failpoints.js';
import type {RunOptions, RunResult} from './host.js';
import {OutputBatcher} from './output-batcher.js';
import type {Transcript} from './transcript.js';

/**
 * Runs argv (no shell parsing: each element is one argument) and returns its
 * exit code and output. `changes`: a changing command, whose output may be
 * endless (only a 256 KiB tail is kept) and where the kill point may strike.
 * `shown`: what the transcript says ran, when argv only carries it (ssh to a node).
 */
export async function execute(argv: string[], options: RunOptions, changes: boolean, transcript: Transcript, shown: string[] = argv): Promise<RunResult> {
	const started = Date.now();
	const child: ProcessPromise = $({
		quiet: true,
		nothrow: true,
		...(changes ? {store: {stdout: new TailStore(), stderr: new TailStore(), stdall: new TailStore()}} : {}),
		// zx writes no empty input and leaves stdin open then: a command that reads it would wait forever.
		...(options.input ? {input: options.input} : {stdio: ['ignore', 'pipe', 'pipe']}),
		// zx runs argv through `bash -c`; with SHLVL unset and a socket for stdin,
		// Debian's bash takes that for an ssh login and sources ~/.bashrc, whose
		// output would corrupt probes. SHLVL >= 1 tells it otherwise.
		env: {...process.env, LC_ALL: 'C', SHLVL: String(Math.max(1, Number(process.env['SHLVL']) || 0)), ...options.env},
	})`${argv}`;
	transcript.command(shown, 'started');
	const lines = new OutputBatcher({
		record: chunks => transcript.output(chunks),
		show: (batch, printed) => options.onLines?.(batch, printed),
	});
	const stop = () => void terminate(child);
	options.signal?.addEventListener('abort', stop, {once: true});
	const timer = options.timeoutMs === undefined ? undefined : setTimeout(stop, options.timeoutMs);
	child.stdout.on('data', (chunk: Buffer) => lines.push(chunk));
	child.stderr.on('data', (chunk: Buffer) => lines.push(chunk));
	// Let the command get under way, then die as a lost session would.
	const dies = changes && failpointReached('command-running', options.actionId);
	if (dies) setTimeout(die, 1000);
	const output = await child;
	if (dies) die();
	clearTimeout(timer);
	options.signal?.removeEventListener('abort', stop);
	lines.flush();
	const exitCode = output.exitCode ?? (output.signal ? 128 + signalNumber(output.signal) : 1);
	transcript.command(shown, `exit ${exitCode}${output.signal ? ` (${output.signal})` : ''} after ${Date.now() - started} ms`);
	return {exitCode, stdout: output.stdout, stderr: output.stderr};
}

/** Whether a program is on this machine (PATH, plus the sbin folders root has). */
export async function commandExists(name: string): Promise<boolean> {
	if (name.includes('/')) return stat(name).then(() => true, () => false);
	for (const directory of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
		if (await stat(join(directory, name)).then(() => true, () => false)) return true;
	}
	return false;
}

/**
 * TERM to the command, then to every process it started, parents before
 * children. zx's own kill signals the descendants first: a shell whose child
 * died before the shell got its signal would run the script's next line.
 */
async function terminate(child: ProcessPromise): Promise<void> {
	const root = child.pid;
	if (!root) return;
	const descendants = await ps.tree({pid: root, recursive: true}).catch(() => []);
	const ordered = [root];
	for (let index = 0; index < ordered.length; index++) {
		for (const entry of descendants) if (Number(entry.ppid) === ordered[index]) ordered.push(Number(entry.pid));
	}
	for (const pid of ordered) {
		try {
			process.kill(pid, 'SIGTERM');
		} catch {
			// Ended by itself meanwhile.
		}
	}
}

function signalNumber(signal: string): number {
	return ({SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15} as Record<string, number>)[signal] ?? 0;
}

/** Output chunks, as zx stores them, capped to the last 256 KiB. */
class TailStore extends Array<string | Buffer> {
	private bytes = 0;

	override push(...chunks: Array<string | Buffer>): number {
		for (const chunk of chunks) {
			super.push(chunk);
			this.bytes += chunk.length;
		}
		while (this.bytes > 256 * 1024 && this.length > 1) this.bytes -= this.shift()!.length;
		return this.length;
	}
}
