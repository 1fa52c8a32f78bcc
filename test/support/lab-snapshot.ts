// What a lab host is, read inside it, for "exactly as before" comparisons
// (undo, undo --node): every file and directory under the trees the wizard may
// touch (content, mode, owner), addresses, links, routes, the nat and filter
// tables, ip_forward, listening sockets, processes, loop devices and volume
// groups.
import {createHash} from 'node:crypto';
import {lstat, readdir, readFile, readlink} from 'node:fs/promises';
import type {Lab} from './lab.js';

/** The trees whose every file and directory must come back. */
const trees = ['/etc', '/var/lib/ganeti', '/srv', '/root/.ssh'];

/**
 * LVM's own record of every metadata change (vgcreate and vgremove archive and
 * back up the metadata, by lvm.conf's backup settings): a log, like /var/log.
 */
const lvmHistory = /^\/etc\/lvm\/(archive|backup)\//;

async function files(lab: Lab, skip: RegExp[]): Promise<Record<string, string>> {
	const found: Record<string, string> = {};
	async function walk(inside: string): Promise<void> {
		const entries = await readdir(lab.path(inside)).catch(() => null);
		if (entries === null) return;
		for (const name of entries.sort()) {
			const path = `${inside}/${name}`;
			if (lvmHistory.test(path) || skip.some(pattern => pattern.test(path))) continue;
			const info = await lstat(lab.path(path));
			const owner = `mode ${(info.mode & 0o7777).toString(8)} owner ${info.uid}:${info.gid}`;
			if (info.isDirectory()) {
				found[`${path}/`] = owner;
				await walk(path);
			} else if (info.isSymbolicLink()) found[path] = `-> ${await readlink(lab.path(path))}`;
			// Sparse disk images: by size.
			else if (info.isFile() && info.size > 16 * 1024 * 1024) found[path] = `size ${info.size} ${owner}`;
			else if (info.isFile()) found[path] = `${createHash('sha256').update(await readFile(lab.path(path))).digest('hex')} ${owner}`;
			else found[path] = `special ${owner}`;
		}
	}
	for (const tree of trees) {
		const info = await lstat(lab.path(tree)).catch(() => null);
		found[`${tree}/`] = info ? `mode ${(info.mode & 0o7777).toString(8)} owner ${info.uid}:${info.gid}` : 'absent';
		await walk(tree);
	}
	return found;
}

async function output(lab: Lab, argv: string[]): Promise<string> {
	const result = await lab.exec(argv);
	return `exit ${result.exitCode}\n${result.stdout}`;
}

/**
 * Everything undo must bring back, read inside the lab. `skip`: paths left out
 * (a directory another node shares, say).
 */
export async function labState(lab: Lab, skip: RegExp[] = []): Promise<Record<string, unknown>> {
	const rules = async (table: string) => (await output(lab, ['iptables-save', '-t', table])).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');
	const processes = (await lab.run(['ps', '-e', '-o', 'comm=']))
		.split('\n')
		.map(line => line.trim())
		.filter(name => name && !['ps', 'timeout', 'nsenter', 'sh'].includes(name))
		.sort();
	const sockets = (await lab.run(['ss', '-H', '-ltnu']))
		.split('\n')
		.filter(Boolean)
		.map(line => {
			const [netid, , , , local] = line.trim().split(/\s+/);
			return `${netid} ${local}`;
		})
		.sort();
	return {
		files: await files(lab, skip),
		// The kernel's own IPv6 link-local address may still be in duplicate address detection ("tentative") at first.
		addresses: (await output(lab, ['ip', '-o', 'address', 'show'])).replaceAll(' tentative', ''),
		links: (await output(lab, ['ip', '-o', 'link', 'show'])).replace(/\\\s+link\/ether \S+/g, ''),
		// IPv4: the kernel adds the local route of that IPv6 address once its detection ends.
		routes: await output(lab, ['ip', '-4', 'route', 'show', 'table', 'all']),
		nat: await rules('nat'),
		filter: await rules('filter'),
		ipForward: await output(lab, ['cat', '/proc/sys/net/ipv4/ip_forward']),
		sockets,
		processes,
		// Loop devices are the machine's: another test's scratch image under /tmp may come and go meanwhile.
		loops: (await output(lab, ['losetup', '--list', '--noheadings', '--output', 'NAME,BACK-FILE']))
			.split('\n')
			.filter(line => !/\s\/tmp\//.test(line))
			.join('\n'),
		volumeGroups: await output(lab, ['vgs', '--noheadings', '-o', 'vg_name']),
	};
}

/** The keys whose values differ, and for files the paths. */
export function differences(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
	const found: string[] = [];
	for (const key of Object.keys(before)) {
		if (key === 'files') {
			const a = before.files as Record<string, string>;
			const b = after.files as Record<string, string>;
			for (const path of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[path] !== b[path]) found.push(`${path}: ${a[path] ?? 'absent'} -> ${b[path] ?? 'absent'}`);
		} else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
			found.push(`${key}:\n--- before\n${JSON.stringify(before[key], null, 1)}\n--- after\n${JSON.stringify(after[key], null, 1)}`);
		}
	}
	return found;
}
