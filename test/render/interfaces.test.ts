import assert from 'node:assert/strict';
import {test} from 'node:test';
import {conflictingInterfaces, renderInterfaces, sourcesFile, withInterfacesSource, wizardInterfacesPath} from '../../source/render/interfaces.js';
import {need} from '../support/need.js';
import {checkInterfaces} from './checkers.js';
import {seedInventory} from './fixtures.js';

const seed = seedInventory();
const debianDefault = '# interfaces(5) file used by ifup(8) and ifdown(8)\n# Include files from /etc/network/interfaces.d:\nsource /etc/network/interfaces.d/*\n';

test('lo:1 carries the node\'s address and blackholes the private range; br0 is the VMs\' gateway', () => {
	const text = renderInterfaces(seed);
	assert.match(text, /^auto lo:1\niface lo:1 inet static\n\taddress 10\.10\.0\.20\/32\n\tup ip route replace blackhole 10\.10\.0\.0\/16\n\tdown ip route del blackhole 10\.10\.0\.0\/16 \|\| true$/m);
	assert.match(text, /^auto br0\niface br0 inet static\n\taddress 10\.10\.1\.1\/24\n\tbridge_ports none\n\tbridge_stp off\n\tbridge_fd 0\n\tbridge_maxwait 0$/m);
});

test('NAT: forwarding and one MASQUERADE out the public interface, never added twice, removed on ifdown', () => {
	const text = renderInterfaces(seed);
	const rule = 'POSTROUTING -s 10.10.0.0/16 -o eth0 -j MASQUERADE';
	assert.match(text, /\tpost-up sysctl -q -w net\.ipv4\.ip_forward=1\n/);
	assert.ok(text.includes(`\tpost-up iptables -t nat -C ${rule} 2>/dev/null || iptables -t nat -A ${rule}\n`));
	assert.ok(text.includes(`\tpre-down iptables -t nat -D ${rule} 2>/dev/null || true\n`));
	const withoutNat = renderInterfaces({...seed, recipe: {...seed.recipe, network: {...seed.recipe.network, nat: false}}});
	assert.doesNotMatch(withoutNat, /iptables|ip_forward/);
});

test('ifup --no-act accepts the file on its own (with and without NAT)', async t => {
	if (!need(['ifup'], t)) return;
	for (const nat of [true, false]) {
		const inventory = {...seed, recipe: {...seed.recipe, network: {...seed.recipe.network, nat}}};
		const result = await checkInterfaces(renderInterfaces(inventory));
		assert.equal(result.exitCode, 0, result.output);
		// What ifup would run, in order: the alias's address, then the blackhole; the bridge's address.
		assert.match(result.output, /ip addr add 10\.10\.0\.20\/255\.255\.255\.255 .*dev lo:1 label lo:1[\s\S]*ip route replace blackhole 10\.10\.0\.0\/16/);
		assert.match(result.output, /ip addr add 10\.10\.1\.1\/255\.255\.255\.0 .*dev br0/);
		assert.equal(/MASQUERADE/.test(result.output), nat);
	}
});

test('ifup --no-act rejects a broken stanza (the checker really checks)', async t => {
	if (!need(['ifup'], t)) return;
	const broken = renderInterfaces(seed).replace('\taddress 10.10.1.1/24\n', '');
	const result = await checkInterfaces(broken);
	assert.notEqual(result.exitCode, 0);
	assert.match(result.output, /missing required variable: address/);
	assert.notEqual((await checkInterfaces(renderInterfaces(seed).replace('inet static', 'inet statik'))).exitCode, 0);
});

test('the operator\'s interfaces file gains one source line for our file, only when it lacks one', () => {
	assert.equal(withInterfacesSource(debianDefault), debianDefault, 'Debian\'s default already sources interfaces.d/*');
	const own = 'auto eth0\niface eth0 inet dhcp\n';
	const extended = withInterfacesSource(own);
	assert.ok(extended.startsWith(own), 'the operator\'s stanzas are kept as they are');
	assert.match(extended, new RegExp(`\\nsource ${wizardInterfacesPath}\\n$`));
	assert.equal(withInterfacesSource(extended), extended, 'a second run adds nothing');
	assert.ok(withInterfacesSource('iface eth0 inet dhcp').includes('dhcp\n\n# The private'));
	for (const line of ['source-directory /etc/network/interfaces.d', 'source-directory interfaces.d/', 'source interfaces.d/*', 'source /etc/network/interfaces.d/ganeti-*']) {
		assert.ok(sourcesFile(`${line}\n`, wizardInterfacesPath), line);
	}
	for (const line of ['source /etc/network/interfaces.d/*.cfg', '# source /etc/network/interfaces.d/*', 'source-directory /etc/network']) {
		assert.ok(!sourcesFile(`${line}\n`, wizardInterfacesPath), line);
	}
	assert.match(withInterfacesSource(null), /^auto lo\niface lo inet loopback\n[\s\S]*source \/etc\/network\/interfaces\.d\/ganeti-wizard\n$/m);
});

test('stanzas the operator already has for lo:1 or the bridge are reported (the seed had both)', () => {
	const seedStyle = 'auto lo:1\niface lo:1 inet static\n\tup ip route add blackhole\n\nauto br0\niface br0 inet static\n\tbridge_ports none\n';
	assert.deepEqual(conflictingInterfaces(seedStyle, seed), ['lo:1', 'br0']);
	assert.deepEqual(conflictingInterfaces(debianDefault, seed), []);
	assert.deepEqual(conflictingInterfaces(null, seed), []);
});

test('ifup --no-act accepts the operator\'s file with our source line', async t => {
	if (!need(['ifup'], t)) return;
	const result = await checkInterfaces(withInterfacesSource('auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet static\n\taddress 198.51.100.20/24\n'));
	assert.equal(result.exitCode, 0, result.output);
});
