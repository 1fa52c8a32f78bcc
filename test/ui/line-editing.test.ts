// Correcting a typo in a text question, in a real terminal (tmux) at 80x24
// and 120x40 driving the built command: line mode under TERM=dumb (a serial
// console) and under a terminal that can draw, and the full-screen wizard.
// Backspace, Ctrl-H, Ctrl-U and Ctrl-W edit the answer and are never part of
// it; the answer the wizard keeps (saved with the progress when the operator
// quits) says so.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test, type TestContext} from 'node:test';
import {cliPath} from '../support/cli.js';
import {need} from '../support/need.js';
import {Terminal} from './support/terminal.js';

/** The host name the wizard kept for the state directory, as the next start reads it. */
function savedHostname(state: string): unknown {
	const settings = JSON.parse(readFileSync(join(state, 'site.json'), 'utf8')) as {answers?: {host?: {hostname?: unknown}}};
	return settings.answers?.host?.hostname;
}

async function correctHostname(t: TestContext, term: string, face: 'line' | 'full-screen', columns: number, rows: number): Promise<void> {
	if (!need(['tmux'], t)) return;
	assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-editing-'));
	const terminal = new Terminal(`wizard-editing-${term}-${face}`, {columns, rows});
	try {
		const state = join(scratch, 'state');
		const plain = face === 'line' && term !== 'dumb' ? ' --plain' : '';
		terminal.start(`env -u CI TERM=${term} ${process.execPath} ${cliPath} --root ${join(scratch, 'rehearsal')} --state-dir ${state}${plain}`);
		const question = face === 'line' ? /\(1\/\d+\) Host name/ : /Question 1 of \d+/;
		await terminal.waitFor(question);
		if (face === 'full-screen') await terminal.press('C-u');
		// A typo, then Backspace (DEL) and the rest.
		await terminal.type('gcc30');
		await terminal.press('BSpace');
		await terminal.type('1');
		// A second try, given up with Ctrl-U.
		await terminal.type('x');
		await terminal.press('C-u');
		await terminal.type('gcc');
		if (face === 'line') {
			// A word too many goes with Ctrl-W, its space with Ctrl-H (BS).
			await terminal.type(' junk');
			await terminal.press('C-w', 'C-h');
		}
		await terminal.type('42');
		await terminal.waitFor(face === 'line' ? /Host name gcc42\s*$/m : /❯ gcc42\s*$/m);
		await terminal.press('Enter');
		const next = await terminal.waitFor(face === 'line' ? /\(2\/\d+\) Public interface|host\.hostname: / : /Question 2 of \d+|host\.hostname: /);
		assert.doesNotMatch(next, /host\.hostname: /, 'the answer was accepted');
		await terminal.press('C-c');
		await terminal.waitFor('EXIT=4');
		assert.equal(savedHostname(state), 'gcc42');
	} finally {
		terminal.close();
		rmSync(scratch, {recursive: true, force: true});
	}
}

for (const [columns, rows] of [
	[80, 24],
	[120, 40],
] as const) {
	test(`${columns}x${rows}, line mode under TERM=dumb (a serial console): Backspace, Ctrl-H, Ctrl-U and Ctrl-W edit the answer`, {timeout: 120_000}, async t => {
		await correctHostname(t, 'dumb', 'line', columns, rows);
	});

	test(`${columns}x${rows}, line mode (--plain) under TERM=xterm-256color: the same keys edit the answer`, {timeout: 120_000}, async t => {
		await correctHostname(t, 'xterm-256color', 'line', columns, rows);
	});

	test(`${columns}x${rows}, the full-screen wizard under TERM=xterm-256color: Backspace and Ctrl-U edit the answer`, {timeout: 120_000}, async t => {
		await correctHostname(t, 'xterm-256color', 'full-screen', columns, rows);
	});
}
