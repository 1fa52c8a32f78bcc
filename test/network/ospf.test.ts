// Two nodes that route their VMs' /32s to each other over OSPF, with the real
// bird: two lab hosts (gcc20, gcc21) whose public interfaces meet on a switch
// (a third lab host holding a bridge), each prepared by the wizard's own
// network and routing steps (lo:1, br0 with the same gateway address, proxy
// ARP, NAT, the wizard's bird started by its init script, the route hooks).
// Lab hosts stand in for VMs on each node's bridge. Proven:
// - a VM's /32 added on one node is learned by the other via the first;
// - moved by the route hook (as after gnt-instance migrate) it is learned the
//   other way round;
// - the nodes' private addresses reach each other;
// - VMs of one subnet on different nodes reach each other (proxy ARP), with
//   their own addresses (nothing masqueraded between private addresses);
// - someone else's bird on gcc21 (Debian's paths, learning kernel routes)
//   keeps its routes, files and socket, and the wizard's bird keeps its own;
// - OSPF is signed with the site's password: a third host on the same switch
//   (gcc22) running the wizard's bird.conf with another password is heard
//   (its packets reach gcc20) but never becomes a neighbour, and neither its
//   /32 nor the site's routes cross; given the site's password (a reload, as
//   the wizard's own), it joins and its /32 arrives.
// Bounds are generous polls: the first OSPF adjacency takes seconds.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {$} from 'zx';
import type {Inventory} from '../../source/inventory/inventory.js';
import {birdConfPath, birdControlSocket, birdPasswordPath, birdPidPath, birdRunDirectory, renderBirdConf, renderBirdPassword} from '../../source/render/bird.js';
import {routeHookPath} from '../../source/render/ganeti-hooks.js';
import {masqueradeRule} from '../../source/render/interfaces.js';
import {networkStep} from '../../source/steps/network.js';
import {birdSettings, routingStep, vmRouteArgv} from '../../source/steps/routing.js';
import {inventoryFromYaml} from '../render/fixtures.js';
import {createLab, type Lab, type NamespaceHost} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {need} from '../support/need.js';

const requirements = ['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'busybox', 'sysctl', 'bird', 'birdc', 'update-rc.d', 'start-stop-daemon'];
const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');

/** The site's OSPF password, as the master hands it to every node. */
const sitePassword = randomBytes(32).toString('hex');

/** The seed's site with routing between nodes, as seen from node `number` (20 is the seed's own gcc20), with `password`. */
function nodeInventory(number: number, password = sitePassword): Inventory {
	const yaml = seedYaml
		.replace('  nat: true\n', '  nat: true\n  routing: ospf\n')
		.replace('hostname: gcc20', `hostname: gcc${number}`)
		.replace('private_address: 10.10.0.20', `private_address: 10.10.0.${number}`)
		.replace('public_address: 198.51.100.20', `public_address: 198.51.100.${number}`);
	return {...inventoryFromYaml(yaml), ospfPassword: password};
}

/**
 * gcc22: the wizard's own bird.conf for a third node on the switch, with
 * `password` beside it, a bridge holding the VM /32 `vmAddress`, started by
 * hand (the routing step's files, nothing else of a node).
 */
async function startOutsider(switchHost: NamespaceHost, password: string, vmAddress: string): Promise<Lab> {
	const inventory = nodeInventory(22, password);
	const node = await createLab({hostname: 'gcc22'});
	const made = await $({nothrow: true, quiet: true})`ip link add p-gcc22 netns ${String(switchHost.pid)} type veth peer name eth0 netns ${String(node.pid)}`;
	assert.equal(made.exitCode, 0, made.stderr);
	await switchHost.run(['ip', 'link', 'set', 'p-gcc22', 'master', 'sw0', 'up']);
	for (const argv of [
		['ip', 'address', 'add', '198.51.100.22/24', 'dev', 'eth0'],
		['ip', 'link', 'set', 'eth0', 'up'],
		['ip', 'link', 'set', 'lo', 'up'],
		['ip', 'address', 'add', '10.10.0.22/32', 'dev', 'lo'],
		['ip', 'link', 'add', 'br0', 'type', 'bridge'],
		['ip', 'link', 'set', 'br0', 'up'],
		vmRouteArgv('add', vmAddress, 'br0'),
		['install', '-d', birdRunDirectory],
	]) {
		await node.run(argv);
	}
	await node.writeFile(birdConfPath, renderBirdConf(birdSettings(inventory)));
	await node.writeFile(birdPasswordPath, renderBirdPassword(password), {mode: 0o600});
	await node.run(['bird', '-c', birdConfPath, '-s', birdControlSocket, '-P', birdPidPath]);
	return node;
}

/** OSPF packets (IP protocol 89) from `source` that reached `node` so far, counted by an iptables rule put there first. */
async function ospfPacketsFrom(node: Lab, source: string): Promise<number> {
	const listing = await node.run(['iptables', '-L', 'INPUT', '-n', '-v', '-x']);
	const line = listing.split('\n').find(entry => entry.includes(source) && /\b89\b|ospf/.test(entry));
	assert.ok(line, `the counting rule for ${source} is there:\n${listing}`);
	return Number(line.trim().split(/\s+/)[0]);
}

/** Polls `check` every half second until it holds; false after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 90_000): Promise<boolean> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return true;
		if (Date.now() > end) return false;
		await new Promise(resolve => setTimeout(resolve, 500));
	}
}

const route = async (host: NamespaceHost, address: string): Promise<string> => (await host.run(['ip', '-4', 'route', 'show', `${address}/32`])).trim();
const pings = async (host: NamespaceHost, address: string, source?: string): Promise<boolean> =>
	(await host.exec(['busybox', 'ping', '-c', '1', '-W', '1', ...(source ? ['-I', source] : []), address], {timeoutMs: 10_000})).exitCode === 0;

/** Packets the MASQUERADE rule rewrote so far (iptables -v -x counters). */
async function masqueraded(node: Lab, inventory: Inventory): Promise<number> {
	const rule = masqueradeRule(inventory);
	const listing = await node.run(['iptables', '-t', 'nat', '-L', 'POSTROUTING', '-n', '-v', '-x']);
	const line = listing.split('\n').find(entry => /\bMASQUERADE\b/.test(entry));
	assert.ok(line, `the MASQUERADE rule ${rule.join(' ')} is there:\n${listing}`);
	return Number(line.trim().split(/\s+/)[0]);
}

/** The route hook as Ganeti runs it after an operation, on `node`. */
async function runHook(node: Lab, hpath: 'instance-start' | 'instance-migrate', env: Record<string, string>): Promise<void> {
	const variables = {GANETI_HOOKS_PHASE: 'post', GANETI_HOOKS_PATH: hpath, GANETI_INSTANCE_NIC_COUNT: '1', GANETI_INSTANCE_NIC0_LINK: 'br0', ...env};
	await node.run(['env', '-i', 'PATH=/sbin:/bin:/usr/sbin:/usr/bin', ...Object.entries(variables).map(([key, value]) => `${key}=${value}`), routeHookPath(hpath)]);
}

/**
 * Someone else's bird on gcc21, on Debian's own paths, exporting a route to
 * the kernel and learning the kernel's: the wizard's bird must run beside it
 * and neither may take the other's routes.
 */
const theirConf = `router id 192.0.2.1;
protocol device {}
protocol static { ipv4; route 192.0.2.0/24 blackhole; }
protocol kernel { ipv4 { import all; export all; }; learn; scan time 1; }
`;
async function startTheirBird(node: Lab): Promise<void> {
	await node.writeFile('/etc/bird/bird.conf', theirConf);
	await node.run(['install', '-d', '/run/bird']);
	await node.run(['bird', '-c', '/etc/bird/bird.conf', '-s', '/run/bird/bird.ctl', '-P', '/run/bird/bird.pid']);
	assert.ok(await eventually(async () => (await node.run(['ip', '-4', 'route', 'show', '192.0.2.0/24'])).includes('blackhole')), 'their bird installed its route');
}

test('two nodes carry their VMs\' /32s to each other over OSPF; a moved /32 follows its VM; VMs of one subnet reach each other across nodes', async t => {
	if (!need(requirements, t)) return;
	const inventories = {gcc20: nodeInventory(20), gcc21: nodeInventory(21)};
	const switchHost = await createLab({hostname: 'switch'});
	t.after(() => switchHost.destroy());
	await switchHost.run(['ip', 'link', 'add', 'sw0', 'type', 'bridge']);
	await switchHost.run(['ip', 'link', 'set', 'sw0', 'up']);

	const nodes: Record<'gcc20' | 'gcc21', Lab> = {} as Record<'gcc20' | 'gcc21', Lab>;
	for (const name of ['gcc20', 'gcc21'] as const) {
		const node = await createLab({hostname: name});
		t.after(() => node.destroy());
		nodes[name] = node;
		// The node's public interface, plugged into the switch (both ends made inside their namespaces).
		const made = await $({nothrow: true, quiet: true})`ip link add ${`p-${name}`} netns ${String(switchHost.pid)} type veth peer name eth0 netns ${String(node.pid)}`;
		assert.equal(made.exitCode, 0, made.stderr);
		await switchHost.run(['ip', 'link', 'set', `p-${name}`, 'master', 'sw0', 'up']);
		await node.run(['ip', 'address', 'add', `${inventories[name].recipe.host.public_address}/24`, 'dev', 'eth0']);
		await node.run(['ip', 'link', 'set', 'eth0', 'up']);
		if (name === 'gcc21') await startTheirBird(node);
		await planAndApply(node, networkStep, inventories[name]);
		// Until the site knows its nodes, every node would hold every /32: rodo1 runs on gcc20.
		const routing = await planAndApply(node, routingStep, inventories[name], {only: action => name === 'gcc20' || !action.id.startsWith('routing.route.')});
		assert.ok(routing.applied.some(entry => entry.id === 'routing.bird' && entry.outcome === 'started'), `${name}: the wizard's bird started`);
		assert.equal((await node.run(['sysctl', '-n', 'net.ipv4.conf.br0.proxy_arp'])).trim(), '1');
	}
	const {gcc20, gcc21} = nodes;
	// gcc22 speaks OSPF on the same switch with another password; gcc20 counts what it hears from it.
	await gcc20.run(['iptables', '-I', 'INPUT', '-s', '198.51.100.22', '-p', '89']);
	const outsiderVm = '10.10.1.99';
	const gcc22 = await startOutsider(switchHost, randomBytes(32).toString('hex'), outsiderVm);
	t.after(() => gcc22.destroy());
	const rodo1 = inventories.gcc20.instances[0]!;
	assert.equal(rodo1.address, '10.10.1.50');
	// The routing step put rodo1's /32 on gcc20, where it runs.
	assert.equal(await route(gcc20, rodo1.address), '10.10.1.50 dev br0 proto 203 scope link');

	// gcc21 learns it via gcc20's node-link address, and both learn the other's private address.
	assert.ok(await eventually(async () => /^10\.10\.1\.50 via 198\.51\.100\.20 dev eth0 proto bird /.test(await route(gcc21, rodo1.address))), `gcc21 learns rodo1's /32 via gcc20: ${await route(gcc21, rodo1.address)}; ${await gcc21.run(['birdc', '-s', birdControlSocket, 'show', 'protocols', 'all', 'nodes'])}`);
	assert.ok(await eventually(async () => (await route(gcc20, '10.10.0.21')).includes('via 198.51.100.21')), `gcc20 learns gcc21's private address: ${await route(gcc20, '10.10.0.21')}`);
	assert.ok(await eventually(() => pings(gcc20, '10.10.0.21', '10.10.0.20')), 'gcc20\'s private address reaches gcc21\'s');
	assert.ok(await pings(gcc21, '10.10.0.20', '10.10.0.21'), 'and back');
	// Nothing of the bridge is announced as a network, and OSPF speaks on eth0 only.
	assert.equal(await route(gcc21, '10.10.1.1'), '', 'the gateway address is each node\'s own');
	const interfaces = await gcc20.run(['birdc', '-s', birdControlSocket, 'show', 'ospf', 'interface', 'nodes']);
	assert.match(interfaces, /Interface eth0 /);
	assert.doesNotMatch(interfaces, /Interface (br0|lo)/);

	// VMs: rodo1 and web1 on gcc20, db1 on gcc21 (its /32 put there by the hook after its start).
	const vm = (node: Lab, name: string, address: string) => node.addPeer(name, {bridge: 'br0', peerAddress: `${address}/24`, peerGateway: '10.10.1.1'});
	const rodo1Vm = await vm(gcc20, 'rodo1', rodo1.address);
	await runHook(gcc20, 'instance-start', {GANETI_INSTANCE_NAME: 'web1.vm.farm', GANETI_INSTANCE_PRIMARY: 'gcc20.node.farm', GANETI_INSTANCE_NIC0_IP: '10.10.1.70'});
	const web1Vm = await vm(gcc20, 'web1', '10.10.1.70');
	await runHook(gcc21, 'instance-start', {GANETI_INSTANCE_NAME: 'db1.vm.farm', GANETI_INSTANCE_PRIMARY: 'gcc21.node.farm', GANETI_INSTANCE_NIC0_IP: '10.10.1.60'});
	const db1Vm = await vm(gcc21, 'db1', '10.10.1.60');
	assert.ok(await eventually(async () => (await route(gcc20, '10.10.1.60')).includes('via 198.51.100.21')), 'gcc20 learns db1\'s /32');
	const natBefore = {gcc20: await masqueraded(gcc20, inventories.gcc20), gcc21: await masqueraded(gcc21, inventories.gcc21)};
	assert.ok(await eventually(() => pings(rodo1Vm, '10.10.1.60')), 'rodo1 on gcc20 reaches db1 on gcc21 in the same subnet (proxy ARP on both bridges)');
	assert.ok(await pings(db1Vm, rodo1.address), 'and db1 reaches rodo1');
	assert.ok(await pings(gcc20, '10.10.1.60', '10.10.0.20'), 'gcc20\'s private address reaches db1');
	assert.deepEqual({gcc20: await masqueraded(gcc20, inventories.gcc20), gcc21: await masqueraded(gcc21, inventories.gcc21)}, natBefore, 'no packet between private addresses was masqueraded');

	// rodo1 migrates to gcc21: Ganeti runs the post hook on both nodes; its NIC now sits on gcc21's bridge.
	const migrated = {GANETI_INSTANCE_NAME: rodo1.fqdn, GANETI_INSTANCE_PRIMARY: 'gcc20.node.farm', GANETI_OLD_PRIMARY: 'gcc20.node.farm', GANETI_NEW_PRIMARY: 'gcc21.node.farm', GANETI_INSTANCE_NIC0_IP: ''};
	await gcc20.run(['ip', 'link', 'del', rodo1Vm.labInterface]);
	await runHook(gcc21, 'instance-migrate', migrated);
	await runHook(gcc20, 'instance-migrate', migrated);
	// The route via gcc20 goes once gcc20's announcement is withdrawn; ours (metric 0) wins meanwhile.
	assert.ok(await eventually(async () => (await route(gcc21, rodo1.address)) === '10.10.1.50 dev br0 proto 203 scope link'), `gcc21 holds rodo1's /32 alone: ${await route(gcc21, rodo1.address)}`);
	assert.ok(await eventually(async () => /^10\.10\.1\.50 via 198\.51\.100\.21 dev eth0 proto bird /.test(await route(gcc20, rodo1.address))), `gcc20 now routes rodo1 via gcc21: ${await route(gcc20, rodo1.address)}`);
	const rodo1There = await vm(gcc21, 'rodo1b', rodo1.address);
	assert.ok(await eventually(() => pings(web1Vm, rodo1.address)), 'web1 on gcc20 reaches rodo1 at the same address on gcc21');
	assert.ok(await pings(rodo1There, '10.10.1.60'), 'rodo1 reaches db1 beside it on gcc21');
	assert.ok(await pings(gcc20, rodo1.address, '10.10.0.20'), 'gcc20 reaches rodo1 on gcc21');

	// The other bird on gcc21 kept its route and its files; the wizard's kept its own (seconds of their 1 s scans later).
	assert.equal((await gcc21.run(['ip', '-4', 'route', 'show', '192.0.2.0/24'])).trim(), 'blackhole 192.0.2.0/24 proto bird metric 32');
	assert.match(await gcc21.run(['ip', '-4', 'route', 'show', '10.10.1.70/32']), /^10\.10\.1\.70 via 198\.51\.100\.20 dev eth0 proto bird src 10\.10\.0\.21 metric 203/);
	assert.equal(await gcc21.readFile('/etc/bird/bird.conf'), theirConf);
	assert.match(await gcc21.run(['birdc', '-s', '/run/bird/bird.ctl', 'show', 'status']), /Router ID is 192\.0\.2\.1/);
	assert.match(await gcc21.run(['birdc', '-s', birdControlSocket, 'show', 'status']), /Router ID is 10\.10\.0\.21/);

	// The pair converged long ago (above); gcc22's hellos reach gcc20 and are dropped: no neighbour, no route either way.
	assert.ok(await eventually(async () => (await ospfPacketsFrom(gcc20, '198.51.100.22')) >= 3), 'gcc22\'s OSPF packets reach gcc20');
	const neighbours = async (node: Lab) => node.run(['birdc', '-s', birdControlSocket, 'show', 'ospf', 'neighbors', 'nodes']);
	assert.match(await neighbours(gcc20), /^10\.10\.0\.21\s/m, 'gcc21 is gcc20\'s neighbour');
	assert.doesNotMatch(await neighbours(gcc20), /10\.10\.0\.22/, 'gcc22, with another password, is not');
	assert.doesNotMatch(await neighbours(gcc22), /10\.10\.0\.2[01]/);
	for (const node of [gcc20, gcc21]) assert.equal(await route(node, outsiderVm), '', `${node.hostname} took no route from gcc22`);
	assert.equal(await route(gcc22, rodo1.address), '', 'gcc22 learned none of the site\'s routes');
	assert.equal(await route(gcc22, '10.10.0.20'), '');

	// The same bird with the site's password (a reload, as the wizard's own): it joins, and its /32 arrives.
	await gcc22.writeFile(birdPasswordPath, renderBirdPassword(sitePassword), {mode: 0o600});
	await gcc22.run(['birdc', '-s', birdControlSocket, 'configure']);
	assert.ok(await eventually(async () => /^10\.10\.1\.99 via 198\.51\.100\.22 dev eth0 proto bird /.test(await route(gcc20, outsiderVm))), `with the site's password gcc22's /32 reaches gcc20: ${await route(gcc20, outsiderVm)}; ${await neighbours(gcc20)}`);
});
