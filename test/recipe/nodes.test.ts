// nodes: in the recipe. A host: recipe is one master node; a nodes: recipe
// keeps its order with the master first and `host` as that master; a recipe
// written out gives host: for one node and nodes: for more, and reads back the
// same; each rule about nodes is one line naming the field.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {test} from 'node:test';
import {RecipeError} from '../../source/errors.js';
import {parseRecipe, recipeText} from '../../source/recipe/load.js';
import {nodeOfHost} from '../../source/recipe/schema.js';
import {gcc20, labText, labWithNodes, node2, twoNodesText} from '../support/two-nodes.js';

function problemsOf(text: string): string[] {
	try {
		parseRecipe(text, 'site');
	} catch (error) {
		assert.ok(error instanceof RecipeError, String(error));
		return error.problems;
	}
	return [];
}

/** The recipe's only problem. */
function onlyProblem(text: string): string {
	const problems = problemsOf(text);
	assert.equal(problems.length, 1, `expected one problem, got:\n  ${problems.join('\n  ') || '(none)'}`);
	return problems[0]!;
}

const recipesDirectory = new URL('../../recipes/', import.meta.url);
const bundled = readdirSync(recipesDirectory).filter(name => name.endsWith('.yaml'));

test('every bundled recipe (host:) is one master node, with host as written', () => {
	assert.ok(bundled.length >= 2, bundled.join(', '));
	for (const name of bundled) {
		const recipe = parseRecipe(readFileSync(new URL(name, recipesDirectory), 'utf8'), name);
		assert.equal(recipe.nodes.length, 1, name);
		assert.equal(recipe.nodes[0]!.role, 'master', name);
		assert.equal(recipe.nodes[0]!.name, recipe.host.hostname, name);
		assert.deepEqual(recipe.nodes[0], nodeOfHost(recipe.host), name);
	}
});

test('a nodes: recipe keeps its order; host is its master in the host: shape', () => {
	const recipe = parseRecipe(twoNodesText);
	assert.deepEqual(
		recipe.nodes.map(node => [node.name, node.private_address, node.public_interface, node.role, node.manage_etc_hosts]),
		[
			['gcc20', '10.10.0.20', 'eth0', 'master', true],
			['node2', '10.10.0.21', 'ens3', 'candidate', true],
		],
	);
	assert.deepEqual(recipe.host, parseRecipe(labText).host);
});

test('a one-entry nodes: recipe is the same site as its host: recipe', () => {
	assert.deepEqual(parseRecipe(labWithNodes(gcc20)), parseRecipe(labText));
});

test('written out: host: for one node, nodes: for more; either reads back the same', () => {
	const one = parseRecipe(labWithNodes(gcc20));
	const oneText = recipeText(one);
	assert.match(oneText, /^host:$/m);
	assert.doesNotMatch(oneText, /^nodes:/m);
	assert.deepEqual(parseRecipe(oneText), one);
	assert.equal(recipeText(parseRecipe(labText)), recipeText(one), 'a host: recipe is written as before');

	const two = parseRecipe(twoNodesText);
	const twoText = recipeText(two);
	assert.match(twoText, /^nodes:$/m);
	assert.doesNotMatch(twoText, /^host:/m);
	assert.deepEqual(parseRecipe(twoText), two);
});

test('host and nodes both, or neither: one line', () => {
	assert.match(onlyProblem(labText.replace('\nnetwork:', `\nnodes:\n${node2}\nnetwork:`)), /^nodes: given together with host; /);
	assert.match(onlyProblem(labText.replace(/\nhost:\n(?: {2}.*\n)+/, '\n')), /^host: missing; expected a mapping with hostname, public_interface, .* \(or nodes:, a list of nodes with the master first\)$/);
	assert.match(onlyProblem(labWithNodes('  []\n').replace('nodes:\n  []', 'nodes: []')), /^nodes: \[\] needs at least one node, the master first$/);
});

test('each rule about nodes is one line naming the field', () => {
	const node = (name: string, address: string, role = 'regular', extra = '') => `  - name: ${name}\n    public_interface: eth0\n    private_address: ${address}\n    role: ${role}\n${extra}`;
	const cases: Array<[string, string]> = [
		[gcc20 + node('gcc20', '10.10.0.21'), 'nodes[1].name: "gcc20" is also nodes[0]\'s; give each node its own name'],
		[gcc20 + node('node2', '10.10.0.20'), 'nodes[1].private_address: "10.10.0.20" is also nodes[0]\'s; give each node its own address in network.nodes_subnet (10.10.0.0/24)'],
		[gcc20 + node('node2', '10.10.0.21', 'regular', '    public_address: 198.51.100.20\n'), 'nodes[1].public_address: "198.51.100.20" is also nodes[0]\'s; give each node its own public address'],
		[gcc20 + node('node2', '10.10.2.21'), 'nodes[1].private_address: "10.10.2.21" is not inside network.nodes_subnet (10.10.0.0/24); use a host address of 10.10.0.0/24 (10.10.0.1 to 10.10.0.254)'],
		// Outside its subnet and the bridge's address too: the subnet's line alone.
		[gcc20 + node('node2', '10.10.1.1'), 'nodes[1].private_address: "10.10.1.1" is not inside network.nodes_subnet (10.10.0.0/24); use a host address of 10.10.0.0/24 (10.10.0.1 to 10.10.0.254)'],
		[gcc20.replace('10.10.0.20', '10.10.1.1') + node('node2', '10.10.0.21'), 'nodes[0].private_address: "10.10.1.1" is not inside network.nodes_subnet (10.10.0.0/24); use a host address of 10.10.0.0/24 (10.10.0.1 to 10.10.0.254)'],
		[gcc20 + node('node2', '10.10.0.10'), 'cluster.address: "10.10.0.10" is already used by nodes[1] (nodes[1].private_address); the cluster needs an address that no node, bridge or VM uses'],
		[gcc20 + node('node2', '10.10.0.21', 'master'), 'nodes[1].role: "master" but nodes[0] is the master already; a cluster has one master, make this node candidate or regular'],
		[node('node2', '10.10.0.21', 'candidate') + gcc20, 'nodes[1].role: "master" is not the first node; list the master first (where gnt-cluster init runs and the site is kept)'],
		[node('node2', '10.10.0.21', 'candidate') + gcc20.replace('master', 'regular'), 'nodes[0].role: "candidate" but the first node is the master (where gnt-cluster init runs and the site is kept); make it role: master or list the master first'],
		[gcc20 + node('node2', '10.10.0.21', 'drained'), 'nodes[1].role: "drained" is not a node role (master, candidate or regular, as gnt-node list reports them)'],
		[gcc20 + node('Node_2', '10.10.0.21'), 'nodes[1].name: "Node_2" is not a single DNS label (lowercase letters, digits and "-", e.g. gcc20)'],
		[gcc20 + node('cluster', '10.10.0.21'), 'cluster.name: "cluster" makes the name "cluster.node.farm", which is already the name of nodes[1] (nodes[1].name); choose another name'],
	];
	for (const [nodes, expected] of cases) assert.equal(onlyProblem(labWithNodes(nodes)), expected, nodes);
});

test('the master netdev may be no node\'s public interface', () => {
	const text = twoNodesText.replace('master_netdev: br0', 'master_netdev: ens3');
	assert.equal(
		onlyProblem(text),
		'cluster.master_netdev: "ens3" is nodes[1].public_interface, so Ganeti would put the cluster address 10.10.0.10 on the public network; leave master_netdev out (the bridge br0 carries it) or name a private interface',
	);
});

test('with several nodes, VNC may not listen on one node\'s own address (a migrated qemu keeps it); the loopback is every node\'s', () => {
	const withVnc = (address: string) => twoNodesText.replace('hypervisor: fake', `hypervisor: kvm\n  hypervisor_parameters:\n    vnc_bind_address: ${address}`);
	assert.equal(
		onlyProblem(withVnc('10.10.0.21')),
		'cluster.hypervisor_parameters.vnc_bind_address: "10.10.0.21" is nodes[1].private_address, an address of that node only, where a VM started on or migrated to another node cannot listen; leave it out (consoles then listen on 127.0.0.1 of whichever node runs the VM) and reach the console through an SSH tunnel to that node',
	);
	assert.deepEqual(problemsOf(withVnc('127.0.0.1')), []);
	// One node: its own private address is still fine.
	assert.deepEqual(problemsOf(labText.replace('hypervisor: fake', 'hypervisor: kvm\n  hypervisor_parameters:\n    vnc_bind_address: 10.10.0.20')), []);
});

test('sharedfile needs storage.shared_file_storage_dir; the directory alone is fine', () => {
	const enabled = labText.replace('disk_templates: [file, plain]', 'disk_templates: [file, plain, sharedfile]');
	assert.notEqual(enabled, labText, 'the lab recipe lists its disk templates as this test expects');
	assert.equal(
		onlyProblem(enabled),
		'cluster.disk_templates: ["file","plain","sharedfile"] enables sharedfile, which needs storage.shared_file_storage_dir, the directory every node mounts the same share on; add it (e.g. shared_file_storage_dir: /srv/ganeti/shared-file-storage)',
	);
	const withDirectory = (text: string) => text.replace(/\nstorage:\n/, '\nstorage:\n  shared_file_storage_dir: /srv/ganeti/shared\n');
	assert.equal(parseRecipe(withDirectory(enabled)).storage.shared_file_storage_dir, '/srv/ganeti/shared');
	assert.deepEqual(problemsOf(withDirectory(labText)), [], 'named without sharedfile enabled');
	const instance = labText.replace(/(\n {4}disk_template: )file\n/, '$1sharedfile\n');
	assert.notEqual(instance, labText);
	assert.equal(
		onlyProblem(instance),
		'instances[0].disk_template: "sharedfile" needs storage.shared_file_storage_dir, the directory every node mounts the same share on, which the site does not have; add it and sharedfile to cluster.disk_templates, or use file, plain',
	);
	assert.equal(
		onlyProblem(withDirectory(instance)),
		'instances[0].disk_template: "sharedfile" is not enabled in cluster.disk_templates (file, plain); add it there or use one of those',
	);
	assert.match(onlyProblem(labText.replace(/\nstorage:\n/, '\nstorage:\n  shared_file_storage_dir: srv/shared\n')), /^storage\.shared_file_storage_dir: "srv\/shared" is not an absolute path/);
});
