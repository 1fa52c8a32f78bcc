// Undo for real: a lab host (see test/support/lab-host.ts) is snapshotted, the
// lab site applied (`apply --yes` of recipes/lab.yaml: a cluster, an instance,
// bind, dhcpd, NAT, a loop-backed VG), then `undo --yes`: the host is as it
// was, file for file under /etc, /var/lib/ganeti, /srv and ~/.ssh (content,
// mode, owner, and every directory), addresses, links and routes, the nat and
// filter tables, ip_forward, listening sockets, processes, loop devices and
// volume groups. A second undo changes nothing.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {lstat, readdir, readFile, readlink} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {createLabHost, labHostRequirements, type CliRun, type LabHost} from '../support/lab-host.js';
import {need} from '../support/need.js';

/** The trees whose every file and directory must come back. */
const trees = ['/etc', '/var/lib/ganeti', '/srv', '/root/.ssh'];

/**
 * LVM's own record of every metadata change (vgcreate and vgremove archive and
 * back up the metadata, by lvm.conf's backup settings): a log, like /var/log.
 */
const lvmHistory = /^\/etc\/lvm\/(archive|backup)\//;

async function files(host: LabHost): Promise<Record<string, string>> {
	const found: Record<string, string> = {};
	async function walk(inside: string): Promise<void> {
		const entries = await readdir(host.lab.path(inside)).catch(() => null);
		if (entries === null) return;
		for (const name of entries.sort()) {
			const path = `${inside}/${name}`;
			if (lvmHistory.test(path)) continue;
			const info = await lstat(host.lab.path(path));
			const owner = `mode ${(info.mode & 0o7777).toString(8)} owner ${info.uid}:${info.gid}`;
			if (info.isDirectory()) {
				found[`${path}/`] = owner;
				await walk(path);
			} else if (info.isSymbolicLink()) found[path] = `-> ${await readlink(host.lab.path(path))}`;
			// Sparse disk images: by size.
			else if (info.isFile() && info.size > 16 * 1024 * 1024) found[path] = `size ${info.size} ${owner}`;
			else if (info.isFile()) found[path] = `${createHash('sha256').update(await readFile(host.lab.path(path))).digest('hex')} ${owner}`;
			else found[path] = `special ${owner}`;
		}
	}
	for (const tree of trees) {
		const info = await lstat(host.lab.path(tree)).catch(() => null);
		found[`${tree}/`] = info ? `mode ${(info.mode & 0o7777).toString(8)} owner ${info.uid}:${info.gid}` : 'absent';
		await walk(tree);
	}
	return found;
}

async function output(host: LabHost, argv: string[]): Promise<string> {
	const result = await host.lab.exec(argv);
	return `exit ${result.exitCode}\n${result.stdout}`;
}

/** Everything undo must bring back, read inside the lab. */
async function labState(host: LabHost): Promise<Record<string, unknown>> {
	const rules = async (table: string) => (await output(host, ['iptables-save', '-t', table])).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');
	const processes = (await host.lab.run(['ps', '-e', '-o', 'comm=']))
		.split('\n')
		.map(line => line.trim())
		.filter(name => name && !['ps', 'timeout', 'nsenter', 'sh'].includes(name))
		.sort();
	const sockets = (await host.lab.run(['ss', '-H', '-ltnu']))
		.split('\n')
		.filter(Boolean)
		.map(line => {
			const [netid, , , , local] = line.trim().split(/\s+/);
			return `${netid} ${local}`;
		})
		.sort();
	return {
		files: await files(host),
		// The kernel's own IPv6 link-local address may still be in duplicate address detection ("tentative") at first.
		addresses: (await output(host, ['ip', '-o', 'address', 'show'])).replaceAll(' tentative', ''),
		links: (await output(host, ['ip', '-o', 'link', 'show'])).replace(/\\\s+link\/ether \S+/g, ''),
		// IPv4: the kernel adds the local route of that IPv6 address once its detection ends.
		routes: await output(host, ['ip', '-4', 'route', 'show', 'table', 'all']),
		nat: await rules('nat'),
		filter: await rules('filter'),
		ipForward: await output(host, ['cat', '/proc/sys/net/ipv4/ip_forward']),
		sockets,
		processes,
		loops: await output(host, ['losetup', '--list', '--noheadings', '--output', 'NAME,BACK-FILE']),
		volumeGroups: await output(host, ['vgs', '--noheadings', '-o', 'vg_name']),
	};
}

/** The keys whose values differ, and for files the paths. */
function differences(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
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

test('apply of recipes/lab.yaml, then undo --yes: the lab host is exactly as before; a second undo changes nothing', async t => {
	if (!need([...labHostRequirements, 'ss', 'ps', 'vgs', 'iptables-save'], t)) return;
	const host = await createLabHost();
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await host.diagnostics(run)}`);
	try {
		const before = await labState(host);
		const applied = await host.apply();
		if (applied.code !== 0) await failWith(`apply --yes exited ${applied.code ?? applied.signal}`, applied);
		const during = await labState(host);
		assert.ok(differences(before, during).length > 10, 'the apply changed the host');

		const listed = await host.cli(['changes', '--json', '--root', '/']);
		assert.equal(listed.code, 0, listed.stderr);
		const changes = JSON.parse(listed.stdout) as {files: Array<{path: string}>; commands: Array<{category: string; argv: string[]}>};
		assert.ok(changes.files.some(file => file.path === '/etc/bind/named.conf.options'), 'changes lists the files');
		assert.ok(changes.commands.some(command => command.category === 'cluster' && command.argv[1] === 'init'), 'changes lists the cluster');

		const undone = await host.cli(['undo', '--yes', '--root', '/'], {timeoutMs: 10 * 60_000});
		console.log(`# undo: exit ${undone.code ?? undone.signal} in ${(undone.ms / 1000).toFixed(1)} s`);
		if (undone.code !== 0) await failWith(`undo --yes exited ${undone.code ?? undone.signal}`, undone);
		const after = await labState(host);
		assert.deepEqual(differences(before, after), [], `the lab host is as before the apply\n${undone.stdout}`);

		const again = await host.cli(['undo', '--yes', '--root', '/']);
		assert.equal(again.code, 0, again.stderr);
		assert.match(again.stdout, /Nothing to undo/);
		assert.deepEqual(differences(before, await labState(host)), []);
	} finally {
		await host.destroy();
	}
});
