// Edits of the saved recipe text that keep everything else as the operator
// wrote it (comments, order, quoting): through the yaml library's Document
// API, never by re-serialising parsed data. Pure: text in, text out; the
// caller validates the result with the recipe loader before saving it.
import {isMap, isScalar, isSeq, Pair, parseDocument, YAMLSeq, type Document, type YAMLMap} from 'yaml';
import {RecipeError} from '../errors.js';
import type {RecipeNode} from '../recipe/schema.js';

/**
 * The recipe text with `instance` (a recipe instance's fields, e.g.
 * {name, disk_template, disk_size, memory, vcpus, install}) appended to
 * `instances:`; the list is made when the recipe has none. An empty flow
 * list (`instances: []`) becomes a block list, as the others are written.
 */
export function addInstanceText(text: string, instance: Record<string, unknown>): string {
	const document = parseDocument(text);
	const node = document.createNode(instance);
	const instances = document.get('instances', true);
	if (isSeq(instances)) {
		if (instances.flow && instances.items.length === 0) instances.flow = false;
		instances.items.push(node);
	} else {
		const list = new YAMLSeq();
		list.items.push(node);
		document.set('instances', list);
	}
	return document.toString({flowCollectionPadding: false});
}

/**
 * The recipe text without the instance named `name` (its entry, and the
 * comment lines written above it). Throws when there is no such instance.
 */
export function removeInstanceText(text: string, name: string): string {
	const document = parseDocument(text);
	const instances = document.get('instances', true);
	const index = isSeq(instances)
		? instances.items.findIndex(item => {
				const field = isMap(item) ? item.get('name', true) : undefined;
				return isScalar(field) && field.value === name;
			})
		: -1;
	if (!isSeq(instances) || index < 0) throw new Error(`the recipe has no instance named ${name}`);
	instances.items.splice(index, 1);
	if (instances.items.length === 0) instances.flow = true;
	return document.toString({flowCollectionPadding: false});
}

/** A node as `addNodeToRecipe` takes it: a `nodes:` entry, manage_etc_hosts left to its default when not given. */
export type NewNode = Omit<RecipeNode, 'manage_etc_hosts'> & {manage_etc_hosts?: boolean};

/**
 * The recipe text with `node` appended to `nodes:`. A `host:` recipe first
 * becomes a `nodes:` one, in place: its host is the first entry (hostname
 * written as name, role: master), its comments kept. Throws RecipeError (one
 * line) when the site already has a node of that name, or the text names no
 * node; the caller validates the result with the recipe loader.
 */
export function addNodeToRecipe(text: string, node: NewNode): string {
	const document = parseDocument(text);
	const nodes = nodesList(document);
	if (nodeNames(nodes).includes(node.name)) throw new RecipeError([`nodes: "${node.name}" is already a node of the site; choose another name (or remove that node first)`]);
	const entry: Record<string, unknown> = {name: node.name, public_interface: node.public_interface};
	if (node.public_address !== undefined) entry['public_address'] = node.public_address;
	entry['private_address'] = node.private_address;
	entry['role'] = node.role;
	if (node.manage_etc_hosts !== undefined) entry['manage_etc_hosts'] = node.manage_etc_hosts;
	if (nodes.flow && nodes.items.length > 0) nodes.flow = false;
	nodes.items.push(document.createNode(entry));
	return document.toString({flowCollectionPadding: false});
}

/**
 * The recipe text without the node named `name` (its entry, and the comment
 * lines written above it). A single node left stays a one-entry `nodes:`.
 * Throws RecipeError (one line) for a name that is not a node of the site,
 * and for the master (the first node), which carries the site.
 */
export function removeNodeFromRecipe(text: string, name: string): string {
	const document = parseDocument(text);
	const host = document.get('host', true);
	const nodes = document.get('nodes', true);
	const names = isSeq(nodes) ? nodeNames(nodes) : isMap(host) ? [String(host.get('hostname'))] : [];
	const index = names.indexOf(name);
	if (index < 0) throw new RecipeError([`nodes: "${name}" is not a node of the site (its nodes: ${names.join(', ') || 'none'}); name one of them`]);
	const item = isSeq(nodes) ? nodes.items[index] : undefined;
	if (!isSeq(nodes) || index === 0 || (isMap(item) && item.get('role') === 'master')) {
		throw new RecipeError([`nodes: "${name}" is the master, where the cluster was initialised and the site is kept; it cannot leave the site (remove the other nodes, or undo the whole site)`]);
	}
	nodes.items.splice(index, 1);
	return document.toString({flowCollectionPadding: false});
}

/** The recipe's `nodes:` list; a `host:` is turned into one first (that host as the master). */
function nodesList(document: Document): YAMLSeq {
	const nodes = document.get('nodes', true);
	if (isSeq(nodes)) return nodes;
	const top = document.contents;
	const hostPair = isMap(top) ? top.items.find(pair => isScalar(pair.key) && pair.key.value === 'host') : undefined;
	if (!hostPair || !isScalar(hostPair.key) || !isMap(hostPair.value)) {
		throw new RecipeError(['host: missing; the site\'s recipe names no node (host: or nodes:) to add one beside']);
	}
	const host = hostPair.value as YAMLMap;
	for (const pair of host.items) if (isScalar(pair.key) && pair.key.value === 'hostname') pair.key.value = 'name';
	// role after private_address, as nodes: entries are written.
	const after = host.items.findIndex(pair => isScalar(pair.key) && pair.key.value === 'private_address');
	host.items.splice(after < 0 ? host.items.length : after + 1, 0, new Pair(document.createNode('role'), document.createNode('master')));
	const list = new YAMLSeq();
	list.items.push(host);
	hostPair.key.value = 'nodes';
	hostPair.value = list;
	return list;
}

function nodeNames(nodes: YAMLSeq): string[] {
	return nodes.items.map(item => {
		const field = isMap(item) ? item.get('name', true) : undefined;
		return isScalar(field) ? String(field.value) : '';
	});
}
