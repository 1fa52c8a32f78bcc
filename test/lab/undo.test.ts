// Undo for real: a lab host (see test/support/lab-host.ts) is snapshotted, the
// lab site applied (`apply --yes` of recipes/lab.yaml: a cluster, an instance,
// bind, dhcpd, NAT, a loop-backed VG), then `undo --yes`: the host is as it
// was, file for file under /etc, /var/lib/ganeti, /srv and ~/.ssh (content,
// mode, owner, and every directory), addresses, links and routes, the nat and
// filter tables, ip_forward, listening sockets, processes, loop devices and
// volume groups, also when undo is killed part way (after an instance is
// removed, after the cluster is destroyed, a file restored, a daemon stopped,
// the bridge taken down) and run again. A second undo changes nothing; apply
// then makes the site again with the same MACs and addresses, and
// `gnt-cluster verify` passes; NAT turned off in the recipe takes the live
// MASQUERADE rule away, and undo after that still ends as before.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {lstat, readdir, readFile, readlink} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {instanceListArgv, parseInstanceList} from '../../source/drift/facts.js';
import {createLabHost, labHostRequirements, writeRecipeVariant, type CliRun, type LabHost} from '../support/lab-host.js';
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

test('apply of recipes/lab.yaml, then undo --yes killed at five points and run again: the lab host is exactly as before; a second undo changes nothing; apply again verifies; NAT off, then undo, as before too', async t => {
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

		// Killed part way, at a few points, each run going on from where the last one stopped.
		const inventory = await host.inventory();
		for (const [failpoint, where] of [
			['after-effect@undo.instances.rodo1.osm.add', /undo: create rodo1\.osm\.vm\.farm /],
			['after-effect@undo.cluster.init', /undo: initialise the cluster /],
			['after-effect@undo.file./etc/hosts', /restore \/etc\/hosts /],
			['after-effect@undo.service.isc-dhcp-server', /stop isc-dhcp-server/],
			['after-effect@undo.network.bridge', /undo: bring up br0 /],
		] as const) {
			const killed = await host.cli(['undo', '--yes', '--root', '/'], {env: {GANETI_WIZARD_FAILPOINT: failpoint}, timeoutMs: 10 * 60_000});
			if (killed.signal !== 'SIGKILL') await failWith(`undo with ${failpoint} was not killed (exit ${killed.code})`, killed);
			const last = killed.stdout.trimEnd().split('\n').at(-1) ?? '';
			assert.match(last, where, `undo killed at ${failpoint}: ${last}`);
			console.log(`# undo killed (${failpoint}) in ${(killed.ms / 1000).toFixed(1)} s: ${last.trim()}`);
		}
		const undone = await host.cli(['undo', '--yes', '--root', '/'], {timeoutMs: 10 * 60_000});
		console.log(`# undo after the kills: exit ${undone.code ?? undone.signal} in ${(undone.ms / 1000).toFixed(1)} s`);
		if (undone.code !== 0) await failWith(`undo --yes exited ${undone.code ?? undone.signal}`, undone);
		const after = await labState(host);
		assert.deepEqual(differences(before, after), [], `the lab host is as before the apply\n${undone.stdout}`);

		const again = await host.cli(['undo', '--yes', '--root', '/']);
		assert.equal(again.code, 0, again.stderr);
		assert.match(again.stdout, /Nothing to undo/);
		assert.deepEqual(differences(before, await labState(host)), []);

		// apply after undo makes the site again, with the MACs and addresses it had, and Ganeti verifies it.
		const rebuilt = await host.apply();
		console.log(`# apply after undo: exit ${rebuilt.code ?? rebuilt.signal} in ${(rebuilt.ms / 1000).toFixed(1)} s`);
		if (rebuilt.code !== 0) await failWith(`apply after undo exited ${rebuilt.code ?? rebuilt.signal}`, rebuilt);
		const verify = await host.lab.exec(['gnt-cluster', 'verify', ...inventory.recipe.cluster.verify_ignore.flatMap(code => ['-I', code])], {timeoutMs: 300_000});
		assert.equal(verify.exitCode, 0, `gnt-cluster verify after apply, undo, apply:\n${verify.stdout}${verify.stderr}`);
		const instances = parseInstanceList(await host.lab.run(instanceListArgv));
		assert.deepEqual(
			instances.map(instance => [instance.name, instance.macs]),
			inventory.instances.map(instance => [instance.fqdn, [instance.mac]]),
			'the same instances with the same MACs',
		);
		for (const instance of inventory.instances) {
			assert.equal((await host.lab.run(['dig', '+short', `@${inventory.node.address}`, instance.fqdn, 'A'])).trim(), instance.address);
		}

		// NAT turned off in the recipe: the live MASQUERADE rule goes with the configuration; undo then still ends as before.
		const masquerades = async () => (await host.lab.run(['iptables', '-t', 'nat', '-S', 'POSTROUTING'])).split('\n').filter(line => line.includes('MASQUERADE'));
		assert.equal((await masquerades()).length, 1, 'NAT is on');
		const noNat = await host.apply(await writeRecipeVariant(host, 'no-nat', recipe => (recipe.network.nat = false)));
		if (noNat.code !== 0) await failWith(`apply with network.nat: false exited ${noNat.code ?? noNat.signal}`, noNat);
		assert.match(noNat.stdout, /✓ done stop masquerading 10\.10\.0\.0\/16 out /);
		assert.deepEqual(await masquerades(), [], 'no MASQUERADE rule is live');
		assert.doesNotMatch((await host.lab.readFile('/etc/network/interfaces.d/ganeti-wizard'))!, /MASQUERADE/);
		const undoneAgain = await host.cli(['undo', '--yes', '--root', '/'], {timeoutMs: 10 * 60_000});
		if (undoneAgain.code !== 0) await failWith(`undo after NAT was turned off exited ${undoneAgain.code ?? undoneAgain.signal}`, undoneAgain);
		assert.deepEqual(differences(before, await labState(host)), [], 'apply, undo, apply, NAT off, undo: the lab host is as before');
	} finally {
		await host.destroy();
	}
});
