// The inventory of a site of several nodes: built for any node, it names that
// node as inventory.node (what lo:1, named's listen-on and resolv.conf
// follow), lists every node with its role and the master, and gives every
// node its A and PTR record; what the site generates (MACs, addresses) is the
// same whichever node it is built for. Instances stay on the master.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {RecipeError} from '../../source/errors.js';
import {buildInventory, type Inventory} from '../../source/inventory/inventory.js';
import {siteBytes} from '../../source/inventory/mac.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {listenAddresses} from '../../source/render/bind.js';
import {masqueradeRule, renderInterfaces} from '../../source/render/interfaces.js';
import {renderResolvConf} from '../../source/render/resolv.js';
import {withSerial} from '../../source/render/serial.js';
import {renderZones} from '../../source/render/zones.js';
import {siteIdentity} from '../../source/site/compare.js';
import {addArgv} from '../../source/steps/instances.js';
import {clusterStep} from '../../source/steps/cluster.js';
import {preflightStep} from '../../source/steps/preflight.js';
import {bareFacts} from '../../source/steps/step.js';
import type {CommandAction} from '../../source/actions/action.js';
import {loadZone} from '../render/checkers.js';
import {labText, twoNodesText} from '../support/two-nodes.js';

// Two instances without a MAC or an address: the site generates both.
const text = twoNodesText.replace(/\n {4}mac: .*\n/, '\n').replace(/\ninstances:\n/, '\ninstances:\n  - {name: web1, disk_template: file, disk_size: 1G, memory: 256M, vcpus: 1, install: {os: noop+default}}\n');
const recipe = parseRecipe(text);
const build = (nodeName?: string): Inventory => buildInventory(recipe, {macs: {}, addresses: {}}, siteBytes(siteIdentity(recipe)), [], nodeName).inventory;

test('built for a node, the inventory names it as inventory.node; by default the master', () => {
	assert.deepEqual(build().node, {hostname: 'gcc20', fqdn: 'gcc20.node.farm', address: '10.10.0.20'});
	assert.deepEqual(build('gcc20').node, build().node);
	assert.deepEqual(build('node2').node, {hostname: 'node2', fqdn: 'node2.node.farm', address: '10.10.0.21'});
});

test('every node in recipe order, and the master, whichever node it is built for', () => {
	const expected = [
		{name: 'gcc20', fqdn: 'gcc20.node.farm', address: '10.10.0.20', publicAddress: '198.51.100.20', publicInterface: 'eth0', role: 'master'},
		{name: 'node2', fqdn: 'node2.node.farm', address: '10.10.0.21', publicAddress: '198.51.100.21', publicInterface: 'ens3', role: 'candidate'},
	];
	for (const inventory of [build(), build('node2')]) {
		assert.deepEqual(inventory.nodes, expected);
		assert.deepEqual(inventory.master, expected[0]);
	}
	const one = buildInventory(parseRecipe(labText), {macs: {}, addresses: {}}, siteBytes('lab')).inventory;
	assert.deepEqual(one.nodes, [{name: 'gcc20', fqdn: 'gcc20.node.farm', address: '10.10.0.20', publicAddress: '198.51.100.20', publicInterface: 'eth0', role: 'master'}]);
	assert.deepEqual(one.master, one.nodes[0]);
});

test('generated MACs and addresses, records and the name server are the same whichever node it is built for', () => {
	const [master, second] = [build(), build('node2')];
	assert.deepEqual(second.instances, master.instances);
	assert.deepEqual(second.records, master.records);
	assert.deepEqual(second.nameServer, {fqdn: 'ns.farm', address: '10.10.0.20'});
	assert.deepEqual(master.nameServer, second.nameServer);
	// The OSPF password is random, not derived: it is handed to every node (next test).
	const generated = (nodeName?: string) => {
		const {ospfPassword: _random, ...derived} = buildInventory(recipe, {macs: {}, addresses: {}}, siteBytes(siteIdentity(recipe)), [], nodeName).generated;
		return derived;
	};
	assert.deepEqual(generated('node2'), generated());
	assert.deepEqual(Object.keys(generated().macs).sort(), ['rodo1.osm', 'web1'], 'both MACs are generated');
	assert.deepEqual(Object.keys(generated().addresses), ['web1'], 'rodo1.osm has its address in the recipe');
});

test('a routed site\'s OSPF password: random (never derived from the site), kept once known, the same on every node it is handed to', () => {
	assert.equal(recipe.network.routing, 'ospf');
	const fresh = () => buildInventory(recipe, {macs: {}, addresses: {}}, siteBytes(siteIdentity(recipe)));
	const [first, second] = [fresh(), fresh()];
	assert.match(first.inventory.ospfPassword!, /^[0-9a-f]{64}$/);
	assert.notEqual(first.inventory.ospfPassword, second.inventory.ospfPassword, 'the same site and bytes give another password: it comes from the system\'s generator');
	assert.equal(first.generated.ospfPassword, first.inventory.ospfPassword, 'and is generated, to be saved with the site');
	// What the master holds, every node built from it holds.
	const known = {...first.generated, macs: {}, addresses: {}};
	for (const nodeName of ['gcc20', 'node2']) assert.equal(buildInventory(recipe, known, siteBytes(siteIdentity(recipe)), [], nodeName).inventory.ospfPassword, first.inventory.ospfPassword);
	// A site of one node without routing keeps no password.
	const one = buildInventory(parseRecipe(labText.replace(/^ {2}routing: ospf\n/m, '')), {macs: {}, addresses: {}}, siteBytes('lab'));
	assert.equal(one.inventory.recipe.network.routing, 'none');
	assert.deepEqual([one.inventory.ospfPassword, one.generated.ospfPassword], [undefined, undefined]);
});

test('each node\'s A and PTR record, as named-checkzone reads the zones', async () => {
	const inventory = build('node2');
	assert.deepEqual(
		inventory.records.filter(record => record.role === 'node'),
		[
			{fqdn: 'gcc20.node.farm', address: '10.10.0.20', role: 'node'},
			{fqdn: 'node2.node.farm', address: '10.10.0.21', role: 'node'},
		],
	);
	const zones = renderZones(inventory);
	const forward = await loadZone('farm', withSerial(zones.find(zone => zone.name === 'farm')!.body, 2026010100));
	const a = (owner: string) => forward.filter(record => record.owner === owner && record.type === 'A').map(record => record.data);
	assert.deepEqual(a('gcc20.node.farm.'), ['10.10.0.20']);
	assert.deepEqual(a('node2.node.farm.'), ['10.10.0.21']);
	assert.deepEqual(a('ns.farm.'), ['10.10.0.20']);
	const reverseZone = zones.find(zone => zone.name === '0.10.10.in-addr.arpa');
	assert.ok(reverseZone, zones.map(zone => zone.name).join(', '));
	const reverse = await loadZone(reverseZone.name, withSerial(reverseZone.body, 2026010100));
	assert.deepEqual(reverse.filter(record => record.owner === '21.0.10.10.in-addr.arpa.' && record.type === 'PTR').map(record => record.data), ['node2.node.farm.']);
});

test('what follows this node: lo:1, named\'s listen-on, resolv.conf, NAT out its own public interface, its hostname check', () => {
	const second = build('node2');
	assert.match(renderInterfaces(second), /\n\taddress 10\.10\.0\.21\/32\n/);
	// Routed: private-to-private traffic between nodes keeps its source address.
	assert.deepEqual(masqueradeRule(second), ['POSTROUTING', '-s', '10.10.0.0/16', '!', '-d', '10.10.0.0/16', '-o', 'ens3', '-j', 'MASQUERADE']);
	assert.deepEqual(masqueradeRule(build()), ['POSTROUTING', '-s', '10.10.0.0/16', '!', '-d', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']);
	assert.deepEqual(listenAddresses(second), ['10.10.0.21', '10.10.1.1']);
	assert.match(renderResolvConf(null, second), /^nameserver 10\.10\.0\.21$/m);
	const preflight = preflightStep.plan(second, bareFacts());
	const argv = (id: string) => (preflight.find(action => action.id === id) as CommandAction).argv;
	assert.equal(argv('preflight.hostname').at(-1), 'node2');
	assert.deepEqual(argv('preflight.public-interface'), ['ip', 'link', 'show', 'dev', 'ens3']);
});

test('what stays the master\'s: instances are created there, the cluster is initialised there only', () => {
	const second = build('node2');
	for (const instance of second.instances) {
		const argv = addArgv(second, instance);
		assert.equal(argv[argv.indexOf('-n') + 1], 'gcc20.node.farm', argv.join(' '));
	}
	const onSecond = clusterStep.plan(second, bareFacts()).map(action => action.id);
	const onMaster = clusterStep.plan(build('gcc20'), bareFacts()).map(action => action.id);
	for (const id of ['cluster.init', 'cluster.daemons', 'cluster.master-ip', 'cluster.verify', 'cluster.check.cluster-address']) {
		assert.ok(onMaster.includes(id), id);
		assert.ok(!onSecond.includes(id), `${id} is the master's`);
	}
	const addresses = clusterStep.plan(second, bareFacts()).find(action => action.id === 'cluster.daemon-addresses');
	assert.ok(addresses?.kind === 'file' && addresses.content.includes('10.10.0.21'), "node2's daemons listen on its own private address");
	const hosts = clusterStep.plan(second, bareFacts()).find(action => action.id === 'cluster.hosts');
	assert.ok(hosts && hosts.kind === 'file' && hosts.content.includes('10.10.0.21\tnode2.node.farm node2\n'), 'each node names itself in its own /etc/hosts');
});

test('a name that is not a node of the site: one line', () => {
	assert.throws(
		() => build('node9'),
		(error: unknown) => error instanceof RecipeError && error.problems.length === 1 && error.problems[0] === 'nodes: "node9" is not a node of the site (its nodes: gcc20, node2); name one of them or add it to nodes',
	);
});

test('a drbd instance is created on the master with its mirror on another node (gnt-instance add -n pnode:snode)', () => {
	const text = twoNodesText.replace('disk_templates: [file, plain]', 'disk_templates: [file, plain, drbd]').replace('disk_template: file', 'disk_template: drbd');
	assert.ok(text.includes('[file, plain, drbd]') && text.includes('disk_template: drbd'), 'the lab recipe still has the lines this test edits');
	const site = parseRecipe(text);
	const inventory = buildInventory(site, {macs: {}, addresses: {}}, siteBytes(siteIdentity(site)), [], 'gcc20').inventory;
	const drbd = inventory.instances.find(instance => instance.disk_template === 'drbd')!;
	const argv = addArgv(inventory, drbd);
	assert.equal(argv[argv.indexOf('-n') + 1], 'gcc20.node.farm:node2.node.farm', argv.join(' '));
	// Another template names the primary alone (Ganeti ignores a secondary there, with a warning).
	for (const instance of inventory.instances.filter(other => other.disk_template !== 'drbd')) {
		const other = addArgv(inventory, instance);
		assert.equal(other[other.indexOf('-n') + 1], 'gcc20.node.farm', other.join(' '));
	}
});
