// Cross-field rules: a defect planted in a random valid site is always reported
// with its one-line problem, and values just inside each limit are accepted.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {broadcast, fromInt, hostRange, parseCidr, toInt} from '../../source/inventory/addresses.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {quoteValue} from '../../source/recipe/cross-checks.js';
import {RecipeError} from '../../source/errors.js';
import {arbitraryRecipe, recipeToYaml, seedRecipeObject, type RecipeObject} from '../support/random-recipe.js';

type Instance = Record<string, unknown>;
type Site = RecipeObject & {
	host: Record<string, unknown>;
	network: Record<string, unknown> & {bridge: Record<string, unknown>};
	dns: Record<string, unknown>;
	dhcp?: Record<string, unknown>;
	storage: Record<string, unknown>;
	cluster: Record<string, unknown>;
	instances: Instance[];
};

function problemsOf(site: unknown): string[] {
	try {
		parseRecipe(recipeToYaml(site), 'site');
		return [];
	} catch (error) {
		assert.ok(error instanceof RecipeError, String(error));
		return error.problems;
	}
}

function assertProblem(site: unknown, expected: string): void {
	const problems = problemsOf(site);
	assert.ok(problems.includes(expected), `expected\n  ${expected}\namong\n  ${problems.join('\n  ') || '(no problem)'}`);
}

const seed = (): Site => seedRecipeObject() as Site;
const sites = arbitraryRecipe() as fc.Arbitrary<Site>;
const withInstances = (count: number) => sites.filter(site => site.instances.length >= count);
// endOnFailure: the counterexample is a whole site; shrinking it only costs time.
const runs = {numRuns: 40, endOnFailure: true};

test('a cluster address that the node already uses is reported as such', () => {
	fc.assert(
		fc.property(sites, site => {
			site.cluster.address = site.host.private_address;
			assertProblem(site, `cluster.address: "${site.host.private_address}" is already used by the node (host.private_address); the cluster needs an address that no node, bridge or VM uses`);
		}),
		runs,
	);
});

test('two instances with one name, MAC or address name both indices', () => {
	fc.assert(
		fc.property(withInstances(2), fc.nat(), fc.nat(), (site, a, b) => {
			const first = a % site.instances.length;
			let second = b % site.instances.length;
			if (second === first) second = (first + 1) % site.instances.length;
			const [low, high] = [Math.min(first, second), Math.max(first, second)];
			const copy = structuredClone(site);
			copy.instances[high]!.name = copy.instances[low]!.name;
			assertProblem(copy, `instances[${high}].name: ${JSON.stringify(copy.instances[low]!.name)} is already used by instances[${low}]; give each instance its own name`);

			const mac = structuredClone(site);
			mac.instances[low]!.mac ??= '52:54:12:34:56:78';
			mac.instances[high]!.mac = mac.instances[low]!.mac;
			assertProblem(mac, `instances[${high}].mac: "${String(mac.instances[low]!.mac)}" is already used by instances[${low}]; give each instance its own MAC or leave it out to have one generated`);

			const address = structuredClone(site);
			const [firstHost] = hostRange(String(site.network.vms_subnet));
			// An address no instance, nor the bridge (the VMs' gateway), holds, outside the DHCP range.
			const taken = new Set([...site.instances.map(instance => instance.address), site.network.bridge.address]);
			const dynamic = (site.dhcp as {range?: [string, string]} | undefined)?.range?.map(toInt);
			const candidate = firstHost + 1;
			const free = !taken.has(fromInt(candidate)) && !(dynamic && candidate >= dynamic[0]! && candidate <= dynamic[1]!);
			address.instances[low]!.address ??= free ? fromInt(candidate) : undefined;
			fc.pre(address.instances[low]!.address !== undefined);
			address.instances[high]!.address = address.instances[low]!.address;
			assertProblem(
				address,
				`instances[${high}].address: "${String(address.instances[low]!.address)}" is already used by instances[${low}]; give each instance its own address or leave it out to have one generated`,
			);
		}),
		runs,
	);
});

test('an instance on the bridge address, in the DHCP range or outside the VM subnet is refused', () => {
	fc.assert(
		fc.property(withInstances(1), fc.nat(), (site, which) => {
			const index = which % site.instances.length;
			const bridge = String(site.network.bridge.address);
			const onBridge = structuredClone(site);
			onBridge.instances[index]!.address = bridge;
			assertProblem(onBridge, `instances[${index}].address: "${bridge}" is already used by the bridge (network.bridge.address); give each instance its own address or leave it out to have one generated`);

			const outside = structuredClone(site);
			outside.instances[index]!.address = site.cluster.address;
			const [first, last] = hostRange(String(site.network.vms_subnet)).map(fromInt);
			assertProblem(
				outside,
				`instances[${index}].address: "${String(site.cluster.address)}" is not inside network.vms_subnet (${String(site.network.vms_subnet)}); use a host address of ${String(site.network.vms_subnet)} (${first} to ${last})`,
			);

			const range = site.dhcp?.range as [string, string] | undefined;
			if (range) {
				const inRange = structuredClone(site);
				inRange.instances[index]!.address = range[1];
				assertProblem(
					inRange,
					`instances[${index}].address: "${range[1]}" is inside dhcp.range (${range[0]} to ${range[1]}), which dhcpd hands out to any client; use an address outside that range or leave it out to have one chosen`,
				);
			}
		}),
		runs,
	);
});

test('a bridge or node on the network or broadcast address of its subnet is refused', () => {
	fc.assert(
		fc.property(sites, fc.boolean(), (site, atBroadcast) => {
			const vms = String(site.network.vms_subnet);
			const nodes = String(site.network.nodes_subnet);
			const which = atBroadcast ? 'broadcast' : 'network';
			const edge = (cidr: string) => (atBroadcast ? broadcast(cidr) : parseCidr(cidr).network);
			const range = (cidr: string) => hostRange(cidr).map(fromInt).join(' to ');
			const bridge = structuredClone(site);
			bridge.network.bridge.address = edge(vms);
			assertProblem(bridge, `network.bridge.address: "${edge(vms)}" is the ${which} address of network.vms_subnet (${vms}); use a host address of ${vms} (${range(vms)})`);
			const node = structuredClone(site);
			node.host.private_address = edge(nodes);
			assertProblem(node, `host.private_address: "${edge(nodes)}" is the ${which} address of network.nodes_subnet (${nodes}); use a host address of ${nodes} (${range(nodes)})`);
		}),
		runs,
	);
});

test('an instance whose FQDN is the VM gateway\'s is refused', () => {
	fc.assert(
		fc.property(withInstances(1), site => {
			site.instances[0]!.name = 'gw';
			const vmsDomain = `${String(site.dns.vms_domain ?? 'vm')}.${String(site.dns.zone)}`;
			const problems = problemsOf(site);
			const clash = `instances[0].name: "gw" makes the name "gw.${vmsDomain}", which is already the name of the VM gateway (the bridge address); choose another name`;
			// Another instance may already be called gw; then that is what is reported.
			assert.ok(problems.includes(clash) || problems.some(problem => problem.includes('"gw" is already used by instances[0]')), problems.join('\n'));
		}),
		runs,
	);
});

test('every problem of a recipe is collected; the message gives the first and counts the rest', () => {
	const site = seed();
	site.cluster.address = site.host.private_address;
	site.instances[0]!.disk_template = 'drbd';
	site.storage = {partition: '/dev/sdb1', vg: 'all'};
	const problems = problemsOf(site);
	assert.deepEqual(problems, [
		'cluster.address: "10.10.0.20" is already used by the node (host.private_address); the cluster needs an address that no node, bridge or VM uses',
		'instances[0].disk_template: "drbd" is not enabled in cluster.disk_templates (plain); add it there or use one of those',
		'storage.partition: "/dev/sdb1" needs storage.disk, the disk it is a partition of; add disk (e.g. /dev/sdb) or remove partition',
	]);
	assert.throws(() => parseRecipe(recipeToYaml(site), 'site.yaml'), {message: problems.map(problem => `site.yaml: ${problem}`).join('\n')});
});

test('values just inside each limit are accepted', () => {
	const accepted = (change: (site: Site) => void, why: string) => {
		const site = seed();
		change(site);
		assert.deepEqual(problemsOf(site), [], why);
	};
	accepted(site => {
		site.network.vms_subnet = '10.10.1.0/30';
		site.network.bridge.address = '10.10.1.1';
		site.dhcp = {enabled: true};
		site.instances[0]!.address = '10.10.1.2';
	}, 'a /30 VM subnet holds the bridge and one instance');
	accepted(site => {
		site.dhcp!.range = ['10.10.1.2', '10.10.1.49'];
		site.instances[0]!.address = '10.10.1.50';
	}, 'a range right after the bridge and an instance right after the range');
	accepted(site => {
		site.host.private_address = '10.10.0.254';
		site.cluster.address = '10.10.0.1';
	}, 'the first and last host addresses');
	accepted(site => {
		site.network.private_range = '172.16.0.0/12';
		site.network.nodes_subnet = '172.31.255.0/28';
		site.network.vms_subnet = '172.16.0.0/17';
		site.network.bridge.address = '172.16.0.1';
		site.host.private_address = '172.31.255.1';
		site.cluster.address = '172.31.255.14';
		site.dhcp!.range = ['172.16.127.0', '172.16.127.254'];
		site.instances[0]!.address = '172.16.1.50';
	}, 'a whole RFC 1918 block with a /28 and a /17 (neither octet aligned) inside it');
	accepted(site => {
		site.host.public_address = '192.168.1.5';
	}, 'a public address in another private range (a host behind NAT)');
	accepted(site => {
		site.dns.nodes_domain = 'lan';
		site.dns.vms_domain = 'lan';
	}, 'one sub-domain for nodes and VMs while no name clashes');
	for (const [disk, partition] of [
		['/dev/nvme0n1', '/dev/nvme0n1p2'],
		['/dev/md0', '/dev/md0p1'],
		['/dev/sdb', '/dev/sdb12'],
		['/dev/disk/by-id/ata-Samsung_SSD_S3Z9', '/dev/disk/by-id/ata-Samsung_SSD_S3Z9-part1'],
	]) {
		accepted(site => Object.assign(site.storage, {disk, partition}), `${partition} is a partition of ${disk}`);
	}
	accepted(site => {
		// 253 characters exactly: 3 labels of 63, one of 47, then ".vm.farm".
		site.instances[0]!.name = [...Array.from({length: 3}, () => 'a'.repeat(63)), 'b'.repeat(253 - 8 - 3 * 64)].join('.');
	}, 'an FQDN of 253 characters');
});

test('partition names that do not belong to the disk are refused', () => {
	for (const [disk, partition, example] of [
		['/dev/sdb', '/dev/sdbp1', '/dev/sdb1'],
		['/dev/nvme0n1', '/dev/nvme0n11', '/dev/nvme0n1p1'],
		['/dev/sdb', '/dev/sdb0', '/dev/sdb1'],
		['/dev/sda', '/dev/sdab1', '/dev/sda1'],
	] as const) {
		const site = seed();
		Object.assign(site.storage, {disk, partition});
		assertProblem(site, `storage.partition: "${partition}" is not a partition of storage.disk (${disk}); use a partition of that disk (e.g. ${example})`);
	}
});

test('an FQDN of 254 characters is refused', () => {
	const site = seed();
	const name = [...Array.from({length: 3}, () => 'a'.repeat(63)), 'b'.repeat(254 - 8 - 3 * 64)].join('.');
	site.instances[0]!.name = name;
	assertProblem(site, `instances[0].name: "${name.slice(0, 55)}..." makes the name "${name.slice(0, 37)}..." 254 characters long; a DNS name has at most 253, use a shorter name`);
});

test('a private range outside RFC 1918 is refused, one inside is not', () => {
	const site = seed();
	site.network.private_range = '172.32.0.0/11';
	site.network.nodes_subnet = '172.32.0.0/24';
	site.network.vms_subnet = '172.32.1.0/24';
	site.network.bridge.address = '172.32.1.1';
	site.host.private_address = '172.32.0.20';
	site.cluster.address = '172.32.0.10';
	site.dhcp!.range = ['172.32.1.200', '172.32.1.249'];
	site.instances[0]!.address = '172.32.1.50';
	assert.deepEqual(problemsOf(site), [
		'network.private_range: "172.32.0.0/11" is not a private (RFC 1918) range; use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (e.g. 10.10.0.0/16)',
	]);
	assert.equal(toInt('172.32.0.0') - toInt('172.16.0.0'), 2 ** 20, 'the range lies just past 172.16.0.0/12');
});

test('dns.zone: home.arpa (RFC 8375, for private networks) and names under it are accepted; the rest of .arpa is refused', () => {
	for (const zone of ['home.arpa', 'farm.home.arpa']) {
		const site = seed();
		site.dns.zone = zone;
		assert.deepEqual(problemsOf(site), [], zone);
	}
	for (const zone of ['arpa', 'in-addr.arpa', '10.in-addr.arpa', 'ip6.arpa', 'farm.arpa', 'homearpa.arpa']) {
		const site = seed();
		site.dns.zone = zone;
		assert.deepEqual(
			problemsOf(site),
			[`dns.zone: "${zone}" is inside the reserved .arpa domain where reverse lookups live; choose a private zone name (e.g. farm.internal or farm.home.arpa)`],
			zone,
		);
	}
});

test('a long value is shortened inside its quotes: the closing quote stays, and no escape is cut', () => {
	const long = 'a'.repeat(80);
	assert.equal(quoteValue(long), `"${'a'.repeat(55)}..."`);
	assert.ok(quoteValue(long).length <= 60);
	assert.equal(quoteValue('short'), '"short"');
	assert.equal(quoteValue(`${'b'.repeat(54)}\n${'c'.repeat(20)}`), `"${'b'.repeat(54)}..."`);
	assert.equal(quoteValue(Array.from({length: 30}, (_, index) => index)).slice(-3), '...');
});
