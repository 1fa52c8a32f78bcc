// Every file the renderers make for random valid sites goes through the
// daemons' own checkers, and what bind reads back keeps forward and reverse
// data in agreement. Sites come from test/support/random-recipe.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {contains, isHostAddress, isPrivate, toInt} from '../../source/inventory/addresses.js';
import type {Inventory} from '../../source/inventory/inventory.js';
import {macPattern} from '../../source/recipe/schema.js';
import {renderNamedLocal, renderNamedOptions} from '../../source/render/bind.js';
import {parseDhcpHosts, renderDhcpdInclude} from '../../source/render/dhcpd.js';
import {renderInterfaces} from '../../source/render/interfaces.js';
import {withSerial} from '../../source/render/serial.js';
import {renderZones} from '../../source/render/zones.js';
import {need} from '../support/need.js';
import {arbitraryRecipe} from '../support/random-recipe.js';
import {checkBindTree, checkDhcpd, checkerCommands, checkInterfaces, inParallel, loadZone} from './checkers.js';
import {inventoryFromObject} from './fixtures.js';
import {listenOn, routers} from './inspect.js';

const runs = Number(process.env.RANDOM_SITES ?? 50);
const site = fc.tuple(arbitraryRecipe(), fc.integer({min: 1, max: 2 ** 31 - 1})).map(([recipe, seed]) => inventoryFromObject(recipe, seed));

/** PTR/A agreement as bind itself reads the zones. */
async function assertForwardAndReverseAgree(inventory: Inventory): Promise<void> {
	const zones = renderZones(inventory).map(zone => ({...zone, content: withSerial(zone.body, 2026010100)}));
	const [forward, ...reverse] = zones;
	const withPtr = new Set(inventory.records.map(record => `${record.address.split('.').slice(0, 3).join('.')}`));
	// Zones without a PTR are loaded by the -z check; read back the others.
	const loaded = await inParallel([forward!, ...reverse.filter(zone => zone.body.includes('\tPTR\t'))], 4, zone => loadZone(zone.name, zone.content));
	assert.ok(withPtr.size > 0);
	const aRecords = loaded[0]!.filter(record => record.type === 'A').map(record => ({name: record.owner.replace(/\.$/, ''), address: record.data}));
	const ptrs = new Map<string, string[]>();
	for (const records of loaded.slice(1)) {
		for (const record of records.filter(entry => entry.type === 'PTR')) {
			const address = record.owner.replace(/\.in-addr\.arpa\.$/, '').split('.').reverse().join('.');
			ptrs.set(address, [...(ptrs.get(address) ?? []), record.data.replace(/\.$/, '')]);
		}
	}
	const namesByAddress = new Map<string, Set<string>>();
	for (const record of aRecords) namesByAddress.set(record.address, (namesByAddress.get(record.address) ?? new Set()).add(record.name));
	// Every A has its PTR: exactly one, naming one of the A names of that address.
	for (const [address, names] of namesByAddress) {
		const targets = ptrs.get(address) ?? [];
		assert.equal(targets.length, 1, `${address} (${[...names].join(', ')}) has PTR ${targets.join(', ') || 'none'}`);
		assert.ok(names.has(targets[0]!), `PTR ${address} -> ${targets[0]} is not an A of ${address}`);
	}
	// And vice versa: no PTR without an A of its address.
	for (const address of ptrs.keys()) assert.ok(namesByAddress.has(address), `PTR for ${address} has no A record`);
	// The node's own address names the node (Ganeti resolves it backwards).
	assert.deepEqual(ptrs.get(inventory.node.address), [inventory.node.fqdn]);
	// Every record of the inventory is in the forward zone.
	for (const record of inventory.records) assert.ok(namesByAddress.get(record.address)?.has(record.fqdn), `${record.fqdn} ${record.address} missing`);

	const tree = await checkBindTree([
		...zones.map(zone => ({path: zone.path, content: zone.content})),
		{path: '/etc/bind/named.conf.local', content: renderNamedLocal(zones)},
		{path: '/etc/bind/named.conf.options', content: renderNamedOptions(inventory, ['192.0.2.53'])},
	]);
	assert.equal(tree.exitCode, 0, tree.output);
	assert.equal((tree.output.match(/: loaded serial 2026010100/g) ?? []).length, zones.length, tree.output);
}

function assertDhcpInvariants(inventory: Inventory, conf: string): void {
	const {vms_subnet, bridge} = inventory.recipe.network;
	assert.deepEqual(routers(conf), [bridge.address]);
	assert.ok(isHostAddress(vms_subnet, bridge.address), `router ${bridge.address} outside ${vms_subnet}`);
	const hosts = parseDhcpHosts(conf);
	assert.equal(hosts.length, inventory.instances.length);
	const macs = hosts.map(host => host.mac);
	assert.equal(new Set(macs).size, macs.length, `duplicate MAC in ${macs.join(' ')}`);
	for (const mac of macs) assert.match(mac, macPattern);
	for (const instance of inventory.instances.filter(entry => !inventory.recipe.instances.find(given => given.name === entry.name)?.mac)) {
		assert.ok(instance.mac.startsWith(`${inventory.recipe.cluster.mac_prefix}:`), `${instance.mac} lacks prefix ${inventory.recipe.cluster.mac_prefix}`);
	}
	const addresses = hosts.map(host => host.address);
	assert.equal(new Set(addresses).size, addresses.length, 'duplicate fixed address');
	const range = inventory.recipe.dhcp.range;
	for (const address of addresses) {
		assert.ok(isHostAddress(vms_subnet, address), `${address} outside ${vms_subnet}`);
		assert.notEqual(address, bridge.address, 'an instance got the gateway\'s address');
		if (range) assert.ok(toInt(address) < toInt(range[0]) || toInt(address) > toInt(range[1]), `${address} inside the dynamic range`);
	}
}

test(`${runs} random sites: every file passes its checker, A and PTR agree, DHCP and listen-on invariants hold`, async t => {
	if (!need(checkerCommands, t)) return;
	let zones = 0;
	let instances = 0;
	await fc.assert(
		fc.asyncProperty(site, async inventory => {
			zones += renderZones(inventory).length;
			instances += inventory.instances.length;
			const options = renderNamedOptions(inventory, ['192.0.2.53', '127.0.0.1']);
			assert.deepEqual(listenOn(options).sort(), [...new Set([inventory.node.address, inventory.recipe.network.bridge.address])].sort());
			assert.ok(listenOn(options).every(isPrivate));
			assert.ok(contains(inventory.recipe.network.private_range, inventory.node.address));

			const conf = renderDhcpdInclude(inventory);
			assertDhcpInvariants(inventory, conf);
			const [dhcpd, ifup] = await Promise.all([checkDhcpd(conf), checkInterfaces(renderInterfaces(inventory))]);
			assert.equal(dhcpd.exitCode, 0, `dhcpd -t: ${dhcpd.output}\n${conf}`);
			assert.equal(ifup.exitCode, 0, `ifup --no-act: ${ifup.output}`);
			await assertForwardAndReverseAgree(inventory);
		}),
		{numRuns: runs},
	);
	t.diagnostic(`${runs} sites, ${zones} zones, ${instances} instances`);
});
