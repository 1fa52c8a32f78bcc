// Plain mode with real inquirer prompts on a stream (as on a serial console)
// and the real runner: the same questions and checks as the TUI, progress as
// one line per status change without escape codes, failures and checkpoints
// as prompts.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {PassThrough} from 'node:stream';
import {test} from 'node:test';
import {nothingDetected} from '../../source/host/detect.js';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {buildInventory} from '../../source/inventory/inventory.js';
import {systemRandomBytes} from '../../source/inventory/mac.js';
import {loadRecipeFile} from '../../source/recipe/load.js';
import {Progress} from '../../source/runner/progress.js';
import {journalView, runPlan, type RunContext} from '../../source/runner/run.js';
import type {StepDefinition} from '../../source/steps/step.js';
import type {WizardOptions} from '../../source/ui/contract.js';
import {startPlain} from '../../source/ui/plain.js';
import {keys, tick} from './support/ink.js';

const {recipe} = await loadRecipeFile('recipes/gcc-compile-farm.yaml');

/** A console: what the wizard printed so far, and keys to send once a text shows up. */
function console() {
	const input = new PassThrough();
	const output = new PassThrough();
	let text = '';
	output.on('data', chunk => (text += chunk.toString()));
	let seen = 0;
	return {
		input,
		output,
		text: () => text,
		/** Waits for `expected` after what earlier waits consumed, then sends the keys one by one. */
		async answer(expected: string, ...sequence: string[]) {
			const started = Date.now();
			for (;;) {
				const at = text.indexOf(expected, seen);
				if (at !== -1) {
					seen = at + expected.length;
					break;
				}
				if (Date.now() - started > 10_000) assert.fail(`timed out waiting for ${expected}; output so far:\n${text.slice(-1500)}`);
				await tick(10);
			}
			for (const key of sequence) {
				await tick(20);
				input.write(key);
			}
		},
	};
}

function scratchSite() {
	const directory = mkdtempSync(join(tmpdir(), 'wizard-plain-'));
	const stateDir = join(directory, 'state');
	const config = join(directory, 'site.conf');
	const flag = join(directory, 'cause-fixed');
	writeFileSync(config, 'listen 127.0.0.1\n');
	const steps: StepDefinition[] = [
		{id: 'config', title: 'Site configuration', requires: [], plan: () => [{kind: 'file', id: 'config.site', title: `write ${config}`, path: config, content: 'listen 10.10.0.20\n', mode: 0o644}]},
		{
			id: 'work',
			title: 'Long job',
			requires: ['config'],
			plan: () => [{kind: 'command', id: 'work.count', title: 'count to 500', argv: ['sh', '-c', 'seq 1 500; if [ -e "$0" ]; then echo finished; else echo "cause: $0 is missing" >&2; exit 3; fi', flag], idempotent: true}],
		},
		{
			id: 'install',
			title: 'OS install',
			requires: ['work'],
			plan: () => [{kind: 'checkpoint', id: 'install.vm1', title: 'install the OS of vm1 over VNC', instructions: 'Run the installer on the console.', details: [{label: 'VNC address', value: '10.10.0.20'}, {label: 'VNC port', value: '11000'}]}],
		},
	];
	const progress = new Progress(stateDir);
	const host = localHost({root: '/', stateDir, transcript: new Transcript(join(stateDir, 'transcript.log'))});
	const context: RunContext = {host, progress, inventory: buildInventory(recipe, progress.generated, systemRandomBytes).inventory, steps};
	return {config, flag, context, cleanup: () => rmSync(directory, {recursive: true, force: true})};
}

/** The wizard's options on a site with saved progress, acting for real through `run`. */
async function resumeOptions(context: RunContext, run: WizardOptions['run']): Promise<WizardOptions> {
	return {mode: 'real', root: '/', recipe, progress: {recipe, steps: await journalView(context)}, detect: async () => nothingDetected, run, saveRecipe: async () => {}};
}

test('plain: undo and the changes are offered with the saved progress, and handed to their commands', async () => {
	for (const [downs, wanted] of [[3, 'changes'], [4, 'undo']] as const) {
		const site = scratchSite();
		try {
			const terminal = console();
			const options = await resumeOptions(site.context, () => assert.fail('nothing runs when the operator chose to look back'));
			const finished = startPlain(options, {input: terminal.input, output: terminal.output});
			await terminal.answer('What now?', ...Array.from({length: downs}, () => keys.down), keys.enter);
			const exit = await finished;
			assert.equal(exit.then, wanted);
			assert.equal(exit.outcome, 'quit');
		} finally {
			site.cleanup();
		}
	}
});

test('plain: continue from saved progress; plan with a diff, failure and retry, checkpoint, as lines and prompts', async () => {
	const site = scratchSite();
	try {
		const terminal = console();
		const options = await resumeOptions(site.context, (_recipe, io) => runPlan(site.context, io.onEvent, io.decisions));
		const finished = startPlain(options, {input: terminal.input, output: terminal.output});
		await terminal.answer('What now?', keys.enter);
		await terminal.answer('Apply "Site configuration"?', keys.enter);
		await terminal.answer('Apply "Long job"?', keys.enter);
		// The failure, then a retry once the cause is fixed.
		await terminal.answer('cause: ');
		writeFileSync(site.flag, '');
		await terminal.answer('What now?', keys.enter);
		await terminal.answer('Apply "OS install"?', keys.enter);
		await terminal.answer('Has the install finished?', keys.enter);
		const exit = await finished;
		assert.equal(exit.outcome, 'done');
		const text = terminal.text();
		const ours = text.split('\n').filter(line => /^(step |  [·▸✓=✗…-] |Plan:|Failed:|  \||  exit code|ssh |    [-+@])/.test(line));
		assert.ok(ours.length > 10);
		for (const line of ours) assert.ok(!line.includes('\u001B'), `no escape codes on a line that is not a prompt: ${JSON.stringify(line)}`);
		assert.match(text, /Plan: Site configuration\n✗?.*write .*site\.conf/);
		assert.match(text, /\n {4}-listen 127\.0\.0\.1\n {4}\+listen 10\.10\.0\.20\n/);
		assert.match(text, /step config: ▸ running\n {2}▸ running write .*site\.conf\n {2}✓ done write .*site\.conf\nstep config: ✓ done/);
		assert.match(text, /Failed: count to 500\n {2}command: sh -c .*\n {2}exit code: 3; sh exited with code 3\n(?: {2}\| .*\n)* {2}\| cause: .*cause-fixed is missing/);
		assert.match(text, /Your turn: install the OS of vm1 over VNC\n/);
		assert.match(text, /\nssh -N -L 5900:10\.10\.0\.20:11000 root@198\.51\.100\.20\n/);
		// The closing lines are the caller's to print, once (after the TUI too).
		assert.match(exit.message.join('\n'), /Every step is done\./);
		assert.doesNotMatch(text, /Every step is done/);
		assert.equal(readFileSync(site.config, 'utf8'), 'listen 10.10.0.20\n');
	} finally {
		site.cleanup();
	}
});

test('plain: each answer is checked with the recipe rules; Ctrl-C quits keeping what was answered', async () => {
	const terminal = console();
	const kept: Array<{host?: {hostname?: string}}> = [];
	const options: WizardOptions = {
		mode: 'rehearsal',
		root: '/tmp/rehearsal',
		recipe: null,
		progress: null,
		detect: async () => ({...nothingDetected, hostname: 'node7'}),
		run: async () => assert.fail('nothing runs'),
		saveRecipe: async () => {},
		keepAnswers: answers => kept.push(answers as never),
	};
	const finished = startPlain(options, {input: terminal.input, output: terminal.output});
	await terminal.answer('Host name', ...'Bad_Name', keys.enter);
	await terminal.answer('host.hostname: "Bad_Name" is not a single DNS label');
	await terminal.answer('Host name', ...Array.from({length: 8}, () => keys.backspace), ...'gcc20', keys.enter);
	await terminal.answer('Public interface', keys.ctrlC);
	const exit = await finished;
	assert.equal(exit.outcome, 'quit');
	assert.equal(kept.at(-1)?.host?.hostname, 'gcc20');
});
