import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {withSerial} from '../../source/render/serial.js';
import {describeRecordChanges, parseARecords} from '../../source/render/zone-records.js';
import {renderZones} from '../../source/render/zones.js';
import {need} from '../support/need.js';
import {checkZone, loadZone} from './checkers.js';
import {inventoryFromYaml, seedInventory} from './fixtures.js';

const seedPath = new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url);
const seed = seedInventory();
const seedZones = renderZones(seed).map(zone => ({...zone, content: withSerial(zone.body, 2026010100)}));

test('the seed gets the farm zone and one reverse zone per /24 subnet', () => {
	assert.deepEqual(
		seedZones.map(zone => [zone.name, zone.path]),
		[
			['farm', '/etc/bind/db.farm'],
			['0.10.10.in-addr.arpa', '/etc/bind/db.10.10.0'],
			['1.10.10.in-addr.arpa', '/etc/bind/db.10.10.1'],
		],
	);
	assert.match(seedZones[0]!.content, /^rodo1\.osm\.vm\tIN\tA\t10\.10\.1\.50$/m);
	assert.match(seedZones[0]!.content, /^@\tIN\tSOA\tns\.farm\. hostmaster\.farm\. \($/m);
	assert.match(seedZones[2]!.content, /^50\tIN\tPTR\trodo1\.osm\.vm\.farm\.$/m);
});

test('named-checkzone accepts every zone of the seed', async t => {
	if (!need(['named-checkzone'], t)) return;
	for (const zone of seedZones) {
		const result = await checkZone(zone.name, zone.content);
		assert.equal(result.exitCode, 0, `${zone.name}: ${result.output}`);
		assert.match(result.output, /loaded serial 2026010100/);
	}
});

test('bind reads back every A with its PTR, and every PTR names an A of its address', async t => {
	if (!need(['named-checkzone'], t)) return;
	const loaded = await Promise.all(seedZones.map(zone => loadZone(zone.name, zone.content)));
	const a = loaded[0]!.filter(record => record.type === 'A').map(record => [record.owner, record.data]);
	assert.deepEqual(a.sort(), [
		['cluster.node.farm.', '10.10.0.10'],
		['gcc20.node.farm.', '10.10.0.20'],
		['gw.vm.farm.', '10.10.1.1'],
		['ns.farm.', '10.10.0.20'],
		['rodo1.osm.vm.farm.', '10.10.1.50'],
	]);
	const ptr = loaded.slice(1).flatMap(records => records.filter(record => record.type === 'PTR').map(record => [record.owner, record.data]));
	assert.deepEqual(ptr.sort(), [
		['1.1.10.10.in-addr.arpa.', 'gw.vm.farm.'],
		['10.0.10.10.in-addr.arpa.', 'cluster.node.farm.'],
		// ns.farm shares the node's address: the PTR names the node, as Ganeti needs.
		['20.0.10.10.in-addr.arpa.', 'gcc20.node.farm.'],
		['50.1.10.10.in-addr.arpa.', 'rodo1.osm.vm.farm.'],
	]);
	for (const zone of loaded) {
		const soa = zone.find(record => record.type === 'SOA');
		assert.match(soa?.data ?? '', /^ns\.farm\. hostmaster\.farm\. 2026010100 3600 1800 1209600 1800$/);
		assert.deepEqual(zone.filter(record => record.type === 'NS').map(record => record.data), ['ns.farm.']);
	}
});

test('a deliberately broken zone is rejected by named-checkzone (the checker really checks)', async t => {
	if (!need(['named-checkzone'], t)) return;
	const broken = seedZones[0]!.content.replace('rodo1.osm.vm\tIN\tA\t10.10.1.50', 'rodo1.osm.vm\tIN\tA\t10.10.1.500');
	const result = await checkZone('farm', broken);
	assert.notEqual(result.exitCode, 0);
	assert.match(result.output, /bad dotted quad|not loaded due to errors/);
	const withoutNs = seedZones[0]!.content.replace(/^ns\tIN\tA.*\n/m, '');
	assert.notEqual((await checkZone('farm', withoutNs)).exitCode, 0, 'an NS without its address must be refused');
});

test('a numeric zone name does not share its file with a reverse zone', () => {
	const text = readFileSync(seedPath, 'utf8').replace('zone: farm', 'zone: "10.10.1"');
	const zones = renderZones(inventoryFromYaml(text));
	const paths = zones.map(zone => zone.path);
	assert.equal(new Set(paths).size, paths.length, paths.join(' '));
});

test('the A records read back from a zone file describe a change as the commit says it', () => {
	const before = parseARecords(seedZones[0]!.content, 'farm');
	assert.equal(before.length, 5);
	const after = [...before.filter(record => record.fqdn !== 'cluster.node.farm'), {fqdn: 'web.vm.farm', address: '10.10.1.51'}].map(record =>
		record.fqdn === 'rodo1.osm.vm.farm' ? {...record, address: '10.10.1.52'} : record,
	);
	assert.deepEqual(describeRecordChanges(before, after), [
		'change rodo1.osm.vm.farm 10.10.1.50 -> 10.10.1.52',
		'add web.vm.farm 10.10.1.51',
		'remove cluster.node.farm 10.10.0.10',
	]);
	// The seed's own hand-written style: $ORIGIN, relative names, a TTL per record.
	const handWritten = '$ORIGIN farm.\n@ IN SOA ns hostmaster ( 1 1h 30m 2w 30m )\n  IN NS ns\nns IN A 10.10.0.20\nrodo1.osm.vm 3600 IN A 10.10.1.50 ; osm\nwww.example.org. IN A 192.0.2.1\n';
	assert.deepEqual(parseARecords(handWritten, 'farm'), [
		{fqdn: 'ns.farm', address: '10.10.0.20'},
		{fqdn: 'rodo1.osm.vm.farm', address: '10.10.1.50'},
		{fqdn: 'www.example.org', address: '192.0.2.1'},
	]);
});
