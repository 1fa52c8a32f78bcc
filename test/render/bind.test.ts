import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isPrivate} from '../../source/inventory/addresses.js';
import {forwarders, renderNamedLocal, renderNamedOptions} from '../../source/render/bind.js';
import {withSerial} from '../../source/render/serial.js';
import {renderZones} from '../../source/render/zones.js';
import {need} from '../support/need.js';
import {checkBindTree, checkNamedConf} from './checkers.js';
import {seedInventory} from './fixtures.js';
import {listenOn} from './inspect.js';

const seed = seedInventory();

function seedFiles(resolvers: string[] = ['192.0.2.53']): Array<{path: string; content: string}> {
	const zones = renderZones(seed);
	return [
		...zones.map(zone => ({path: zone.path, content: withSerial(zone.body, 2026010100)})),
		{path: '/etc/bind/named.conf.local', content: renderNamedLocal(zones)},
		{path: '/etc/bind/named.conf.options', content: renderNamedOptions(seed, resolvers)},
	];
}

test('named listens on the node\'s private address and the bridge only, never on IPv6', () => {
	const options = renderNamedOptions(seed, ['192.0.2.53']);
	assert.deepEqual(listenOn(options), ['10.10.0.20', '10.10.1.1']);
	assert.ok(listenOn(options).every(isPrivate));
	assert.match(options, /listen-on-v6 \{ none; \};/);
	assert.match(options, /allow-query \{ localhost; 10\.10\.0\.0\/16; \};/);
	assert.match(options, /allow-recursion \{ localhost; 10\.10\.0\.0\/16; \};/);
	assert.match(options, /directory "\/var\/cache\/bind";/);
	assert.match(options, /dnssec-validation auto;/);
});

test('forwarders: the recipe\'s, else the host\'s resolvers without loopback or our own addresses', () => {
	assert.deepEqual(forwarders(seed, ['192.0.2.53', '127.0.0.53', '10.10.0.20', '10.10.1.1', '10.10.5.5', '198.51.100.1', '192.0.2.53']), ['192.0.2.53', '198.51.100.1']);
	const withOwn = {...seed, recipe: {...seed.recipe, dns: {...seed.recipe.dns, forwarders: ['9.9.9.9']}}};
	assert.deepEqual(forwarders(withOwn, ['192.0.2.53']), ['9.9.9.9']);
	assert.match(renderNamedOptions(seed, ['192.0.2.53']), /forwarders \{ 192\.0\.2\.53; \};\n\tforward first;/);
	// Nothing to forward to: no empty forwarders statement, named recurses itself.
	assert.doesNotMatch(renderNamedOptions(seed, ['127.0.0.53']), /^\s*forward(ers)? /m);
});

test('named-checkconf accepts the options and the zone list, with and without forwarders', async t => {
	if (!need(['named-checkconf'], t)) return;
	for (const resolvers of [['192.0.2.53', '198.51.100.7'], []]) {
		const result = await checkNamedConf(renderNamedOptions(seed, resolvers));
		assert.equal(result.exitCode, 0, result.output);
	}
	const local = await checkNamedConf(renderNamedLocal(renderZones(seed)));
	assert.equal(local.exitCode, 0, local.output);
});

test('named-checkconf -z loads every zone through Debian\'s named.conf with our files laid over it', async t => {
	if (!need(['named-checkconf'], t)) return;
	const result = await checkBindTree(seedFiles());
	assert.equal(result.exitCode, 0, result.output);
	for (const zone of ['farm', '0.10.10.in-addr.arpa', '1.10.10.in-addr.arpa']) assert.match(result.output, new RegExp(`zone ${zone.replaceAll('.', '\\.')}/IN: loaded serial 2026010100`));
});

test('broken bind files are rejected by the checkers', async t => {
	if (!need(['named-checkconf'], t)) return;
	const options = renderNamedOptions(seed, ['192.0.2.53']).replace('forward first;', 'forward sometimes;');
	assert.notEqual((await checkNamedConf(options)).exitCode, 0);
	const local = renderNamedLocal(renderZones(seed)).replace('type master;', 'type masterful;');
	assert.notEqual((await checkNamedConf(local)).exitCode, 0);
	// A zone file that does not load fails -z even though each file parses.
	const files = seedFiles().map(file => (file.path === '/etc/bind/db.farm' ? {...file, content: file.content.replace(/^ns\tIN\tA.*$/m, '')} : file));
	const tree = await checkBindTree(files);
	assert.notEqual(tree.exitCode, 0);
	assert.match(tree.output, /farm/);
});
