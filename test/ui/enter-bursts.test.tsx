// Enters typed ahead in one burst move through the questions as the same keys
// sent one by one would: each Enter answers the question in front at that
// moment, the next key goes to the question after it. A ? inside a burst of
// text (a paste) is a character of the value; a ? on its own opens the help.
// Escapes in one burst go back one question each.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import {App} from '../../source/app.js';
import {nothingDetected} from '../../source/host/detect.js';
import type {WizardOptions} from '../../source/ui/contract.js';
import {keys, press, tick, waitFor} from './support/ink.js';

function options(): WizardOptions {
	return {mode: 'rehearsal', root: '/tmp/rehearsal', recipe: null, progress: null, detect: async () => nothingDetected, run: async () => ({outcome: 'done', steps: []}), saveRecipe: async () => {}};
}

/** The wizard at its first question, ready for keys. */
async function atFirstQuestion() {
	const screen = render(<App options={options()} onExit={() => {}} />);
	await waitFor(screen.lastFrame, /Question 1 of \d+ · Host name/);
	await tick(30);
	return screen;
}

test('two Enters in one burst answer two questions, as two Enters one by one do', async () => {
	const screen = await atFirstQuestion();
	screen.stdin.write('\r\r');
	await waitFor(screen.lastFrame, /Question 3 of \d+ · Public address/);
	await tick(50);
	assert.match(screen.lastFrame()!, /Question 3 of/, 'no key was left over for a fourth question');
	screen.unmount();
});

test('text, then three Enters in one burst: the text answers the first question, the Enters the next two', async () => {
	const screen = await atFirstQuestion();
	screen.stdin.write('\u0015gcc21\r\r\r');
	await waitFor(screen.lastFrame, /Question 4 of \d+ · Private range/);
	await press(screen.stdin, keys.escape);
	await waitFor(screen.lastFrame, /Question 3 of/);
	await press(screen.stdin, keys.escape);
	await waitFor(screen.lastFrame, /Question 2 of/);
	await press(screen.stdin, keys.escape);
	await waitFor(screen.lastFrame, /Question 1 of \d+ · Host name[\s\S]*❯ gcc21/);
	screen.unmount();
});

test('a ? inside pasted text is typed into the field; a ? alone opens the help', async () => {
	const screen = await atFirstQuestion();
	screen.stdin.write('\u0015a?b');
	await waitFor(screen.lastFrame, '❯ a?b');
	assert.doesNotMatch(screen.lastFrame()!, /Help/);
	await press(screen.stdin, '?');
	await waitFor(screen.lastFrame, 'Help');
	await press(screen.stdin, keys.escape);
	const frame = await waitFor(screen.lastFrame, '❯ a?b');
	assert.match(frame, /✗ host\.hostname: "a\?b"/, 'the value is judged as typed');
	screen.unmount();
});

test('Escapes in one burst go back one question each: three go back three, two go back two', async () => {
	const screen = await atFirstQuestion();
	screen.stdin.write('\r\r\r\r\r');
	await waitFor(screen.lastFrame, /Question 6 of \d+ · Private address/);
	await tick(50);
	// Ink's parser reads ESC ESC as one Alt-Escape event: each ESC of it is a key all the same.
	screen.stdin.write('\u001B\u001B\u001B');
	await waitFor(screen.lastFrame, /Question 3 of \d+ · Public address/);
	await tick(100);
	assert.match(screen.lastFrame()!, /Question 3 of/, 'no Escape was left over or lost');
	screen.stdin.write('\u001B\u001B');
	await waitFor(screen.lastFrame, /Question 1 of \d+ · Host name/);
	screen.unmount();
});

test('Enters typed while the host is still being looked at wait for the questions, and answer one each', async () => {
	let detected!: () => void;
	const slow: WizardOptions = {...options(), detect: () => new Promise(resolve => (detected = () => resolve(nothingDetected)))};
	const screen = render(<App options={slow} onExit={() => {}} />);
	await waitFor(screen.lastFrame, 'Looking at this host');
	await tick(30);
	screen.stdin.write('\r\r\r');
	await tick(50);
	detected();
	await waitFor(screen.lastFrame, /Question 4 of \d+ · Private range/);
	await tick(100);
	assert.match(screen.lastFrame()!, /Question 4 of/, 'no key was left over or lost');
	screen.unmount();
});
