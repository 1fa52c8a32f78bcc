// The nodes step, node by node: the other nodes authorise every node's root
// key, take the master's host keys (private ones never shown in a plan) and
// make Ganeti's directories, each with its inverse; the master waits for each
// node's private address, joins it and verifies. A site of one node has no
// such step; the removals step takes a node out by moving its instances away
// first. The real daemons run these in test/lab/nodes.test.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Action, CommandAction, FileAction} from '../../source/actions/action.js';
import {buildInventory, type Inventory} from '../../source/inventory/inventory.js';
import {siteBytes} from '../../source/inventory/mac.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {siteIdentity} from '../../source/site/compare.js';
import {siteSteps} from '../../source/steps/index.js';
import {nodesStep} from '../../source/steps/nodes.js';
import {removalsStep} from '../../source/steps/removals.js';
import {bareFacts} from '../../source/steps/step.js';
import {loadDiff, planLines} from '../../source/ui/plan-lines.js';
import {labText, twoNodesText} from '../support/two-nodes.js';

const recipe = parseRecipe(twoNodesText);
const keys = {
	rootKeys: {gcc20: 'ssh-rsa AAAAmaster root@gcc20', node2: 'ssh-rsa AAAAnode2 root@node2'},
	hostKeys: [
		{path: '/etc/ssh/ssh_host_rsa_key', content: '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n-----END OPENSSH PRIVATE KEY-----\n', mode: 0o600},
		{path: '/etc/ssh/ssh_host_rsa_key.pub', content: 'ssh-rsa AAAAhost root@gcc20\n', mode: 0o644},
	],
};
const build = (nodeName: string, removals: string[] = []): Inventory => ({...buildInventory(recipe, {macs: {}, addresses: {}}, siteBytes(siteIdentity(recipe)), removals, nodeName).inventory, keys});
const byId = (actions: Action[], id: string) => actions.find(action => action.id === id);

test('on another node: the master\'s key authorised, its host keys laid (the private one secret), Ganeti\'s directories made, each reversible', () => {
	const actions = nodesStep.plan(build('node2'), bareFacts({files: {'/root/.ssh/authorized_keys': null}}));
	const authorize = byId(actions, 'nodes.authorize.gcc20') as CommandAction;
	assert.ok(authorize.argv.includes('ssh-rsa AAAAmaster root@gcc20'));
	assert.ok(authorize.inverse?.includes('--remove') && authorize.inverse.includes('--delete-if-empty'), 'the line goes, and the file the wizard made');
	assert.equal(byId(actions, 'nodes.authorize.node2'), undefined, 'its own key is the cluster step\'s');
	const privateKey = byId(actions, 'nodes.host-key.ssh_host_rsa_key') as FileAction;
	const publicKey = byId(actions, 'nodes.host-key.ssh_host_rsa_key.pub') as FileAction;
	assert.deepEqual([privateKey.mode, privateKey.secret, publicKey.mode, publicKey.secret], [0o600, true, 0o644, false]);
	assert.deepEqual(byId(actions, 'nodes.sshd'), {kind: 'service', id: 'nodes.sshd', title: 'sshd serves the shared host keys', service: 'ssh', operation: 'restart', after: ['nodes.host-key.ssh_host_rsa_key', 'nodes.host-key.ssh_host_rsa_key.pub']});
	const directories = byId(actions, 'nodes.ganeti-directories') as CommandAction;
	assert.deepEqual(directories.argv, ['/usr/lib/ganeti/ensure-dirs']);
	assert.ok(directories.inverse?.some(part => part.endsWith('undo-cluster.py')) && directories.inverse.includes('/var/lib/ganeti=absent'));
	assert.equal(actions.some(action => action.id.startsWith('nodes.join.')), false, 'only the master joins nodes');
});

test('a plan never shows a private key, and shows the public one', async () => {
	const actions = nodesStep.plan(build('node2'), bareFacts()).filter((action): action is FileAction => action.kind === 'file');
	const lines = planLines({id: 'nodes', title: 'Nodes', status: 'pending', actions: actions.map(action => ({action, status: 'pending', current: null}))}, await loadDiff()).map(line => line.text).join('\n');
	assert.doesNotMatch(lines, /secret|PRIVATE KEY/);
	assert.match(lines, /a private key or a password: its content is not shown/);
	assert.match(lines, /\+ssh-rsa AAAAhost root@gcc20/);
});

test('on the master: the other node\'s key authorised, then its address waited for, the join and a verify after it', () => {
	const ids = nodesStep.plan(build('gcc20'), bareFacts()).map(action => action.id);
	assert.deepEqual(ids, ['nodes.authorize.node2', 'nodes.reachable.node2', 'nodes.join.node2', 'nodes.verify']);
	const join = byId(nodesStep.plan(build('gcc20'), bareFacts()), 'nodes.join.node2') as CommandAction;
	assert.deepEqual([join.argv, join.inverse], [['gnt-node', 'add', 'node2.node.farm'], ['gnt-node', 'remove', 'node2.node.farm']]);
	assert.deepEqual((byId(nodesStep.plan(build('gcc20'), bareFacts()), 'nodes.verify') as CommandAction).rerunAfter, ['nodes.join.node2']);
});

test('one node: no nodes step; a node removed from the site leaves by moving its instances to the master, then gnt-node remove', () => {
	const one = parseRecipe(labText);
	const alone = buildInventory(one, {macs: {}, addresses: {}}, siteBytes(siteIdentity(one))).inventory;
	assert.equal(siteSteps(alone).includes(nodesStep), false);
	// The site after node remove: node2 gone from the recipe, its FQDN a removal.
	const left = buildInventory(one, {macs: {}, addresses: {}}, siteBytes(siteIdentity(one)), ['node2.node.farm']).inventory;
	const leaving = removalsStep.plan(left, bareFacts()) as CommandAction[];
	assert.deepEqual(leaving.map(action => action.id), ['removals.node2.node.farm.instances', 'removals.node2.node.farm']);
	assert.ok(leaving[0]!.argv.at(-3)!.endsWith('evacuate-node.py'));
	assert.deepEqual(leaving[0]!.argv.slice(-2), ['node2.node.farm', 'gcc20.node.farm']);
	assert.deepEqual(leaving[1]!.argv, ['gnt-node', 'remove', 'node2.node.farm']);
	assert.equal(siteSteps(build('node2', ['node3.node.farm'])).includes(removalsStep), false, 'removals are the master\'s');
	// A node the recipe lists (added back after node remove) is joined, never removed again.
	assert.deepEqual(build('gcc20', ['node2.node.farm']).removals, []);
});
