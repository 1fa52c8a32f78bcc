// Nodes: what binds a site of several nodes into one Ganeti cluster, on each
// node in turn. Every node authorises every other node's root key (its own is
// authorised by the cluster step); the nodes other than the master take the
// master's SSH host keys, because Ganeti checks every node against the one
// host key `gnt-cluster init --no-ssh-init` recorded (HostKeyAlias = the
// cluster name); the master then joins each prepared node with `gnt-node add`
// and verifies the cluster. Nothing here touches other users' keys or any
// known_hosts: only root's authorized_keys lines of the site's own nodes.
//
// With cluster.ssh_init: true Ganeti manages SSH itself and the wizard does not
// fight it over the same files. Ganeti 3.0's gnt-node add runs
// prepare_node_join on the new node, which writes the master's host keys over
// the node's (the wizard lays none), makes root a new key pair and authorises
// the master candidates' keys; the join then spreads the new node's key
// (LUNodeAdd's SSH update). What the wizard still does: authorise the master's
// root key on the new node, so that gnt-node add can log in the first time,
// and keep the node's SSH files as found, so that undo puts them back once
// gnt-node remove took the node out. That first login looks the node's own
// name up in /var/lib/ganeti/known_hosts, which holds the cluster name only,
// and would ask on a terminal (StrictHostKeyChecking=ask): gnt-node add runs
// with --no-ssh-key-check, the node's identity being the wizard's own
// known_hosts entry for it, checked when it reached the node.
import type {Action} from '../actions/action.js';
import type {Inventory, InventoryNode} from '../inventory/inventory.js';
import {authorizedKeysPath, hostKeyPaths, rootKeyPath} from '../inventory/node-keys.js';
import {clusterDirectories, directoriesThen, verifyAction} from './cluster.js';
import {check} from './preflight.js';
import {program} from './programs.js';
import {onMaster} from './roles.js';
import type {Facts, StepDefinition} from './step.js';

/** The nodes other than the one the inventory is built for. */
function otherNodes(inventory: Inventory): InventoryNode[] {
	return inventory.nodes.filter(node => node.name !== inventory.node.hostname);
}

/**
 * `gnt-node add` of a prepared node (gnt-node(8) ADD): a regular node is not
 * master-capable; with Ganeti's own SSH setup (`sshInit`), no host key prompt
 * on the first login (--no-ssh-key-check, see above).
 */
export function nodeAddArgv(node: InventoryNode, sshInit = false): string[] {
	return ['gnt-node', 'add', ...(sshInit ? ['--no-ssh-key-check'] : []), ...(node.role === 'regular' ? ['--master-capable=no'] : []), node.fqdn];
}

/** Where a node keeps its SSH files as found while Ganeti manages them (ssh_init). */
export const sshAsFoundDirectory = '/var/lib/ganeti-wizard/ssh-as-found';

/** The SSH files Ganeti's join rewrites on a node (host keys of every type it knows, root's RSA pair, authorized_keys). */
function sshFilesGanetiWrites(): string[] {
	const dsa = ['/etc/ssh/ssh_host_dsa_key', '/etc/ssh/ssh_host_dsa_key.pub'];
	return [...hostKeyPaths().map(file => file.path), ...dsa, rootKeyPath, `${rootKeyPath}.pub`, authorizedKeysPath];
}

function keepSshAction(): Action {
	return {
		kind: 'command',
		id: 'nodes.ssh-as-found',
		title: `keep root's and sshd's keys as found (${sshAsFoundDirectory}): Ganeti's join replaces them, undo puts them back`,
		argv: program('ssh-as-found', 'save', sshAsFoundDirectory, ...sshFilesGanetiWrites()),
		satisfiedWhen: {exists: `${sshAsFoundDirectory}/found.json`},
		inverse: program('ssh-as-found', 'restore', sshAsFoundDirectory),
	};
}

/** The nodes whose root key is authorised here: every other one, or only the master when Ganeti spreads the keys itself. */
function authorizeActions(inventory: Inventory, existing: string | null): Action[] {
	const keys = inventory.keys?.rootKeys ?? {};
	const sshInit = inventory.recipe.cluster.ssh_init;
	if (sshInit && onMaster(inventory)) return [];
	const from = sshInit ? [inventory.master] : otherNodes(inventory);
	return from.flatMap((node): Action[] => {
		const key = keys[node.name];
		if (!key) return [];
		return [
			{
				kind: 'command',
				id: `nodes.authorize.${node.name}`,
				title: `let ${node.name}'s root key log in here as root (${authorizedKeysPath})`,
				argv: program('authorize-key', '--key', key, authorizedKeysPath),
				satisfiedWhen: {argv: ['grep', '-qxF', '-e', key, authorizedKeysPath]},
				// The key's line goes; other lines stay. The file itself is the cluster step's.
				inverse: program('authorize-key', '--remove', '--key', key, authorizedKeysPath, ...(existing === null ? ['--delete-if-empty'] : [])),
			},
		];
	});
}

function hostKeyActions(inventory: Inventory): Action[] {
	const files = inventory.keys?.hostKeys ?? [];
	if (files.length === 0) return [];
	const ids = files.map(file => `nodes.host-key.${file.path.split('/').at(-1)}`);
	return [
		...files.map(
			(file, index): Action => ({
				kind: 'file',
				id: ids[index]!,
				title: `${file.path} is the master's (${inventory.master.name}): Ganeti checks every node against the cluster's host key`,
				path: file.path,
				content: file.content,
				mode: file.mode,
				secret: file.mode === 0o600,
			}),
		),
		{kind: 'service', id: 'nodes.sshd', title: 'sshd serves the shared host keys', service: 'ssh', operation: 'restart', after: ids},
	];
}

/** How long the master waits for a new node's private address (OSPF's first adjacency takes seconds). */
const reachableWithinSeconds = 120;

function joinActions(inventory: Inventory): Action[] {
	const joins = otherNodes(inventory).flatMap((node): Action[] => [
		{
			...check(`nodes.reachable.${node.name}`, `${node.name}'s private address ${node.address} answers SSH (its route converges first)`, program('sshd', node.address, String(reachableWithinSeconds))),
			timeoutMs: (reachableWithinSeconds + 30) * 1000,
		},
		{
			kind: 'command',
			id: `nodes.join.${node.name}`,
			title: `join ${node.fqdn} (${node.address}) to the cluster ${inventory.cluster.fqdn}`,
			argv: nodeAddArgv(node, inventory.recipe.cluster.ssh_init),
			satisfiedWhen: {argv: ['gnt-node', 'list', '--no-headers', '-o', 'name', node.fqdn], stdoutIncludes: node.fqdn},
			inverse: ['gnt-node', 'remove', node.fqdn],
			timeoutMs: 10 * 60_000,
		},
	]);
	if (joins.length === 0) return [];
	return [...joins, {...verifyAction(inventory, 'nodes.verify'), rerunAfter: joins.filter(action => action.id.startsWith('nodes.join.')).map(action => action.id)}];
}

/**
 * Ganeti's directories on a node about to join, made as gnt-node add's
 * node-daemon-setup would (ensure-dirs), so that the journal holds how they
 * were found: leaving the cluster (gnt-node remove) stops the node's daemons
 * and takes its files but leaves the directories; undo puts them back.
 */
function ganetiDirectoriesAction(inventory: Inventory, facts: Facts): Action {
	return {
		kind: 'command',
		id: 'nodes.ganeti-directories',
		title: "Ganeti's directories (/var/lib/ganeti and its job queue) for the join",
		argv: ['/usr/lib/ganeti/ensure-dirs'],
		satisfiedWhen: {exists: '/var/lib/ganeti/queue/archive'},
		inverse: program('undo-cluster', ...directoriesThen(inventory, facts)),
	};
}

export const nodesStep: StepDefinition = {
	id: 'nodes',
	title: 'Nodes of the cluster',
	requires: ['cluster'],
	reads: () => [authorizedKeysPath],
	readsDirectories: inventory => (onMaster(inventory) ? [] : clusterDirectories(inventory)),
	plan(inventory, facts): Action[] {
		const actions = authorizeActions(inventory, facts.files[authorizedKeysPath] ?? null);
		// With ssh_init the join lays the master's host keys itself (prepare_node_join).
		if (!onMaster(inventory) && inventory.recipe.cluster.ssh_init) return [keepSshAction(), ...actions, ganetiDirectoriesAction(inventory, facts)];
		if (!onMaster(inventory)) return [...actions, ...hostKeyActions(inventory), ganetiDirectoriesAction(inventory, facts)];
		return [...actions, ...joinActions(inventory)];
	},
};
