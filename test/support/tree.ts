// Checksums of every file under a folder, to prove a run changed no byte.
import {createHash} from 'node:crypto';
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
