// The shape of a recipe: one YAML file that describes a whole site. Field-level
// rules live here; rules that relate two fields live in cross-checks.ts.
import {z} from 'zod';
import {isIpv4, isIpv4Cidr} from '../inventory/addresses.js';

// Each refinement's message completes the sentence `<path>: <value> ...`.
const ipv4 = z.string().refine(isIpv4, 'is not an IPv4 address (e.g. 10.10.0.20)');
const cidr = z.string().refine(isIpv4Cidr, 'is not an IPv4 network in CIDR form with the host bits zero (e.g. 10.10.1.0/24)');
const hostLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A dot-separated DNS name; `example` fits the field (a zone, a domain, an instance name). */
const dnsName = (example: string) =>
	z.string().refine(value => value.split('.').every(label => hostLabel.test(label)), `is not a DNS name (lowercase letters, digits and "-", dot-separated, e.g. ${example})`);
const label = z.string().regex(hostLabel, 'is not a single DNS label (lowercase letters, digits and "-", e.g. gcc20)');
/**
 * Whether `name` may name an LVM volume group, by lvm(8) VALID NAMES: only
 * a-z A-Z 0-9 + _ . -, not beginning with a hyphen, not "." or "..", and
 * shorter than LVM's NAME_LEN (128, lvm-string.h). (The reserved words
 * "snapshot" and "pvmove" and the "_cdata"-like parts are LV rules, and a
 * name that exists in /dev is refused by vgcreate itself on the host.)
 */
export function isVolumeGroupName(name: string): boolean {
	return /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/.test(name) && name !== '.' && name !== '..';
}
const volumeGroup = z
	.string()
	.refine(isVolumeGroupName, 'is not an LVM volume group name (letters, digits and "+_.-", not starting with "-", not "." or "..", e.g. vg_data)');
const interfaceName = z.string().regex(/^[a-zA-Z0-9_.:-]{1,15}$/, 'is not a network interface name (at most 15 letters, digits, "_.:-", e.g. eth0)');
export const macPattern = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const mac = z.string().regex(macPattern, 'is not a MAC address (six lowercase hex pairs, e.g. 52:54:5a:8d:77:8e)');
const macPrefix = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){1,2}$/, 'is not a lowercase MAC prefix of two or three bytes (e.g. 52:54:00)');
// Sizes as Ganeti takes them: a whole number and a unit (M, G or T).
export const sizePattern = /^[1-9][0-9]*[MGT]$/;
const size = z.string().regex(sizePattern, 'is not a size (a whole number and M, G or T, e.g. 10G)');

/** A recipe size (e.g. "10G") in MiB, the unit Ganeti's instance policy and LVM's reports use (M, G, T are powers of 1024). */
export function sizeMiB(value: string): number {
	const unit = value.at(-1)!;
	return Number(value.slice(0, -1)) * ({M: 1, G: 1024, T: 1024 * 1024}[unit] ?? Number.NaN);
}
const absolutePath = z.string().regex(/^\/[^\0]*$/, 'is not an absolute path (e.g. /srv/ganeti/debian.iso)');
const devicePath = z.string().regex(/^\/dev\/[A-Za-z0-9/_.-]+$/, 'is not a device path (e.g. /dev/sdb)');

export const hypervisors = ['kvm', 'xen-pvm', 'xen-hvm', 'fake'] as const;
export const diskTemplates = ['plain', 'drbd', 'file', 'sharedfile', 'diskless'] as const;

const host = z.strictObject({
	hostname: label,
	public_interface: interfaceName,
	public_address: ipv4.optional(),
	private_address: ipv4,
	// Ganeti names the node after what the hostname resolves to; the wizard maps
	// it to the private address in /etc/hosts. False: leave /etc/hosts alone
	// (e.g. under configuration management) and only check the result.
	manage_etc_hosts: z.boolean().default(true),
});

/**
 * A node's role in Ganeti's terms, as `gnt-node list -o name,role` reports it
 * (M master, C master candidate, R regular). Offline and drained are states
 * an operator sets later, not roles a node joins with.
 */
export const nodeRoles = ['master', 'candidate', 'regular'] as const;
export type NodeRole = (typeof nodeRoles)[number];

// One node of a site with several; the fields are host:'s, the hostname called name.
const node = z.strictObject({
	name: label,
	public_interface: interfaceName,
	public_address: ipv4.optional(),
	private_address: ipv4,
	role: z.enum(nodeRoles, 'is not a node role (master, candidate or regular, as gnt-node list reports them)'),
	manage_etc_hosts: z.boolean().default(true),
});

const network = z.strictObject({
	private_range: cidr,
	nodes_subnet: cidr,
	vms_subnet: cidr,
	bridge: z.strictObject({
		name: interfaceName.default('br0'),
		address: ipv4,
	}),
	nat: z.boolean().default(true),
	// How VMs keep their address on whichever node runs them: none (one node),
	// or ospf (routed /32s announced by the wizard's own bird2; readme "VMs
	// across nodes").
	routing: z.enum(['none', 'ospf'], 'is not a routing mode (none or ospf)').default('none'),
});

const dns = z.strictObject({
	zone: dnsName('internal'),
	nodes_domain: dnsName('node').default('node'),
	vms_domain: dnsName('vm').default('vm'),
	forwarders: z.array(ipv4).default([]),
	ttl: z.string().regex(/^[0-9]+[smhdw]?$/, 'is not a TTL (e.g. 1h or 3600)').default('1h'),
	// True: the zone may exist in public DNS, and the host's users accept that
	// the private zone hides it (preflight refuses such a zone otherwise).
	shadow_public_zone: z.boolean().optional(),
});

const dhcp = z.strictObject({
	enabled: z.boolean().default(true),
	range: z.tuple([ipv4, ipv4]).optional(),
	lease_time: z.number().int('is not a whole number of seconds').positive('must be a positive number of seconds').default(3600),
});

const storage = z.strictObject({
	// A whole disk to partition (one LVM partition), or nothing when vg exists already.
	disk: devicePath.optional(),
	partition: devicePath.optional(),
	// Lab hosts use a loop device backed by this file; real hosts leave it out.
	loop_file: absolutePath.optional(),
	loop_size: size.optional(),
	vg: volumeGroup,
	file_storage_dir: absolutePath.optional(),
	// The directory every node mounts the same share on, for sharedfile disks (which can move between nodes).
	shared_file_storage_dir: absolutePath.optional(),
});

const drbd = z.strictObject({
	hand_over: z.boolean().default(true),
});

const cluster = z.strictObject({
	name: dnsName('cluster'),
	address: ipv4,
	hypervisor: z.enum(hypervisors, 'is not a hypervisor Ganeti knows (kvm, xen-pvm, xen-hvm or fake)'),
	hypervisor_parameters: z.record(z.string(), z.string()).default({}),
	disk_templates: z.array(z.enum(diskTemplates, 'is not a disk template (plain, drbd, file, sharedfile or diskless)')).min(1, 'needs at least one disk template'),
	master_netdev: interfaceName.optional(),
	nic_link: interfaceName.optional(),
	mac_prefix: macPrefix.default('52:54:00'),
	ssh_init: z.boolean().default(false),
	// Error codes `gnt-cluster verify` should ignore (e.g. ENODESETUP inside a VM).
	verify_ignore: z.array(z.string().regex(/^[A-Z]+$/, 'is not a Ganeti error code (e.g. ENODESETUP)')).default([]),
});

const osDefinition = z.string().regex(/^[a-z0-9_.-]+(\+[a-z0-9_.-]+)?$/, 'is not an OS definition (e.g. debootstrap+default)');
const install = z.union(
	[
		// Ganeti 3.0 records an OS even for an ISO install (never run: --no-install); default debootstrap+default.
		z.strictObject({iso: absolutePath, vnc_password_file: absolutePath.optional(), os: osDefinition.optional()}),
		z.strictObject({os: osDefinition}),
	],
	'is not an install medium: give either {iso: /path/to.iso} or {os: name+variant}',
);

const instance = z.strictObject({
	name: dnsName('rodo1.osm'),
	disk_template: z.enum(diskTemplates, 'is not a disk template (plain, drbd, file, sharedfile or diskless)'),
	disk_size: size,
	memory: size,
	vcpus: z.number().int('is not a whole number of vcpus').min(1, 'must be at least 1').max(64, 'must be at most 64'),
	install,
	mac: mac.optional(),
	address: ipv4.optional(),
	extra_disks: z.array(size).default([]),
	// This instance's own hypervisor parameters (gnt-instance add -H), over the cluster's.
	hypervisor_parameters: z.record(z.string(), z.string()).optional(),
});

/**
 * The recipe as written. A site gives either `host:` (one node) or `nodes:`
 * (a list, the master first); parseRecipe refuses both or neither, and
 * normaliseRecipe turns either into the Recipe every other module reads.
 */
export const recipeSchema = z.strictObject({
	version: z.literal(1, 'must be 1 (the only recipe version this wizard reads)'),
	host: host.optional(),
	nodes: z.array(node).min(1, 'needs at least one node, the master first').optional(),
	network,
	dns,
	dhcp: dhcp.default({enabled: true, lease_time: 3600}),
	storage,
	drbd: drbd.default({hand_over: true}),
	cluster,
	instances: z.array(instance).default([]),
});

/** A recipe as the schema reads it: `host` or `nodes` (or, refused later, both or neither). */
export type WrittenRecipe = z.infer<typeof recipeSchema>;
/** The single node of a `host:` recipe; in a Recipe, the first node (the master) in that shape. */
export type RecipeHost = z.infer<typeof host>;
export type RecipeNode = z.infer<typeof node>;
/**
 * A validated recipe. `nodes` always lists the site's nodes in recipe order,
 * the master first; `host` is that master in the shape of a `host:` recipe,
 * so that code of one node reads it as before.
 */
export type Recipe = Omit<WrittenRecipe, 'host' | 'nodes'> & {host: RecipeHost; nodes: RecipeNode[]};
export type RecipeInstance = Recipe['instances'][number];

/** A `host:` entry as the one node of `nodes:` (the master). */
export function nodeOfHost(host: RecipeHost): RecipeNode {
	return {
		name: host.hostname,
		public_interface: host.public_interface,
		...(host.public_address !== undefined ? {public_address: host.public_address} : {}),
		private_address: host.private_address,
		role: 'master',
		manage_etc_hosts: host.manage_etc_hosts,
	};
}

/** A node in the shape of a `host:` entry (its role dropped). */
export function hostOfNode(node: RecipeNode): RecipeHost {
	return {
		hostname: node.name,
		public_interface: node.public_interface,
		...(node.public_address !== undefined ? {public_address: node.public_address} : {}),
		private_address: node.private_address,
		manage_etc_hosts: node.manage_etc_hosts,
	};
}

/**
 * A parsed recipe with both `host` and `nodes`: a `host:` recipe gives one
 * node of role master; a `nodes:` recipe's first node becomes `host`. Takes
 * a recipe that gives one of them (parseRecipe refuses the others first);
 * when both are given, `nodes` wins.
 */
export function normaliseRecipe(written: WrittenRecipe): Recipe {
	const {version, host: writtenHost, nodes: writtenNodes, ...rest} = written;
	const nodes = writtenNodes ?? (writtenHost ? [nodeOfHost(writtenHost)] : []);
	const first = nodes[0];
	if (!first) throw new Error('a recipe needs host or nodes');
	const host = writtenNodes ? hostOfNode(first) : writtenHost!;
	return {version, host, nodes, ...rest};
}
