// The VM facts' parsers on real output (Ganeti 3.0's `gnt-instance list`
// captured in the lab, the wizard's own zones and dhcpd.conf as rendered for
// the same site), and the comparison: no drift on the site as applied, then
// each kind of drift named once, with its fix.
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {listText} from '../../source/commands/vm.js';
import {findDrift, ganetiDriftKinds, vmRows, type FixCommands} from '../../source/drift/compare.js';
import {parseInstanceList, type VmFacts} from '../../source/drift/facts.js';
import {buildInventory, type Generated, type Inventory} from '../../source/inventory/inventory.js';
import {siteBytes} from '../../source/inventory/mac.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {parseDhcpHosts, renderDhcpdInclude} from '../../source/render/dhcpd.js';
import {withSerial} from '../../source/render/serial.js';
import {parseARecords, parsePtrRecords} from '../../source/render/zone-records.js';
import {renderZones} from '../../source/render/zones.js';
import {siteIdentity} from '../../source/site/compare.js';
import {addInstanceText} from '../../source/site/recipe-edit.js';

const listed = await readFile(new URL('fixtures/gnt-instance-list.txt', import.meta.url), 'utf8');
const labText = await readFile(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8');
const fixes: FixCommands = {apply: 'ganeti-wizard apply --yes', vmAdd: 'ganeti-wizard vm add', vmRemove: 'ganeti-wizard vm remove'};

/** The lab site after `vm add web1` then `vm add web2`, with the values generated as the wizard saved them. */
function labSite(): Inventory {
	let text = labText;
	let known: Generated = {macs: {}, addresses: {}};
	let inventory!: Inventory;
	for (const [name, extra] of [['web1', []], ['web2', ['1G']]] as const) {
		text = addInstanceText(text, {name, disk_template: 'file', disk_size: '1G', memory: '256M', vcpus: 1, install: {os: 'noop+default'}, ...(extra.length ? {extra_disks: extra} : {})});
		const recipe = parseRecipe(text);
		const built = buildInventory(recipe, known, siteBytes(siteIdentity(recipe)));
		known = {macs: {...built.generated.macs, ...known.macs}, addresses: {...built.generated.addresses, ...known.addresses}};
		inventory = built.inventory;
	}
	return inventory;
}

/** Facts as the applied site leaves them: its rendered zones (serial 2026120100) and dhcpd.conf, committed. */
function appliedFacts(inventory: Inventory, overrides: {dhcpd?: string; forward?: string; ganeti?: string} = {}): VmFacts {
	const [forward, ...reverse] = renderZones(inventory).map(zone => ({name: zone.name, path: zone.path, text: withSerial(zone.body, 2026120100), committed: withSerial(zone.body, 2026120100)}));
	const forwardText = overrides.forward ?? forward!.text;
	return {
		ganeti: parseInstanceList(overrides.ganeti ?? listed),
		forward: {...forward!, text: forwardText},
		reverse,
		aRecords: parseARecords(forwardText, forward!.name),
		ptrRecords: reverse.flatMap(zone => parsePtrRecords(zone.text, zone.name)),
		dhcpHosts: parseDhcpHosts(overrides.dhcpd ?? renderDhcpdInclude(inventory)),
		dhcpdConf: {path: '/etc/dhcp/dhcpd.d/ganeti-wizard.conf', present: true},
	};
}

test('parseInstanceList reads Ganeti 3.0 output: states, NICs, node, OS and sizes', () => {
	const instances = parseInstanceList(listed);
	assert.deepEqual(
		instances.map(instance => instance.name),
		['rodo1.osm.vm.farm', 'web1.vm.farm', 'web2.vm.farm'],
	);
	assert.deepEqual(instances[0], {
		name: 'rodo1.osm.vm.farm',
		adminState: 'up',
		running: true,
		status: 'running',
		macs: ['52:54:5a:8d:77:8e'],
		ips: [null],
		primaryNode: 'gcc20.node.farm',
		os: 'noop+default',
		diskTemplate: 'file',
		diskSizesMiB: [10240, 512000],
		memoryMiB: 512,
		vcpus: 1,
	});
	assert.deepEqual([instances[2]!.diskSizesMiB, instances[2]!.vcpus], [[1024, 1024], 2]);
	// A stopped instance, an unreachable node, two NICs, one with an IP: the same grammar.
	const [down, unknown] = parseInstanceList('a.vm.farm|down|N|ADMIN_down|52:54:00:00:00:01,52:54:00:00:00:02|10.10.1.9,None|n1|noop|plain|1024|128|1\nb.vm.farm|up|*|ERROR_nodedown|52:54:00:00:00:03|None|n2|noop|plain|1024|128|1\n');
	assert.deepEqual([down!.running, down!.adminState, down!.macs, down!.ips], [false, 'down', ['52:54:00:00:00:01', '52:54:00:00:00:02'], ['10.10.1.9', null]]);
	assert.equal(unknown!.running, null);
	assert.throws(() => parseInstanceList('x|up|Y\n'), /3 fields instead of 12/);
	assert.deepEqual(parseInstanceList(''), []);
});

test('parsePtrRecords turns owners back into addresses, in the wizard\'s zones and in hand-written ones', () => {
	const inventory = labSite();
	const reverse = renderZones(inventory).slice(1);
	const ptrs = reverse.flatMap(zone => parsePtrRecords(withSerial(zone.body, 1), zone.name));
	for (const instance of inventory.instances) assert.deepEqual(ptrs.filter(record => record.address === instance.address), [{address: instance.address, fqdn: instance.fqdn}]);
	const hand = ['$ORIGIN 10.10.in-addr.arpa.', '$TTL 1h', '50.1  3600 IN PTR rodo1.osm.vm.farm.', '; 51.1 IN PTR gone.vm.farm.', '52.1.10.10.in-addr.arpa. PTR web', 'delegated/26 IN PTR x.vm.farm.'].join('\n');
	assert.deepEqual(parsePtrRecords(hand, '10.10.in-addr.arpa'), [
		{address: '10.10.1.50', fqdn: 'rodo1.osm.vm.farm'},
		{address: '10.10.1.52', fqdn: 'web.10.10.in-addr.arpa'},
	]);
});

test('the site as applied: every VM consistent, no drift', () => {
	const inventory = labSite();
	const facts = appliedFacts(inventory);
	const rows = vmRows(inventory, facts);
	assert.deepEqual(rows.map(row => [row.fqdn, row.address, row.mac, row.a, row.ptr, row.dhcp, row.consistent]), inventory.instances.map(instance => [instance.fqdn, instance.address, instance.mac, 'ok', 'ok', 'ok', true]));
	assert.deepEqual(findDrift(inventory, facts, fixes), []);
});

test('a DHCP entry deleted by hand is exactly one drift; one with another MAC is one drift too', () => {
	const inventory = labSite();
	const web2 = inventory.instances[2]!;
	const conf = renderDhcpdInclude(inventory);
	const entry = new RegExp(`\\nhost ${web2.fqdn.replaceAll('.', '\\.')} \\{[^}]*\\}\\n`);
	const deleted = findDrift(inventory, appliedFacts(inventory, {dhcpd: conf.replace(entry, '\n')}), fixes);
	assert.deepEqual(deleted.map(({kind, subject, fix}) => ({kind, subject, fix})), [{kind: 'no-dhcp', subject: web2.fqdn, fix: fixes.apply}]);
	const otherMac = findDrift(inventory, appliedFacts(inventory, {dhcpd: conf.replace(web2.mac, '52:54:00:99:99:99')}), fixes);
	assert.deepEqual(otherMac.map(({kind, subject}) => ({kind, subject})), [{kind: 'dhcp-mac', subject: web2.fqdn}]);
	assert.match(otherMac[0]!.problem, new RegExp(`has MAC 52:54:00:99:99:99, Ganeti's NIC ${web2.mac}`));
	const row = vmRows(inventory, appliedFacts(inventory, {dhcpd: conf.replace(web2.mac, '52:54:00:99:99:99')})).find(entry => entry.fqdn === web2.fqdn)!;
	assert.deepEqual([row.dhcp, row.consistent], ['differs', false]);
});

test("Ganeti's NIC changed by hand: the fix sets the site's MAC back", () => {
	const inventory = labSite();
	const web1 = inventory.instances[1]!;
	const drift = findDrift(inventory, appliedFacts(inventory, {ganeti: listed.replace(web1.mac, '52:54:00:11:22:33')}), fixes);
	assert.deepEqual(
		drift.map(({kind, fix}) => ({kind, fix})),
		[
			{kind: 'nic-mac', fix: `gnt-instance modify --net 0:modify,mac=${web1.mac} ${web1.fqdn}`},
			{kind: 'dhcp-mac', fix: fixes.apply},
		],
	);
});

test('an instance gone from Ganeti, one Ganeti has that the site lacks, and stale entries', () => {
	const inventory = labSite();
	const [rodo1, web1, web2] = inventory.instances;
	const ganeti = listed.split('\n').filter(line => !line.startsWith(`${web1!.fqdn}|`)).join('\n');
	const gone = findDrift(inventory, appliedFacts(inventory, {ganeti}), fixes);
	assert.deepEqual(gone.map(({kind, subject, fix}) => ({kind, subject, fix})), [{kind: 'not-in-ganeti', subject: web1!.fqdn, fix: 'ganeti-wizard vm remove web1 --yes'}]);

	// The site without web2, its files still with it, Ganeti with it: the fix adopts it as it is.
	const smaller = {...inventory, instances: [rodo1!, web1!], records: inventory.records.filter(record => record.fqdn !== web2!.fqdn)};
	const unknown = findDrift(smaller, appliedFacts(inventory), fixes);
	assert.deepEqual(unknown.map(({kind, fix}) => ({kind, fix})), [
		{kind: 'not-in-site', fix: `ganeti-wizard vm add web2 --os noop+default --disk-template file --disk 1024M --extra-disk 1024M --memory 256M --vcpus 2 --mac ${web2!.mac} --address ${web2!.address} --yes`},
	]);
	// Neither the site nor Ganeti has web2: every entry of it is stale.
	const stale = findDrift(smaller, appliedFacts(inventory, {ganeti: listed.split('\n').filter(line => !line.startsWith(`${web2!.fqdn}|`)).join('\n')}), fixes);
	assert.deepEqual(stale.map(({kind, subject, fix}) => ({kind, subject, fix})), [
		{kind: 'stale-a', subject: web2!.fqdn, fix: fixes.apply},
		{kind: 'stale-ptr', subject: web2!.fqdn, fix: fixes.apply},
		{kind: 'stale-dhcp', subject: web2!.fqdn, fix: fixes.apply},
	]);
});

test('a zone edited without moving its serial is a drift; a moved serial is none', () => {
	const inventory = labSite();
	const facts = appliedFacts(inventory);
	const edited = facts.forward.text!.replace(/\nweb1\.vm\tIN\tA\t[0-9.]+\n/, '\n');
	assert.notEqual(edited, facts.forward.text);
	const drift = findDrift(inventory, appliedFacts(inventory, {forward: edited}), fixes);
	assert.deepEqual(drift.map(({kind, subject}) => ({kind, subject})), [
		{kind: 'no-a', subject: inventory.instances[1]!.fqdn},
		{kind: 'zone-serial', subject: 'farm'},
	]);
	assert.match(drift[1]!.problem, /serial stayed 2026120100 \(committed: 2026120100\)/);
	const moved = findDrift(inventory, appliedFacts(inventory, {forward: edited.replace('2026120100', '2026120101')}), fixes);
	assert.deepEqual(moved.map(({kind}) => kind), ['no-a']);
});

test('Ganeti not asked (a rehearsal): the site against the zones and DHCP entries only, no Ganeti drift claimed', () => {
	const inventory = labSite();
	const web2 = inventory.instances[2]!;
	const unasked = (overrides: Parameters<typeof appliedFacts>[1] = {}): VmFacts => ({...appliedFacts(inventory, overrides), ganeti: null});
	assert.deepEqual(findDrift(inventory, unasked(), fixes), [], 'no instance is "not in Ganeti" when Ganeti was not asked');
	const conf = renderDhcpdInclude(inventory);
	const otherMac = findDrift(inventory, unasked({dhcpd: conf.replace(web2.mac, '52:54:00:99:99:99')}), fixes);
	assert.deepEqual(otherMac.map(({kind, subject}) => ({kind, subject})), [{kind: 'dhcp-mac', subject: web2.fqdn}]);
	assert.match(otherMac[0]!.problem, new RegExp(`Ganeti's NIC ${web2.mac}`), "the site's MAC is the NIC's to be");
	const smaller = {...inventory, instances: inventory.instances.slice(0, 2), records: inventory.records.filter(record => record.fqdn !== web2.fqdn)};
	assert.deepEqual(findDrift(smaller, unasked(), fixes).map(({kind}) => kind), ['stale-a', 'stale-ptr', 'stale-dhcp']);
	assert.ok(findDrift(smaller, unasked(), fixes).every(drift => !ganetiDriftKinds.includes(drift.kind)));
});

test('Ganeti not asked: a VM whose records agree is of unknown consistency (null), one whose DHCP entry differs is not consistent', () => {
	const inventory = labSite();
	const web2 = inventory.instances[2]!;
	const unasked = (overrides: Parameters<typeof appliedFacts>[1] = {}): VmFacts => ({...appliedFacts(inventory, overrides), ganeti: null});
	assert.deepEqual(
		vmRows(inventory, unasked()).map(row => [row.fqdn, row.a, row.ptr, row.dhcp, row.ganetiKnown, row.consistent]),
		inventory.instances.map(instance => [instance.fqdn, 'ok', 'ok', 'ok', false, null]),
	);
	const otherMac = vmRows(inventory, unasked({dhcpd: renderDhcpdInclude(inventory).replace(web2.mac, '52:54:00:99:99:99')}));
	assert.deepEqual(otherMac.map(row => row.consistent), [null, null, false]);
	assert.deepEqual(listText(otherMac).map(line => line.split(/\s+/).at(-1)), ['AGREE', '?', '?', 'NO']);
	assert.deepEqual(listText(vmRows(inventory, appliedFacts(inventory))).slice(1).map(line => line.split(/\s+/).at(-1)), ['yes', 'yes', 'yes']);
});
