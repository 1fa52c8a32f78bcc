// What a new recipe changes in a saved site, in the site's own terms:
// instances added or removed, an instance's address or MAC, and every other
// field that changed. Also whether it is the same site at all.
import type {Inventory} from '../inventory/inventory.js';
import type {Recipe} from '../recipe/schema.js';

/**
 * What names a site: its master (the first node, the only one of a site with
 * `host:`) and its cluster. Another of either is another site; adding or
 * removing other nodes keeps the site.
 */
export function siteIdentity(recipe: Recipe): string {
	return `host ${recipe.host.hostname}, cluster ${recipe.cluster.name}.${recipe.dns.nodes_domain}.${recipe.dns.zone}`;
}

/**
 * One line per change from `before` to `after` (both built with the same saved
 * generated values): "+ instance web1 10.10.1.51 52:54:…", "- instance old1",
 * "~ instance rodo1 address 10.10.1.50 -> 10.10.1.60", "+ node node2 (10.10.0.21)",
 * "- node node2", "~ nodes.node2.role: "regular" -> "candidate"",
 * "~ network.nat: true -> false". The master's own fields are host's ("~ host.public_interface: …").
 */
export function siteChanges(before: Inventory, after: Inventory): string[] {
	const lines: string[] = [];
	const old = new Map(before.instances.map(instance => [instance.name, instance]));
	const now = new Map(after.instances.map(instance => [instance.name, instance]));
	for (const [name, instance] of now) {
		const was = old.get(name);
		if (!was) {
			lines.push(`+ instance ${name} ${instance.address} ${instance.mac}`);
			continue;
		}
		if (was.address !== instance.address) lines.push(`~ instance ${name} address ${was.address} -> ${instance.address}`);
		if (was.mac !== instance.mac) lines.push(`~ instance ${name} MAC ${was.mac} -> ${instance.mac}`);
		for (const line of fieldChanges(withoutNetwork(was), withoutNetwork(instance), `instances.${name}`)) lines.push(line);
	}
	for (const name of old.keys()) if (!now.has(name)) lines.push(`- instance ${name}`);
	lines.push(...nodeChanges(before.recipe, after.recipe));
	const {instances: _before, nodes: _nodesBefore, ...restBefore} = before.recipe;
	const {instances: _after, nodes: _nodesAfter, ...restAfter} = after.recipe;
	lines.push(...fieldChanges(restBefore, restAfter, ''));
	return lines;
}

/** Nodes added or removed, and the fields of the other nodes than the master (whose fields are host's). */
function nodeChanges(before: Recipe, after: Recipe): string[] {
	const lines: string[] = [];
	const old = new Map(before.nodes.map(node => [node.name, node]));
	const now = new Map(after.nodes.map(node => [node.name, node]));
	for (const [name, node] of now) {
		const was = old.get(name);
		if (!was) lines.push(`+ node ${name} (${node.private_address})`);
		else if (name !== after.host.hostname || name !== before.host.hostname) lines.push(...fieldChanges(was, node, `nodes.${name}`));
	}
	for (const name of old.keys()) if (!now.has(name)) lines.push(`- node ${name}`);
	return lines;
}

function withoutNetwork(instance: Record<string, unknown>): Record<string, unknown> {
	const {address: _address, mac: _mac, fqdn: _fqdn, ...rest} = instance;
	return rest;
}

/** "~ path: old -> new" for every leaf that differs (lists compared whole). */
function fieldChanges(before: unknown, after: unknown, path: string): string[] {
	if (isRecord(before) && isRecord(after)) {
		const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
		return keys.flatMap(key => fieldChanges(before[key], after[key], path ? `${path}.${key}` : key));
	}
	if (JSON.stringify(before) === JSON.stringify(after)) return [];
	return [`~ ${path}: ${show(before)} -> ${show(after)}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
	return value === undefined ? '(unset)' : JSON.stringify(value);
}
