// Random VALID recipes for property tests: plain objects in the YAML shape (the
// input of recipeSchema), satisfying every cross-field rule, on sites of many
// shapes (any private range, prefixes /16../28 aligned to an octet or not, with
// or without a DHCP range, explicit and generated MACs and addresses).
//
// Values are drawn from a seeded generator rather than fc.gen(): gen's values
// are replayed when fast-check clones them, which breaks .filter() on the
// result. The instance count is a separate, shrinkable input, so a failing
// site shrinks towards fewer instances while the rest of it stays the same.
import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {parse, stringify} from 'yaml';
import {fromInt, hostRange, toInt} from '../../source/inventory/addresses.js';
import type {RandomBytes} from '../../source/inventory/inventory.js';

export type RecipeObject = Record<string, unknown>;

const seedPath = new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url);

/** The seed's site as a plain object, for tests that alter one field of it. */
export function seedRecipeObject(): RecipeObject {
	return parse(readFileSync(seedPath, 'utf8')) as RecipeObject;
}

export function recipeToYaml(recipe: unknown): string {
	return stringify(recipe);
}

/** A repeatable byte source (xorshift): two runs differ only by their seed. */
export function seededBytes(seed: number): RandomBytes {
	let state = seed >>> 0 || 1;
	return count =>
		Uint8Array.from({length: count}, () => {
			state ^= state << 13;
			state ^= state >>> 17;
			state ^= state << 5;
			return (state >>> 0) & 255;
		});
}

/** Seeded draws (mulberry32): the same seed gives the same site. */
class Random {
	private state: number;
	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let value = this.state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
	}

	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick<T>(values: readonly T[]): T {
		return values[this.int(0, values.length - 1)]!;
	}

	chance(oneIn: number): boolean {
		return this.int(1, oneIn) === 1;
	}

	/** A DNS label: a letter first, then letters, digits and inner dashes, 1 to 12 characters. */
	label(): string {
		const length = this.chance(4) ? 1 : this.int(2, 12);
		let text = this.pick([...letters]);
		for (let index = 1; index < length; index++) text += this.pick(index === length - 1 ? [...letters, ...digits] : [...letters, ...digits, '-']);
		return text;
	}

	/** A non-empty subset of `values`, in random order. */
	subset<T>(values: readonly T[], minimum = 1): T[] {
		const shuffled = [...values].sort(() => this.next() - 0.5);
		return shuffled.slice(0, this.int(minimum, values.length));
	}
}

const letters = 'abcdefghijklmnopqrstuvwxyz';
const digits = '0123456789';
type Generator = Random;
const int = (g: Generator, min: number, max: number): number => g.int(min, max);
const pick = <T>(g: Generator, values: readonly T[]): T => g.pick(values);
const chance = (g: Generator, oneIn: number): boolean => g.chance(oneIn);

// The three RFC 1918 blocks; the site's private range is some sub-block of one.
const privateBlocks = [
	{base: toInt('10.0.0.0'), prefix: 8},
	{base: toInt('172.16.0.0'), prefix: 12},
	{base: toInt('192.168.0.0'), prefix: 16},
];

const blockSize = (prefix: number): number => 2 ** (32 - prefix);
const cidr = (start: number, prefix: number): string => `${fromInt(start)}/${prefix}`;

/** A random aligned block of `prefix` inside the block starting at `start` with `outerPrefix`. */
function subBlock(g: Generator, start: number, outerPrefix: number, prefix: number): number {
	return start + int(g, 0, 2 ** (prefix - outerPrefix) - 1) * blockSize(prefix);
}

/** The k-th address of [first, last] that lies outside every excluded interval. */
function nthFree(first: number, last: number, excluded: Array<[number, number]>, k: number): number {
	let candidate = first + k;
	for (const [start, end] of [...excluded].sort((a, b) => a[0] - b[0])) {
		if (start > candidate) break;
		candidate += Math.min(end, last) - Math.max(start, first) + 1;
	}
	return candidate;
}

function freeCount(first: number, last: number, excluded: Array<[number, number]>): number {
	return last - first + 1 - excluded.reduce((sum, [start, end]) => sum + Math.min(end, last) - Math.max(start, first) + 1, 0);
}

const label = (g: Generator): string => g.label();
const hex = (byte: number): string => byte.toString(16).padStart(2, '0');
const sizeValue = (g: Generator, units: string): string => `${int(g, 1, 999)}${pick(g, [...units])}`;

const diskTemplateNames = ['plain', 'drbd', 'file', 'sharedfile', 'diskless'] as const;
const disks = [
	{disk: '/dev/sdb', partition: '/dev/sdb1'},
	{disk: '/dev/vdc', partition: '/dev/vdc2'},
	{disk: '/dev/nvme1n1', partition: '/dev/nvme1n1p1'},
	{disk: '/dev/md0', partition: '/dev/md0p3'},
];

type Network = {
	recipe: RecipeObject;
	vmsFirst: number;
	vmsLast: number;
	/** Addresses no instance may take: the bridge and the DHCP dynamic range. */
	excluded: Array<[number, number]>;
};

function randomNetwork(g: Generator): Network & {privateAddress: string; clusterAddress: string} {
	const block = pick(g, privateBlocks);
	const rangePrefix = int(g, block.prefix, 24);
	const rangeStart = subBlock(g, block.base, block.prefix, rangePrefix);
	const subnetPrefix = (): number => int(g, Math.max(16, rangePrefix + 1), 28);

	const nodesPrefix = subnetPrefix();
	const nodesStart = subBlock(g, rangeStart, rangePrefix, nodesPrefix);
	// The VM subnet: any block of the range that does not overlap the nodes subnet.
	const vmsPrefix = subnetPrefix();
	const vmsBlocks = 2 ** (vmsPrefix - rangePrefix);
	const firstClash = Math.floor((nodesStart - rangeStart) / blockSize(vmsPrefix));
	const clashCount = Math.max(1, 2 ** (vmsPrefix - nodesPrefix));
	let vmsIndex = int(g, 0, vmsBlocks - clashCount - 1);
	if (vmsIndex >= firstClash) vmsIndex += clashCount;
	const vmsStart = rangeStart + vmsIndex * blockSize(vmsPrefix);

	const nodesSubnet = cidr(nodesStart, nodesPrefix);
	const [nodesFirst, nodesLast] = hostRange(nodesSubnet);
	const privateAddress = int(g, nodesFirst, nodesLast);
	const clusterAddress = nthFree(nodesFirst, nodesLast, [[privateAddress, privateAddress]], int(g, 0, nodesLast - nodesFirst - 1));

	const vmsSubnet = cidr(vmsStart, vmsPrefix);
	const [vmsFirst, vmsLast] = hostRange(vmsSubnet);
	const bridge = chance(g, 2) ? vmsFirst : int(g, vmsFirst, vmsLast);
	const excluded: Array<[number, number]> = [[bridge, bridge]];

	// DHCP: no section, disabled, or a dynamic range on one side of the bridge address.
	let dhcp: RecipeObject | undefined;
	const dhcpKind = pick(g, ['absent', 'no-range', 'range', 'range', 'disabled'] as const);
	if (dhcpKind === 'disabled') dhcp = {enabled: false};
	if (dhcpKind === 'no-range') dhcp = {enabled: true, lease_time: int(g, 60, 86_400)};
	if (dhcpKind === 'range') {
		const sides = ([[vmsFirst, bridge - 1], [bridge + 1, vmsLast]] as Array<[number, number]>).filter(([start, end]) => end >= start);
		const [sideStart, sideEnd] = pick(g, sides);
		const start = int(g, sideStart, sideEnd);
		const end = int(g, start, Math.min(sideEnd, start + 63));
		dhcp = {range: [fromInt(start), fromInt(end)]};
		excluded.push([start, end]);
	}

	const network: RecipeObject = {
		private_range: cidr(rangeStart, rangePrefix),
		nodes_subnet: nodesSubnet,
		vms_subnet: vmsSubnet,
		bridge: chance(g, 3) ? {address: fromInt(bridge)} : {name: pick(g, ['br0', 'br-vm', 'virbr1']), address: fromInt(bridge)},
	};
	if (chance(g, 3)) network.nat = pick(g, [true, false]);
	const recipe: RecipeObject = {network};
	if (dhcp) recipe.dhcp = dhcp;
	return {recipe, vmsFirst, vmsLast, excluded, privateAddress: fromInt(privateAddress), clusterAddress: fromInt(clusterAddress)};
}

function randomRecipe(seed: number, instanceCount: number): RecipeObject {
	const g = new Random(seed);
	// Instances draw from their own stream: fewer of them leaves the rest of the site as it was.
	const gi = new Random(seed ^ 0x9e3779b9);
	const {recipe: networkPart, vmsFirst, vmsLast, excluded, privateAddress, clusterAddress} = randomNetwork(g);
	const zone = chance(g, 3) ? `${label(g)}.${label(g)}` : label(g);
	const nodesDomain = chance(g, 4) ? undefined : label(g);
	const vmsDomain = chance(g, 4) ? undefined : chance(g, 5) ? `${label(g)}.${label(g)}` : label(g);
	const hostname = label(g);
	const bridgeName = ((networkPart.network as RecipeObject).bridge as RecipeObject).name as string | undefined;

	// Every record the inventory makes besides the instances; no two may share an FQDN.
	const nodesFqdn = (name: string): string => `${name}.${nodesDomain ?? 'node'}.${zone}`;
	const vmsFqdn = (name: string): string => `${name}.${vmsDomain ?? 'vm'}.${zone}`;
	const taken = new Set([`ns.${zone}`, nodesFqdn(hostname), vmsFqdn('gw')]);
	let clusterName = chance(g, 2) ? 'cluster' : label(g);
	while (taken.has(nodesFqdn(clusterName))) clusterName = `${clusterName}-c`;
	taken.add(nodesFqdn(clusterName));

	const templates = g.subset(diskTemplateNames);
	// A site of one node holds no drbd instance (drbd needs a mirror node): give them another template.
	if (!templates.some(template => template !== 'drbd')) templates.push('plain');
	const instanceTemplates = templates.filter(template => template !== 'drbd');
	const needsFileDir = templates.some(template => template === 'file');

	// Capacity: every instance needs an address outside the bridge address and the DHCP range.
	const count = Math.min(instanceCount, freeCount(vmsFirst, vmsLast, excluded));
	const usedMacs = new Set<string>();
	const instances: RecipeObject[] = [];
	for (let index = 0; index < count; index++) {
		let name = gi.chance(3) ? `${gi.label()}.${gi.label()}` : gi.label();
		while (taken.has(vmsFqdn(name))) name = `${name}-${gi.int(0, 9)}`;
		taken.add(vmsFqdn(name));
		const instance: RecipeObject = {
			name,
			disk_template: pick(gi, instanceTemplates),
			disk_size: sizeValue(gi, 'MGT'),
			memory: sizeValue(gi, 'MG'),
			vcpus: int(gi, 1, 64),
			install: chance(gi, 2) ? {iso: `/srv/iso/${label(gi)}.iso`} : {os: pick(gi, ['debootstrap+default', 'debootstrap+minimal', 'image'])},
		};
		if (chance(gi, 3)) {
			let mac: string;
			do mac = ['52', '54', ...Array.from({length: 4}, () => hex(int(gi, 0, 255)))].join(':');
			while (usedMacs.has(mac));
			usedMacs.add(mac);
			instance.mac = mac;
		}
		if (chance(gi, 3)) {
			const address = nthFree(vmsFirst, vmsLast, excluded, int(gi, 0, freeCount(vmsFirst, vmsLast, excluded) - 1));
			excluded.push([address, address]);
			instance.address = fromInt(address);
		}
		if (chance(gi, 3)) instance.extra_disks = Array.from({length: int(gi, 0, 3)}, () => pick(gi, ['1G', '20G', '500G', '2T']));
		instances.push(instance);
	}

	const storage: RecipeObject = {vg: pick(g, ['all', 'xenvg', 'ganeti', label(g)])};
	const storageKind = pick(g, ['disk', 'disk-and-partition', 'loop', 'existing'] as const);
	const disk = pick(g, disks);
	if (storageKind === 'disk') storage.disk = disk.disk;
	if (storageKind === 'disk-and-partition') Object.assign(storage, disk);
	if (storageKind === 'loop') Object.assign(storage, {loop_file: `/var/lib/${label(g)}.img`, loop_size: pick(g, ['21G', '25G', '100G'])});
	if (needsFileDir || chance(g, 4)) storage.file_storage_dir = '/srv/ganeti/file-storage';
	if (templates.includes('sharedfile')) storage.shared_file_storage_dir = '/srv/ganeti/shared-file-storage';

	const dns: RecipeObject = {zone};
	if (nodesDomain) dns.nodes_domain = nodesDomain;
	if (vmsDomain) dns.vms_domain = vmsDomain;
	if (chance(g, 2)) dns.forwarders = g.subset(['9.9.9.9', '1.1.1.1', '192.0.2.53', '203.0.113.7'], 0);

	const host: RecipeObject = {hostname, public_interface: pick(g, ['eth0', 'enp3s0', 'ens18'])};
	if (chance(g, 2)) host.public_address = `${pick(g, ['198.51.100', '203.0.113'])}.${int(g, 1, 254)}`;
	host.private_address = privateAddress;

	const cluster: RecipeObject = {
		name: clusterName,
		address: clusterAddress,
		hypervisor: pick(g, ['kvm', 'xen-pvm', 'xen-hvm', 'fake']),
		disk_templates: templates,
	};
	if (chance(g, 2)) cluster.master_netdev = bridgeName ?? 'br0';
	if (chance(g, 2)) cluster.nic_link = bridgeName ?? 'br0';
	if (chance(g, 2)) cluster.mac_prefix = pick(g, ['52:54:00', '52:54', 'aa:00:01', '02:00']);
	if (chance(g, 4)) cluster.hypervisor_parameters = {kernel_path: '', vnc_bind_address: privateAddress};

	const recipe: RecipeObject = {version: 1, host, ...networkPart, dns, storage, cluster, instances};
	if (chance(g, 3)) recipe.drbd = {hand_over: pick(g, [true, false])};
	return recipe;
}

/**
 * Random valid recipes in the YAML shape (the input of recipeSchema), with up
 * to `maxInstances` instances (fewer when the VM subnet has no room for more).
 */
export function arbitraryRecipe({maxInstances = 40}: {maxInstances?: number} = {}): fc.Arbitrary<RecipeObject> {
	return fc
		.tuple(fc.noShrink(fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1})), fc.integer({min: 0, max: maxInstances}))
		.map(([seed, instances]) => randomRecipe(seed, instances));
}
