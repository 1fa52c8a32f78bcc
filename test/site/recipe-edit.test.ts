// Edits of the saved recipe text: the instance or node lands in its list,
// every comment and every other line stays as written, and the loader reads
// the result as the same site plus (or minus) that instance or node.
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {RecipeError} from '../../source/errors.js';
import {buildInventory} from '../../source/inventory/inventory.js';
import {siteBytes} from '../../source/inventory/mac.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {siteChanges, siteIdentity} from '../../source/site/compare.js';
import {addInstanceText, addNodeToRecipe, removeInstanceText, removeNodeFromRecipe} from '../../source/site/recipe-edit.js';

// Routed (network.routing: ospf): every site of more than one node is.
const labText = (await readFile(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8')).replace(/^ {2}nat: true\n/m, '  nat: true\n  routing: ospf\n');
const web1 = {name: 'web1', disk_template: 'file', disk_size: '1G', memory: '256M', vcpus: 1, install: {os: 'noop+default'}};

const comments = (text: string) => text.split('\n').filter(line => /^\s*#/.test(line));

test('addInstanceText appends the instance and keeps every comment and line before it', () => {
	const edited = addInstanceText(labText, web1);
	assert.ok(edited.startsWith(labText.trimEnd()), 'the recipe as written is the start of the edited text');
	assert.deepEqual(comments(edited), comments(labText));
	const recipe = parseRecipe(edited);
	assert.deepEqual(recipe.instances.map(instance => instance.name), ['rodo1.osm', 'web1']);
	assert.deepEqual({...recipe.instances[1]}, {...web1, extra_disks: []});
	assert.deepEqual({...recipe, instances: []}, {...parseRecipe(labText), instances: []}, 'nothing else changed');
});

test('addInstanceText makes the list when the recipe has none, or a block list from an empty flow list', () => {
	const without = labText.replace(/\ninstances:\n[\s\S]*$/, '\n');
	assert.doesNotMatch(without, /instances/);
	for (const text of [without, `${without}instances: []\n`]) {
		const edited = addInstanceText(text, web1);
		assert.match(edited, /\ninstances:\n {2}- name: web1\n/);
		assert.deepEqual(parseRecipe(edited).instances.map(instance => instance.name), ['web1']);
	}
});

test('removeInstanceText takes out exactly that instance; an unknown name throws', () => {
	const two = addInstanceText(labText, web1);
	const removed = removeInstanceText(two, 'rodo1.osm');
	assert.deepEqual(parseRecipe(removed).instances.map(instance => instance.name), ['web1']);
	assert.deepEqual(comments(removed), comments(labText));
	assert.deepEqual(parseRecipe(removeInstanceText(removed, 'web1')).instances, []);
	assert.throws(() => removeInstanceText(two, 'nope'), /no instance named nope/);
});

// A host: section with comments of its own, above it and inside it.
const commentedHost = labText.replace(
	/\nhost:\n {2}hostname: gcc20\n {2}public_interface: eth0\n/,
	'\n# The first machine of the site.\nhost:\n  hostname: gcc20\n  # The interface that carries the public address.\n  public_interface: eth0 # not renamed by udev here\n',
);
/** Comment lines without their indentation: a host: entry's comments move one level in as nodes:'s first entry. */
const commentTexts = (text: string) => comments(text).map(line => line.trim());
const node2 = {name: 'node2', public_interface: 'ens3', private_address: '10.10.0.21', role: 'candidate' as const};

test('addNodeToRecipe turns host: into nodes: (the host first, as master), keeps every comment, and reads back as that site plus the node', () => {
	assert.notEqual(commentedHost, labText, 'the lab recipe starts its host: section as this test expects');
	const edited = addNodeToRecipe(commentedHost, node2);
	assert.deepEqual(commentTexts(edited), commentTexts(commentedHost));
	assert.match(edited, /\n# The first machine of the site\.\nnodes:\n {2}- name: gcc20\n {4}# The interface that carries the public address\.\n {4}public_interface: eth0 # not renamed by udev here\n/);
	assert.doesNotMatch(edited, /^host:/m);
	const before = parseRecipe(commentedHost);
	const after = parseRecipe(edited);
	assert.deepEqual(after.nodes, [...before.nodes, {...node2, manage_etc_hosts: true}]);
	assert.deepEqual(after.host, before.host);
	const {nodes: _after, ...restAfter} = after;
	const {nodes: _before, ...restBefore} = before;
	assert.deepEqual(restAfter, restBefore, 'nothing else changed');
	// Everything after the nodes is as written.
	assert.ok(edited.endsWith(commentedHost.slice(commentedHost.indexOf('\nnetwork:'))), 'the rest of the text is untouched');
});

test('addNodeToRecipe appends to nodes:; a name given twice is one line', () => {
	const two = addNodeToRecipe(labText, node2);
	const three = addNodeToRecipe(two, {name: 'node3', public_interface: 'eth0', public_address: '198.51.100.23', private_address: '10.10.0.23', role: 'regular', manage_etc_hosts: false});
	assert.deepEqual(parseRecipe(three).nodes.map(node => [node.name, node.role, node.public_address, node.manage_etc_hosts]), [
		['gcc20', 'master', '198.51.100.20', true],
		['node2', 'candidate', undefined, true],
		['node3', 'regular', '198.51.100.23', false],
	]);
	assert.ok(three.startsWith(two.slice(0, two.indexOf('\nnetwork:'))), 'the earlier entries stay as they were');
	for (const name of ['gcc20', 'node2']) {
		assert.throws(
			() => addNodeToRecipe(two, {...node2, name}),
			(error: unknown) => error instanceof RecipeError && error.problems.length === 1 && error.problems[0]!.startsWith(`nodes: "${name}" is already a node of the site; `),
		);
	}
});

test('removeNodeFromRecipe takes out that node and its comment lines; the master and unknown names are refused in one line', () => {
	const withNote = addNodeToRecipe(addNodeToRecipe(commentedHost, node2), {...node2, name: 'node3', private_address: '10.10.0.23'}).replace('  - name: node2\n', '  # Borrowed until March.\n  - name: node2\n');
	assert.match(withNote, /# Borrowed until March\./);
	const removed = removeNodeFromRecipe(withNote, 'node2');
	assert.doesNotMatch(removed, /node2|Borrowed/);
	assert.deepEqual(commentTexts(removed), commentTexts(commentedHost));
	assert.deepEqual(parseRecipe(removed).nodes.map(node => node.name), ['gcc20', 'node3']);
	const one = removeNodeFromRecipe(removed, 'node3');
	assert.match(one, /\nnodes:\n {2}- name: gcc20\n/, 'a single node left stays a one-entry nodes:');
	assert.deepEqual(parseRecipe(one), parseRecipe(commentedHost), 'the same site as the host: recipe');
	const refused = (text: string, name: string, start: string) =>
		assert.throws(() => removeNodeFromRecipe(text, name), (error: unknown) => error instanceof RecipeError && error.problems.length === 1 && error.problems[0]!.startsWith(start));
	refused(removed, 'gcc20', 'nodes: "gcc20" is the master, ');
	refused(labText, 'gcc20', 'nodes: "gcc20" is the master, ');
	refused(removed, 'node9', 'nodes: "node9" is not a node of the site (its nodes: gcc20, node3); ');
	refused(labText, 'node9', 'nodes: "node9" is not a node of the site (its nodes: gcc20); ');
});

test('site changes name an added or removed node; the site stays the same site', () => {
	const build = (text: string) => {
		const recipe = parseRecipe(text);
		return buildInventory(recipe, {macs: {}, addresses: {}}, siteBytes(siteIdentity(recipe))).inventory;
	};
	const one = build(labText);
	const two = build(addNodeToRecipe(labText, node2));
	assert.equal(siteIdentity(two.recipe), siteIdentity(one.recipe));
	assert.deepEqual(siteChanges(one, two), ['+ node node2 (10.10.0.21)']);
	assert.deepEqual(siteChanges(two, one), ['- node node2']);
	const promoted = build(addNodeToRecipe(labText, {...node2, role: 'regular', public_interface: 'eth1'}));
	assert.deepEqual(siteChanges(two, promoted), ['~ nodes.node2.public_interface: "ens3" -> "eth1"', '~ nodes.node2.role: "candidate" -> "regular"']);
	assert.deepEqual(siteChanges(one, build(labText.replace('public_interface: eth0', 'public_interface: eth1'))), ['~ host.public_interface: "eth0" -> "eth1"'], "the master's fields are host's, as before");
});
