#!/usr/bin/env node
// The command line: flags in, one of plan / apply / status / the interactive
// wizard out. Exit codes: 0 done, 1 failed, 2 usage or recipe error,
// 3 stopped at a checkpoint that waits for the operator.
import meow from 'meow';
import {RecipeError, UsageError} from './errors.js';

const cli = meow(
	`
	Usage
	  $ ganeti-wizard [command] [options]

	Commands
	  (none)    the interactive wizard (a full-screen TUI; --plain for line prompts)
	  plan      list every change, step by step, and what is already in place
	  apply     make the changes; with --yes, unattended
	  status    show saved progress
	  vm list   the site's VMs: address, MAC, Ganeti's state, whether DNS and DHCP agree
	  vm add NAME  add a VM to the saved site and apply it (--yes; without it: a preview)
	  vm remove NAME  remove a VM (gnt-instance remove), then its DNS and DHCP entries
	            (--yes, or type its name)
	  doctor    every drift between Ganeti, the zones and dhcpd.conf, with its fix
	            (exit 0 none, 1 drift)

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
	  vm add: --iso PATH or --os NAME+VARIANT, --memory 512M, --vcpus 1, --disk 10G,
	          --disk-template T, --extra-disk SIZE (repeatable), --address IP, --mac MAC
	  --help, --version

	A state directory holds one site. The first apply --recipe FILE imports it;
	after that every command works on the saved site without --recipe. With no
	recipe, no root and no saved site, the bundled seed recipe (gcc-compile-farm)
	is rehearsed into ./rehearsal. As root, --recipe alone acts on this host, and
	with nothing given the site saved in /var/lib/ganeti-wizard is used.
	plan, status, vm list, doctor and --help never write anything.

	Exit codes: 0 done, 1 failed, 2 usage or recipe error, 3 waiting for the operator.
`,
	{
		importMeta: import.meta,
		flags: {
			recipe: {type: 'string'},
			root: {type: 'string'},
			stateDir: {type: 'string'},
			yes: {type: 'boolean', default: false},
			confirm: {type: 'string', isMultiple: true},
			json: {type: 'boolean', default: false},
			plain: {type: 'boolean', default: false},
			detailedExitcode: {type: 'boolean', default: false},
			memory: {type: 'string'},
			vcpus: {type: 'string'},
			disk: {type: 'string'},
			diskTemplate: {type: 'string'},
			iso: {type: 'string'},
			os: {type: 'string'},
			extraDisk: {type: 'string', isMultiple: true},
			address: {type: 'string'},
			mac: {type: 'string'},
		},
		allowUnknownFlags: false,
		// meow's own exit on unknown flags uses 2, like our usage errors.
		autoHelp: true,
		autoVersion: true,
	},
);

async function main(): Promise<number> {
	const [command, ...rest] = cli.input;
	if (rest.length > 0 && command !== 'vm') throw new UsageError(`unexpected argument "${rest[0]}"; see ganeti-wizard --help`);
	// An empty value would resolve to the current folder (or, from /, to this host).
	const valued: Array<[string, string | undefined, string]> = [
		['--recipe', cli.flags.recipe, 'a YAML file'],
		['--root', cli.flags.root, 'a folder, or / for this host'],
		['--state-dir', cli.flags.stateDir, 'a folder'],
	];
	for (const [name, value, what] of valued) {
		if (value !== undefined && value.trim() === '') throw new UsageError(`${name} needs a value (${what}); see ganeti-wizard --help`);
	}
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
		case 'vm': {
			const {memory, vcpus, disk, diskTemplate, iso, os, extraDisk, address, mac} = cli.flags;
			const vmFlags = Object.fromEntries(Object.entries({memory, vcpus, disk, diskTemplate, iso, os, extraDisk, address, mac}).filter(([, value]) => value !== undefined));
			return (await import('./commands/vm.js')).vm(flags, rest, vmFlags);
		}
		case 'doctor':
			return (await import('./commands/doctor.js')).doctor(flags);
		case undefined:
			return (await import('./commands/interactive.js')).interactive(flags);
		default:
			throw new UsageError(`unknown command "${command}"; use plan, apply, status, vm or doctor (see ganeti-wizard --help)`);
	}
}

try {
	process.exitCode = await main();
} catch (error) {
	if (error instanceof UsageError || error instanceof RecipeError) {
		process.stderr.write(`ganeti-wizard: ${error.message}\n`);
		// plan --detailed-exitcode keeps 2 for "changes pending": any error is 1 there.
		process.exitCode = cli.flags.detailedExitcode ? 1 : 2;
	} else {
		process.stderr.write(`ganeti-wizard: ${(error as Error).message ?? String(error)}\n`);
		if (process.env['GANETI_WIZARD_DEBUG']) process.stderr.write(`${(error as Error).stack}\n`);
		process.exitCode = 1;
	}
}
