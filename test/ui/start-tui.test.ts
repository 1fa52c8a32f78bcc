// startTui: a first frame before the wizard's options are even open, then the
// wizard; Ctrl-C leaves with "quit".
import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {Writable} from 'node:stream';
import {test} from 'node:test';
import {nothingDetected} from '../../source/host/detect.js';
import type {WizardOptions} from '../../source/ui/contract.js';
import {keys, tick} from './support/ink.js';

// Under CI, Ink draws only the last frame (is-in-ci, read when Ink loads): this
// test is about frames on a terminal, so Ink is loaded without it.
delete process.env['CI'];
delete process.env['CONTINUOUS_INTEGRATION'];
const {startTui} = await import('../../source/ui/tui.js');

class Keyboard extends EventEmitter {
	isTTY = true;
	private pending: string | null = null;
	setRawMode() {}
	setEncoding() {}
	ref() {}
	unref() {}
	resume() {}
	pause() {}
	read() {
		const data = this.pending;
		this.pending = null;
		return data;
	}
	type(data: string) {
		this.pending = data;
		this.emit('readable');
	}
}

class Screen extends Writable {
	text = '';
	columns = 100;
	rows = 30;
	override _write(chunk: Buffer, _encoding: string, done: () => void) {
		// eslint-disable-next-line no-control-regex
		this.text += chunk.toString().replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
		done();
	}
}

test('startTui: "starting…" is drawn before the options are open; then the questions; Ctrl-C quits', async () => {
	const keyboard = new Keyboard();
	const screen = new Screen();
	let open!: () => void;
	const gate = new Promise<void>(resolve => (open = resolve));
	const exited = startTui(
		async () => {
			// The options open only once the test has seen the first frame.
			await gate;
			return {mode: 'rehearsal', root: '/tmp/r', recipe: null, progress: null, detect: async () => nothingDetected, run: async () => assert.fail('nothing runs'), saveRecipe: async () => {}} satisfies WizardOptions;
		},
		{stdin: keyboard as never, stdout: screen as never, stderr: screen as never},
	);
	const until = async (pattern: RegExp) => {
		for (let waited = 0; !pattern.test(screen.text) && waited < 10_000; waited += 20) await tick(20);
		assert.match(screen.text, pattern);
	};
	await until(/ganeti-wizard\s+starting…/);
	open();
	await until(/Question 1 of \d+ · Host name/);
	await tick(50);
	keyboard.type(keys.ctrlC);
	const exit = await exited;
	assert.equal(exit.outcome, 'quit');
	assert.match(exit.message[0]!, /again to resume/);
});
