import assert from 'node:assert/strict';
import {test} from 'node:test';
import {contains} from '../../source/inventory/addresses.js';
import {describeHostChanges, parseDhcpHosts, renderDhcpDefaults, renderDhcpdConf} from '../../source/render/dhcpd.js';
import {need} from '../support/need.js';
import {checkDhcpd, runCheckArgv} from './checkers.js';
import {seedInventory} from './fixtures.js';
import {routers} from './inspect.js';

const seed = seedInventory();

test('the seed\'s dhcpd.conf: the router is the bridge, inside the VM subnet (the seed\'s bug fixed)', () => {
	const conf = renderDhcpdConf(seed);
	assert.deepEqual(routers(conf), ['10.10.1.1']);
	assert.ok(contains(seed.recipe.network.vms_subnet, routers(conf)[0]!));
	assert.match(conf, /^subnet 10\.10\.1\.0 netmask 255\.255\.255\.0 \{$/m);
	assert.match(conf, /option domain-name-servers 10\.10\.1\.1;/);
	assert.match(conf, /option domain-name "vm\.farm";/);
	assert.match(conf, /option domain-search "vm\.farm", "node\.farm", "farm";/);
	assert.match(conf, /range 10\.10\.1\.200 10\.10\.1\.249;/);
	assert.match(conf, /^authoritative;$/m);
	// The router is given once, in the subnet, never globally.
	assert.equal(conf.indexOf('option routers') > conf.indexOf('subnet '), true);
	assert.deepEqual(parseDhcpHosts(conf), [{name: 'rodo1.osm.vm.farm', mac: '52:54:5a:8d:77:8e', address: '10.10.1.50'}]);
	assert.match(conf, /host rodo1\.osm\.vm\.farm \{\n\thardware ethernet 52:54:5a:8d:77:8e;\n\tfixed-address 10\.10\.1\.50;\n\toption host-name "rodo1";\n\toption domain-name "osm\.vm\.farm";\n\}/);
});

test('dhcpd -t accepts the seed\'s dhcpd.conf', async t => {
	if (!need(['dhcpd'], t)) return;
	const result = await checkDhcpd(renderDhcpdConf(seed));
	assert.equal(result.exitCode, 0, result.output);
});

test('dhcpd -t rejects a broken dhcpd.conf (the checker really checks)', async t => {
	if (!need(['dhcpd'], t)) return;
	const broken = renderDhcpdConf(seed).replace('hardware ethernet 52:54:5a:8d:77:8e;', 'hardware ethernet 52:54:5a:8d:77;;');
	assert.notEqual((await checkDhcpd(broken)).exitCode, 0);
	const routerOutside = renderDhcpdConf(seed).replace('range 10.10.1.200 10.10.1.249;', 'range 10.10.2.200 10.10.2.249;');
	assert.notEqual((await checkDhcpd(routerOutside)).exitCode, 0, 'a range outside the subnet must be refused');
});

test('dhcpd serves the bridge only; the defaults file is valid shell', async t => {
	const defaults = renderDhcpDefaults(seed);
	assert.match(defaults, /^INTERFACESv4="br0"$/m);
	assert.match(defaults, /^INTERFACESv6=""$/m);
	assert.doesNotMatch(defaults, /eth0/);
	if (!need(['sh'], t)) return;
	assert.equal((await runCheckArgv(['sh', '-n', '{}'], defaults)).exitCode, 0);
	assert.notEqual((await runCheckArgv(['sh', '-n', '{}'], 'INTERFACESv4="br0\n')).exitCode, 0);
});

test('host changes are described as the commit says them', () => {
	const before = parseDhcpHosts(renderDhcpdConf(seed));
	const after = [{...before[0]!, address: '10.10.1.51'}, {name: 'web.vm.farm', mac: '52:54:00:00:00:01', address: '10.10.1.52'}];
	assert.deepEqual(describeHostChanges(before, after), [
		'change rodo1.osm.vm.farm 52:54:5a:8d:77:8e 10.10.1.50 -> 52:54:5a:8d:77:8e 10.10.1.51',
		'add web.vm.farm 52:54:00:00:00:01 10.10.1.52',
	]);
	assert.deepEqual(describeHostChanges(after, []), ['remove rodo1.osm.vm.farm 52:54:5a:8d:77:8e 10.10.1.51', 'remove web.vm.farm 52:54:00:00:00:01 10.10.1.52']);
});
