// The one host adapter. At root "/" it acts for real; under any other root it
// rehearses: every path is mapped under the root, changing commands are only
// recorded (in commands.sh beside the progress), read-only checkers still run.
import {constants as fsConstants} from 'node:fs';
import {appendFile, chmod, chown, cp, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, unlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {basename, dirname, join} from 'node:path';
import {$, type ProcessPromise} from 'zx/core';
import {die, failpoint, failpointReached} from '../runner/failpoints.js';
import {OutputBatcher} from './output-batcher.js';
import type {Stage} from '../actions/action.js';
import type {FileInfo, Host, RunOptions, RunResult, WriteOptions} from './host.js';
import {quoteArgv} from './quote.js';
import type {Transcript} from './transcript.js';

export class CheckFailedError extends Error {
	constructor(
		readonly path: string,
		readonly checker: string[],
		readonly result: RunResult,
		readonly pointedLine?: {number: number; text: string},
	) {
		const output = (result.stdout + result.stderr).trim().split('\n').filter(Boolean);
		const where = pointedLine ? ` (line ${pointedLine.number}: ${pointedLine.text.trim()})` : '';
		super(`${path} was not installed: ${checker[0]} rejected it: ${output.at(-1) ?? `exit code ${result.exitCode}`}${where}`);
		this.name = 'CheckFailedError';
	}
}

type LocalHostOptions = {
	root: string;
	/** Where backups and the rehearsal's command record go. */
	stateDir: string;
	transcript: Transcript;
};

export class LocalHost implements Host {
	readonly mode: 'real' | 'rehearsal';
	readonly root: string;
	private readonly stateDir: string;
	private readonly transcript: Transcript;

	constructor(options: LocalHostOptions) {
		this.root = options.root;
		this.mode = options.root === '/' ? 'real' : 'rehearsal';
		this.stateDir = options.stateDir;
		this.transcript = options.transcript;
	}

	/** Where a host path lives on this machine. */
	map(path: string): string {
		return this.mode === 'real' ? path : join(this.root, path);
	}

	async readFile(path: string): Promise<string | null> {
		try {
			return await readFile(this.map(path), 'utf8');
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
	}

	async stat(path: string): Promise<FileInfo | null> {
		try {
			const info = await stat(this.map(path));
			return {mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, size: info.size};
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
	}

	async list(path: string): Promise<string[]> {
		try {
			return (await readdir(this.map(path))).sort();
		} catch (error) {
			if (isMissing(error)) return [];
			throw error;
		}
	}

	async writeFile(path: string, content: string, options: WriteOptions): Promise<void> {
		const target = this.map(path);
		const directory = dirname(target);
		await mkdir(directory, {recursive: true, mode: 0o755});
		const existing = await this.stat(path);
		// A fixed candidate name: a run killed before the rename leaves it behind,
		// and the rerun's write of the same file reuses and renames it.
		const candidate = join(directory, `.${basename(target)}.ganeti-wizard-new`);
		await writeDurably(candidate, content, existing?.mode ?? options.mode);
		if (existing) await chown(candidate, existing.uid, existing.gid);
		else if (options.owner && this.mode === 'real') await this.chownByName(candidate, options.owner);

		if (options.check) {
			const argv = options.check.map(part => (part === '{}' ? candidate : part));
			const result = await this.check(argv);
			if (result && result.exitCode !== 0) {
				await unlink(candidate);
				throw new CheckFailedError(path, argv, result, pointedLine(result, content));
			}
		}

		const previous = existing ? await this.readFile(path) : null;
		if (previous !== null) await this.backup(path, previous);
		failpoint('file-candidate');
		await rename(candidate, target);
		await syncDirectory(directory);
		this.transcript.note(`wrote ${path} (${Buffer.byteLength(content)} bytes)`);
	}

	async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
		if (this.mode === 'rehearsal') {
			await this.record(argv, options.actionId);
			this.transcript.command(argv, 'recorded, not run (rehearsal)');
			return {exitCode: 0, stdout: '', stderr: ''};
		}
		return this.execute(argv, options, true);
	}

	async probe(argv: string[], options: {timeoutMs?: number} = {}): Promise<RunResult | null> {
		if (this.mode === 'rehearsal') return null;
		return this.execute(argv, {timeoutMs: options.timeoutMs ?? 30_000}, false);
	}

	async check(argv: string[], stage?: Stage): Promise<RunResult | null> {
		const mapped = argv.map(part => part.replaceAll('{root}', this.root));
		if (this.mode === 'rehearsal' && !(await commandExists(mapped[0]!))) {
			this.transcript.note(`not checked: ${mapped[0]} is not installed here`);
			return null;
		}
		if (!stage) return this.execute(mapped, {timeoutMs: 120_000}, false);
		const scratch = await mkdtemp(join(tmpdir(), 'ganeti-wizard-stage-'));
		try {
			for (const directory of stage.copy) {
				const source = this.map(directory);
				if (await this.stat(directory)) await cp(source, join(scratch, directory), {recursive: true, filter: path => basename(path) !== '.git'});
			}
			for (const directory of stage.emptyDirectories ?? []) await mkdir(join(scratch, directory), {recursive: true});
			for (const file of stage.files) {
				await mkdir(dirname(join(scratch, file.path)), {recursive: true});
				await writeFile(join(scratch, file.path), file.content);
			}
			if (!(await stat(join(scratch, stage.needs)).then(() => true, () => false))) {
				this.transcript.note(`not checked: ${stage.needs} is not there to check the files with`);
				return null;
			}
			return await this.execute(mapped.map(part => part.replaceAll('{stage}', scratch)), {timeoutMs: 120_000}, false);
		} finally {
			await rm(scratch, {recursive: true, force: true});
		}
	}

	async recorded(actionId: string, argv: string[]): Promise<boolean> {
		if (this.mode === 'real') return false;
		const record = await this.readRecord();
		return record.includes(`${recordHeader(actionId)}\n${quoteArgv(argv)}\n`);
	}

	private async execute(argv: string[], options: RunOptions, changes: boolean): Promise<RunResult> {
		const started = Date.now();
		const child: ProcessPromise = $({
			quiet: true,
			nothrow: true,
			// A changing command may print for hours (apt, an installer): keep only a tail
			// in memory. Probes keep everything: their output is parsed.
			...(changes ? {store: {stdout: new TailStore(), stderr: new TailStore(), stdall: new TailStore()}} : {}),
			input: options.input,
			// zx runs argv through `bash -c`; with SHLVL unset and a socket for stdin,
			// Debian's bash takes that for an ssh login and sources ~/.bashrc, whose
			// output would corrupt probes. SHLVL >= 1 tells it otherwise.
			env: {...process.env, LC_ALL: 'C', SHLVL: String(Math.max(1, Number(process.env['SHLVL']) || 0)), ...options.env},
			timeout: options.timeoutMs,
		})`${argv}`;
		this.transcript.command(argv, 'started');
		const lines = new OutputBatcher({
			record: chunks => this.transcript.output(chunks),
			show: (batch, printed) => options.onLines?.(batch, printed),
		});
		const stop = () => void child.kill('SIGTERM').catch(() => undefined);
		options.signal?.addEventListener('abort', stop, {once: true});
		child.stdout.on('data', (chunk: Buffer) => lines.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => lines.push(chunk));
		// Let the command get under way, then die as a lost session would.
		const dies = changes && failpointReached('command-running');
		if (dies) setTimeout(die, 1000);
		const output = await child;
		if (dies) die();
		options.signal?.removeEventListener('abort', stop);
		lines.flush();
		const exitCode = output.exitCode ?? (output.signal ? 128 + signalNumber(output.signal) : 1);
		this.transcript.command(argv, `exit ${exitCode}${output.signal ? ` (${output.signal})` : ''} after ${Date.now() - started} ms`);
		return {exitCode, stdout: output.stdout, stderr: output.stderr};
	}

	private async record(argv: string[], actionId = 'unnamed'): Promise<void> {
		const path = join(this.stateDir, 'commands.sh');
		const existing = await this.readRecord();
		const prologue = existing ? '' : '#!/bin/bash\n# What a real run would have executed, in order (rehearsal record).\nset -e\n';
		await appendFile(path, `${prologue}${recordHeader(actionId)}\n${quoteArgv(argv)}\n`, {mode: 0o600});
		const handle = await open(path, 'r');
		await handle.sync();
		await handle.close();
	}

	private async readRecord(): Promise<string> {
		try {
			return await readFile(join(this.stateDir, 'commands.sh'), 'utf8');
		} catch (error) {
			if (isMissing(error)) return '';
			throw error;
		}
	}

	private async backup(path: string, content: string): Promise<void> {
		const stamp = new Date().toISOString().replaceAll(':', '');
		const target = join(this.stateDir, 'backups', `${path}.${stamp}`);
		await mkdir(dirname(target), {recursive: true, mode: 0o700});
		await writeDurably(target, content, 0o600);
	}

	private async chownByName(path: string, owner: {user: string; group: string}): Promise<void> {
		const uid = idFromDatabase(await this.readFile('/etc/passwd'), owner.user);
		const gid = idFromDatabase(await this.readFile('/etc/group'), owner.group);
		if (uid === undefined || gid === undefined) throw new Error(`cannot set owner ${owner.user}:${owner.group} on ${path}: no such user or group`);
		await chown(path, uid, gid);
	}
}

function recordHeader(actionId: string): string {
	return `# action ${actionId}`;
}

async function writeDurably(path: string, content: string, mode: number): Promise<void> {
	const handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC, mode);
	try {
		await handle.writeFile(content, 'utf8');
		await handle.sync();
	} finally {
		await handle.close();
	}
	await chmod(path, mode);
}

async function syncDirectory(path: string): Promise<void> {
	const handle = await open(path, 'r');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

function isMissing(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'ENOENT' || code === 'ENOTDIR';
}

async function commandExists(name: string): Promise<boolean> {
	if (name.includes('/')) return stat(name).then(() => true, () => false);
	for (const directory of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
		if (await stat(join(directory, name)).then(() => true, () => false)) return true;
	}
	return false;
}

function idFromDatabase(database: string | null, name: string): number | undefined {
	const line = database?.split('\n').find(entry => entry.split(':')[0] === name);
	return line ? Number(line.split(':')[2]) : undefined;
}

/** The generated line a checker complains about ("file:12: ..." or "line 12:"). */
function pointedLine(result: RunResult, content: string): {number: number; text: string} | undefined {
	const match = /(?::(\d+):|line (\d+)[:.])/.exec(result.stdout + result.stderr);
	const number = Number(match?.[1] ?? match?.[2]);
	const text = content.split('\n')[number - 1];
	return number && text !== undefined ? {number, text} : undefined;
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
