// Through every question to the summary, saving the answers as a recipe that
// the loader reads back; changing one answer; the help overlay; NO_COLOR.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import chalk from 'chalk';
import {render} from 'ink-testing-library';
import {App} from '../../source/app.js';
import {nothingDetected} from '../../source/host/detect.js';
import {loadRecipeFile, parseRecipe} from '../../source/recipe/load.js';
import type {WizardOptions} from '../../source/ui/contract.js';
import {applyColourPolicy} from '../../source/ui/tui.js';
import {flat, keys, press, type, waitFor} from './support/ink.js';

const {recipe} = await loadRecipeFile('recipes/gcc-compile-farm.yaml');

function options(overrides: Partial<WizardOptions> = {}): WizardOptions {
	return {
		mode: 'rehearsal',
		root: '/tmp/rehearsal',
		recipe,
		progress: null,
		detect: async () => nothingDetected,
		run: async () => ({outcome: 'done', steps: []}),
		saveRecipe: async (path, text) => writeFileSync(path, text),
		...overrides,
	};
}

async function throughQuestions(screen: ReturnType<typeof render>): Promise<void> {
	const first = await waitFor(screen.lastFrame, /Question 1 of (\d+)/);
	const total = Number(/Question 1 of (\d+)/.exec(first)![1]);
	for (let index = 1; index <= total; index++) {
		await waitFor(screen.lastFrame, `Question ${index} of ${total}`);
		await press(screen.stdin, keys.enter);
	}
}

test('Enter through every pre-filled question, save the answers as a recipe: it reads back as the same site', async () => {
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-summary-'));
	try {
		const target = join(scratch, 'my-site.yaml');
		const screen = render(<App options={options({recipePath: target})} onExit={() => {}} />);
		await throughQuestions(screen);
		let frame = await waitFor(screen.lastFrame, 'Your site');
		assert.match(frame, /Host +gcc20 · public eth0 198\.51\.100\.20 · private 10\.10\.0\.20/);
		assert.match(frame, /Storage +\/dev\/sdb \(LVM on \/dev\/sdb1\) → volume group all/);
		assert.match(frame, /VMs +rodo1\.osm · disk 10G · memory 512M · 1 vcpu · ISO \/srv\/ganeti\/debian-6\.0\.0-amd64-CD-1\.iso/);
		assert.match(frame, /Rehearsal: files go under \/tmp\/rehearsal/);
		await press(screen.stdin, keys.down);
		await waitFor(screen.lastFrame, '❯ Save as recipe…');
		await press(screen.stdin, keys.enter);
		await waitFor(screen.lastFrame, `❯ ${target}`);
		await press(screen.stdin, keys.enter);
		frame = await waitFor(screen.lastFrame, `✓ Saved to ${target}`);
		assert.ok(flat(frame).includes(`ganeti-wizard apply --recipe ${target} --yes`));
		const text = readFileSync(target, 'utf8');
		assert.match(text, /^# Answers given to ganeti-wizard on /);
		assert.deepEqual(parseRecipe(text), recipe);
		screen.unmount();
	} finally {
		rmSync(scratch, {recursive: true, force: true});
	}
});

test('save as recipe in the full-screen wizard: the generated values written in, the replay command the CLI gives', async () => {
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-summary-'));
	try {
		const target = join(scratch, 'pinned.yaml');
		const replay = `ganeti-wizard apply --recipe ${target} --root /tmp/rehearsal --yes`;
		const screen = render(
			<App
				options={options({
					recipePath: target,
					replayCommand: path => `ganeti-wizard apply --recipe ${path} --root /tmp/rehearsal --yes`,
					pinGenerated: given => ({...given, instances: given.instances.map(instance => ({...instance, address: '10.10.1.77'}))}),
				})}
				onExit={() => {}}
			/>,
		);
		await throughQuestions(screen);
		await waitFor(screen.lastFrame, 'Your site');
		await press(screen.stdin, keys.down);
		await waitFor(screen.lastFrame, '❯ Save as recipe…');
		await press(screen.stdin, keys.enter);
		await waitFor(screen.lastFrame, `❯ ${target}`);
		await press(screen.stdin, keys.enter);
		const frame = await waitFor(screen.lastFrame, `✓ Saved to ${target}`);
		assert.ok(flat(frame).includes(`replay it with \`${replay}\``), frame);
		const text = readFileSync(target, 'utf8');
		assert.ok(text.includes(`# Replay them unattended with: ${replay}\n`), text);
		assert.equal(parseRecipe(text).instances[0]!.address, '10.10.1.77');
		screen.unmount();
	} finally {
		rmSync(scratch, {recursive: true, force: true});
	}
});

test('change one answer from the summary, then start: the run gets the changed recipe', async () => {
	let ran: unknown;
	const screen = render(
		<App
			options={options({
				progress: {recipe, steps: []},
				run: async changed => {
					ran = changed;
					return {outcome: 'done', steps: []};
				},
			})}
			onExit={() => {}}
		/>,
	);
	await waitFor(screen.lastFrame, 'Saved progress');
	await press(screen.stdin, keys.down, keys.enter);
	await waitFor(screen.lastFrame, 'Your site');
	await press(screen.stdin, keys.down, keys.down);
	await waitFor(screen.lastFrame, '❯ Change an answer…');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, 'Which answer?');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '❯ gcc20');
	await press(screen.stdin, keys.backspace, keys.backspace);
	await type(screen.stdin, '99');
	await waitFor(screen.lastFrame, '❯ gcc99');
	await press(screen.stdin, keys.enter);
	const frame = await waitFor(screen.lastFrame, 'Your site');
	assert.match(frame, /Host +gcc99/);
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, 'Every step is done.');
	assert.equal((ran as typeof recipe).host.hostname, 'gcc99');
	assert.equal((ran as typeof recipe).nodes[0]!.name, 'gcc99', 'the node is the host');
	assert.deepEqual({...(ran as typeof recipe), host: recipe.host, nodes: recipe.nodes}, recipe, 'only the hostname changed');
	screen.unmount();
});

test('Esc goes back to the previous question with its answer; ? opens the help over a text field and over a list, keeping their state', async () => {
	const exits: unknown[] = [];
	const screen = render(<App options={options({recipe: null})} onExit={exit => exits.push(exit)} />);
	await waitFor(screen.lastFrame, 'Question 1 of');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, 'Question 2 of');
	// In a text field q is a letter, not quit; ? opens the help over it, and the value stays.
	await type(screen.stdin, 'eth9q');
	await waitFor(screen.lastFrame, 'eth0eth9q');
	assert.equal(exits.length, 0);
	await press(screen.stdin, '?');
	const help = await waitFor(screen.lastFrame, 'Help');
	assert.ok(!help.includes('eth0eth9q'), 'the question is hidden under the help');
	await press(screen.stdin, keys.escape);
	assert.ok((await waitFor(screen.lastFrame, 'eth0eth9q')).includes('Question 2 of'), 'the value is kept, without a ?');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'eth9');
	await waitFor(screen.lastFrame, '❯ eth9');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, 'Question 3 of');
	await press(screen.stdin, keys.escape);
	await waitFor(screen.lastFrame, '❯ eth9');
	screen.unmount();

	const list = render(<App options={options({progress: {recipe, steps: []}})} onExit={() => {}} />);
	await waitFor(list.lastFrame, 'Saved progress');
	await press(list.stdin, keys.down);
	await press(list.stdin, '?');
	let frame = await waitFor(list.lastFrame, 'Help');
	assert.match(frame, /q quit; the next start resumes where you left/);
	assert.ok(!frame.includes('Saved progress'), 'the screen under the help is hidden');
	await press(list.stdin, keys.down);
	await press(list.stdin, keys.escape);
	frame = await waitFor(list.lastFrame, 'Saved progress');
	assert.match(frame, /❯ Review answers/, 'keys did not reach the hidden screen, and its state was kept');
	list.unmount();
});

test('NO_COLOR: no escape codes in any frame', async () => {
	const previous = chalk.level;
	chalk.level = 2;
	try {
		applyColourPolicy({NO_COLOR: '1'});
		assert.equal(chalk.level, 0);
		const screen = render(<App options={options({progress: {recipe, steps: []}})} onExit={() => {}} />);
		await waitFor(screen.lastFrame, 'Saved progress');
		assert.ok(screen.frames.every(frame => !frame.includes('\u001B[')));
		screen.unmount();
		chalk.level = 2;
		applyColourPolicy({NO_COLOR: ''});
		assert.equal(chalk.level, 2, 'an empty NO_COLOR is no request');
	} finally {
		chalk.level = previous;
	}
});

test('a host that cannot be set up for real: the wizard says why and offers the rehearsal', async () => {
	let rehearsed = 0;
	const screen = render(
		<App
			options={options({
				mode: 'real',
				root: '/',
				realProblem: 'not running as root (the wizard changes system files)',
				rehearse: async () => {
					rehearsed++;
					return {root: '/tmp/rehearsal-offered'};
				},
			})}
			onExit={() => {}}
		/>,
	);
	let frame = await waitFor(screen.lastFrame, 'This host cannot be set up for real: not running as root');
	assert.match(frame, /acting on this host/);
	assert.match(flat(frame), /files are written under a local folder, commands are listed, nothing is run/);
	await press(screen.stdin, keys.enter);
	frame = await waitFor(screen.lastFrame, 'Question 1 of');
	assert.match(frame, /rehearsal under \/tmp\/rehearsal-offered \(nothing on this host changes\)/);
	assert.equal(rehearsed, 1);
	screen.unmount();
});
