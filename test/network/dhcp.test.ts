// ISC dhcpd proven with real clients: the network and DHCP steps are applied
// in a lab host (ifup, dhcpd -t, git, `service isc-dhcp-server start/restart`),
// then "VMs" (peer namespaces plugged into the bridge, carrying an instance's
// MAC) ask for a lease and must get that instance's address and a default
// route via the bridge address, the seed's broken default route being exactly
// what this guards against.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Inventory} from '../../source/inventory/inventory.js';
import {dhcpStep} from '../../source/steps/dhcp.js';
import {networkStep} from '../../source/steps/network.js';
import {contains, parseCidr, toInt} from '../../source/inventory/addresses.js';
import {inventoryFromObject} from '../render/fixtures.js';
import {createLab, type Lab} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {need} from '../support/need.js';
import {seedRecipeObject, type RecipeObject} from '../support/random-recipe.js';
import {dhclient, udhcpc, type Lease} from './dhcp-client.js';
import {describeFailure, randomSites, siteSeed, switchNetwork} from './sites.js';

const requirements = ['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'dhcpd', 'dhclient', 'busybox', 'git', 'ss', 'ps'];

/** The seed's site with three VMs: its rodo1, one with everything generated, one with a fixed address only. */
function site(withRange: boolean): Inventory {
	const recipe = seedRecipeObject();
	const rodo1 = (recipe.instances as RecipeObject[])[0]!;
	const {mac: _mac, address: _address, extra_disks: _disks, ...plain} = rodo1;
	recipe.instances = [rodo1, {...plain, name: 'web1'}, {...plain, name: 'db1.osm', address: '10.10.1.60'}];
	if (!withRange) delete (recipe.dhcp as RecipeObject).range;
	return inventoryFromObject(recipe, 7);
}

function assertLease(lease: Lease, address: string, prefix: number, gateway: string, context: string): void {
	const detail = `${context}: got ${JSON.stringify({address: lease.address, gateway: lease.gateway, ...lease.options})}\n${lease.output}`;
	assert.equal(lease.address, `${address}/${prefix}`, detail);
	assert.equal(lease.gateway, gateway, `default route: ${detail}`);
}

test('dhcpd on the bridge gives each VM its address and a default route via the bridge, and serves nothing else', async t => {
	if (!need(requirements, t)) return;
	const inventory = site(true);
	const bridge = inventory.recipe.network.bridge;
	const {prefix} = parseCidr(inventory.recipe.network.vms_subnet);
	const lab: Lab = await createLab({hostname: inventory.node.hostname});
	t.after(() => lab.destroy());

	await planAndApply(lab, networkStep, inventory);
	const {applied} = await planAndApply(lab, dhcpStep, inventory);
	assert.deepEqual(applied.find(entry => entry.id === 'dhcp.dhcpd'), {id: 'dhcp.dhcpd', outcome: 'started'});

	await t.test('dhcpd was started on the bridge only', async () => {
		const commandLine = (await lab.run(['ps', '-o', 'args=', '-C', 'dhcpd'])).trim();
		assert.match(commandLine, new RegExp(`^/usr/sbin/dhcpd -4 .* ${bridge.name}$`));
		// Its raw packet socket, through which it hears DHCP, is bound to the bridge.
		const sockets = await lab.run(['ss', '-0', '-n', '-p']);
		const dhcpd = sockets.split('\n').filter(line => line.includes('"dhcpd"'));
		assert.ok(dhcpd.length > 0, sockets);
		for (const line of dhcpd) assert.match(line, new RegExp(`\\*:${bridge.name}\\s`), line);
	});

	await t.test('every instance gets its own address and the bridge as router and resolver (udhcpc)', async () => {
		for (const [index, instance] of inventory.instances.entries()) {
			if (index === 1) continue; // asked with dhclient below
			const vm = await lab.addPeer(`vm${index}`, {mac: instance.mac, bridge: bridge.name});
			const lease = await udhcpc(vm);
			assertLease(lease, instance.address, prefix, bridge.address, instance.name);
			assert.equal(lease.options.router, bridge.address);
			assert.equal(lease.options.dns, bridge.address);
			// The guest's own name as its A record has it.
			assert.equal(`${lease.options.hostname}.${lease.options.domain}`, instance.fqdn);
		}
	});

	await t.test('ISC dhclient with Debian\'s script gets the same, and the resolver', async () => {
		const instance = inventory.instances[1]!;
		const vm = await lab.addPeer('vm1', {mac: instance.mac, bridge: bridge.name});
		const lease = await dhclient(vm);
		assertLease(lease, instance.address, prefix, bridge.address, instance.name);
		assert.match((await vm.readFile('/etc/resolv.conf')) ?? '', new RegExp(`^nameserver ${bridge.address.replaceAll('.', '\\.')}$`, 'm'));
	});

	await t.test('a MAC not in the inventory gets an address of the dynamic range', async () => {
		const stranger = await lab.addPeer('stranger', {mac: '52:54:00:ee:ee:01', bridge: bridge.name});
		const lease = await udhcpc(stranger);
		const [first, last] = inventory.recipe.dhcp.range!.map(toInt) as [number, number];
		const address = lease.address?.split('/')[0];
		assert.ok(address && toInt(address) >= first && toInt(address) <= last, `dynamic lease ${lease.address} outside ${inventory.recipe.dhcp.range!.join('-')}\n${lease.output}`);
		assert.equal(lease.gateway, bridge.address);
	});

	await t.test('a VM on an interface other than the bridge gets nothing', async () => {
		// A known MAC, on a veth of the node that is not part of the bridge.
		const instance = inventory.instances[0]!;
		const elsewhere = await lab.addPeer('elsewhere', {mac: instance.mac, labInterface: 'eth1', labAddress: '10.10.2.1/24'});
		const lease = await udhcpc(elsewhere, {tries: 3});
		assert.notEqual(lease.exitCode, 0, lease.output);
		assert.equal(lease.address, null, lease.output);
	});

	await t.test('without a dynamic range, only known MACs get a lease', async () => {
		const fixedOnly = site(false);
		assert.deepEqual(
			fixedOnly.instances.map(instance => [instance.mac, instance.address]),
			inventory.instances.map(instance => [instance.mac, instance.address]),
		);
		const again = await planAndApply(lab, dhcpStep, fixedOnly);
		assert.deepEqual(again.applied.find(entry => entry.id === 'dhcp.dhcpd'), {id: 'dhcp.dhcpd', outcome: 'restarted'});
		const stranger = await lab.addPeer('stranger2', {mac: '52:54:00:ee:ee:02', bridge: bridge.name});
		const refused = await udhcpc(stranger, {tries: 3});
		assert.equal(refused.address, null, refused.output);
		// The VM of db1.osm asks again (its old lease dropped first).
		const instance = fixedOnly.instances[2]!;
		const known = lab.peers.find(peer => peer.name === 'vm2')!;
		await known.run(['ip', '-4', 'address', 'flush', 'dev', 'eth0']);
		assertLease(await udhcpc(known), instance.address, prefix, bridge.address, `${instance.name} after the restart`);
		assert.ok(contains(fixedOnly.recipe.network.vms_subnet, instance.address));
	});
});

const randomDhcpSites = Number(process.env.RANDOM_DHCP_SITES ?? 6);

test(`${randomDhcpSites} random sites: a VM with an instance's MAC gets its address and a default route via the bridge`, async t => {
	if (!need(requirements, t)) return;
	const seed = siteSeed();
	const sites = randomSites(randomDhcpSites, seed, inventory => inventory.recipe.dhcp.enabled && inventory.instances.length > 0);
	const lab = await createLab({hostname: 'lab'});
	t.after(() => lab.destroy());
	let previous: Inventory | undefined;
	for (const site of sites) {
		const {inventory} = site;
		const bridge = inventory.recipe.network.bridge;
		const {prefix} = parseCidr(inventory.recipe.network.vms_subnet);
		try {
			await switchNetwork(lab, previous, inventory);
			previous = inventory;
			// Every action of the DHCP step but its git history (the seed's test above runs it).
			const {applied} = await planAndApply(lab, dhcpStep, inventory, {only: action => !action.id.startsWith('dhcp.git.')});
			assert.ok(applied.some(entry => entry.id === 'dhcp.dhcpd' && (entry.outcome === 'started' || entry.outcome === 'restarted')), 'dhcpd (re)started');
			// One VM per site: the last instance, whose address is the furthest from the bridge's.
			const instance = inventory.instances.at(-1)!;
			const vm = await lab.addPeer(`vm${site.index}`, {mac: instance.mac, bridge: bridge.name});
			assertLease(await udhcpc(vm), instance.address, prefix, bridge.address, `${instance.name} of site ${site.index}`);
			const range = inventory.recipe.dhcp.range;
			if (range) {
				const stranger = await lab.addPeer(`st${site.index}`, {mac: `52:54:00:ee:ef:${site.index.toString(16).padStart(2, '0')}`, bridge: bridge.name});
				const lease = await udhcpc(stranger);
				const address = lease.address?.split('/')[0] ?? '';
				assert.ok(address && toInt(address) >= toInt(range[0]) && toInt(address) <= toInt(range[1]), `dynamic lease ${lease.address} outside ${range.join('-')}\n${lease.output}`);
				assert.equal(lease.gateway, bridge.address);
			}
		} catch (error) {
			describeFailure(error, site, seed);
		}
	}
});
