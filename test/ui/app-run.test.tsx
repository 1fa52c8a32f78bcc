// The whole wizard on the real runner and host adapter: resume screen, plan
// preview with a diff of a real file, a real command's output streaming into
// the pane, its failure and a retry after the cause is fixed, a checkpoint the
// operator leaves and comes back to. Steps here are small and harmless: they
// write into a scratch folder and run sh.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import {App} from '../../source/app.js';
import {nothingDetected} from '../../source/host/detect.js';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {buildInventory} from '../../source/inventory/inventory.js';
import {systemRandomBytes} from '../../source/inventory/mac.js';
import {loadRecipeFile} from '../../source/recipe/load.js';
import {Progress} from '../../source/runner/progress.js';
import {readJournal} from '../../source/site/journal.js';
import {journalView, runPlan, type RunContext} from '../../source/runner/run.js';
import type {StepDefinition} from '../../source/steps/step.js';
import type {WizardExit, WizardOptions} from '../../source/ui/contract.js';
import {keys, nextCall, press, waitFor} from './support/ink.js';

const {recipe} = await loadRecipeFile('recipes/gcc-compile-farm.yaml');

function scratchSite(slowCommand = false) {
	const directory = mkdtempSync(join(tmpdir(), 'wizard-app-'));
	const stateDir = join(directory, 'state');
	const config = join(directory, 'site.conf');
	const flag = join(directory, 'cause-fixed');
	writeFileSync(config, 'listen 127.0.0.1\nworkers 2\n');
	const steps: StepDefinition[] = [
		{
			id: 'config',
			title: 'Site configuration',
			requires: [],
			plan: () => [{kind: 'file', id: 'config.site', title: `write ${config}`, path: config, content: 'listen 10.10.0.20\nworkers 2\nzone farm\n', mode: 0o644}],
		},
		{
			id: 'work',
			title: 'Long job',
			requires: ['config'],
			plan: () => [
				{
					kind: 'command',
					id: 'work.count',
					title: 'count to 3000',
					// Prints 3000 lines, then fails until the flag file exists.
					argv: slowCommand
						? ['sh', '-c', 'seq 1 50 | sed "s/^/progress line /"; sleep 1']
						: ['sh', '-c', `seq 1 3000 | sed 's/^/progress line /'; if [ -e "$0" ]; then echo finished; else echo "cause: $0 is missing" >&2; exit 3; fi`, flag],
					idempotent: true,
				},
			],
		},
		{
			id: 'install',
			title: 'OS install',
			requires: ['work'],
			plan: () => [
				{
					kind: 'checkpoint',
					id: 'install.vm1',
					title: 'install the OS of vm1 over VNC',
					instructions: 'Run the installer on the console.',
					details: [
						{label: 'VNC address', value: '10.10.0.20'},
						{label: 'VNC port', value: '11000'},
					],
				},
			],
		},
	];
	const open = () => {
		const progress = new Progress(stateDir);
		const host = localHost({root: '/', stateDir, transcript: new Transcript(join(stateDir, 'transcript.log'))});
		const {inventory} = buildInventory(recipe, progress.generated, systemRandomBytes);
		const context: RunContext = {host, progress, inventory, steps};
		return context;
	};
	return {directory, stateDir, config, flag, open, cleanup: () => rmSync(directory, {recursive: true, force: true})};
}

async function options(site: ReturnType<typeof scratchSite>, withProgress: boolean, kept: unknown[] = []): Promise<WizardOptions> {
	const context = site.open();
	return {
		keepAnswers: answers => kept.push(answers),
		mode: 'real',
		root: '/',
		recipe,
		progress: withProgress ? {recipe, steps: await journalView(context)} : null,
		detect: async () => nothingDetected,
		steps: async () => journalView(context),
		run: async (_recipe, io) => runPlan(context, io.onEvent, io.decisions),
		saveRecipe: async (path, text) => writeFileSync(path, text),
	};
}

test('preview with a diff, streaming output, failure then retry, checkpoint left and resumed, all on the real runner', async () => {
	const site = scratchSite();
	try {
		// First session: resume screen (there is saved progress: the recipe), continue.
		const exited = nextCall<WizardExit>();
		const first = render(<App options={await options(site, true)} onExit={exited.callback} flushMs={10} />);
		await waitFor(first.lastFrame, 'Saved progress');
		await press(first.stdin, keys.enter);

		// The file's plan: a diff against what is on disk.
		let frame = await waitFor(first.lastFrame, '+listen 10.10.0.20');
		assert.match(frame, /-listen 127\.0\.0\.1/);
		assert.match(frame, /\+listen 10\.10\.0\.20/);
		assert.match(frame, /\+zone farm/);
		assert.match(frame, /Site configuration/, 'the step list is there');
		await press(first.stdin, keys.enter);

		// The command: its plan, then its output in the pane, then the failure.
		frame = await waitFor(first.lastFrame, 'Plan: Long job');
		assert.match(frame, /\$ sh -c/);
		await press(first.stdin, keys.enter);
		frame = await waitFor(first.lastFrame, 'count to 3000 failed');
		assert.match(frame, /exit code 3/);
		assert.match(frame, /cause: .*cause-fixed is missing/);
		assert.match(frame, /progress line 3000/);
		assert.match(frame, /✓ Site configuration/);
		assert.match(frame, /✗ Long job/);
		assert.equal(readFileSync(site.config, 'utf8'), 'listen 10.10.0.20\nworkers 2\nzone farm\n');

		// Fix the cause, retry.
		writeFileSync(site.flag, '');
		await press(first.stdin, keys.enter);
		frame = await waitFor(first.lastFrame, 'Plan: OS install');
		assert.match(frame, /✓ Long job/);
		await press(first.stdin, keys.enter);
		frame = await waitFor(first.lastFrame, 'Your turn: install the OS of vm1 over VNC');
		assert.ok(frame.includes('ssh -N -L 5900:10.10.0.20:11000 root@198.51.100.20'));
		// Leave it for later with q.
		await press(first.stdin, 'q');
		const left = await exited.value;
		assert.equal(left.outcome, 'waiting');
		assert.match(left.message.join('\n'), /comes back to this checkpoint/);
		first.unmount();

		// Second session: the resume screen says what waits; continue goes back to the checkpoint.
		const again = nextCall<WizardExit>();
		const second = render(<App options={await options(site, true)} onExit={again.callback} flushMs={10} />);
		frame = await waitFor(second.lastFrame, 'Saved progress');
		assert.match(frame, /Done: +Site configuration, Long job \(2 of 3 steps\)/);
		assert.match(frame, /Interrupted: OS install: install the OS of vm1 over VNC waits for you/);
		await press(second.stdin, keys.enter);
		await waitFor(second.lastFrame, 'Plan: OS install');
		await press(second.stdin, keys.enter);
		await waitFor(second.lastFrame, 'Your turn');
		await press(second.stdin, keys.enter);
		frame = await waitFor(second.lastFrame, 'Every step is done.');
		// q leaves the closing screen too, and the outcome stays "done".
		await press(second.stdin, 'q');
		const finished = await again.value;
		assert.equal(finished.outcome, 'done');
		assert.deepEqual(again.calls.length, 1);
		second.unmount();

		const journal = site.open().progress;
		assert.equal(journal.action('install.vm1')?.status, 'done');
		// The second run found the command done by the first: it did not run it again (one begin record, ever).
		assert.equal(journal.action('work.count')?.status, 'done');
		assert.equal(readJournal(site.stateDir).filter(record => record.type === 'action' && record.phase === 'begin' && record.id === 'work.count').length, 2, 'failed once, retried once');
		assert.equal((readFileSync(join(site.stateDir, 'transcript.log'), 'utf8').match(/progress line 3000\n/g) ?? []).length, 2, 'failed once, retried once, never a third time');
		assert.ok(existsSync(join(site.stateDir, 'transcript.log')));
		assert.match(readFileSync(join(site.stateDir, 'transcript.log'), 'utf8'), /progress line 2999/);
	} finally {
		site.cleanup();
	}
});

test('Ctrl-C at a question quits to resume later, keeping the answers given so far', async () => {
	const site = scratchSite();
	try {
		const exited = nextCall<WizardExit>();
		const kept: unknown[] = [];
		const screen = render(<App options={await options(site, false, kept)} onExit={exited.callback} flushMs={10} />);
		// No saved progress: the questions come first; the recipe pre-fills them.
		await waitFor(screen.lastFrame, '❯ gcc20');
		await press(screen.stdin, keys.enter);
		await waitFor(screen.lastFrame, 'Question 2 of');
		await press(screen.stdin, keys.ctrlC);
		const exit = await exited.value;
		assert.equal(exit.outcome, 'quit');
		assert.match(exit.message[0]!, /Run `ganeti-wizard` again to resume/);
		assert.equal(kept.length, 1);
		assert.equal((kept[0] as {host: {hostname: string}}).host.hostname, 'gcc20');
		screen.unmount();
	} finally {
		site.cleanup();
	}
});

test('q at a plan preview quits before anything changes; Ctrl-C while a command runs stops at once', async () => {
	const site = scratchSite(true);
	try {
		const first = nextCall<WizardExit>();
		const preview = render(<App options={await options(site, true)} onExit={first.callback} flushMs={10} />);
		await waitFor(preview.lastFrame, 'Saved progress');
		await press(preview.stdin, keys.enter);
		await waitFor(preview.lastFrame, '+listen 10.10.0.20');
		await press(preview.stdin, 'q');
		assert.equal((await first.value).outcome, 'quit');
		preview.unmount();
		assert.equal(readFileSync(site.config, 'utf8'), 'listen 127.0.0.1\nworkers 2\n', 'nothing was applied');

		const second = nextCall<WizardExit>();
		const running = render(<App options={await options(site, true)} onExit={second.callback} flushMs={10} />);
		await waitFor(running.lastFrame, 'Saved progress');
		await press(running.stdin, keys.enter);
		await waitFor(running.lastFrame, 'Plan: Site configuration');
		await press(running.stdin, keys.enter);
		await waitFor(running.lastFrame, 'Plan: Long job');
		await press(running.stdin, keys.enter);
		await waitFor(running.lastFrame, 'progress line 50');
		await press(running.stdin, keys.ctrlC);
		const exit = await second.value;
		assert.equal(exit.outcome, 'quit');
		assert.match(exit.message[0]!, /Stopped during count to 3000/);
		running.unmount();
	} finally {
		// The command ends by itself a moment later; let it, before the folder goes.
		await new Promise(resolve => setTimeout(resolve, 1200));
		site.cleanup();
	}
});
