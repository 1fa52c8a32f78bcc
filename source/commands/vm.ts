// vm list: the site's VMs with Ganeti's state and whether their DNS and DHCP
// entries agree (read-only). vm add NAME: an edit of the saved site (the
// instance appended to its recipe text, comments kept), validated by the
// recipe loader, then applied by the same engine as apply: the zones and
// dhcpd.conf gain its entries, committed and reloaded, before gnt-instance add.
// vm remove NAME: the instance leaves the recipe text and is recorded as a
// removal, so apply runs gnt-instance remove first, then rewrites the zones
// and dhcpd.conf without it.
import {isDeepStrictEqual} from 'node:util';
import {readVmFacts} from '../drift/facts.js';
import {vmRows, type VmRow} from '../drift/compare.js';
import {RecipeError, UsageError} from '../errors.js';
import {parseRecipe} from '../recipe/load.js';
import {sizeMiB} from '../recipe/schema.js';
import {addInstanceText, removeInstanceText} from '../site/recipe-edit.js';
import {everyNode} from '../node-runs.js';
import {planAll} from '../runner/run.js';
import {openSession, type Session} from '../session.js';
import {plainPrompter, type Prompter} from '../ui/plain.js';
import {askVmLines, vmHelp, type VmSite, type VmValues} from '../ui/vm-flow.js';
import {applySession, exitCodes} from './apply.js';
import type {CommandFlags} from './flags.js';
import {planText} from './report.js';

/** The flags of `vm add` (the values its questions ask for) and of vm migrate / failover, as given (strings, unchecked). */
export type VmFlags = VmValues & {
	/** vm migrate / failover: the target node's name. */
	node?: string;
	/** vm failover: seconds the guest has to shut down before it is stopped hard. */
	shutdownTimeout?: string;
};

export async function vm(flags: CommandFlags, args: string[], vmFlags: VmFlags): Promise<number> {
	const [subcommand, ...rest] = args;
	switch (subcommand) {
		case 'list':
			if (rest.length > 0) throw new UsageError(`vm list takes no argument ("${rest[0]}"); see ganeti-wizard --help`);
			return list(flags);
		case 'add':
			if (rest.length !== 1) throw new UsageError(rest.length === 0 ? 'vm add needs the VM\'s NAME (e.g. ganeti-wizard vm add web1 --os debootstrap+default --yes)' : `vm add takes one NAME ("${rest[1]}" is one too many)`);
			try {
				// The CLI gives an empty list when --extra-disk is not given: then it is asked.
				const {extraDisk, ...others} = vmFlags;
				return await add(flags, rest[0]!, extraDisk && extraDisk.length > 0 ? vmFlags : others);
			} catch (error) {
				// Ctrl-C at one of its questions: nothing was changed yet (the questions come first).
				if ((error as Error).name !== 'ExitPromptError') throw error;
				process.stdout.write('Stopped: nothing changed.\n');
				return exitCodes.quit;
			}
		case 'remove':
			if (rest.length !== 1) throw new UsageError(rest.length === 0 ? "vm remove needs the VM's NAME (e.g. ganeti-wizard vm remove web1 --yes)" : `vm remove takes one NAME ("${rest[1]}" is one too many)`);
			return remove(flags, rest[0]!);
		case 'migrate':
		case 'failover':
			if (rest.length !== 1) throw new UsageError(rest.length === 0 ? `vm ${subcommand} needs the VM's NAME (e.g. ganeti-wizard vm ${subcommand} web1)` : `vm ${subcommand} takes one NAME ("${rest[1]}" is one too many)`);
			return (await import('./move.js')).move(flags, subcommand, rest[0]!, vmFlags);
		default:
			throw new UsageError(
				subcommand === undefined
					? 'vm needs a subcommand: list, add, remove, migrate or failover (see ganeti-wizard --help)'
					: `unknown vm subcommand "${subcommand}"; use list, add, remove, migrate or failover (see ganeti-wizard --help)`,
			);
	}
}

const stateText: Record<VmRow['a'], string> = {ok: 'ok', missing: 'missing', differs: 'DIFFERS', off: 'off'};

/** One line per VM, in columns; the Ganeti columns say "?" when Ganeti could not be asked. */
export function listText(rows: VmRow[]): string[] {
	const table = [
		['NAME', 'ADDRESS', 'MAC', 'ADMIN', 'RUNNING', 'NODE', 'A', 'PTR', 'DHCP', 'AGREE'],
		...rows.map(row => [
			row.inSite ? row.fqdn : `${row.fqdn} (not in the site)`,
			row.address ?? '-',
			row.mac ?? row.ganeti?.mac ?? '-',
			row.ganeti?.adminState ?? (row.ganetiKnown ? 'absent' : '?'),
			row.ganeti ? (row.ganeti.running === null ? '?' : row.ganeti.running ? 'yes' : 'no') : row.ganetiKnown ? '-' : '?',
			row.ganeti?.node ?? '-',
			stateText[row.a],
			stateText[row.ptr],
			stateText[row.dhcp],
			// Unknown when Ganeti could not be asked: doctor claims no drift there either.
			row.consistent === null ? '?' : row.consistent ? 'yes' : 'NO',
		]),
	];
	const widths = table[0]!.map((_, column) => Math.max(...table.map(line => line[column]!.length)));
	return table.map(line => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
}

async function list(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true, readOnly: true});
	const facts = await readVmFacts(session.host, session.inventory);
	const rows = vmRows(session.inventory, facts);
	if (flags.json) {
		process.stdout.write(`${JSON.stringify({vms: rows, ...(facts.ganetiProblem ? {ganetiProblem: facts.ganetiProblem} : {})})}\n`);
		return 0;
	}
	if (rows.length === 0) process.stdout.write('The site has no VMs, and Ganeti lists none.\n');
	else process.stdout.write(`${listText(rows).join('\n')}\n`);
	if (facts.ganetiProblem) process.stderr.write(`Ganeti's state is unknown: ${facts.ganetiProblem}\n`);
	return 0;
}

/** Recipe field of an instance -> the flag that sets it. */
const flagOfField: Record<string, string> = {
	name: 'NAME',
	disk_template: '--disk-template',
	disk_size: '--disk',
	memory: '--memory',
	vcpus: '--vcpus',
	'install.iso': '--iso',
	'install.os': '--os',
	install: '--iso/--os',
	mac: '--mac',
	address: '--address',
	extra_disks: '--extra-disk',
};

/** The loader's line about the new instance, said in terms of the flag that set the field. */
function flagProblem(problem: string, index: number, names: string[]): string {
	const prefix = `instances[${index}].`;
	let line = problem;
	if (problem.startsWith(prefix)) {
		const [path, ...restParts] = problem.slice(prefix.length).split(':');
		const field = path!.replace(/\[\d+\]$/, '');
		line = `${flagOfField[field] ?? flagOfField[field.split('.')[0]!] ?? path}:${restParts.join(':')}`;
	}
	// "already used by instances[0]" -> the instance's name.
	return line.replace(/instances\[(\d+)\]/g, (whole, at: string) => (names[Number(at)] ? `instance ${names[Number(at)]}` : whole));
}

/** The instance `vm add` appends, from its flags; defaults: 512M, 1 vcpu, a 10G disk of the cluster's first template. */
function instanceFromFlags(name: string, flags: VmFlags, diskTemplates: string[]): Record<string, unknown> {
	if (flags.iso === undefined && flags.os === undefined) throw new UsageError('vm add needs an install medium: --iso PATH (an installer ISO on the node) or --os NAME+VARIANT (e.g. debootstrap+default)');
	if (flags.vcpus !== undefined && !/^[0-9]+$/.test(flags.vcpus)) throw new UsageError(`--vcpus: "${flags.vcpus}" is not a whole number of vcpus (e.g. 2)`);
	const instance: Record<string, unknown> = {
		name,
		disk_template: flags.diskTemplate ?? diskTemplates[0],
		disk_size: flags.disk ?? '10G',
		memory: flags.memory ?? '512M',
		vcpus: flags.vcpus === undefined ? 1 : Number(flags.vcpus),
		install: flags.iso !== undefined ? {iso: flags.iso, ...(flags.os !== undefined ? {os: flags.os} : {})} : {os: flags.os},
	};
	if (flags.mac !== undefined) instance['mac'] = flags.mac;
	if (flags.address !== undefined) instance['address'] = flags.address;
	if (flags.extraDisk && flags.extraDisk.length > 0) instance['extra_disks'] = flags.extraDisk;
	return instance;
}

/** The saved site, opened read-only, for an edit: a usage error without one (or with --recipe). */
export async function savedSite(flags: CommandFlags, command: string) {
	if (flags.recipe !== undefined) throw new UsageError(`${command} edits the saved site: leave --recipe out (import a site first with ganeti-wizard apply --recipe FILE)`);
	const current = await openSession({...flags, unattended: true, readOnly: true});
	const saved = current.progress.recipe;
	if (!saved || current.builtInDefault) throw new UsageError(`no site is saved in ${current.progress.directory}: import one first with ganeti-wizard apply --recipe FILE`);
	return {current, saved};
}

/** The site vm add edits: the saved site opened read-only, and its recipe text. */
type SavedSite = Awaited<ReturnType<typeof savedSite>>;

/**
 * Judges vm add NAME with these values against the saved site, as the
 * command does before anything changes: the recipe's rules, the names,
 * addresses and MACs in use, the ISO on the host, then the refusals apply
 * would make (the instance policy, the volume group's free space). Throws a
 * UsageError, one line per problem naming the flag; else returns how to open
 * a session on the edited site (its opening makes apply's refusals).
 */
async function checkAdd(flags: CommandFlags, {current, saved}: SavedSite, name: string, vmFlags: VmFlags) {
	const names = current.recipe.instances.map(instance => instance.name);
	const fqdn = `${name}.${current.inventory.vmsDomain}`;
	if (names.includes(name)) throw new UsageError(`NAME: "${name}" is already a VM of the site (${fqdn}); choose another name`);
	const entry = instanceFromFlags(name, vmFlags, current.recipe.cluster.disk_templates);
	const text = addInstanceText(saved.text, entry);
	let recipe;
	try {
		recipe = parseRecipe(text, saved.path);
	} catch (error) {
		if (!(error instanceof RecipeError)) throw error;
		throw new UsageError(flagProblem(error.problems[0]!, names.length, names));
	}
	// Values the site generated for other VMs are in use too, though no recipe line names them.
	const others = current.inventory.records.filter(record => record.fqdn !== fqdn);
	const addressUser = others.find(record => record.address === vmFlags.address);
	if (addressUser) throw new UsageError(`--address: "${vmFlags.address}" is already used by ${addressUser.fqdn}; give a free address of ${current.recipe.network.vms_subnet} or leave --address out to get the next free one`);
	const macUser = current.inventory.instances.find(instance => instance.mac === vmFlags.mac);
	if (macUser) throw new UsageError(`--mac: "${vmFlags.mac}" is already used by ${macUser.fqdn}; give another MAC or leave --mac out to have one generated`);
	if (vmFlags.iso !== undefined && !(await current.host.stat(vmFlags.iso))) {
		throw new UsageError(`--iso: "${vmFlags.iso}" does not exist on this host${current.host.kind === 'rehearsal' ? ` (under ${current.host.root})` : ''}; give the path of the installer ISO on the node`);
	}

	const edited = {recipe, origin: saved.path, text};
	// The refusals apply would make (the instance policy, the volume group's free space), named by the flag.
	const opened = async (readOnly: boolean): Promise<Session> => {
		try {
			return await openSession({...flags, unattended: true, readOnly, preflight: true}, edited);
		} catch (error) {
			if (!(error instanceof RecipeError)) throw error;
			// One line per flag: the first refusal of a value says what to change.
			const lines = error.problems.map(problem => flagProblem(problem, names.length, names));
			const flagOf = (line: string) => line.split(':')[0];
			throw new UsageError(lines.filter((line, at) => lines.findIndex(other => flagOf(other) === flagOf(line)) === at).join('\n'));
		}
	};
	return {fqdn, opened};
}

/**
 * The saved site as vm add's questions see it: its VMs' domain, disk
 * templates and names, and vm add's own checks of an answer (read-only).
 */
export async function vmSite(flags: CommandFlags, site?: SavedSite): Promise<VmSite> {
	const opened = site ?? (await savedSite(flags, 'vm add'));
	return {
		domain: opened.current.inventory.vmsDomain,
		diskTemplates: opened.current.recipe.cluster.disk_templates,
		names: opened.current.recipe.instances.map(instance => instance.name),
		refusals: async (name, values) => {
			try {
				await (await checkAdd(flags, opened, name, values)).opened(true);
				return [];
			} catch (error) {
				if (!(error instanceof UsageError)) throw error;
				return error.message.split('\n');
			}
		},
	};
}

/** Whether vm add asks for what its flags leave out: on a terminal, without --yes, outside CI. */
export function asksQuestions(flags: CommandFlags, env: NodeJS.ProcessEnv = process.env): boolean {
	return !flags.yes && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY) && env['CI'] === undefined;
}

/**
 * vm add NAME. Unattended (--yes, or no terminal): the flags as given, a
 * preview without --yes. On a terminal without --yes, what the flags leave
 * out is asked (NAME too when `name` is undefined, as the wizard's "add a VM"
 * does), each answer judged at its question, then the plan and a choice to
 * apply it. `input`: where the answers are read (default stdin); `interactive`:
 * whether to ask (default: asksQuestions; the wizard's what next always does).
 */
export async function add(flags: CommandFlags, name: string | undefined, given: VmFlags, input?: NodeJS.ReadableStream, interactive = asksQuestions(flags)): Promise<number> {
	const site = await savedSite(flags, 'vm add');
	const {current, saved} = site;
	let vmFlags = given;
	let prompter: Prompter | undefined;
	if (interactive) {
		// ? at a question shows vm add's help, as the wizard's prompts show theirs.
		prompter = await plainPrompter(input ? {input} : {}, vmHelp);
		// NAME first: a name in use is refused before any question.
		if (name !== undefined) {
			const refused = (await (await vmSite(flags, site)).refusals(name, {...given, os: given.os ?? 'debootstrap+default'})).find(line => line.startsWith('NAME:'));
			if (refused) throw new UsageError(refused);
		}
		const write = (line: string) => process.stdout.write(`${line}\n`);
		const answered = await askVmLines(prompter, await vmSite(flags, site), {...(name !== undefined ? {name} : {}), values: given}, write);
		name = answered.name;
		vmFlags = {...given, ...answered.values};
	}
	if (name === undefined) throw new UsageError('vm add needs the VM\'s NAME (e.g. ganeti-wizard vm add web1 --os debootstrap+default --yes)');
	const fqdn = `${name}.${current.inventory.vmsDomain}`;
	if (current.recipe.instances.some(instance => instance.name === name)) {
		// The same vm add again (after a kill, a lost session, a failure): the site has it; finish it.
		if (flags.yes && sameInstance(saved.text, name, instanceFromFlags(name, vmFlags, current.recipe.cluster.disk_templates))) {
			process.stdout.write(`${fqdn} is in the site as these flags describe it: finishing it.\n`);
			return applySession(await openSession({...flags, unattended: true}), flags);
		}
	}
	const {opened} = await checkAdd(flags, site, name, vmFlags);
	if (!flags.yes) {
		await preview(await opened(true), 'vm add');
		if (!prompter) {
			process.stdout.write('Nothing changed yet: run the same command with --yes to make these changes.\n');
			return 0;
		}
		const choice = await prompter.select(`Add ${fqdn} now?`, [
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

/**
 * Whether the saved recipe's instance `name` is the one `entry` (from vm add's flags) describes, defaults filled in alike
 * and sizes compared in MiB (1G and 1024M are one size to Ganeti).
 */
function sameInstance(text: string, name: string, entry: Record<string, unknown>): boolean {
	const saved = parseRecipe(text).instances.find(instance => instance.name === name);
	let asFlagged;
	try {
		asFlagged = parseRecipe(addInstanceText(removeInstanceText(text, name), entry)).instances.find(instance => instance.name === name);
	} catch (error) {
		if (error instanceof RecipeError) return false;
		throw error;
	}
	const inMiB = (instance: typeof saved) =>
		instance && {...instance, memory: sizeMiB(instance.memory), disk_size: sizeMiB(instance.disk_size), extra_disks: instance.extra_disks.map(sizeMiB)};
	return saved !== undefined && isDeepStrictEqual(inMiB(saved), inMiB(asFlagged));
}

/**
 * vm remove NAME: with --yes at once; else the plan, then (on a terminal) the
 * name typed to confirm, read from `input` (default stdin).
 */
export async function remove(flags: CommandFlags, name: string, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
	const {current, saved} = await savedSite(flags, 'vm remove');
	const instance = current.inventory.instances.find(entry => entry.name === name || entry.fqdn === name);
	if (!instance) {
		const names = current.inventory.instances.map(entry => entry.name);
		throw new UsageError(`NAME: "${name}" is not a VM of the site (${names.length > 0 ? `its VMs: ${names.join(', ')}` : 'it has none'}); see ganeti-wizard vm list`);
	}
	const text = removeInstanceText(saved.text, instance.name);
	const edited = {recipe: parseRecipe(text, saved.path), origin: saved.path, text, removals: [instance.fqdn]};
	if (!flags.yes) {
		await preview(await openSession({...flags, unattended: true, readOnly: true}, edited), 'vm remove');
		if (!(input as NodeJS.ReadStream).isTTY) {
			process.stdout.write('Nothing changed: run the same command with --yes to remove it.\n');
			return 0;
		}
		const {createInterface} = await import('node:readline/promises');
		const prompt = createInterface({input, output: process.stdout});
		const typed = await prompt.question(`${instance.fqdn} and its disks will be deleted. Type ${instance.name} to remove it (anything else keeps it): `);
		prompt.close();
		if (typed.trim() !== instance.name) {
			// As undo: a removal not confirmed is no success.
			process.stdout.write(`Kept ${instance.fqdn}: nothing changed.\n`);
			return 1;
		}
	}
	return applySession(await openSession({...flags, unattended: true}, edited), flags);
}

/** What an edit changes in the saved site, then the plan; nothing is written. */
export async function preview(session: Session, command: string): Promise<void> {
	const lines = [`What ${command} changes in the saved site:`, ...session.siteChanges.map(line => `  ${line}`), ''];
	// Every node: each serves the site's names and leases, so an edit changes them all.
	const plans = await everyNode(session, {readOnly: true}, async run => planText(await planAll(run.context)));
	for (const plan of plans) lines.push(...(plans.length > 1 ? [`Node ${plan.name} (${plan.where}):`] : []), ...plan.result, '');
	process.stdout.write(`${lines.join('\n')}\n`);
}
