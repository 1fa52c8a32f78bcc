// Undo chosen on the wizard's what next, in a real terminal (tmux): the typed
// confirmation is read from the terminal afresh, and once undo has answered
// (refused or done) the process exits by itself with undo's exit code, no key
// pressed after.
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {cliPath, runCli} from '../support/cli.js';
import {need} from '../support/need.js';
import {treeDigest} from '../support/tree.js';
import {Terminal} from './support/terminal.js';

const work = await mkdtemp(join(tmpdir(), 'wizard-undo-'));
after(() => rm(work, {recursive: true, force: true}));
const labRecipe = new URL('../../recipes/lab.yaml', import.meta.url).pathname;
const root = join(work, 'root');
const state = join(work, 'state');

/** Starts the wizard on the finished site, chooses Undo and answers its confirmation with `answer`. */
async function undoFromMenu(terminal: Terminal, answer: string): Promise<void> {
	terminal.start(`env -u CI TERM=xterm-256color ${process.execPath} ${cliPath} --root ${root} --state-dir ${state}`);
	await terminal.waitFor(/The site is set up\. What next\?[\s\S]*^ {2}Quit/m);
	// Undo is the one before Quit, the last entry.
	const entries = terminal.screen().split('The site is set up. What next?')[1]!.match(/^[ ❯] (Add a VM|List VMs|Remove a VM|Check for drift|Continue|Review answers|Start over|See the changes|Undo|Quit)\b/gm)!;
	assert.equal(entries.at(-2)?.trim(), 'Undo', entries.join(','));
	await terminal.press(...Array.from({length: entries.length - 2}, () => 'Down'));
	await terminal.waitFor('❯ Undo');
	await terminal.press('Enter');
	await terminal.waitFor(/Type .*undo/i);
	await terminal.type(answer);
	await terminal.press('Enter');
}

test('undo from the wizard\'s what next exits by itself, refused or done', {timeout: 240_000}, async t => {
	if (!need(['tmux'], t)) return;
	assert.ok(existsSync(cliPath), 'dist/cli.js is built (node scripts/build.js)');
	const applied = await runCli(['apply', '--recipe', labRecipe, '--root', root, '--state-dir', state, '--yes']);
	assert.equal(applied.code, 0, applied.stdout + applied.stderr);
	const before = [await treeDigest(root), await treeDigest(state)];

	await t.test('a wrong word: nothing changed, exit 1', async () => {
		const terminal = new Terminal('wizard-undo-nope', {columns: 80, rows: 24});
		try {
			await undoFromMenu(terminal, 'nope');
			await terminal.waitFor('Nothing was changed.');
			// No key pressed: the process ends on its own.
			await terminal.waitFor('EXIT=1');
		} finally {
			terminal.close();
		}
		assert.deepEqual([await treeDigest(root), await treeDigest(state)], before);
	});

	await t.test('undo: every action undone, exit 0', async () => {
		const terminal = new Terminal('wizard-undo-yes', {columns: 80, rows: 24});
		try {
			await undoFromMenu(terminal, 'undo');
			await terminal.waitFor(/Undone: \d+ actions/, 60_000);
			await terminal.waitFor('EXIT=0');
		} finally {
			terminal.close();
		}
		assert.ok(!existsSync(join(root, 'etc/bind/db.farm')), 'the zone the wizard wrote is gone');
	});
});
