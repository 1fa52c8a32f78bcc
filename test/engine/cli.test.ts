// The built command line: help, version, exit codes, one-line errors for every
// bad recipe of the corpus, the built-in default rehearsal, JSON shapes.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {closeSync, openSync} from 'node:fs';
import {mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {cliPath, runCli, seedRecipe} from '../support/cli.js';

const corpus = fileURLToPath(new URL('../recipes-bad/', import.meta.url));
const bundled = fileURLToPath(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url));
const statuses = ['pending', 'done', 'satisfied', 'failed', 'waiting', 'skipped', 'running', 'unchecked'];
let work: string;

before(async () => {
	work = await mkdtemp(join(tmpdir(), 'gw-cli-'));
});
after(async () => {
	await rm(work, {recursive: true, force: true});
});

test('--help, -h and help print the help, exit 0 and write nothing; --version', async () => {
	const help = await runCli(['--help']);
	assert.equal(help.code, 0);
	assert.match(help.stdout, /Usage\n\s+\$ ganeti-wizard \[command\] \[options\]/);
	assert.match(help.stdout, /Exit codes: 0 done, 1 failed, 2 usage or recipe error, 3 waiting for the operator,\s+4 quit the interactive wizard/);
	const quiet = await mkdtemp(join(tmpdir(), 'gw-help-'));
	try {
		for (const args of [['-h'], ['help'], ['plan', '--help'], ['apply', '-h', '--yes'], ['help', '--recipe', seedRecipe]]) {
			const result = await runCli(args, {cwd: quiet});
			assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
			assert.equal(result.stdout, help.stdout, args.join(' '));
			assert.equal(result.stderr, '', args.join(' '));
		}
		assert.deepEqual(await readdir(quiet), [], 'help writes nothing');
	} finally {
		await rm(quiet, {recursive: true, force: true});
	}
	const version = await runCli(['--version']);
	assert.equal(version.code, 0);
	const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};
	assert.equal(version.stdout.trim(), manifest.version);
});

test('usage errors exit 2 with one line', async () => {
	for (const args of [['frobnicate'], ['apply', '--root', '/', '--yes'], ['plan', 'extra']]) {
		const result = await runCli(args, {cwd: work});
		assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
		assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
		assert.match(result.stderr, /^ganeti-wizard: /);
	}
	const unknownFlag = await runCli(['plan', '--recipie', 'x.yaml']);
	assert.equal(unknownFlag.code, 2);
	assert.equal(unknownFlag.stderr, 'ganeti-wizard: unknown option --recipie; see ganeti-wizard --help\n');
	assert.equal((await runCli(['plan', '-x'])).stderr, 'ganeti-wizard: unknown option -x; see ganeti-wizard --help\n');
	// A flag given twice, a file where a folder goes: one line, before anything is read or written.
	const twice = await runCli(['plan', '--root', join(work, 'a'), '--root', join(work, 'b')]);
	assert.deepEqual([twice.code, twice.stderr], [2, 'ganeti-wizard: The flag --root can only be set once; see ganeti-wizard --help\n']);
	for (const flag of ['--state-dir', '--root']) {
		const file = join(work, `a-file-for${flag}`);
		await writeFile(file, '');
		const run = await runCli(['plan', '--recipe', seedRecipe, '--root', flag === '--root' ? file : join(work, 'r'), '--state-dir', flag === '--state-dir' ? file : join(work, 's')]);
		assert.equal(run.code, 2, run.stderr);
		assert.equal(run.stderr, `ganeti-wizard: ${flag}: "${file}" is a file, not a folder; give a folder (it is made if missing)\n`);
	}
});

test('a flag missing its value is a usage error naming the flag, before anything is written', async () => {
	const quiet = await mkdtemp(join(tmpdir(), 'gw-missing-'));
	try {
		const cases: Array<[string[], string]> = [
			[['plan', '--recipe'], '--recipe'],
			[['plan', '--recipe', '--root', join(quiet, 'r')], '--recipe'],
			[['plan', '--recipe', seedRecipe, '--root'], '--root'],
			[['plan', '--root=', '--recipe', seedRecipe], '--root'],
			[['apply', '--recipe', seedRecipe, '--root', join(quiet, 'r'), '--state-dir', '--yes'], '--state-dir'],
			[['apply', '--recipe', seedRecipe, '--root', join(quiet, 'r'), '--yes', '--confirm'], '--confirm'],
			[['plan', '--detailed-exitcode', '--recipe'], '--recipe'],
		];
		for (const [args, flag] of cases) {
			const result = await runCli(args, {cwd: quiet});
			assert.equal(result.code, args.includes('--detailed-exitcode') ? 1 : 2, `${args.join(' ')}: ${result.stderr}`);
			const lines = result.stderr.trim().split('\n');
			assert.equal(lines.length, 1, result.stderr);
			assert.match(lines[0]!, new RegExp(`^ganeti-wizard: ${flag} needs a value \\(`), args.join(' '));
		}
		assert.deepEqual(await readdir(quiet), [], 'nothing written');
	} finally {
		await rm(quiet, {recursive: true, force: true});
	}
});

test('an on/off flag given a value (--yes=no, --json=no, --version=1) is a usage error naming it, before anything is written', async () => {
	const quiet = await mkdtemp(join(tmpdir(), 'gw-switch-'));
	try {
		const cases: Array<[string[], string]> = [
			[['apply', '--recipe', seedRecipe, '--root', join(quiet, 'r'), '--state-dir', join(quiet, 's'), '--yes=no'], '--yes takes no value (given "no")'],
			[['plan', '--recipe', seedRecipe, '--root', join(quiet, 'r'), '--state-dir', join(quiet, 's'), '--json=no'], '--json takes no value (given "no")'],
			[['--version=1'], '--version takes no value (given "1")'],
			[['undo', '--dry-run=false', '--root', join(quiet, 'r'), '--state-dir', join(quiet, 's')], '--dry-run takes no value (given "false")'],
		];
		for (const [args, start] of cases) {
			const result = await runCli(args, {cwd: quiet});
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.equal(result.stdout, '', args.join(' '));
			const name = start.split(' ')[0]!;
			assert.equal(result.stderr, `ganeti-wizard: ${start}; give ${name} alone to turn it on, or leave it out\n`, args.join(' '));
		}
		assert.deepEqual(await readdir(quiet), [], 'nothing written');
	} finally {
		await rm(quiet, {recursive: true, force: true});
	}
});

test('apply --confirm with an id that is no checkpoint of the plan is one line naming the plan\'s checkpoints, nothing written; a real one is taken', async () => {
	const quiet = await mkdtemp(join(tmpdir(), 'gw-confirm-'));
	try {
		const where = ['--root', join(quiet, 'r'), '--state-dir', join(quiet, 's')];
		const bogus = await runCli(['apply', '--recipe', seedRecipe, ...where, '--yes', '--confirm', 'bogus.id']);
		assert.equal(bogus.code, 2, bogus.stderr);
		assert.equal(bogus.stdout, '');
		assert.equal(bogus.stderr, 'ganeti-wizard: --confirm: "bogus.id" is not a checkpoint of the plan (its checkpoints: instances.rodo1.osm.install); give one of those, as apply printed it\n');
		assert.deepEqual(await readdir(quiet), [], 'nothing written');
		const real = await runCli(['apply', '--recipe', seedRecipe, ...where, '--yes', '--confirm', 'instances.rodo1.osm.install']);
		assert.equal(real.code, 0, real.stderr);
		assert.match(await readFile(join(quiet, 's', 'journal.jsonl'), 'utf8'), /"type":"confirm".*"id":"instances\.rodo1\.osm\.install"/);
	} finally {
		await rm(quiet, {recursive: true, force: true});
	}
});

test('a recipe with several problems lists every one, one line each', async () => {
	// Three fields wrong at once (a tab, which derails the YAML after it, is one problem: see the loader's tests).
	const path = join(work, 'several-problems.yaml');
	const seed = await readFile(seedRecipe, 'utf8');
	await writeFile(path, seed.replace('hostname: gcc20', 'hostname: Gcc_20').replace('zone: farm', 'zone: "Farm!"').replace('vcpus: 1', 'vcpus: 0'));
	const result = await runCli(['plan', '--recipe', path, '--root', join(work, 'unused'), '--state-dir', join(work, 'unused-state')]);
	assert.equal(result.code, 2);
	const lines = result.stderr.trim().split('\n');
	assert.equal(lines.length, 3, result.stderr);
	const fields = ['host.hostname', 'dns.zone', 'instances[0].vcpus'];
	for (const [index, line] of lines.entries()) assert.ok(line.startsWith(`ganeti-wizard: ${path}: ${fields[index]}: `), line);
	assert.equal(new Set(lines).size, lines.length, 'no problem twice');
	assert.doesNotMatch(result.stderr, /more problem/);
});

test('no interactive terminal and no --yes: one line pointing to apply --yes', async () => {
	const result = await runCli([], {cwd: work});
	assert.equal(result.code, 2);
	assert.equal(result.stderr.trim(), 'ganeti-wizard: stdin and stdout are not a terminal, so nobody can answer; run unattended with `ganeti-wizard apply --recipe FILE --yes`');
});

test('every bad recipe of the corpus gets one line per problem through the command, never a stack trace', async () => {
	const files = (await readdir(corpus)).filter(name => name.endsWith('.yaml')).sort();
	assert.ok(files.length >= 30, `the corpus has only ${files.length} recipes`);
	for (const name of files) {
		const path = join(corpus, name);
		const expected = /^# expect(?:-includes)?: (.*)$/m.exec(await readFile(path, 'utf8'))?.[1];
		const result = await runCli(['plan', '--recipe', path, '--root', join(work, 'unused'), '--state-dir', join(work, 'unused-state')]);
		assert.equal(result.code, 2, `${name}: exit ${result.code}: ${result.stderr}`);
		const lines = result.stderr.trim().split('\n');
		for (const line of lines) assert.ok(line.startsWith(`ganeti-wizard: ${path}: `), `${name}: ${line}`);
		assert.doesNotMatch(result.stderr, /\n\s+at /, name);
		if (expected) assert.ok(lines[0]!.includes(expected), `${name}: expected "${expected}", got "${lines[0]}"`);
	}
});

test('with neither recipe nor root: a rehearsal of the bundled seed recipe into ./rehearsal', async () => {
	const cwd = await mkdtemp(join(work, 'default-'));
	const result = await runCli(['apply', '--yes'], {cwd});
	assert.equal(result.code, 0, result.stderr + result.stdout);
	assert.match(result.stdout, /^Rehearsal of the bundled seed recipe under .*rehearsal: files are written there/);
	await stat(join(cwd, 'rehearsal/etc/bind'));
	await stat(join(cwd, 'rehearsal-state/commands.sh'));
	// The end says where the rehearsal's work is and how to do it for real.
	const closing = result.stdout.trim().split('\n').slice(-3);
	assert.match(closing[0]!, /^All steps are done\. \d+ changes made/);
	assert.equal(closing[1], `Rehearsal: the files are under ${join(cwd, 'rehearsal')}; the commands a real run would execute are in ${join(cwd, 'rehearsal-state', 'commands.sh')}.`);
	assert.equal(closing[2], `To do it for real, as root on this host: ganeti-wizard apply --recipe ${bundled} --root / --yes`);
});

test('plan --json and status --json have the documented shape', async () => {
	const root = join(work, 'json-root');
	const state = join(work, 'json-state');
	const plan = await runCli(['plan', '--recipe', seedRecipe, '--root', root, '--state-dir', state, '--json']);
	assert.equal(plan.code, 0, plan.stderr);
	const planned = JSON.parse(plan.stdout) as {steps: Array<{id: string; title: string; status: string; actions: Array<Record<string, unknown>>}>};
	assert.ok(planned.steps.length >= 6);
	for (const step of planned.steps) {
		assert.ok(step.id && step.title && statuses.includes(step.status));
		for (const action of step.actions) {
			assert.ok(['file', 'command', 'service', 'checkpoint'].includes(action['kind'] as string));
			assert.ok(statuses.includes(action['status'] as string));
			if (action['kind'] === 'file') assert.match(action['path'] as string, /^\//);
			// A check is listed by its title; its program stays in the transcript.
			if (action['kind'] === 'command') assert.equal(Array.isArray(action['argv']), action['check'] !== true);
			assert.equal(action['change'], action['check'] !== true, `${action['id']}: every pending action that is not a check is a change`);
		}
	}
	assert.ok(planned.steps.every(step => step.actions.every(action => action['status'] === 'pending')));

	const applied = await runCli(['apply', '--recipe', seedRecipe, '--root', root, '--state-dir', state, '--yes']);
	assert.equal(applied.code, 0, applied.stderr + applied.stdout);
	const status = await runCli(['status', '--recipe', seedRecipe, '--root', root, '--state-dir', state, '--json']);
	const recorded = JSON.parse(status.stdout) as typeof planned;
	assert.deepEqual(recorded.steps.map(step => step.id), planned.steps.map(step => step.id));
	// Nothing claims more than happened: checks a rehearsal cannot run are unchecked, the operator's install is not done.
	for (const action of recorded.steps.flatMap(step => step.actions)) {
		const expected = action['check'] === true ? ['unchecked', 'satisfied'] : action['kind'] === 'checkpoint' ? ['unchecked'] : ['done', 'satisfied'];
		assert.ok(expected.includes(action['status'] as string), `${action['id']}: ${action['status']}`);
	}
	for (const name of ['site.json', 'journal.jsonl']) assert.equal((await stat(join(state, name))).mode & 0o777, 0o600, name);
});

test("the built CLI carries React's production build only (the development one checks and warns on every render)", async () => {
	const chunks = join(dirname(cliPath), 'chunks');
	const bundle = (await Promise.all([cliPath, ...(await readdir(chunks)).filter(name => name.endsWith('.js')).map(name => join(chunks, name))].map(path => readFile(path, 'utf8')))).join('\n');
	assert.match(bundle, /__REACT_DEVTOOLS_GLOBAL_HOOK__/, 'React is in the bundle');
	assert.doesNotMatch(bundle, /react-reconciler\.development|This is a bug in React/);
});

/** Runs the built CLI with stdout the given descriptor, or a pipe its reader closes after the first chunk. */
function runWithBrokenStdout(args: string[], stdout: number | 'closed-pipe'): Promise<{code: number | null; stderr: string}> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', stdout === 'closed-pipe' ? 'pipe' : stdout, 'pipe']});
		// `| head -1`: the reader takes one chunk and goes away.
		child.stdout?.once('data', () => child.stdout!.destroy());
		let stderr = '';
		child.stderr!.on('data', chunk => (stderr += chunk));
		child.on('error', reject);
		child.on('close', code => resolve({code, stderr}));
	});
}

test('stdout closed or full: a read-only command ends quietly (EPIPE) or fails in one line; apply never reports success and stays resumable', async () => {
	const root = join(work, 'broken-stdout', 'root');
	const state = join(work, 'broken-stdout', 'state');
	const site = ['--root', root, '--state-dir', state];
	const full = openSync('/dev/full', 'w');
	try {
		const noSpace = await runWithBrokenStdout(['plan', '--recipe', seedRecipe, ...site], full);
		assert.deepEqual([noSpace.code, noSpace.stderr], [1, 'ganeti-wizard: cannot write to standard output (ENOSPC: no space left on device, write)\n']);
		const applyNoSpace = await runWithBrokenStdout(['apply', '--recipe', seedRecipe, ...site, '--yes'], full);
		assert.equal(applyNoSpace.code, 1, applyNoSpace.stderr);
		assert.match(applyNoSpace.stderr, /^ganeti-wizard: cannot write to standard output \(ENOSPC[^\n]*\); stopped before the end: "ganeti-wizard status" shows what is done, the same command again goes on\n$/);
	} finally {
		closeSync(full);
	}
	const piped = await runWithBrokenStdout(['apply', '--recipe', seedRecipe, ...site, '--yes'], 'closed-pipe');
	assert.equal(piped.code, 1, piped.stderr);
	assert.match(piped.stderr, /^ganeti-wizard: cannot write to standard output \(its reader closed it\); stopped before the end/);
	assert.equal(piped.stderr.split('\n').length, 2, piped.stderr);
	const status = await runWithBrokenStdout(['status', ...site], 'closed-pipe');
	assert.deepEqual([status.code, status.stderr], [0, '']);
	// What the stopped runs left is resumable: the same command finishes the site.
	const resumed = await runCli(['apply', ...site, '--yes']);
	assert.equal(resumed.code, 0, resumed.stderr);
	const progress = JSON.parse((await runCli(['status', '--json', ...site])).stdout) as {steps: Array<{id: string; status: string}>};
	assert.deepEqual(progress.steps.filter(step => !['done', 'satisfied', 'unchecked'].includes(step.status)), []);
});
