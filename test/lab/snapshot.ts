// What a lab host has changed, file by file: its overlays' upper directories
// hold every file written, made or deleted inside (and nothing else), so two
// snapshots of them show exactly what a run changed.
import {createHash} from 'node:crypto';
import {lstat, readdir, readFile, readlink} from 'node:fs/promises';
import {join} from 'node:path';
import type {Lab} from '../support/lab.js';

/** Files bigger than this (sparse disk images) are compared by size, not read. */
const readLimit = 16 * 1024 * 1024;

/** Lab path -> "sha256 mode" (files), "-> target" (links), "deleted" (whiteouts). */
export type Snapshot = Map<string, string>;

async function walk(directory: string, labPath: string, into: Snapshot): Promise<void> {
	for (const name of (await readdir(directory)).sort()) {
		const path = join(directory, name);
		const inside = `${labPath}/${name}`;
		const info = await lstat(path);
		const mode = (info.mode & 0o7777).toString(8);
		if (info.isDirectory()) await walk(path, inside, into);
		else if (info.isSymbolicLink()) into.set(inside, `-> ${await readlink(path)}`);
		else if (info.isCharacterDevice() && info.rdev === 0) into.set(inside, 'deleted');
		else if (info.size > readLimit) into.set(inside, `size ${info.size} mode ${mode}`);
		else if (info.isFile()) into.set(inside, `${createHash('sha256').update(await readFile(path)).digest('hex')} mode ${mode} owner ${info.uid}:${info.gid}`);
	}
}

export async function snapshot(lab: Lab, trees: string[]): Promise<Snapshot> {
	const result: Snapshot = new Map();
	for (const tree of trees) {
		const upper = lab.upperDirectory(tree);
		if (!upper) throw new Error(`${tree} is not an overlay of the lab`);
		await walk(upper, tree, result);
	}
	return result;
}

/** Paths whose state differs ("+ new", "- gone", "~ changed"). */
export function differences(before: Snapshot, after: Snapshot): string[] {
	const changes: string[] = [];
	for (const [path, state] of after) {
		if (!before.has(path)) changes.push(`+ ${path}`);
		else if (before.get(path) !== state) changes.push(`~ ${path}`);
	}
	for (const path of before.keys()) if (!after.has(path)) changes.push(`- ${path}`);
	return changes.sort();
}

/** sha256 of files inside the lab ("absent" when missing). */
export async function checksums(lab: Lab, paths: string[]): Promise<Record<string, string>> {
	const sums: Record<string, string> = {};
	for (const path of [...new Set(paths)].sort()) {
		const content = await readFile(lab.path(path)).catch(() => null);
		sums[path] = content === null ? 'absent' : createHash('sha256').update(content).digest('hex');
	}
	return sums;
}

/** Runtime files of the daemons and of the wizard's own journal: they change on every run by design. */
const runtimeFiles = [/^\/var\/log\//, /^\/var\/lib\/ganeti\/queue\//, /^\/var\/lib\/ganeti-wizard\/(journal\.jsonl|transcript\.log)$/, /^\/var\/lib\/dhcp\/dhcpd\.leases~?$/, /^\/var\/cache\//];

/** The differences between two snapshots but those of runtime files (logs, job queue, leases, the journal). */
export function configurationChanges(before: Snapshot, after: Snapshot): string[] {
	return differences(before, after).filter(change => !runtimeFiles.some(pattern => pattern.test(change.slice(2))));
}
