// Until the operator confirms a change, the interactive wizard writes nothing
// but the operator's answers (so that the questions can resume): the real
// binary in a real terminal, every question answered, the summary and the
// first step's plan looked at, then q. The rehearsal folder is never created
// and the state directory holds the answers alone.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {cliPath, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';
import {Terminal} from './support/terminal.js';

test('the wizard writes only the answers before a confirmation: questions, summary and a plan looked at, then q', {timeout: 300_000}, async t => {
	if (!need(['tmux'], t)) return;
	assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-read-only-'));
	const terminal = new Terminal('wizard-read-only');
	try {
		const root = join(scratch, 'rehearsal');
		const state = join(scratch, 'state');
		const command = `cd ${scratch} && env -u CI TERM=xterm-256color ${process.execPath} ${cliPath} --recipe ${seedRecipe} --root ${root} --state-dir ${state}`;
		terminal.start(command);
		const first = await terminal.waitFor(/Question 1 of (\d+)/);
		const total = Number(/Question 1 of (\d+)/.exec(first)![1]);
		for (let index = 1; index <= total; index++) {
			await terminal.waitFor(`Question ${index} of ${total}`);
			await terminal.press('Enter');
		}
		await terminal.waitFor('Your site');
		await terminal.press('Enter');
		await terminal.waitFor('Plan: Preflight checks');
		await terminal.press('q');
		await terminal.waitFor(/EXIT=\d+/);

		assert.equal(existsSync(root), false, 'the rehearsal folder is not created');
		assert.deepEqual(readdirSync(scratch).sort(), ['state'], 'nothing else appears beside it');
		assert.deepEqual(readdirSync(state), ['site.json'], 'no journal, transcript, blobs or record of commands');
		const saved = JSON.parse(readFileSync(join(state, 'site.json'), 'utf8')) as Record<string, unknown>;
		const {answers, ...rest} = saved as {answers: Record<string, unknown>};
		// The settings file's own empty frame, and nothing else: no recipe imported, no values generated.
		assert.deepEqual(rest, {version: 2, generated: {macs: {}, addresses: {}}, serials: {}, removals: []});
		assert.ok(Object.keys(answers).length > 0, 'the answers given are kept');
	} finally {
		terminal.close();
		rmSync(scratch, {recursive: true, force: true});
	}
});
