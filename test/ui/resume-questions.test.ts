// Quitting in the middle of the questions and starting again resumes at that
// same question, in a real terminal (tmux) at 80x24 and 120x40 driving the
// built command: the full-screen wizard, and line mode under TERM=dumb. The
// questions after it are asked, never filled in silently.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test, type TestContext} from 'node:test';
import {cliPath, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';
import {Terminal} from './support/terminal.js';

async function quitAndResume(t: TestContext, face: 'line' | 'full-screen', columns: number, rows: number): Promise<void> {
	if (!need(['tmux'], t)) return;
	assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-resume-questions-'));
	const terminal = new Terminal(`wizard-resume-questions-${face}`, {columns, rows});
	try {
		const term = face === 'line' ? 'dumb' : 'xterm-256color';
		const command = `env -u CI TERM=${term} ${process.execPath} ${cliPath} --recipe ${seedRecipe} --root ${join(scratch, 'rehearsal')} --state-dir ${join(scratch, 'state')}`;
		const question = (index: number) => (face === 'line' ? new RegExp(`\\(${index}/(\\d+)\\) (.+)$`, 'm') : new RegExp(`Question ${index} of (\\d+) · (.+)$`, 'm'));
		terminal.start(command);
		// Six answers given with Enter, then Ctrl-C at the seventh.
		for (let index = 1; index <= 6; index++) {
			await terminal.waitFor(question(index));
			await terminal.press('Enter');
		}
		const seventh = question(7).exec(await terminal.waitFor(question(7)))!;
		const [total, title] = [seventh[1]!, seventh[2]!.trim()];
		await terminal.press('C-c');
		await terminal.waitFor('EXIT=4');

		terminal.start(command);
		const resumed = question(7).exec(await terminal.waitFor(question(7)))!;
		assert.equal(resumed[2]!.trim(), title, 'the same question as when it stopped');
		assert.equal(resumed[1], total);
		// The rest is asked too: the one after it comes next, not the summary.
		await terminal.press('Enter');
		await terminal.waitFor(question(8));
		await terminal.press('C-c');
		await terminal.waitFor('EXIT=4');
	} finally {
		terminal.close();
		rmSync(scratch, {recursive: true, force: true});
	}
}

for (const [columns, rows] of [
	[80, 24],
	[120, 40],
] as const) {
	test(`${columns}x${rows}, the full-screen wizard: quit at question 7, start again, question 7 is asked, then 8`, {timeout: 120_000}, async t => quitAndResume(t, 'full-screen', columns, rows));
	test(`${columns}x${rows}, line mode under TERM=dumb: quit at question 7, start again, question 7 is asked, then 8`, {timeout: 120_000}, async t => quitAndResume(t, 'line', columns, rows));
}
