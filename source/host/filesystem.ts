// A host's files, seen under a root ("/" for real, the rehearsal folder
// otherwise): reads, and the atomic, checked replace every write goes through.
// Also the scratch tree a staged check runs on.
import {constants as fsConstants} from 'node:fs';
import {chmod, chown, cp, mkdir, mkdtemp, open, readdir, readFile, readlink, rename, rm, rmdir, stat, unlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {basename, dirname, join} from 'node:path';
import type {Stage} from '../actions/action.js';
import {failpoint} from '../runner/failpoints.js';
import type {FileInfo, RunResult, WriteOptions} from './host.js';

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

/** Runs a checker on a candidate file's path; null when it could not run here. */
export type CandidateChecker = (argv: string[]) => Promise<RunResult | null>;

export class MappedFiles {
	/** `durable`: every write and removal is fsynced (file and directory) before it returns. */
	constructor(
		readonly root: string,
		readonly durable = true,
	) {}

	/** Where a host path lives on this machine. */
	map(path: string): string {
		return this.root === '/' ? path : join(this.root, path);
	}

	async readFile(path: string): Promise<string | null> {
		try {
			return await readFile(this.map(path), 'utf8');
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
	}

	async readBytes(path: string, offset: number, length: number): Promise<Buffer | null> {
		let handle;
		try {
			handle = await open(this.map(path), 'r');
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
		try {
			const info = await handle.stat();
			if (!info.isFile() && !info.isBlockDevice()) return Buffer.alloc(0);
			const buffer = Buffer.alloc(length);
			const {bytesRead} = await handle.read(buffer, 0, length, offset);
			return buffer.subarray(0, bytesRead);
		} finally {
			await handle.close();
		}
	}

	async readLink(path: string): Promise<string | null> {
		try {
			return await readlink(this.map(path));
		} catch (error) {
			if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EINVAL') return null;
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

	/**
	 * Candidate beside the target, fsynced, checked, renamed over the target,
	 * directory fsynced (both fsyncs only when `durable`). Keeps an existing file's mode and owner; a new file
	 * gets `options.mode` and, when `chownNew` is given, its owner.
	 */
	async writeFile(path: string, content: string, options: WriteOptions, checker: CandidateChecker, chownNew?: (candidate: string) => Promise<void>): Promise<void> {
		const target = this.map(path);
		const directory = dirname(target);
		await mkdir(directory, {recursive: true, mode: 0o755});
		const existing = await this.stat(path);
		// A fixed candidate name: a run killed before the rename leaves it behind,
		// and the rerun's write of the same file reuses and renames it.
		const candidate = join(directory, `.${basename(target)}.ganeti-wizard-new`);
		await writeCandidate(candidate, content, existing?.mode ?? options.mode, this.durable);
		if (existing) await chown(candidate, existing.uid, existing.gid);
		else
			await chownNew?.(candidate).catch(async (error: unknown) => {
				await unlink(candidate);
				throw error;
			});

		if (options.check) {
			const argv = options.check.map(part => (part === '{}' ? candidate : part));
			const result = await checker(argv);
			if (result && result.exitCode !== 0) {
				await unlink(candidate);
				throw new CheckFailedError(path, argv, result, pointedLine(result, content));
			}
		}
		failpoint('file-candidate');
		await rename(candidate, target);
		if (this.durable) await syncDirectory(directory);
	}

	/** Removes a file (nothing when absent), then each directory that is left empty; the parent is fsynced when `durable`. */
	async remove(path: string, directories: string[]): Promise<void> {
		const target = this.map(path);
		await rm(target, {force: true});
		if (this.durable && (await stat(dirname(target)).then(() => true, () => false))) await syncDirectory(dirname(target));
		for (const directory of directories) {
			const entries = await readdir(this.map(directory)).catch(() => null);
			if (entries?.length === 0) await rmdir(this.map(directory));
		}
	}

	/**
	 * Lays out a stage's scratch tree (copies of live directories under this
	 * root, candidates over them) and hands its path to `use`; removed after.
	 * `use` gets null when the tree lacks what the check needs.
	 */
	async withStage<T>(stage: Stage, use: (scratch: string | null) => Promise<T>): Promise<T> {
		const scratch = await mkdtemp(join(tmpdir(), 'ganeti-wizard-stage-'));
		try {
			for (const directory of stage.copy) {
				if (await this.stat(directory)) await cp(this.map(directory), join(scratch, directory), {recursive: true, filter: path => basename(path) !== '.git'});
			}
			for (const directory of stage.emptyDirectories ?? []) await mkdir(join(scratch, directory), {recursive: true});
			for (const file of stage.files) {
				await mkdir(dirname(join(scratch, file.path)), {recursive: true});
				await writeFile(join(scratch, file.path), file.content);
			}
			const complete = await stat(join(scratch, stage.needs)).then(() => true, () => false);
			return await use(complete ? scratch : null);
		} finally {
			await rm(scratch, {recursive: true, force: true});
		}
	}
}

/** Writes a file with `mode`, fsynced before it returns when `durable`. */
export async function writeCandidate(path: string, content: string, mode: number, durable: boolean): Promise<void> {
	const handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC, mode);
	try {
		await handle.writeFile(content, 'utf8');
		if (durable) await handle.sync();
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

/** The generated line a checker complains about ("file:12: ..." or "line 12:"). */
export function pointedLine(result: RunResult, content: string): {number: number; text: string} | undefined {
	const match = /(?::(\d+):|line (\d+)[:.])/.exec(result.stdout + result.stderr);
	const number = Number(match?.[1] ?? match?.[2]);
	const text = content.split('\n')[number - 1];
	return number && text !== undefined ? {number, text} : undefined;
}

/** What every host on this machine reads the same way: its files under its root. */
export abstract class FilesUnderRoot {
	protected readonly files: MappedFiles;

	constructor(
		readonly root: string,
		readonly durable: boolean,
	) {
		this.files = new MappedFiles(root, durable);
	}

	readFile(path: string): Promise<string | null> {
		return this.files.readFile(path);
	}

	readLink(path: string): Promise<string | null> {
		return this.files.readLink(path);
	}

	stat(path: string): Promise<FileInfo | null> {
		return this.files.stat(path);
	}

	readBytes(path: string, offset: number, length: number): Promise<Buffer | null> {
		return this.files.readBytes(path, offset, length);
	}

	list(path: string): Promise<string[]> {
		return this.files.list(path);
	}

	remove(path: string, directories: string[]): Promise<void> {
		return this.files.remove(path, directories);
	}
}
