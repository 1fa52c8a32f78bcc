// node add NAME: an edit of the saved site (the node appended to its recipe's
// nodes, comments kept), checked before anything changes (the name resolves
// or --public-address is given, root's SSH reaches the node, the node is in no
// other cluster and its private address is free there), then applied by the
// same engine as apply: the new node prepares itself over SSH, and the master
// names it in its zones and joins it with gnt-node add. node remove NAME:
// the node leaves the recipe and is recorded as a removal, so apply migrates
// its instances away and runs gnt-node remove; its host stays as it is
// (undo --node NAME puts it back as it was found). Run again for a node that
// left, it applies the saved site: what is left of the removal, or nothing.
import {lookup} from 'node:dns/promises';
import {RecipeError, UsageError} from '../errors.js';
import {probeHostFacts} from '../host/facts.js';
import {probeSsh} from '../host/ssh.js';
import {fromInt, hostRange, isIpv4, isLoopback, toInt} from '../inventory/addresses.js';
import {everyNode, nodeWhere, otherNodeRuns, sshKnownHosts} from '../node-runs.js';
import {parseRecipe} from '../recipe/load.js';
import {planAll} from '../runner/run.js';
import {openSession, type Session} from '../session.js';
import {addNodeToRecipe, removeNodeFromRecipe, type NewNode} from '../site/recipe-edit.js';
import {nodeRefusals, ssconfClusterNamePath} from '../steps/node-refusals.js';
import {plainPrompter} from '../ui/plain.js';
import {applySession, exitCodes} from './apply.js';
import type {CommandFlags} from './flags.js';
import {planText} from './report.js';
import {preview, savedSite} from './vm.js';

/** The flags of `node add`, as given (strings, unchecked). */
export type NodeFlags = {
	publicAddress?: string;
	privateAddress?: string;
	publicInterface?: string;
	role?: string;
};

export async function node(flags: CommandFlags, args: string[], nodeFlags: NodeFlags): Promise<number> {
	const [subcommand, ...rest] = args;
	const needsName = (verb: string, example: string) => {
		if (rest.length === 1) return rest[0]!;
		throw new UsageError(rest.length === 0 ? `node ${verb} needs the node's NAME (e.g. ${example})` : `node ${verb} takes one NAME ("${rest[1]}" is one too many)`);
	};
	switch (subcommand) {
		case 'add':
			try {
				return await add(flags, needsName('add', 'ganeti-wizard node add gcc21 --private-address 10.10.0.21 --yes'), nodeFlags);
			} catch (error) {
				// Ctrl-C at one of its questions: nothing was changed yet (the questions come first).
				if ((error as Error).name !== 'ExitPromptError') throw error;
				process.stdout.write('Stopped: nothing changed.\n');
				return exitCodes.quit;
			}
		case 'remove':
			return remove(flags, needsName('remove', 'ganeti-wizard node remove gcc21 --yes'));
		default:
			throw new UsageError(subcommand === undefined ? 'node needs a subcommand: add or remove (see ganeti-wizard --help)' : `unknown node subcommand "${subcommand}"; use add or remove (see ganeti-wizard --help)`);
	}
}

/** Recipe field of a node -> the flag that sets it. */
const flagOfField: Record<string, string> = {
	name: 'NAME',
	public_address: '--public-address',
	private_address: '--private-address',
	public_interface: '--public-interface',
	role: '--role',
};

/** The loader's line about the new node (nodes[index]), said in terms of the flag that set the field. */
function flagProblem(problem: string, index: number): string {
	const prefix = `nodes[${index}].`;
	// A saved site's field: how to change it.
	if (problem.startsWith('network.routing:')) return `${problem} in the saved site first (ganeti-wizard recipe > site.yaml, edit it, ganeti-wizard apply --recipe site.yaml --yes)`;
	// A saved name (the cluster's, say) that the new node's name makes again: said of NAME, naming what has it.
	const clash = /^([\w.[\]]+): "[^"]*" makes the name "([^"]+)", which is already the name of nodes\[(\d+)\] \(nodes\[\d+\]\.name\); choose another name$/.exec(problem);
	if (clash && Number(clash[3]) === index) {
		const [, field, fqdn] = clash as unknown as [string, string, string];
		const whose = field === 'cluster.name' ? "the cluster's name (cluster.name)" : `already the name given by ${field}`;
		return `NAME: "${fqdn.split('.')[0]}" makes the name "${fqdn}", which is ${whose}; choose another name for the node`;
	}
	// Another field's rule that the new node's value breaks: said as that value's flag.
	if (!problem.startsWith(prefix)) {
		const field = ['private_address', 'public_address', 'public_interface'].find(name => problem.includes(`${prefix}${name}`));
		if (field) return `${flagOfField[field]}: ${problem}`;
		return problem.includes(`nodes[${index}]`) ? `NAME: ${problem}` : problem;
	}
	if (!problem.startsWith(prefix)) return problem;
	const [field, ...restParts] = problem.slice(prefix.length).split(':');
	return `${flagOfField[field!] ?? field}:${restParts.join(':')}`;
}

/** Why an address cannot be where another node is reached (this host's loopback, no host at all), or undefined. */
function unreachableAddress(address: string): string | undefined {
	if (isLoopback(address)) return 'a loopback address: SSH there reaches this host itself';
	if (address === '0.0.0.0' || address === '255.255.255.255' || toInt(address) >= toInt('224.0.0.0')) return 'no address of a host';
	return undefined;
}

/** Where the node is reached: --public-address, or what NAME resolves to (one line when it does not, or to a loopback address). */
async function publicAddressOf(name: string, given: string | undefined): Promise<string> {
	if (given !== undefined) {
		if (!isIpv4(given)) throw new UsageError(`--public-address: "${given}" is not an IPv4 address; give the address root's SSH reaches the node at (e.g. 198.51.100.21)`);
		const why = unreachableAddress(given);
		if (why) throw new UsageError(`--public-address: "${given}" is ${why}; give the address root's SSH reaches the node at (e.g. 198.51.100.21)`);
		return given;
	}
	let resolved: string;
	try {
		resolved = (await lookup(name, {family: 4})).address;
	} catch {
		throw new UsageError(`NAME: "${name}" does not resolve to an IPv4 address here; give the node's address with --public-address IP`);
	}
	const why = unreachableAddress(resolved);
	if (why) throw new UsageError(`NAME: "${name}" resolves to ${resolved}, ${why}; give the node's address with --public-address IP`);
	return resolved;
}

async function add(flags: CommandFlags, name: string, given: NodeFlags): Promise<number> {
	const nodeFlags = {...given};
	const interactive = !flags.yes && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
	const {current, saved} = await savedSite(flags, 'node add');
	const index = current.recipe.nodes.length;
	const known = current.recipe.nodes.find(entry => entry.name === name);
	let edited: {recipe: typeof current.recipe; origin: string; text: string} | undefined;
	// The values given are judged before NAME is looked up: the line names what is wrong first.
	if (nodeFlags.privateAddress !== undefined && !isIpv4(nodeFlags.privateAddress)) {
		throw new UsageError(`--private-address: "${nodeFlags.privateAddress}" is not an IPv4 address; give the node's address in the nodes subnet (e.g. 10.10.0.21)`);
	}
	if (nodeFlags.publicInterface === 'lo') throw new UsageError('--public-interface: "lo" is the loopback; give the interface that carries the node\'s public address (e.g. eth0)');
	if (nodeFlags.role !== undefined && !['candidate', 'regular'].includes(nodeFlags.role)) {
		throw new UsageError(`--role: "${nodeFlags.role}" is not a role for an added node; give candidate (a master candidate, Ganeti's default) or regular`);
	}
	if (known) {
		if (known.role === 'master') throw new UsageError(`NAME: "${name}" is the site's master; node add adds another node`);
		// Asked again (a killed node add, say): the same node resumes; different values are a mistake.
		const differs = (['public_address', 'private_address', 'public_interface', 'role'] as const).find(field => {
			const flag = {public_address: nodeFlags.publicAddress, private_address: nodeFlags.privateAddress, public_interface: nodeFlags.publicInterface, role: nodeFlags.role}[field];
			return flag !== undefined && flag !== known[field];
		});
		if (differs) throw new UsageError(`${flagOfField[differs]}: node ${name} is already in the site with ${differs} ${String(known[differs])}; give the same value to resume, or node remove ${name} first`);
	} else {
		// On a terminal without --yes, what the flags leave out is asked (line mode: it works over any SSH session).
		if (interactive) await askMissing(current, saved.text, name, nodeFlags);
		if (nodeFlags.privateAddress === undefined) throw new UsageError(`node add needs --private-address IP: the node's address in ${current.recipe.network.nodes_subnet}, on its lo:1 (e.g. ${nextFreeNodeAddress(current) ?? 'a free one'})`);
		const publicAddress = await publicAddressOf(name, nodeFlags.publicAddress);
		// Unchecked values: the recipe loader judges them, and its line is said in terms of the flag.
		const entry = {
			name,
			public_interface: nodeFlags.publicInterface ?? current.inventory.master.publicInterface,
			public_address: publicAddress,
			private_address: nodeFlags.privateAddress,
			role: nodeFlags.role ?? 'candidate',
		} as NewNode;
		const text = addNodeToRecipe(saved.text, entry);
		try {
			edited = {recipe: parseRecipe(text, saved.path), origin: saved.path, text};
		} catch (error) {
			if (!(error instanceof RecipeError)) throw error;
			throw new UsageError(flagProblem(error.problems[0]!, index));
		}
	}

	const opened = async (readOnly: boolean): Promise<Session> => openSession({...flags, unattended: true, readOnly, preflight: true}, edited);
	const looking = await opened(true);
	await refuseUnfitNodes(looking, name);
	if (!flags.yes) {
		const lines = edited ? ['What node add changes in the saved site:', ...looking.siteChanges.map(line => `  ${line}`), ''] : [];
		for (const answer of await everyNode(looking, {readOnly: true}, async run => planText(await planAll(run.context)))) {
			lines.push(`Node ${answer.name} (${answer.where}):`, ...answer.result, '');
		}
		if (!interactive) {
			lines.push('Nothing changed yet: run the same command with --yes to make these changes.');
			process.stdout.write(`${lines.join('\n')}\n`);
			return 0;
		}
		process.stdout.write(`${lines.join('\n')}\n`);
		const prompter = await plainPrompter();
		const choice = await prompter.select(`Add ${name} to the cluster now?`, [
			{value: 'apply', name: 'apply these changes'},
			{value: 'quit', name: 'change nothing'},
		]);
		if (choice !== 'apply') {
			process.stdout.write('Nothing changed.\n');
			return 1;
		}
	}
	return applySession(await opened(false), flags);
}

/** The first address of the nodes' subnet after the master's that no node, the cluster or the bridge has. */
function nextFreeNodeAddress(session: Session): string | undefined {
	const used = new Set([...session.inventory.nodes.map(entry => entry.address), session.inventory.cluster.address, session.inventory.gateway.address]);
	const [, last] = hostRange(session.recipe.network.nodes_subnet);
	for (let candidate = toInt(session.inventory.master.address) + 1; candidate <= last; candidate++) if (!used.has(fromInt(candidate))) return fromInt(candidate);
	return undefined;
}

/**
 * Asks for the addresses the flags left out (NAME's own lookup is the public
 * address's default). Each answer is judged at its question by the recipe
 * loader, as the flag would be (the site's text with the node added): its
 * lines about that flag, the first shown.
 */
async function askMissing(current: Session, savedText: string, name: string, nodeFlags: NodeFlags): Promise<void> {
	const prompter = await plainPrompter();
	const index = current.recipe.nodes.length;
	const subnet = current.recipe.network.nodes_subnet;
	// A stand-in for the value not asked yet: lines about it are not this question's.
	const placeholder = {private_address: nextFreeNodeAddress(current) ?? '', public_address: '203.0.113.254'};
	const judge = (flag: string, field: 'private_address' | 'public_address') => (value: string) => {
		if (!isIpv4(value.trim())) return `${flag}: "${value}" is not an IPv4 address (e.g. 10.10.0.21)`;
		const entry = {
			name,
			public_interface: nodeFlags.publicInterface ?? current.inventory.master.publicInterface,
			public_address: nodeFlags.publicAddress ?? placeholder.public_address,
			private_address: nodeFlags.privateAddress ?? placeholder.private_address,
			role: nodeFlags.role ?? 'candidate',
			[field]: value.trim(),
		} as NewNode;
		try {
			parseRecipe(addNodeToRecipe(savedText, entry), 'site');
			return true;
		} catch (error) {
			if (!(error instanceof RecipeError)) throw error;
			return error.problems.map(problem => flagProblem(problem, index)).find(line => line.startsWith(`${flag}:`)) ?? true;
		}
	};
	const privateAddress = judge('--private-address', 'private_address');
	if (nodeFlags.privateAddress === undefined) {
		const free = nextFreeNodeAddress(current);
		nodeFlags.privateAddress = (await prompter.text(`${name}'s private address (in ${subnet}, on its lo:1)`, {...(free ? {default: free} : {}), validate: privateAddress})).trim();
	}
	if (nodeFlags.publicAddress === undefined) {
		const resolved = await lookup(name, {family: 4}).then(
			found => found.address,
			() => undefined,
		);
		nodeFlags.publicAddress = (await prompter.text(`${name}'s public address (where root's SSH reaches it)`, {...(resolved ? {default: resolved} : {}), validate: judge('--public-address', 'public_address')})).trim();
	}
}

/**
 * Refuses, one line each and before any change, a node root's SSH cannot
 * reach or one unfit to join (another cluster's, its private address taken):
 * checked through the node's own host, read-only.
 */
async function refuseUnfitNodes(session: Session, name: string): Promise<void> {
	const runs = otherNodeRuns(session, {readOnly: true}).filter(run => run.node.name === name);
	try {
		for (const run of runs) {
			if (run.host.kind !== 'rehearsal') {
				const unreachable = await probeSsh(run.node.publicAddress ?? run.node.fqdn, {node: name, knownHosts: sshKnownHosts(session.progress.directory, true), hostKeys: 'accept-new'});
				if (unreachable) throw new UsageError(unreachable);
			}
			const problems = nodeRefusals(run.context.inventory, await probeHostFacts(run.host), await run.host.readFile(ssconfClusterNamePath));
			if (problems.length > 0) throw new UsageError(problems.map(problem => `${name}: ${problem}`).join('\n'));
		}
	} finally {
		for (const run of runs) await run.host.close?.();
	}
}

async function remove(flags: CommandFlags, name: string): Promise<number> {
	const {current, saved} = await savedSite(flags, 'node remove');
	const known = current.inventory.nodes.find(entry => entry.name === name || entry.fqdn === name);
	if (!known) {
		// Removed already (node remove, undo --node): the site is applied again, so that a removal
		// cut short is finished and one that is through makes 0 changes, as a second node add does.
		const fqdn = name.endsWith(`.${current.inventory.nodesDomain}`) ? name : `${name}.${current.inventory.nodesDomain}`;
		if (current.inventory.removals.includes(fqdn)) {
			process.stdout.write(`Node ${fqdn.slice(0, fqdn.indexOf('.'))} has left the site already: the removal is checked again, and only what is left of it is done.\n`);
			if (!flags.yes) {
				await preview(await openSession({...flags, unattended: true, readOnly: true}), 'node remove');
				process.stdout.write('Nothing changed: run the same command with --yes to finish what is left of the removal.\n');
				return 0;
			}
			return applySession(await openSession({...flags, unattended: true}), flags);
		}
		const names = current.inventory.nodes.map(entry => entry.name);
		throw new UsageError(`NAME: "${name}" is not a node of the site (its nodes: ${names.join(', ')})`);
	}
	if (known.role === 'master') throw new UsageError(`NAME: "${name}" is the site's master; Ganeti cannot remove its master (gnt-cluster master-failover to another node first)`);
	const text = removeNodeFromRecipe(saved.text, known.name);
	const edited = {recipe: parseRecipe(text, saved.path), origin: saved.path, text, removals: [known.fqdn]};
	if (!flags.yes) {
		await preview(await openSession({...flags, unattended: true, readOnly: true}, edited), 'node remove');
		process.stdout.write(`Nothing changed: run the same command with --yes to move ${known.name}'s instances away and remove it from the cluster.\n`);
		return 0;
	}
	return applySession(await openSession({...flags, unattended: true}, edited), flags);
}
