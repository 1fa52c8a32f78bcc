// The inventory: a validated recipe with every derived value filled in (FQDNs,
// generated MACs and addresses). DNS, DHCP and Ganeti all read from it, so the
// three can never disagree about a name, an address or a MAC.
import {RecipeError} from '../errors.js';
import type {NodeRole, Recipe, RecipeInstance, RecipeNode} from '../recipe/schema.js';
import type {NodeKeys} from './node-keys.js';
import {fromInt, hostRange, toInt} from './addresses.js';
import {generateMac, systemRandomBytes} from './mac.js';

/** Values the wizard invents once and then keeps forever (saved with progress). */
export type Generated = {
	macs: Record<string, string>;
	addresses: Record<string, string>;
	/**
	 * The OSPF password every node's bird signs its packets with (a routed
	 * site only): random, never derived from the site, so only the nodes and
	 * the state directory (mode 0700) know it.
	 */
	ospfPassword?: string;
};

export type InventoryInstance = RecipeInstance & {
	fqdn: string;
	mac: string;
	address: string;
};

export type DnsRecord = {
	/** Fully qualified, without the trailing dot. */
	fqdn: string;
	address: string;
	role: 'node' | 'name-server' | 'cluster' | 'gateway' | 'instance';
};

/** A node of the site: `address` is its private address, `publicAddress` its public one when the recipe gives it. */
export type InventoryNode = {
	name: string;
	fqdn: string;
	address: string;
	publicAddress?: string;
	publicInterface: string;
	/** In Ganeti's terms: master, master candidate or regular node (gnt-node list's M, C, R). */
	role: NodeRole;
};

export type Inventory = {
	recipe: Recipe;
	zone: string;
	nodesDomain: string;
	vmsDomain: string;
	/** The node this inventory is built for (what resolv.conf, named's listen-on, lo:1 and the like follow). */
	node: {hostname: string; fqdn: string; address: string};
	/** Every node of the site, in recipe order (the master first). */
	nodes: InventoryNode[];
	/** The master: where `gnt-cluster init` ran, instances are created and the site is kept. */
	master: InventoryNode;
	nameServer: {fqdn: string; address: string};
	cluster: {fqdn: string; address: string; masterNetdev: string; nicLink: string};
	gateway: {fqdn: string; address: string};
	instances: InventoryInstance[];
	/** Every A record of the private zone; PTR records are derived from these. */
	records: DnsRecord[];
	/** FQDNs of instances and nodes removed from the site that Ganeti must not have (none the recipe lists). */
	removals: string[];
	/**
	 * Facts of the other nodes a plan here needs, read from them before it
	 * (node-runs.ts): the SSH keys that bind the nodes. Absent in a one-node site.
	 */
	keys?: NodeKeys;
	/** Where Ganeti runs each instance (instance FQDN -> node FQDN), as the master says; absent when unknown. */
	placement?: Record<string, string>;
	/** The site's OSPF password (64 hex digits), in a site with network.routing: ospf only. A secret: never shown. */
	ospfPassword?: string;
};

export type RandomBytes = (count: number) => Uint8Array;

/** Bytes of a generated OSPF password: 256 bits, HMAC-SHA-256's own key size (RFC 5709 3.3 pads a shorter key). */
export const ospfPasswordBytes = 32;

/**
 * Builds the inventory. Missing MACs and addresses are taken from `generated`
 * when known there, otherwise invented; `generated` in the result holds every
 * such value so the caller can save it before anything uses it. `removals`:
 * FQDNs of instances and nodes removed from the site (those the recipe lists
 * again are dropped: a node added back is joined, not removed again).
 * `nodeName`: the node (a recipe node's name) the inventory is built for,
 * which becomes `inventory.node`; default the master. Everything else,
 * generated values included, is the same whichever node it is built for.
 * A routed site's OSPF password is `known.ospfPassword`, or a new one from
 * `secretBytes` (never from `randomBytes`, which a plan derives from the site's
 * name): pass it on, through `known`, to every other node's inventory.
 * Throws RecipeError (one line) for a name that is not a node of the recipe.
 */
export function buildInventory(
	recipe: Recipe,
	known: Generated,
	randomBytes: RandomBytes,
	removals: readonly string[] = [],
	nodeName?: string,
	secretBytes: RandomBytes = systemRandomBytes,
): {inventory: Inventory; generated: Generated} {
	const zone = recipe.dns.zone;
	const nodesDomain = `${recipe.dns.nodes_domain}.${zone}`;
	const vmsDomain = `${recipe.dns.vms_domain}.${zone}`;
	const generated: Generated = {macs: {}, addresses: {}};

	const nodes = recipe.nodes.map(entry => inventoryNode(entry, nodesDomain));
	const master = nodes.find(entry => entry.role === 'master') ?? nodes[0]!;
	const self = nodeName === undefined ? master : nodes.find(entry => entry.name === nodeName);
	if (!self) {
		throw new RecipeError([`nodes: "${nodeName}" is not a node of the site (its nodes: ${nodes.map(entry => entry.name).join(', ')}); name one of them or add it to nodes`]);
	}
	const node = {hostname: self.name, fqdn: self.fqdn, address: self.address};
	// Each node runs its own named; the zone's ns record names the master's.
	const nameServer = {fqdn: `ns.${zone}`, address: master.address};
	const bridge = recipe.network.bridge.name;
	const cluster = {
		fqdn: `${recipe.cluster.name}.${nodesDomain}`,
		address: recipe.cluster.address,
		masterNetdev: recipe.cluster.master_netdev ?? bridge,
		nicLink: recipe.cluster.nic_link ?? bridge,
	};
	const gateway = {fqdn: `gw.${vmsDomain}`, address: recipe.network.bridge.address};

	const usedMacs = new Set(recipe.instances.flatMap(instance => (instance.mac ? [instance.mac] : [])));
	const usedAddresses = new Set([
		recipe.network.bridge.address,
		...recipe.instances.flatMap(instance => (instance.address ? [instance.address] : [])),
	]);
	for (const value of Object.values(known.macs)) usedMacs.add(value);
	for (const value of Object.values(known.addresses)) usedAddresses.add(value);
	const dynamicRange = recipe.dhcp.range ? [toInt(recipe.dhcp.range[0]), toInt(recipe.dhcp.range[1])] : undefined;
	const nextFree = freeAddresses(recipe.network.vms_subnet, usedAddresses, dynamicRange);

	const instances = recipe.instances.map(instance => {
		let mac = instance.mac ?? known.macs[instance.name];
		if (!mac) {
			mac = generateMac(recipe.cluster.mac_prefix, usedMacs, randomBytes);
			usedMacs.add(mac);
		}
		if (!instance.mac) generated.macs[instance.name] = mac;

		let address = instance.address ?? known.addresses[instance.name];
		if (!address) {
			address = nextFree();
		}
		if (!instance.address) generated.addresses[instance.name] = address;

		return {...instance, fqdn: `${instance.name}.${vmsDomain}`, mac, address};
	});

	const records: DnsRecord[] = [
		{fqdn: nameServer.fqdn, address: nameServer.address, role: 'name-server'},
		...nodes.map(entry => ({fqdn: entry.fqdn, address: entry.address, role: 'node' as const})),
		{fqdn: cluster.fqdn, address: cluster.address, role: 'cluster'},
		{fqdn: gateway.fqdn, address: gateway.address, role: 'gateway'},
		...instances.map(instance => ({fqdn: instance.fqdn, address: instance.address, role: 'instance' as const})),
	];

	// Only a routed site has the password: a site without routing keeps no secret it does not use.
	const ospfPassword = recipe.network.routing === 'ospf' ? (known.ospfPassword ?? Buffer.from(secretBytes(ospfPasswordBytes)).toString('hex')) : undefined;
	if (ospfPassword !== undefined) generated.ospfPassword = ospfPassword;

	return {
		inventory: {
			recipe,
			zone,
			nodesDomain,
			vmsDomain,
			node,
			nodes,
			master,
			nameServer,
			cluster,
			gateway,
			instances,
			records,
			removals: removals.filter(fqdn => !instances.some(instance => instance.fqdn === fqdn) && !nodes.some(entry => entry.fqdn === fqdn)),
			...(ospfPassword !== undefined ? {ospfPassword} : {}),
		},
		generated,
	};
}

function inventoryNode(entry: RecipeNode, nodesDomain: string): InventoryNode {
	return {
		name: entry.name,
		fqdn: `${entry.name}.${nodesDomain}`,
		address: entry.private_address,
		...(entry.public_address !== undefined ? {publicAddress: entry.public_address} : {}),
		publicInterface: entry.public_interface,
		role: entry.role,
	};
}

/** The recipe's entry of the node `inventory` is built for (its public interface, whether the wizard manages its /etc/hosts). */
export function recipeNodeOf(inventory: Inventory): RecipeNode {
	return inventory.recipe.nodes.find(entry => entry.name === inventory.node.hostname)!;
}

/**
 * The recipe field of the node `inventory` is built for, as a message names
 * it: host.public_interface in a site of one node, nodes[1].public_interface
 * in one of several (`field` as in nodes:, e.g. name, private_address).
 */
export function nodeFieldPath(inventory: Inventory, field: string): string {
	const {nodes} = inventory.recipe;
	if (nodes.length === 1) return `host.${field === 'name' ? 'hostname' : field}`;
	return `nodes[${nodes.findIndex(entry => entry.name === inventory.node.hostname)}].${field}`;
}

/** Hands out the subnet's free addresses in order; one pass over the subnet in all. */
function freeAddresses(subnet: string, used: Set<string>, dynamicRange?: number[]): () => string {
	const [first, last] = hostRange(subnet);
	let cursor = first;
	return () => {
		for (; cursor <= last; cursor++) {
			if (dynamicRange && cursor >= dynamicRange[0]! && cursor <= dynamicRange[1]!) continue;
			const address = fromInt(cursor);
			if (!used.has(address)) {
				used.add(address);
				cursor++;
				return address;
			}
		}
		throw new Error(`network.vms_subnet: "${subnet}" has no free address left for another instance; use a larger subnet`);
	};
}
