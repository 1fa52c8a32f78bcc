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
	  --help, --version

	A state directory holds one site. The first apply --recipe FILE imports it;
	after that every command works on the saved site without --recipe. With no
	recipe, no root and no saved site, the bundled seed recipe (gcc-compile-farm)
	is rehearsed into ./rehearsal. As root, --recipe alone acts on this host, and
	with nothing given the site saved in /var/lib/ganeti-wizard is used.
	plan, status, changes, undo --dry-run and --help never write anything.

	Exit codes: 0 done, 1 failed, 2 usage or recipe error, 3 waiting for the operator,
	4 undone but files someone changed after the wizard were kept.
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
			dryRun: {type: 'boolean', default: false},
			purgePackages: {type: 'boolean', default: false},
		},
		allowUnknownFlags: false,
		// meow's own exit on unknown flags uses 2, like our usage errors.
		autoHelp: true,
		autoVersion: true,
	},
);

async function main(): Promise<number> {
	const [command, ...rest] = cli.input;
	if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"; see ganeti-wizard --help`);
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
		case 'changes':
			return (await import('./commands/changes.js')).changes(flags);
		case 'undo':
			return (await import('./commands/undo.js')).undo({...flags, dryRun: cli.flags.dryRun, purgePackages: cli.flags.purgePackages});
		case undefined:
			return (await import('./commands/interactive.js')).interactive(flags);
		default:
			throw new UsageError(`unknown command "${command}"; use plan, apply, status, changes or undo (see ganeti-wizard --help)`);
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
