// Rules that relate two or more fields of a recipe (the schema checks each
// field alone). Each problem is one line: field path, bad value, the fix.
// Every problem is collected, causes (subnets) before their consequences
// (addresses inside them), so the first one shown is the one to fix first.
import ipaddr from 'ipaddr.js';
import {broadcast, contains, fromInt, hostRange, isHostAddress, overlaps, parseCidr, toInt, within} from '../inventory/addresses.js';
import {sizeMiB, type Recipe} from './schema.js';

/**
 * Ganeti's minimum volume group for plain and drbd disks: 20 GiB. Ganeti 3.0
 * (constants.MIN_VG_SIZE, 20480 MiB) checks it in `gnt-cluster init --vg-name`
 * and in `gnt-cluster verify`, and refuses a smaller group.
 */
export const minimumVolumeGroupMiB = 20 * 1024;

/**
 * The size in MiB of a volume group made on one device of `deviceMiB` MiB:
 * pvcreate keeps the first MiB for LVM's metadata (its default data
 * alignment), and vgcreate counts the rest in whole 4 MiB extents (its default
 * extent size). So a 20G loop file gives 20476 MiB, under Ganeti's minimum.
 */
export function volumeGroupMiB(deviceMiB: number): number {
	return Math.max(0, Math.floor((deviceMiB - 1) / 4) * 4);
}

/** Whether Ganeti needs a volume group (plain or drbd disks are enabled). */
export function needsVolumeGroup(recipe: Recipe): boolean {
	return recipe.cluster.disk_templates.some(template => template === 'plain' || template === 'drbd');
}

/**
 * A value as a message shows it: JSON (String() of what JSON cannot hold),
 * shortened to 60 characters when longer; a string keeps its closing quote
 * ("aaaa..."), so the line still reads as one value.
 */
export function quoteValue(value: unknown): string {
	const json = JSON.stringify(value);
	if (json === undefined) return String(value);
	if (json.length <= 60) return json;
	if (!json.startsWith('"')) return `${json.slice(0, 57)}...`;
	// Not cut inside an escape (\n, \"): the shortened text stays valid JSON.
	const kept = json.slice(0, 56).replace(/\\u[0-9a-fA-F]{0,3}$|\\$/, '');
	return `${kept}..."`;
}
const quote = quoteValue;

const rfc1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** Who gave a record its FQDN: the field to name in a message, and how to call the record. */
type Owner = {path: string; value: string; description: string};
const maxFqdnLength = 253;

/**
 * How a recipe names its nodes, for the field paths of its problems:
 * `host` (host.private_address) or `nodes` (nodes[1].private_address).
 */
export type NodesForm = 'host' | 'nodes';

/** A node's field as the recipe wrote it: host.hostname for the one node of host:, nodes[i].name otherwise. */
function nodeField(form: NodesForm, index: number, field: string): string {
	return form === 'host' ? `host.${field === 'name' ? 'hostname' : field}` : `nodes[${index}].${field}`;
}

/**
 * Every cross-field problem of a recipe, one line each. `form`: how the
 * recipe wrote its nodes (default: host: for one node, nodes: for more).
 */
export function crossCheck(recipe: Recipe, form: NodesForm = recipe.nodes.length === 1 ? 'host' : 'nodes'): string[] {
	return [
		...checkSubnets(recipe),
		...checkNodes(recipe, form),
		...checkHost(recipe, form),
		...checkBridge(recipe),
		...checkCluster(recipe),
		...checkDhcpRange(recipe),
		...checkInstanceAddresses(recipe),
		...checkUniqueAddresses(recipe, form),
		...checkCapacity(recipe),
		...checkInstanceMacs(recipe),
		...checkNames(recipe, form),
		...checkDns(recipe, form),
		...checkDiskTemplates(recipe),
		...checkStorage(recipe),
		...checkLoopVolumeGroup(recipe),
		...checkMasterNetdev(recipe, form),
		...checkConsoles(recipe, form),
		...checkIsoBoot(recipe),
	];
}

function checkSubnets({network}: Recipe): string[] {
	const problems: string[] = [];
	const range = network.private_range;
	for (const [field, cidr] of [['network.private_range', range], ['network.nodes_subnet', network.nodes_subnet], ['network.vms_subnet', network.vms_subnet]] as const) {
		if (parseCidr(cidr).prefix < 8) {
			problems.push(
				`${field}: ${quote(cidr)} is wider than /8, which the reverse DNS zones cannot cover; reverse zones follow octet boundaries (a /8 to /24 subnet gets one zone per /8, /16 or /24 block, a longer prefix lives in its /24 zone), so use a prefix of /8 or longer`,
			);
		}
	}
	if (parseCidr(range).prefix >= 8 && !rfc1918.some(block => within(range, block))) {
		problems.push(`network.private_range: ${quote(range)} is not a private (RFC 1918) range; use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (e.g. 10.10.0.0/16)`);
	}
	const room = {nodes_subnet: 'the node and the cluster addresses', vms_subnet: 'the bridge and an instance address'} as const;
	for (const key of ['nodes_subnet', 'vms_subnet'] as const) {
		const cidr = network[key];
		if (parseCidr(cidr).prefix > 30) problems.push(`network.${key}: ${quote(cidr)} leaves no room for ${room[key]}; use a prefix of /30 or shorter (e.g. /24)`);
		if (!within(cidr, range)) problems.push(`network.${key}: ${quote(cidr)} is not inside network.private_range (${range}); choose a subnet of the private range or widen the range`);
	}
	if (overlaps(network.vms_subnet, network.nodes_subnet)) {
		problems.push(`network.vms_subnet: ${quote(network.vms_subnet)} overlaps network.nodes_subnet (${network.nodes_subnet}); give the nodes and the VMs separate subnets`);
	}
	return problems;
}

/** Problem when `address` is not a usable host address of `subnet`, else nothing. */
function hostAddressProblem(field: string, address: string, subnetField: string, subnet: string): string[] {
	const [first, last] = hostRange(subnet);
	const usable = first <= last ? `a host address of ${subnet} (${fromInt(first)} to ${fromInt(last)})` : `a subnet with room for it`;
	if (!contains(subnet, address)) return [`${field}: ${quote(address)} is not inside ${subnetField} (${subnet}); use ${usable}`];
	if (isHostAddress(subnet, address)) return [];
	const which = address === parseCidr(subnet).network ? 'network' : address === broadcast(subnet) ? 'broadcast' : 'reserved';
	return [`${field}: ${quote(address)} is the ${which} address of ${subnetField} (${subnet}); use ${usable}`];
}

/**
 * Names unique, and one master, first: the node where `gnt-cluster init`
 * runs and the wizard keeps the site (Ganeti has exactly one master; the
 * others join as master candidates or regular nodes).
 */
function checkNodes({nodes, network}: Recipe, form: NodesForm): string[] {
	const problems: string[] = [];
	// Private addresses sit on each node's lo:1 as /32s: only routes carry them between nodes.
	if (nodes.length > 1 && network.routing !== 'ospf') {
		problems.push(`network.routing: ${quote(network.routing)} cannot carry the nodes' private addresses and the VMs between ${nodes.length} nodes; set network.routing: ospf`);
	}
	const firstWithName = new Map<string, number>();
	nodes.forEach((node, index) => {
		const earlier = firstWithName.get(node.name);
		if (earlier === undefined) firstWithName.set(node.name, index);
		else problems.push(`${nodeField(form, index, 'name')}: ${quote(node.name)} is also nodes[${earlier}]'s; give each node its own name`);
	});
	const masterFirst = nodes[0]?.role === 'master';
	// A master further down is reported there (list it first); none at all, here.
	if (!nodes.some(node => node.role === 'master')) {
		problems.push(`${nodeField(form, 0, 'role')}: ${quote(nodes[0]?.role)} but the first node is the master (where gnt-cluster init runs and the site is kept); make it role: master or list the master first`);
	}
	nodes.forEach((node, index) => {
		if (index === 0 || node.role !== 'master') return;
		problems.push(
			masterFirst
				? `${nodeField(form, index, 'role')}: ${quote(node.role)} but nodes[0] is the master already; a cluster has one master, make this node candidate or regular`
				: `${nodeField(form, index, 'role')}: ${quote(node.role)} is not the first node; list the master first (where gnt-cluster init runs and the site is kept)`,
		);
	});
	return problems;
}

function checkHost({nodes, network}: Recipe, form: NodesForm): string[] {
	return nodes.flatMap((node, index) => {
		const field = (name: string) => nodeField(form, index, name);
		const problems = hostAddressProblem(field('private_address'), node.private_address, 'network.nodes_subnet', network.nodes_subnet);
		if (node.public_address && contains(network.private_range, node.public_address)) {
			problems.push(
				`${field('public_address')}: ${quote(node.public_address)} is inside network.private_range (${network.private_range}), which stays inside this host; correct the address or choose a private range that does not contain it`,
			);
		}
		if (node.public_interface === network.bridge.name) {
			problems.push(`${field('public_interface')}: ${quote(node.public_interface)} is also network.bridge.name, but the VM bridge must be an interface of its own; rename the bridge or correct the public interface`);
		}
		return problems;
	});
}

function checkBridge({network}: Recipe): string[] {
	return hostAddressProblem('network.bridge.address', network.bridge.address, 'network.vms_subnet', network.vms_subnet);
}

function checkCluster({cluster, network}: Recipe): string[] {
	const problems = hostAddressProblem('cluster.address', cluster.address, 'network.nodes_subnet', network.nodes_subnet);
	if (cluster.nic_link !== undefined && cluster.nic_link !== network.bridge.name) {
		problems.push(
			`cluster.nic_link: ${quote(cluster.nic_link)} is not the VM bridge network.bridge.name (${network.bridge.name}), where the VMs get DHCP, DNS and NAT; set it to ${network.bridge.name} or leave it out`,
		);
	}
	return problems;
}

function checkDhcpRange({dhcp, network}: Recipe): string[] {
	if (!dhcp.range) return [];
	const [start, end] = dhcp.range;
	const problems = [
		...hostAddressProblem('dhcp.range[0]', start, 'network.vms_subnet', network.vms_subnet),
		...hostAddressProblem('dhcp.range[1]', end, 'network.vms_subnet', network.vms_subnet),
	];
	if (toInt(start) > toInt(end)) {
		problems.push(`dhcp.range: ${quote(dhcp.range)} starts after it ends; put the lower address first`);
	} else if (toInt(start) <= toInt(network.bridge.address) && toInt(network.bridge.address) <= toInt(end)) {
		problems.push(`dhcp.range: ${quote(dhcp.range)} contains the bridge address ${network.bridge.address} (network.bridge.address); choose a range that leaves it out`);
	}
	return problems;
}

function inDynamicRange({dhcp}: Recipe, address: string): boolean {
	if (!dhcp.range) return false;
	const value = toInt(address);
	return toInt(dhcp.range[0]) <= value && value <= toInt(dhcp.range[1]);
}

function checkInstanceAddresses(recipe: Recipe): string[] {
	const problems: string[] = [];
	recipe.instances.forEach((instance, index) => {
		if (!instance.address) return;
		const field = `instances[${index}].address`;
		const outside = hostAddressProblem(field, instance.address, 'network.vms_subnet', recipe.network.vms_subnet);
		problems.push(...outside);
		if (outside.length === 0 && inDynamicRange(recipe, instance.address)) {
			problems.push(
				`${field}: ${quote(instance.address)} is inside dhcp.range (${recipe.dhcp.range!.join(' to ')}), which dhcpd hands out to any client; use an address outside that range or leave it out to have one chosen`,
			);
		}
	});
	return problems;
}

/** No two fixed addresses of the site may be the same. */
function checkUniqueAddresses(recipe: Recipe, form: NodesForm): string[] {
	const {nodes, network, cluster} = recipe;
	// subnet: where the address must lie; one outside it is that rule's line alone, not also a clash here.
	type Fixed = {field: string; address: string; user: string; fix: string; node?: number; subnet?: [string, string]};
	const nodeUser = (index: number, field: string) => (form === 'host' ? `the node (${nodeField(form, index, field)})` : `nodes[${index}] (${nodeField(form, index, field)})`);
	const fixed: Fixed[] = [
		...nodes.map((node, index): Fixed => ({
			field: nodeField(form, index, 'private_address'),
			address: node.private_address,
			user: nodeUser(index, 'private_address'),
			fix: 'give the node its own address',
			node: index,
			subnet: ['network.nodes_subnet', network.nodes_subnet],
		})),
		{field: 'network.bridge.address', address: network.bridge.address, user: 'the bridge (network.bridge.address)', fix: 'give the bridge its own address', subnet: ['network.vms_subnet', network.vms_subnet]},
		{field: 'cluster.address', address: cluster.address, user: 'the cluster (cluster.address)', fix: 'the cluster needs an address that no node, bridge or VM uses', subnet: ['network.nodes_subnet', network.nodes_subnet]},
		...recipe.instances.flatMap((instance, index): Fixed[] =>
			instance.address
				? [{field: `instances[${index}].address`, address: instance.address, user: `instances[${index}]`, fix: 'give each instance its own address or leave it out to have one generated', subnet: ['network.vms_subnet', network.vms_subnet]}]
				: [],
		),
	];
	nodes.forEach((node, index) => {
		if (!node.public_address) return;
		const field = nodeField(form, index, 'public_address');
		fixed.push({field, address: node.public_address, user: field, fix: 'the public address cannot also be used inside the site', node: index});
	});
	const firstUser = new Map<string, Fixed>();
	const problems: string[] = [];
	for (const entry of fixed) {
		if (entry.subnet && hostAddressProblem(entry.field, entry.address, ...entry.subnet).length > 0) continue;
		const earlier = firstUser.get(entry.address);
		if (!earlier) firstUser.set(entry.address, entry);
		else if (entry.node !== undefined && earlier.node !== undefined && entry.node !== earlier.node) {
			const where = entry.field.endsWith('.public_address') ? 'its own public address' : `its own address in network.nodes_subnet (${network.nodes_subnet})`;
			problems.push(`${entry.field}: ${quote(entry.address)} is also nodes[${earlier.node}]'s; give each node ${where}`);
		} else problems.push(`${entry.field}: ${quote(entry.address)} is already used by ${earlier.user}; ${entry.fix}`);
	}
	return problems;
}

/** Instances without a fixed address get a free one: there must be enough. */
function checkCapacity(recipe: Recipe): string[] {
	const subnet = recipe.network.vms_subnet;
	const [first, last] = hostRange(subnet);
	const taken = new Set<number>([toInt(recipe.network.bridge.address)]);
	for (const instance of recipe.instances) if (instance.address) taken.add(toInt(instance.address));
	let dynamic = 0;
	if (recipe.dhcp.range) {
		const start = Math.max(first, toInt(recipe.dhcp.range[0]));
		const end = Math.min(last, toInt(recipe.dhcp.range[1]));
		dynamic = Math.max(0, end - start + 1);
		for (const value of taken) if (value >= start && value <= end) taken.delete(value);
	}
	const insideTaken = [...taken].filter(value => value >= first && value <= last).length;
	const free = Math.max(0, last - first + 1 - dynamic - insideTaken);
	const needing = recipe.instances.filter(instance => !instance.address).length;
	if (needing <= free) return [];
	return [
		`instances: ${needing} instances need a generated address but network.vms_subnet (${subnet}) has only ${free} free (outside the bridge address${recipe.dhcp.range ? ', dhcp.range' : ''} and fixed addresses); use a larger vms_subnet${recipe.dhcp.range ? ' or a smaller dhcp.range' : ''}`,
	];
}

/** The lowest bit of the first byte marks a group (multicast) address, which no NIC may carry. */
const isMulticast = (mac: string): boolean => (Number.parseInt(mac.slice(0, 2), 16) & 1) === 1;

function checkInstanceMacs({instances, cluster}: Recipe): string[] {
	const problems: string[] = [];
	if (isMulticast(cluster.mac_prefix)) {
		problems.push(`cluster.mac_prefix: ${quote(cluster.mac_prefix)} starts with a multicast byte (odd first byte), which no NIC may carry; use a unicast prefix such as 52:54:00`);
	}
	instances.forEach((instance, index) => {
		if (instance.mac && isMulticast(instance.mac)) {
			problems.push(`instances[${index}].mac: ${quote(instance.mac)} is a multicast address (odd first byte), which no NIC may carry; use a unicast MAC (e.g. 52:54:...) or leave it out to have one generated`);
		}
		// 00:00:00:00:00:00 stands for "no address" (Linux refuses it for a device, EADDRNOTAVAIL).
		if (instance.mac && /^(00:){5}00$/.test(instance.mac)) {
			problems.push(`instances[${index}].mac: ${quote(instance.mac)} is the all-zero address, which no NIC may carry; use a unicast MAC (e.g. 52:54:...) or leave it out to have one generated`);
		}
	});
	const firstUser = new Map<string, number>();
	instances.forEach((instance, index) => {
		if (!instance.mac) return;
		const earlier = firstUser.get(instance.mac);
		if (earlier === undefined) firstUser.set(instance.mac, index);
		else problems.push(`instances[${index}].mac: ${quote(instance.mac)} is already used by instances[${earlier}]; give each instance its own MAC or leave it out to have one generated`);
	});
	return problems;
}

/** Every record the inventory makes gets a distinct FQDN of legal length. */
function checkNames({nodes, dns, cluster, instances}: Recipe, form: NodesForm): string[] {
	const problems: string[] = [];
	const nodesDomain = `${dns.nodes_domain}.${dns.zone}`;
	const vmsDomain = `${dns.vms_domain}.${dns.zone}`;
	// Names given twice are reported by checkNodes.
	const named = nodes.filter((node, index) => nodes.findIndex(other => other.name === node.name) === index);
	const records: Array<{fqdn: string; owner: Owner}> = [
		{fqdn: `ns.${dns.zone}`, owner: {path: 'dns.zone', value: dns.zone, description: 'the name server'}},
		...named.map(node => {
			const path = nodeField(form, nodes.indexOf(node), 'name');
			return {fqdn: `${node.name}.${nodesDomain}`, owner: {path, value: node.name, description: form === 'host' ? `the node (${path})` : `${path.replace(/\.name$/, '')} (${path})`}};
		}),
		{fqdn: `${cluster.name}.${nodesDomain}`, owner: {path: 'cluster.name', value: cluster.name, description: 'the cluster (cluster.name)'}},
		{fqdn: `gw.${vmsDomain}`, owner: {path: 'dns.vms_domain', value: dns.vms_domain, description: 'the VM gateway (the bridge address)'}},
	];
	const instanceNames = new Map<string, number>();
	instances.forEach((instance, index) => {
		const path = `instances[${index}].name`;
		const earlier = instanceNames.get(instance.name);
		if (earlier !== undefined) {
			problems.push(`${path}: ${quote(instance.name)} is already used by instances[${earlier}]; give each instance its own name`);
			return;
		}
		instanceNames.set(instance.name, index);
		records.push({fqdn: `${instance.name}.${vmsDomain}`, owner: {path, value: instance.name, description: `instances[${index}]`}});
	});

	const owners = new Map<string, Owner>();
	for (const {fqdn, owner} of records) {
		if (fqdn.length > maxFqdnLength) {
			problems.push(`${owner.path}: ${quote(owner.value)} makes the name ${quote(shorten(fqdn))} ${fqdn.length} characters long; a DNS name has at most ${maxFqdnLength}, use a shorter name`);
			continue;
		}
		const earlier = owners.get(fqdn);
		if (earlier === undefined) {
			owners.set(fqdn, owner);
			continue;
		}
		problems.push(`${owner.path}: ${quote(owner.value)} makes the name ${quote(fqdn)}, which is already the name of ${earlier.description}; choose another name`);
	}
	return problems;
}

function shorten(text: string): string {
	return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function checkDns(recipe: Recipe, form: NodesForm): string[] {
	const {dns, nodes, network, cluster} = recipe;
	const problems: string[] = [];
	// .arpa holds the reverse zones (in-addr.arpa, ip6.arpa); home.arpa is the one
	// name under it meant for private networks (RFC 8375).
	const zone = dns.zone.toLowerCase().replace(/\.$/, '');
	if ((zone === 'arpa' || zone.endsWith('.arpa')) && zone !== 'home.arpa' && !zone.endsWith('.home.arpa')) {
		problems.push(`dns.zone: ${quote(dns.zone)} is inside the reserved .arpa domain where reverse lookups live; choose a private zone name (e.g. farm.internal or farm.home.arpa)`);
	}
	const own = new Map([
		...nodes.map((node, index): [string, string] => [node.private_address, nodeField(form, index, 'private_address')]).reverse(),
		[network.bridge.address, 'network.bridge.address'],
		[cluster.address, 'cluster.address'],
	]);
	dns.forwarders.forEach((forwarder, index) => {
		const owner = own.get(forwarder);
		if (owner) {
			problems.push(`dns.forwarders[${index}]: ${quote(forwarder)} is this site's own address (${owner}), so the name server would forward to itself; give an upstream resolver or leave forwarders empty to use the host's current ones`);
		}
	});
	return problems;
}

/**
 * Disk templates: each listed once, every instance's enabled (sharedfile with
 * its directory), file and sharedfile with theirs. drbd mirrors an instance's
 * disks to a second node, so a site of one node cannot hold a drbd instance
 * (Ganeti 3.0 cmdlib/instance_create.py LUInstanceCreate.CheckArguments: "The
 * networked disk templates need a mirror node").
 */
function checkDiskTemplates({cluster, instances, storage, nodes}: Recipe): string[] {
	const problems: string[] = [];
	const enabled = cluster.disk_templates;
	enabled.forEach((template, index) => {
		if (enabled.indexOf(template) !== index) problems.push(`cluster.disk_templates[${index}]: ${quote(template)} is listed twice; list each disk template once`);
	});
	instances.forEach((instance, index) => {
		// Said first: enabling sharedfile alone would only lead to the line about the directory.
		if (instance.disk_template === 'sharedfile' && !storage.shared_file_storage_dir) {
			problems.push(
				`instances[${index}].disk_template: "sharedfile" needs storage.shared_file_storage_dir, the directory every node mounts the same share on, which the site does not have; add it and sharedfile to cluster.disk_templates, or use ${enabled.filter(template => template !== 'sharedfile').join(', ') || 'another template'}`,
			);
		} else if (!enabled.includes(instance.disk_template)) {
			problems.push(
				`instances[${index}].disk_template: ${quote(instance.disk_template)} is not enabled in cluster.disk_templates (${enabled.join(', ')}); add it there or use one of those`,
			);
		} else if (instance.disk_template === 'drbd' && nodes.length < 2) {
			const others = enabled.filter(template => template !== 'drbd');
			problems.push(
				`instances[${index}].disk_template: "drbd" mirrors the disks to a second node, which this site of one node does not have (Ganeti needs a mirror node for it); add a node with ganeti-wizard node add, or use ${others.length > 0 ? others.join(', ').replace(/, ([^,]*)$/, ' or $1') : 'plain (enabled in cluster.disk_templates)'}`,
			);
		}
	});
	if (enabled.includes('file') && !storage.file_storage_dir) {
		problems.push(`cluster.disk_templates: ${quote(enabled)} enables file, which needs storage.file_storage_dir; add it (e.g. file_storage_dir: /srv/ganeti/file-storage)`);
	}
	if (enabled.includes('sharedfile') && !storage.shared_file_storage_dir) {
		problems.push(
			`cluster.disk_templates: ${quote(enabled)} enables sharedfile, which needs storage.shared_file_storage_dir, the directory every node mounts the same share on; add it (e.g. shared_file_storage_dir: /srv/ganeti/shared-file-storage)`,
		);
	}
	return problems;
}

/** The partitions a disk's name allows: sdb -> sdb1, nvme0n1 -> nvme0n1p1, by-id -> -part1. */
function isPartitionOf(partition: string, disk: string): boolean {
	if (!partition.startsWith(disk)) return false;
	const suffix = partition.slice(disk.length);
	return /\d$/.test(disk) ? /^(p|-part)[1-9]\d*$/.test(suffix) : /^(-part)?[1-9]\d*$/.test(suffix);
}

function firstPartition(disk: string): string {
	if (disk.startsWith('/dev/disk/')) return `${disk}-part1`;
	return /\d$/.test(disk) ? `${disk}p1` : `${disk}1`;
}

function checkStorage({storage}: Recipe): string[] {
	const problems: string[] = [];
	if (storage.partition) {
		if (!storage.disk) {
			const guess = storage.partition.replace(/(-part|(?<=\d)p)?\d+$/, '');
			problems.push(`storage.partition: ${quote(storage.partition)} needs storage.disk, the disk it is a partition of; add disk (e.g. ${guess}) or remove partition`);
		} else if (!isPartitionOf(storage.partition, storage.disk)) {
			problems.push(`storage.partition: ${quote(storage.partition)} is not a partition of storage.disk (${storage.disk}); use a partition of that disk (e.g. ${firstPartition(storage.disk)})`);
		}
	}
	if (storage.loop_file && !storage.loop_size) {
		problems.push(`storage.loop_file: ${quote(storage.loop_file)} needs storage.loop_size, the size of the file to create (e.g. loop_size: 25G)`);
	}
	if (storage.loop_size && !storage.loop_file) {
		problems.push(`storage.loop_size: ${quote(storage.loop_size)} has no storage.loop_file to size; add loop_file or remove loop_size`);
	}
	if (storage.loop_file && storage.disk) {
		problems.push(`storage.loop_file: ${quote(storage.loop_file)} and storage.disk (${storage.disk}) both offer a device for the volume group; keep only one`);
	}
	return problems;
}

/** A loop device's volume group must reach Ganeti's minimum once LVM has taken its share. */
function checkLoopVolumeGroup(recipe: Recipe): string[] {
	const {loop_file: file, loop_size: size} = recipe.storage;
	if (!file || !size || !needsVolumeGroup(recipe)) return [];
	const vgMiB = volumeGroupMiB(sizeMiB(size));
	if (vgMiB >= minimumVolumeGroupMiB) return [];
	let enough = Math.ceil(minimumVolumeGroupMiB / 1024);
	while (volumeGroupMiB(enough * 1024) < minimumVolumeGroupMiB) enough++;
	return [
		`storage.loop_size: ${quote(size)} gives the volume group ${recipe.storage.vg} ${vgMiB} MiB, under Ganeti's minimum of 20 GiB (${minimumVolumeGroupMiB} MiB) for ${recipe.cluster.disk_templates.filter(template => template === 'plain' || template === 'drbd').join(' and ')} disks; use loop_size: ${enough}G or more`,
	];
}

/** Ganeti puts the cluster address on the master netdev: never the public one. */
function checkMasterNetdev({cluster, nodes, network}: Recipe, form: NodesForm): string[] {
	// The bridge named like the public interface is reported on its own (checkHost).
	// The master IP moves with the master role, so no node's public interface may carry it.
	const index = nodes.findIndex(node => node.public_interface === cluster.master_netdev);
	if (index < 0 || cluster.master_netdev === network.bridge.name) return [];
	return [
		`cluster.master_netdev: ${quote(cluster.master_netdev)} is ${nodeField(form, index, 'public_interface')}, so Ganeti would put the cluster address ${cluster.address} on the public network; leave master_netdev out (the bridge ${network.bridge.name} carries it) or name a private interface`,
	];
}

/**
 * Whether `value` has the shape of a Linux interface name (the kernel's
 * dev_valid_name: 1 to 15 characters, not "." or "..", no "/", ":" or
 * white space). Whether one exists is a fact of the host (refusals.ts).
 */
export function isInterfaceName(value: string): boolean {
	return value.length > 0 && value.length < 16 && value !== '.' && value !== '..' && !/[/:\s]/.test(value);
}

/**
 * VNC consoles listen only on private addresses the VMs cannot reach (a
 * console is reached through an SSH tunnel): vnc_bind_address may not be
 * every address (0.0.0.0, ::, [::] and other IPv6 wildcard forms), the public
 * address or interface, any other public address, the VMs' bridge by name or
 * by address (the bridge address is every VM's gateway; network.vms_subnet
 * is theirs; the cluster address sits on the bridge when it is the master
 * netdev). Empty turns VNC off. Ganeti 3.0 hv_kvm (_ExecuteKVMRuntime) takes
 * an existing interface's first IPv4 address, then an IPv4 or IPv6 address,
 * and anything else as the directory of a Unix socket: so a host name
 * (localhost) or an address in brackets would not listen where it reads. An
 * interface name is judged here by its shape; whether the host has it, by
 * preflight (refusals.ts). In a site of several nodes, not one node's private
 * address either: qemu keeps the address it started with when it migrates
 * (Ganeti 3.0 hv_kvm hands the source's command line to the target), and the
 * target cannot listen on another node's address.
 */
function checkConsoles(recipe: Recipe, form: NodesForm): string[] {
	const {nodes, network, cluster} = recipe;
	const fix = 'leave it out (consoles then listen on 127.0.0.1 of whichever node runs the VM) and reach the console through an SSH tunnel to that node';
	const publicField = (value: string, field: 'public_interface' | 'public_address'): string | undefined => {
		const index = nodes.findIndex(node => node[field] === value);
		return index < 0 ? undefined : nodeField(form, index, field);
	};
	const vmsReach = 'which every VM reaches, so any VM could open the consoles';
	const problem = (field: string, value: string): string | undefined => {
		if (value === '') return undefined;
		// An address in brackets (URL style): its wildcard is still every address; any other is no address to Ganeti.
		const bracketed = /^\[(.*)\]$/.exec(value)?.[1];
		if (bracketed !== undefined && ipaddr.IPv6.isValid(bracketed) && ipaddr.process(bracketed).range() !== 'unspecified') {
			return `${field}: ${quote(value)} is an address in brackets, which Ganeti's KVM takes for a Unix socket directory; write the address without brackets, or ${fix}`;
		}
		const address = bracketed !== undefined && ipaddr.IPv6.isValid(bracketed) ? bracketed : value;
		if (!ipaddr.isValid(address)) {
			if (value === network.bridge.name) return `${field}: ${quote(value)} is network.bridge.name, the VMs' bridge, ${vmsReach}; ${fix}`;
			const publicInterface = publicField(value, 'public_interface');
			if (publicInterface) return `${field}: ${quote(value)} is ${publicInterface}, which would put the VNC consoles on the public network; ${fix}`;
			if (/^[\d.]+$/.test(value) || !isInterfaceName(value) || /^localhost(\.|$)|^ip6-(localhost|loopback)$/.test(value)) {
				return `${field}: ${quote(value)} is neither an IPv4 address nor an interface name (Ganeti's KVM takes anything else for a Unix socket directory); use 127.0.0.1, or ${fix}`;
			}
			return undefined;
		}
		const parsed = ipaddr.process(address);
		const range = parsed.range();
		if (range === 'unspecified') return `${field}: ${quote(value)} listens on every address of the node, the public one included; ${fix}`;
		const publicAddress = publicField(address, 'public_address');
		if (publicAddress) return `${field}: ${quote(value)} is ${publicAddress}, which would put the VNC consoles on the public network; ${fix}`;
		if (!['private', 'loopback', 'uniqueLocal'].includes(range)) return `${field}: ${quote(value)} is a public address, which would put the VNC consoles on the public network; ${fix}`;
		if (parsed.kind() === 'ipv4') {
			const ipv4 = parsed.toString();
			if (ipv4 === network.bridge.address) return `${field}: ${quote(value)} is network.bridge.address, the VMs' gateway, ${vmsReach}; ${fix}`;
			if (contains(network.vms_subnet, ipv4)) return `${field}: ${quote(value)} is inside network.vms_subnet (${network.vms_subnet}), the VMs' own subnet, ${vmsReach}; ${fix}`;
			const onBridge = cluster.master_netdev === undefined || cluster.master_netdev === network.bridge.name;
			if (ipv4 === cluster.address && onBridge) return `${field}: ${quote(value)} is cluster.address, which Ganeti puts on the VMs' bridge (${network.bridge.name}), ${vmsReach}; ${fix}`;
		}
		const own = nodes.findIndex(node => node.private_address === address);
		if (nodes.length > 1 && own >= 0) {
			return `${field}: ${quote(value)} is ${nodeField(form, own, 'private_address')}, an address of that node only, where a VM started on or migrated to another node cannot listen; ${fix}`;
		}
		return undefined;
	};
	return vncBindAddresses(recipe).flatMap(([field, value]) => {
		const found = problem(field, value);
		return found ? [found] : [];
	});
}

/** Every vnc_bind_address the recipe sets, with its field path: the cluster's, then each instance's. */
export function vncBindAddresses(recipe: Recipe): Array<[string, string]> {
	const parameters: Array<[string, Record<string, string> | undefined]> = [
		['cluster.hypervisor_parameters', recipe.cluster.hypervisor_parameters],
		...recipe.instances.map((instance, index): [string, Record<string, string> | undefined] => [`instances[${index}].hypervisor_parameters`, instance.hypervisor_parameters]),
	];
	return parameters.flatMap(([path, values]) => {
		const value = values?.['vnc_bind_address'];
		return value === undefined ? [] : [[`${path}.vnc_bind_address`, value]];
	});
}

/**
 * Ganeti's KVM boots kernel_path directly when it is set, and then ignores
 * boot_order: the CD is attached but never booted (Ganeti 3.0 hv_kvm sets
 * boot_cdrom false whenever kernel_path is set). So an instance's own
 * kernel_path contradicts its ISO install; a kernel_path of the cluster's is
 * cleared for the ISO install by the instances step.
 */
function checkIsoBoot({cluster, instances}: Recipe): string[] {
	if (cluster.hypervisor !== 'kvm') return [];
	return instances.flatMap((instance, index) => {
		const kernel = instance.hypervisor_parameters?.['kernel_path'];
		if (!('iso' in instance.install) || !kernel) return [];
		return [
			`instances[${index}].hypervisor_parameters.kernel_path: ${quote(kernel)} makes KVM boot that kernel instead of the installer ISO (install.iso); remove kernel_path (an ISO install boots from the CD, then from its disk)`,
		];
	});
}
