#!/usr/bin/env node
// The command line: flags in, one of plan / apply / status / the interactive
// wizard out. Exit codes: 0 done, 1 failed, 2 usage or recipe error,
// 3 stopped at a checkpoint that waits for the operator, 4 the operator quit
// the interactive wizard to resume later.
import meow from 'meow';
import {RecipeError, UsageError} from './errors.js';

/** Every flag the command line takes (meow's definitions); -h is help's short flag. */
const flagDefinitions = {
	recipe: {type: 'string'},
	root: {type: 'string'},
	stateDir: {type: 'string'},
	yes: {type: 'boolean', default: false},
	confirm: {type: 'string', isMultiple: true},
	json: {type: 'boolean', default: false},
	plain: {type: 'boolean', default: false},
	detailedExitcode: {type: 'boolean', default: false},
	help: {type: 'boolean', shortFlag: 'h', default: false},
	version: {type: 'boolean', default: false},
	dryRun: {type: 'boolean', default: false},
	purgePackages: {type: 'boolean', default: false},
	memory: {type: 'string'},
	vcpus: {type: 'string'},
	disk: {type: 'string'},
	diskTemplate: {type: 'string'},
	iso: {type: 'string'},
	os: {type: 'string'},
	extraDisk: {type: 'string', isMultiple: true},
	address: {type: 'string'},
	mac: {type: 'string'},
	publicAddress: {type: 'string'},
	privateAddress: {type: 'string'},
	publicInterface: {type: 'string'},
	role: {type: 'string'},
	node: {type: 'string'},
	shutdownTimeout: {type: 'string'},
} as const;

const cli = readCommandLine();

/** meow's parse of the command line; what it refuses (a flag given twice) is one usage line, exit 2. */
function readCommandLine() {
	try {
		return meow(
			`
			Usage
			  $ ganeti-wizard [command] [options]

			Commands
			  (none)    the interactive wizard (a full-screen TUI; --plain for line prompts)
			  plan      list every change, step by step, and what is already in place
			  apply     make the changes; with --yes, unattended
			  status    show saved progress
			  help      this text (also --help, -h)
			  vm list   the site's VMs: address, MAC, Ganeti's state, whether DNS and DHCP agree
			  vm add NAME  add a VM to the saved site and apply it (on a terminal: asks what the
			            flags leave out, then the plan to apply; --yes: at once; no terminal: a preview)
			  vm remove NAME  remove a VM (gnt-instance remove), then its DNS and DHCP entries
			            (--yes, or type its name)
			  vm migrate NAME   live-migrate a VM to another node (--node NAME with more than two)
			  vm failover NAME  stop a VM and start it on another node (--shutdown-timeout SECONDS)
			  node add NAME     prepare another host over SSH and join it to the cluster
			            (--private-address IP, --public-address IP unless NAME resolves; --yes)
			  node remove NAME  move a node's VMs away and remove it from the cluster (--yes)
			  doctor    every drift between Ganeti, the zones and dhcpd's entries, with its fix
			            (exit 0 none, 1 drift)
			  recipe    print the saved site's recipe (as vm add and vm remove left it)
			  changes   everything the wizard changed here, files as diffs (--json)
			  undo      reverse those changes, newest first; asks unless --yes
			            (--dry-run shows the plan; --purge-packages also removes the
			            packages it installed)

			Options
			  --recipe FILE     the site recipe (YAML)
			  --root DIR        rehearse under DIR: files are written there, commands only
			                    recorded; "--root /" acts on this host for real
			  --state-dir DIR   saved progress, transcript and backups
			                    (default /var/lib/ganeti-wizard for real runs, DIR-state for rehearsals)
			  --yes             unattended: ask nothing, stop at checkpoints
			  --confirm ID      the operator finished checkpoint ID (repeatable)
			  --json            plan/status as JSON
			  --detailed-exitcode  plan: exit 0 with no changes, 2 with changes pending
			  --plain           line-mode prompts (serial consoles, screen readers, TERM=dumb)
			  --dry-run         undo: show what it would reverse, change nothing
			  --purge-packages  undo: also remove the packages the wizard installed
			  vm add: --iso PATH or --os NAME+VARIANT, --memory 512M, --vcpus 1, --disk 10G,
			          --disk-template T, --extra-disk SIZE (repeatable), --address IP, --mac MAC
			  node add: --private-address IP, --public-address IP, --public-interface IF,
			          --role candidate|regular
			  --node NAME       vm migrate/failover: the target node; undo, changes, doctor: only
			                    that node (undo --node also takes it out of the cluster)
			  --help, -h, --version

			A state directory holds one site. The first apply --recipe FILE imports it;
			after that every command works on the saved site without --recipe. With no
			recipe, no root and no saved site, the bundled seed recipe (gcc-compile-farm)
			is rehearsed into ./rehearsal. As root, --recipe alone acts on this host, and
			with nothing given the site saved in /var/lib/ganeti-wizard is used.
			plan, status, changes, undo --dry-run, vm list, doctor, recipe and help never write anything.

			Exit codes: 0 done, 1 failed, 2 usage or recipe error, 3 waiting for the operator,
			4 quit the interactive wizard (q or Ctrl-C) to resume later,
			5 undone, but files someone changed after the wizard were kept.
		`,
			{
				importMeta: import.meta,
				flags: flagDefinitions,
				// Unknown flags, help and version are ours to report: one line, and
				// help anywhere on the line (meow only sees a lone --help).
				allowUnknownFlags: true,
				autoHelp: false,
				autoVersion: false,
			},
		);
	} catch (error) {
		// meow names a flag as it is defined (--stateDir): say it as it is typed (--state-dir).
		const message = String((error as Error).message ?? error).replace(/--([a-z]+[A-Z][A-Za-z]*)/g, (_, name: string) => `--${name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)}`);
		process.stderr.write(`ganeti-wizard: ${message.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')}; see ganeti-wizard --help\n`);
		process.exit(2);
	}
}

/** The flags that take a value, and what that value is. */
const valuedFlags: Record<string, string> = {
	'--recipe': 'a YAML file',
	'--root': 'a folder, or / for this host',
	'--state-dir': 'a folder',
	'--confirm': 'a checkpoint id, as apply printed it',
	'--memory': 'a size, e.g. 512M',
	'--vcpus': 'a count, e.g. 1',
	'--disk': 'a size, e.g. 10G',
	'--disk-template': 'a disk template, e.g. plain',
	'--iso': 'an ISO file',
	'--os': 'an OS definition, e.g. debootstrap+default',
	'--extra-disk': 'a size, e.g. 500G',
	'--address': 'an IPv4 address in the VM subnet',
	'--mac': 'a MAC address',
	'--public-address': "an IPv4 address root's SSH reaches the node at",
	'--private-address': 'an IPv4 address in the nodes subnet',
	'--public-interface': 'an interface name, e.g. eth0',
	'--role': 'candidate or regular',
	'--node': 'a node name of the site',
	'--shutdown-timeout': 'a number of seconds, e.g. 0',
};
const knownFlags = new Set([...Object.keys(flagDefinitions), 'h']);

/**
 * The first usage problem of the raw arguments: a flag nobody knows, or a
 * valued flag with no value (last on the line, followed by another flag, or
 * `--flag=`). The parser would take the value as empty, which resolves to the
 * current folder (or, from /, to this host).
 */
function usageProblem(argv: string[], parsedFlags: Record<string, unknown>): string | undefined {
	const unknown = Object.keys(parsedFlags).find(key => !knownFlags.has(key));
	if (unknown) {
		const name = unknown.length === 1 ? `-${unknown}` : `--${unknown.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)}`;
		return `unknown option ${name}; see ganeti-wizard --help`;
	}
	const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
	for (let index = 0; index < end; index++) {
		const [name, value] = argv[index]!.split(/=(.*)/s, 2) as [string, string | undefined];
		const what = valuedFlags[name];
		if (what === undefined) continue;
		const given = argv[index]!.includes('=') ? value : index + 1 < end && !/^-(?!\d)/.test(argv[index + 1]!) ? argv[index + 1] : undefined;
		if (given === undefined || given.trim() === '') return `${name} needs a value (${what}); see ganeti-wizard --help`;
	}
	// Spellings the scan above does not see (--stateDir=).
	for (const [key, name] of [['recipe', '--recipe'], ['root', '--root'], ['stateDir', '--state-dir']] as const) {
		const value = parsedFlags[key];
		if (typeof value === 'string' && value.trim() === '') return `${name} needs a value (${valuedFlags[name]}); see ganeti-wizard --help`;
	}
	return undefined;
}

/**
 * The flags only some commands take, by command (and vm's subcommand): given
 * to another, they would be ignored without a word (a --dry-run that does not
 * hold a change back is worse than none).
 */
const ownFlags: Record<string, string[]> = {
	'--dry-run': ['undo'],
	'--purge-packages': ['undo'],
	'--node': ['undo', 'changes', 'doctor', 'vm migrate', 'vm failover'],
	'--shutdown-timeout': ['vm failover'],
	'--public-address': ['node add'],
	'--private-address': ['node add'],
	'--public-interface': ['node add'],
	'--role': ['node add'],
	'--memory': ['vm add'],
	'--vcpus': ['vm add'],
	'--disk': ['vm add'],
	'--disk-template': ['vm add'],
	'--iso': ['vm add'],
	'--os': ['vm add'],
	'--extra-disk': ['vm add'],
	'--address': ['vm add'],
	'--mac': ['vm add'],
};

/** The first flag given to a command that does not take it, as one usage line. */
function foreignFlag(command: string | undefined, subcommand: string | undefined, argv: string[]): string | undefined {
	const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
	const where = command === 'vm' || command === 'node' ? `${command} ${subcommand ?? ''}`.trim() : (command ?? '');
	for (const token of argv.slice(0, end)) {
		const name = token.split('=')[0]!;
		const takers = ownFlags[name];
		if (takers && !takers.includes(where)) return `${name} is not an option of ${where ? `ganeti-wizard ${where}` : 'the wizard'} (only of ${takers.map(taker => `ganeti-wizard ${taker}`).join(', ')}); see ganeti-wizard --help`;
	}
	return undefined;
}

/** The on/off flags as typed (--yes, --dry-run, -h): they take no value. */
const switchFlags = new Set(
	Object.entries(flagDefinitions).flatMap(([key, definition]) =>
		definition.type === 'boolean' ? [`--${key.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)}`, ...('shortFlag' in definition ? [`-${definition.shortFlag}`] : [])] : [],
	),
);

/**
 * An on/off flag given a value (--yes=no, --version=1): the parser would read
 * the value its own way or drop it, so the flag would not say what was meant.
 */
function switchWithValue(argv: string[]): string | undefined {
	const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
	for (const token of argv.slice(0, end)) {
		const [name, value] = token.split(/=(.*)/s, 2) as [string, string | undefined];
		if (value !== undefined && switchFlags.has(name)) return `${name} takes no value (given ${JSON.stringify(value)}); give ${name} alone to turn it on, or leave it out`;
	}
	return undefined;
}

/** The flags given, without those left out (a command tells "not given" from a value). */
function definedOnly<T extends Record<string, unknown>>(flags: T): {[K in keyof T]?: Exclude<T[K], undefined>} {
	return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as {[K in keyof T]?: Exclude<T[K], undefined>};
}

async function main(): Promise<number> {
	const [command, ...rest] = cli.input;
	const switched = switchWithValue(process.argv.slice(2));
	if (switched) throw new UsageError(switched);
	if (cli.flags.help || command === 'help') {
		process.stdout.write(`${cli.help}\n`);
		return 0;
	}
	if (cli.flags.version) {
		process.stdout.write(`${cli.pkg.version}\n`);
		return 0;
	}
	const problem = usageProblem(process.argv.slice(2), cli.unnormalizedFlags);
	if (problem) throw new UsageError(problem);
	const foreign = foreignFlag(command, rest[0], process.argv.slice(2));
	if (foreign) throw new UsageError(foreign);
	// vm and node take a subcommand and a name; no other command takes an argument.
	if (rest.length > 0 && command !== 'vm' && command !== 'node') throw new UsageError(`unexpected argument "${rest[0]}"; see ganeti-wizard --help`);
	const flags = {
		...(cli.flags.recipe !== undefined ? {recipe: cli.flags.recipe} : {}),
		...(cli.flags.root !== undefined ? {root: cli.flags.root} : {}),
		...(cli.flags.stateDir !== undefined ? {stateDir: cli.flags.stateDir} : {}),
		yes: cli.flags.yes,
		confirm: cli.flags.confirm ?? [],
		json: cli.flags.json,
		plain: cli.flags.plain,
		detailedExitcode: cli.flags.detailedExitcode,
	};
	switch (command) {
		case 'plan':
			return (await import('./commands/plan.js')).plan(flags);
		case 'apply':
			return (await import('./commands/apply.js')).apply(flags);
		case 'status':
			return (await import('./commands/status.js')).status(flags);
		case 'changes':
			return (await import('./commands/changes.js')).changes({...flags, ...definedOnly({node: cli.flags.node})});
		case 'undo':
			return (await import('./commands/undo.js')).undo({...flags, dryRun: cli.flags.dryRun, purgePackages: cli.flags.purgePackages, ...definedOnly({node: cli.flags.node})});
		case 'vm': {
			const {memory, vcpus, disk, diskTemplate, iso, os, extraDisk, address, mac, node, shutdownTimeout} = cli.flags;
			const vmFlags = definedOnly({memory, vcpus, disk, diskTemplate, iso, os, extraDisk, address, mac, node, shutdownTimeout});
			return (await import('./commands/vm.js')).vm(flags, rest, vmFlags);
		}
		case 'node': {
			const {publicAddress, privateAddress, publicInterface, role} = cli.flags;
			return (await import('./commands/node.js')).node(flags, rest, definedOnly({publicAddress, privateAddress, publicInterface, role}));
		}
		case 'doctor':
			return (await import('./commands/doctor.js')).doctor({...flags, ...definedOnly({node: cli.flags.node})});
		case 'recipe':
			return (await import('./commands/recipe.js')).recipe(flags);
		case undefined:
			return (await import('./commands/interactive.js')).interactive(flags);
		default:
			throw new UsageError(`unknown command "${command}"; use plan, apply, status, vm, node, doctor, changes, undo, recipe or help (see ganeti-wizard --help)`);
	}
}

/** Whether the command line only reads: plan, status, changes, doctor, recipe, vm list, undo --dry-run, help. */
function readOnlyCommand(): boolean {
	const [command, subcommand] = cli.input;
	if (cli.flags.help || cli.flags.version || command === 'help') return true;
	if (command === 'undo') return cli.flags.dryRun;
	if (command === 'vm') return subcommand === 'list' || subcommand === undefined;
	return ['plan', 'status', 'changes', 'doctor', 'recipe'].includes(command ?? '');
}

// Standard output that can no longer be written (a reader that stopped early,
// `| head`; a full disk, /dev/full; an I/O error) ends the run at once, one
// line on stderr and no stack trace. A reader leaving a read-only command is
// no failure: exit as if done. A command that changes things stopped before
// its end: exit 1, never success; the journal is written ahead of every
// change, so the next run resumes where this one stopped, as after a kill.
process.stdout.on('error', error => {
	const code = (error as NodeJS.ErrnoException).code ?? 'error';
	const readOnly = readOnlyCommand();
	if (code === 'EPIPE' && readOnly) process.exit(process.exitCode ?? 0);
	const why = code === 'EPIPE' ? 'its reader closed it' : (error as Error).message.replace(/\s*[\r\n]+\s*/g, ' ');
	const then = readOnly ? '' : `; stopped before the end: "ganeti-wizard status" shows what is done, the same command again goes on`;
	try {
		process.stderr.write(`ganeti-wizard: cannot write to standard output (${why})${then}\n`);
	} catch {
		// stderr gone too: the exit code still tells.
	}
	process.exit(1);
});

try {
	process.exitCode = await main();
} catch (error) {
	if (error instanceof UsageError || error instanceof RecipeError) {
		// A recipe's problems come one line each, every one of them.
		for (const line of error.message.split('\n')) process.stderr.write(`ganeti-wizard: ${line}\n`);
		// plan --detailed-exitcode keeps 2 for "changes pending": any error is 1 there.
		process.exitCode = cli.flags.detailedExitcode ? 1 : 2;
	} else {
		process.stderr.write(`ganeti-wizard: ${(error as Error).message ?? String(error)}\n`);
		if (process.env['GANETI_WIZARD_DEBUG']) process.stderr.write(`${(error as Error).stack}\n`);
		process.exitCode = 1;
	}
}
