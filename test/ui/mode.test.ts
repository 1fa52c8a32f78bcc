// Which face the wizard shows, from the terminal it finds.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {chooseInterface} from '../../source/ui/mode.js';

const terminal = {stdinIsTTY: true, stdoutIsTTY: true, env: {TERM: 'xterm-256color'}, plain: false, yes: false};

test('a real terminal gets the TUI', () => {
	assert.deepEqual(chooseInterface(terminal), {kind: 'tui'});
});

test('--plain, TERM=dumb, no TERM, or CI set: plain prompts', () => {
	assert.equal(chooseInterface({...terminal, plain: true}).kind, 'plain');
	assert.deepEqual(chooseInterface({...terminal, env: {TERM: 'dumb'}}), {kind: 'plain', reason: 'TERM=dumb cannot draw the full-screen wizard'});
	assert.equal(chooseInterface({...terminal, env: {}}).kind, 'plain');
	assert.deepEqual(chooseInterface({...terminal, env: {TERM: 'xterm', CI: 'true'}}), {kind: 'plain', reason: 'CI is set'});
});

test('no terminal on either end: one line pointing to the unattended command, unless --yes', () => {
	for (const ends of [{stdinIsTTY: false}, {stdoutIsTTY: false}, {stdinIsTTY: false, stdoutIsTTY: false}]) {
		const choice = chooseInterface({...terminal, ...ends});
		assert.equal(choice.kind, 'refuse');
		if (choice.kind === 'refuse') {
			assert.ok(!choice.message.includes('\n'));
			assert.match(choice.message, /apply --recipe FILE --yes/);
		}
	}
	assert.deepEqual(chooseInterface({...terminal, stdinIsTTY: false, yes: true}), {kind: 'unattended'});
	// Even --plain needs someone to answer.
	assert.equal(chooseInterface({...terminal, stdinIsTTY: false, plain: true}).kind, 'refuse');
});
