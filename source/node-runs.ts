// Every node of a site, each with its own host, progress and inventory, in the
// order apply runs them: the other nodes first (each prepares itself: packages,
// network, DNS, DHCP, the daemons' addresses, the shared SSH keys), the master
// last (its zones gain the new nodes' names, then it joins them with gnt-node
// add and verifies). One journal holds every node's records, each naming its
// node; the wizard runs on the master and reaches the others through the host
// interface (SSH for real, a folder of their own in a rehearsal).
import {appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, dirname, join} from 'node:path';
import {instanceListArgv, parseInstanceList} from './drift/facts.js';
import type {Host} from './host/host.js';
import {RehearsalHost} from './host/rehearsal.js';
import {probeSsh, sshHost} from './host/ssh.js';
import {Transcript} from './host/transcript.js';
import {buildInventory, type InventoryNode} from './inventory/inventory.js';
import {siteBytes} from './inventory/mac.js';
import {hostKeyPaths, rootKeyPath, type NodeKeys} from './inventory/node-keys.js';
import {Progress} from './runner/progress.js';
import type {RunContext} from './runner/run.js';
import type {Session} from './session.js';
import {siteIdentity} from './site/compare.js';
import {siteSteps} from './steps/index.js';

export type NodeRun = {
	node: InventoryNode;
	host: Host;
	progress: Progress;
	context: RunContext;
};

/** Where a rehearsal keeps another node's files and recorded commands: beside the master's. */
export function rehearsalPlaces(root: string, stateDir: string, node: string): {root: string; stateDir: string} {
	return {root: join(dirname(root), `${basename(root)}-${node}`), stateDir: join(stateDir, 'nodes', node)};
}

/** The wizard's own known_hosts for the nodes it reaches (no one else's file is read or written). */
export function knownHostsPath(stateDir: string): string {
	return join(stateDir, 'known_hosts');
}

/**
 * The known_hosts file ssh uses for the site's nodes. A node met for the first
 * time is trusted and listed there (as ssh's accept-new does); one that
 * presents another key than listed is refused. Read-only runs (plan, a
 * preview) list new nodes in a scratch copy, removed at exit: they write nothing.
 */
export function sshKnownHosts(stateDir: string, readOnly: boolean): string {
	const path = knownHostsPath(stateDir);
	if (!readOnly) return path;
	const scratch = mkdtempSync(join(tmpdir(), 'ganeti-wizard-known-hosts-'));
	process.once('exit', () => rmSync(scratch, {recursive: true, force: true}));
	const copy = join(scratch, 'known_hosts');
	writeFileSync(copy, existsSync(path) ? readFileSync(path) : '', {mode: 0o600});
	return copy;
}

/**
 * The runs of every node of the session's site but the master, in recipe
 * order; the master's is the session's own context. Opened like the session:
 * read-only ones write nothing (no transcript, no known_hosts entry).
 */
export function otherNodeRuns(session: Session, options: {readOnly: boolean}): NodeRun[] {
	const {inventory, host: master, progress} = session;
	return inventory.nodes
		.filter(node => node.name !== inventory.master.name)
		.map(node => {
			const stateDir = progress.directory;
			const transcript = new Transcript(options.readOnly ? undefined : join(stateDir, 'transcript.log'));
			const host =
				master.kind === 'rehearsal'
					? ((places => new RehearsalHost(node.name, places.root, places.stateDir, transcript))(rehearsalPlaces(master.root, stateDir, node.name)) as Host)
					: sshHost({node: node.name, address: node.publicAddress ?? node.fqdn, transcript, knownHosts: sshKnownHosts(stateDir, options.readOnly), hostKeys: 'accept-new'});
			const nodeProgress = options.readOnly ? Progress.read(stateDir, {node: node.name}) : new Progress(stateDir, {node: node.name});
			// The master's password: a new one is not saved until its run begins, and every node must hold the same.
			const known = {...progress.generated, ...(inventory.ospfPassword !== undefined ? {ospfPassword: inventory.ospfPassword} : {})};
			const {inventory: own} = buildInventory(inventory.recipe, known, siteBytes(siteIdentity(inventory.recipe)), inventory.removals, node.name);
			const context: RunContext = {...session.context, host, progress: nodeProgress, inventory: own, steps: siteSteps(own)};
			return {node, host, progress: nodeProgress, context};
		});
}

/**
 * The SSH keys that bind the nodes, read from each node now: every node's
 * root public key, and the master's host keys. A node that cannot be read
 * (not prepared yet) has no entry.
 */
export async function readNodeKeys(master: Host, others: Array<{name: string; host: Host}>, masterName: string): Promise<NodeKeys> {
	const rootKeys: Record<string, string> = {};
	for (const {name, host} of [{name: masterName, host: master}, ...others]) {
		const key = (await host.readFile(`${rootKeyPath}.pub`))?.trim();
		if (key) rootKeys[name] = key;
	}
	const hostKeys: NodeKeys['hostKeys'] = [];
	for (const {path, mode} of hostKeyPaths()) {
		const content = await master.readFile(path);
		if (content !== null) hostKeys.push({path, content, mode});
	}
	return {rootKeys, hostKeys};
}

/**
 * Where Ganeti runs each instance (instance FQDN -> primary node FQDN), asked
 * of the master; undefined where it cannot be asked (a rehearsal, daemons
 * down): then each instance counts as where vm add made it, on the master.
 */
export async function readPlacement(master: Host): Promise<Record<string, string> | undefined> {
	const listed = await master.probe(instanceListArgv);
	if (!listed || listed.exitCode !== 0) return undefined;
	try {
		return Object.fromEntries(parseInstanceList(listed.stdout).map(instance => [instance.name, instance.primaryNode]));
	} catch {
		return undefined;
	}
}

/**
 * Lets the wizard's SSH accept a node before and after it serves the master's
 * host keys: the node's own key is listed first (met now, as ssh's
 * accept-new would), then the master's public host keys for its address too
 * (ssh accepts a host when any line for it matches). Each line is written once.
 * Returns ssh's one-line refusal when the node cannot be reached.
 */
export async function trustSharedHostKeys(stateDir: string, node: string, address: string, keys: NodeKeys): Promise<string | null> {
	const path = knownHostsPath(stateDir);
	mkdirSync(dirname(path), {recursive: true, mode: 0o700});
	const refused = await probeSsh(address, {node, knownHosts: path, hostKeys: 'accept-new'});
	if (refused) return refused;
	const known = readFileSync(path, 'utf8').split('\n');
	for (const file of keys.hostKeys.filter(key => key.path.endsWith('.pub'))) {
		const [type, body] = file.content.trim().split(/\s+/);
		const line = `${address} ${type} ${body}`;
		if (type && body && !known.includes(line)) appendFileSync(path, `${line}\n`, {mode: 0o600});
	}
	return null;
}

/** One node's answer to `everyNode`: its name, role, where it is reached, and what `look` returned. */
export type NodeAnswer<T> = {name: string; role: string; where: string; result: T};

/** How a node is reached, for people. */
export function nodeWhere(node: InventoryNode, host: Host): string {
	const how = host.kind === 'rehearsal' ? `rehearsed under ${host.root}` : node.name === host.node && node.role === 'master' ? 'this host' : `over SSH to ${node.publicAddress ?? node.fqdn}`;
	return `${node.role}, ${how}`;
}

/**
 * Asks `look` of every node, in the order apply runs them (the others, then
 * the master), each with the SSH keys its plan needs; stops after an answer
 * `stop` refuses; ends every connection after. For a one-node site, only the
 * master (its session context) is asked. `before` runs ahead of each node
 * (apply's heading, its known_hosts lines).
 */
export async function everyNode<T>(
	session: Session,
	options: {readOnly: boolean; stop?: (result: T) => boolean; before?: (node: InventoryNode, run: {host: Host; context: RunContext}) => Promise<void>},
	look: (run: {context: RunContext}) => Promise<T>,
): Promise<Array<NodeAnswer<T>>> {
	const others = otherNodeRuns(session, options);
	const masterNode = session.inventory.master;
	const runs = [...others, {node: masterNode, host: session.host, context: session.context}];
	const peers = others.map(run => ({name: run.node.name, host: run.host}));
	const answers: Array<NodeAnswer<T>> = [];
	try {
		const placement = others.length > 0 ? await readPlacement(session.host) : undefined;
		for (const run of runs) {
			if (others.length > 0) run.context.inventory.keys = await readNodeKeys(session.host, peers, masterNode.name);
			if (placement) run.context.inventory.placement = placement;
			await options.before?.(run.node, run);
			const result = await look(run);
			answers.push({name: run.node.name, role: run.node.role, where: nodeWhere(run.node, run.host), result});
			if (options.stop?.(result)) break;
		}
	} finally {
		for (const run of others) await run.host.close?.();
	}
	return answers;
}
