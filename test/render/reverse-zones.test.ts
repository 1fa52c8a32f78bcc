import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {fromInt} from '../../source/inventory/addresses.js';
import {maxReverseZones, reverseZoneIndex, reverseZoneProblem, reverseZones, subnetReverseZones} from '../../source/render/reverse-zones.js';

const names = (cidr: string): string[] => subnetReverseZones(cidr).map(zone => zone.name);

test('each prefix length gets the zones of the rule', () => {
	assert.deepEqual(names('10.0.0.0/8'), ['10.in-addr.arpa']);
	assert.deepEqual(names('10.0.0.0/15'), ['0.10.in-addr.arpa', '1.10.in-addr.arpa']);
	assert.equal(names('10.0.0.0/9').length, 128);
	assert.equal(names('10.128.0.0/9')[0], '128.10.in-addr.arpa');
	assert.deepEqual(names('10.10.0.0/16'), ['10.10.in-addr.arpa']);
	assert.deepEqual(names('10.10.2.0/23'), ['2.10.10.in-addr.arpa', '3.10.10.in-addr.arpa']);
	assert.equal(names('172.16.0.0/17').length, 128);
	assert.deepEqual(names('192.168.7.0/24'), ['7.168.192.in-addr.arpa']);
	assert.deepEqual(names('192.168.7.128/25'), ['7.168.192.in-addr.arpa']);
	assert.deepEqual(names('192.168.7.8/30'), ['7.168.192.in-addr.arpa']);
	assert.deepEqual(names('192.168.7.9/32'), ['7.168.192.in-addr.arpa']);
});

test('subnets sharing a /24 share its zone; a zone inside another is dropped', () => {
	const shared = reverseZones(['10.10.1.0/26', '10.10.1.64/26']);
	assert.deepEqual(shared.map(zone => zone.name), ['1.10.10.in-addr.arpa']);
	const nested = reverseZones(['10.10.0.0/16', '10.10.1.0/24']);
	assert.deepEqual(nested.map(zone => zone.name), ['10.10.in-addr.arpa']);
	const apart = reverseZones(['10.20.0.0/24', '10.10.1.0/24']);
	assert.deepEqual(apart.map(zone => zone.name), ['1.10.10.in-addr.arpa', '0.20.10.in-addr.arpa']);
});

test('an address outside every subnet still gets a zone (its /24)', () => {
	const zones = reverseZones(['10.10.1.0/24'], ['10.10.1.7', '10.99.3.4']);
	assert.deepEqual(zones.map(zone => zone.name), ['1.10.10.in-addr.arpa', '3.99.10.in-addr.arpa']);
});

test('prefixes wider than /8 are refused with a one-line recipe error', () => {
	assert.equal(reverseZoneProblem('network.vms_subnet', '10.10.1.0/24'), null);
	assert.equal(reverseZoneProblem('network.vms_subnet', '10.0.0.0/8'), null);
	const problem = reverseZoneProblem('network.nodes_subnet', '10.0.0.0/7');
	assert.match(problem ?? '', /^network\.nodes_subnet: "10\.0\.0\.0\/7" is wider than \/8; .*use \/8 or longer$/);
	assert.throws(() => subnetReverseZones('10.0.0.0/7'), /wider than \/8/);
});

test('two subnets never exceed the cap; more /24s than the cap are refused', () => {
	assert.equal(reverseZones(['10.0.0.0/9', '10.128.0.0/17']).length, maxReverseZones);
	const stray = Array.from({length: 3}, (_, index) => `10.200.${index}.1`);
	assert.throws(() => reverseZones(['10.0.0.0/9', '10.128.0.0/17'], stray), /at most 256/);
});

test('property: every address of a subnet is found in exactly the zone named by its octets', () => {
	const subnet = fc.tuple(fc.integer({min: 0, max: 2 ** 32 - 1}), fc.integer({min: 8, max: 32})).map(([value, prefix]) => {
		const network = prefix === 32 ? value : (value & ~(2 ** (32 - prefix) - 1)) >>> 0;
		return {network, prefix, cidr: `${fromInt(network)}/${prefix}`};
	});
	fc.assert(
		fc.property(subnet, fc.nat(), ({network, prefix, cidr}, offset) => {
			const zones = reverseZones([cidr]);
			const address = fromInt(network + (offset % 2 ** (32 - prefix)));
			const found = reverseZoneIndex(zones)(address);
			assert.ok(found, `${address} not in a zone of ${cidr}`);
			// Owner + zone name spell the address backwards, as in-addr.arpa does.
			assert.equal(`${found.owner}.${found.zone.name}`, `${address.split('.').reverse().join('.')}.in-addr.arpa`);
			assert.equal(found.zone.octets.length, prefix <= 8 ? 1 : prefix <= 16 ? 2 : 3);
			assert.deepEqual(found.zone.octets, address.split('.').map(Number).slice(0, found.zone.octets.length));
		}),
		{numRuns: 500},
	);
});
