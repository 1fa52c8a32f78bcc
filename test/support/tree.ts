// Checksums of every file under a folder, to prove a run changed no byte.
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {lstat, readFile, readdir, readlink} from 'node:fs/promises';
import {join, relative} from 'node:path';

export async function treeDigest(root: string, ignore: string[] = []): Promise<Map<string, string>> {
	const digests = new Map<string, string>();
	async function walk(directory: string): Promise<void> {
		for (const name of (await readdir(directory)).sort()) {
			const path = join(directory, name);
			const key = relative(root, path);
			if (ignore.includes(key)) continue;
			const info = await lstat(path);
			if (info.isDirectory()) await walk(path);
			else if (info.isSymbolicLink()) digests.set(key, `link:${await readlink(path)}`);
			else digests.set(key, `${(info.mode & 0o7777).toString(8)}:${createHash('sha256').update(await readFile(path)).digest('hex')}`);
		}
	}
	await walk(root);
	return digests;
}

/** Every file under a folder with its text, by path relative to it: what two runs wrote, to compare. */
export function treeFiles(root: string): Map<string, string> {
	const found = new Map<string, string>();
	const walk = (directory: string) => {
		for (const name of readdirSync(directory)) {
			const path = join(directory, name);
			if (statSync(path).isDirectory()) walk(path);
			else found.set(relative(root, path), readFileSync(path, 'utf8'));
		}
	};
	walk(root);
	return found;
}
