// Keys that arrive together (a paste, typing ahead, a slow SSH link) are all
// applied, in order: the list and the text field see each key of a burst
// where the previous one left them, as if typed one by one.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import {useState} from 'react';
import {Select} from '../../source/ui/components/Select.js';
import {TextInput} from '../../source/ui/components/TextInput.js';
import {splitKeys} from '../../source/ui/key-feed.js';
import {typeInto} from '../../source/ui/line-edit.js';
import {keys, nextCall, tick, waitFor} from './support/ink.js';

const items = ['eth0', 'eth1', 'eth2', 'eth3', 'eth4'].map(name => ({value: name, label: name}));

test('Down Down Down Enter in one burst chooses the fourth item; Up Up Up moves three rows', async () => {
	const chosen = nextCall<string>();
	const screen = render(<Select items={items} onSelect={chosen.callback} />);
	await tick(30);
	screen.stdin.write(`${keys.down}${keys.down}${keys.down}${keys.enter}`);
	assert.equal(await chosen.value, 'eth3');

	const again = nextCall<string>();
	const second = render(<Select items={items} initial="eth4" onSelect={again.callback} />);
	await tick(30);
	second.stdin.write(`${keys.up}${keys.up}${keys.up}`);
	await waitFor(second.lastFrame, '❯ eth1');
	second.stdin.write(keys.enter);
	assert.equal(await again.value, 'eth1');
	screen.unmount();
	second.unmount();
});

/** A text field holding `value` as a screen holds it (in its state), and what it submits. */
function field(value: string) {
	let current = value;
	const submitted = nextCall<string>();
	function Field() {
		const [text, setText] = useState(value);
		current = text;
		return <TextInput value={text} onChange={setText} onSubmit={submitted.callback} />;
	}
	const screen = render(<Field />);
	return {screen, submitted, value: () => current};
}

test('Ctrl-U followed at once by text clears the field and types the text; text with its Enter submits', async () => {
	const {screen, submitted} = field('gcc20');
	await tick(30);
	screen.stdin.write('\u0015gcc30\r');
	assert.equal(await submitted.value, 'gcc30');
	screen.unmount();
});

test('Backspace (DEL and Ctrl-H) and Ctrl-W edit the value, never enter it', async () => {
	const {screen, value, submitted} = field('');
	await tick(30);
	screen.stdin.write('my hostgcc30');
	await tick(30);
	// One at a time, as a person types: Ink reports each as a key.
	for (const key of ['\u007F', '\u007F', '\u0008', '\u0008', '\u0017']) {
		screen.stdin.write(key);
		await tick(30);
	}
	assert.equal(value(), 'my ');
	screen.stdin.write('\u0017gcc21');
	await tick(30);
	screen.stdin.write(keys.enter);
	assert.equal(await submitted.value, 'gcc21');
	screen.unmount();
});

test('line editing: each control of a burst applies in order, at the cursor', () => {
	assert.deepEqual(typeInto({text: '', cursor: 0}, 'my hostgcc30\b\u0015\u0017'), {text: '', cursor: 0});
	assert.deepEqual(typeInto({text: 'abc', cursor: 3}, '\u007F\u007Fz'), {text: 'az', cursor: 2});
	assert.deepEqual(typeInto({text: 'one two  ', cursor: 9}, '\u0017'), {text: 'one ', cursor: 4});
	assert.deepEqual(typeInto({text: 'tail', cursor: 2}, '\u0015X'), {text: 'Xil', cursor: 1});
	assert.deepEqual(typeInto({text: 'ab', cursor: 1}, '\u0001<\u0005>\t\u001B'), {text: '<ab>', cursor: 4});
});

test('line mode cuts a burst into keys: escape sequences and CR LF whole, two Escapes two keys', () => {
	assert.deepEqual(splitKeys('\r\r'), ['\r', '\r']);
	assert.deepEqual(splitKeys(`${keys.down}${keys.down}\u001BOA\r\n`), [keys.down, keys.down, '\u001BOA', '\r\n']);
	assert.deepEqual(splitKeys('\u001B\u001B\u001B'), ['\u001B', '\u001B', '\u001B']);
	assert.deepEqual(splitKeys('\u001Bxé\u0015'), ['\u001Bx', 'é', '\u0015']);
});
