// The full-screen wizard from the first question to the end of a rehearsal,
// in a real terminal (tmux) at 80x24 and 120x40: on every kind of screen (a
// text question, a list, the disk list, the summary, a plan, the checkpoint,
// the end) ? opens the help and Esc closes it. Every screen on the way fits
// the terminal whole, shows its key help, and breaks no word mid-way (nor
// does the help).
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {cliPath, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';
import {tick} from './support/ink.js';
import {brokenWords, Terminal} from './support/terminal.js';

for (const [columns, rows] of [
	[80, 24],
	[120, 40],
] as const) {
	test(`${columns}x${rows}: ? opens the help on every kind of screen to the end; key help shown, no word broken`, {timeout: 300_000}, async t => {
		if (!need(['tmux'], t)) return;
		assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
		const scratch = mkdtempSync(join(tmpdir(), 'wizard-help-'));
		const terminal = new Terminal('wizard-help', {columns, rows});
		const kinds = new Set<string>();
		/** The screen in front fits: its first line on top (nothing scrolled off), its key help, no word broken. */
		const fits = async (kind: string, marker: RegExp): Promise<void> => {
			const screen = await terminal.waitFor(marker);
			assert.match(screen, /^ganeti-wizard · /, `${kind}: the whole screen fits:\n${screen}`);
			assert.match(screen, /\? help/, `${kind}: the key help names ?:\n${screen}`);
			assert.deepEqual(brokenWords(terminal.visible(), columns), [], `${kind}: no word broken`);
		};
		/** The same, then ? opens the help (no word broken in it either) and Esc closes it. */
		const look = async (kind: string, marker: RegExp): Promise<void> => {
			await fits(kind, marker);
			await terminal.press('?');
			const help = await terminal.waitFor('Press ? or Esc to close.');
			assert.match(help, /│ Help/);
			assert.deepEqual(brokenWords(terminal.visible(), columns), [], `${kind}: no word broken in the help`);
			await terminal.press('Escape');
			await terminal.waitFor(marker);
			kinds.add(kind);
		};
		try {
			terminal.start(`cd ${scratch} && env -u CI TERM=xterm-256color ${process.execPath} ${cliPath} --recipe ${seedRecipe} --root ${join(scratch, 'rehearsal')} --state-dir ${join(scratch, 'state')}`);
			const total = Number(/Question 1 of (\d+)/.exec(await terminal.waitFor(/Question 1 of (\d+)/))![1]);
			for (let index = 1; index <= total; index++) {
				const marker = new RegExp(`Question ${index} of ${total} · `);
				const screen = await terminal.waitFor(marker);
				const kind = /Disk for the VMs/.test(screen) ? 'the disk list' : /↑↓ move/.test(screen) ? 'a list' : 'a text question';
				if (kinds.has(kind)) await fits(kind, marker);
				else await look(kind, marker);
				await terminal.press('Enter');
			}
			await look('the summary', /Your site[\s\S]*Start/);
			await terminal.press('Enter');
			for (;;) {
				const screen = await terminal.waitFor(/Plan: |Your turn|Every step is done|failed/, 120_000);
				if (/Every step is done|failed/.test(screen)) break;
				if (screen.includes('Your turn') && !kinds.has('the checkpoint')) await look('the checkpoint', /Your turn/);
				if (screen.includes('Plan: ')) await (kinds.has('a plan') ? fits : look)('a plan', /Plan: /);
				const before = terminal.screen();
				await terminal.press('Enter');
				for (let waited = 0; terminal.screen() === before && waited < 5000; waited += 100) await tick(100);
			}
			await look('the end', /Every step is done\./);
			assert.deepEqual([...kinds].sort(), ['a list', 'a plan', 'a text question', 'the checkpoint', 'the disk list', 'the end', 'the summary']);
			await terminal.press('Enter');
			await terminal.waitFor('EXIT=0');
		} finally {
			terminal.close();
			rmSync(scratch, {recursive: true, force: true});
		}
	});
}

for (const [columns, rows] of [
	[80, 24],
	[120, 40],
] as const) {
	test(`${columns}x${rows}, line mode (TERM=dumb): ? shows the help at every kind of prompt to the end, then the same prompt; no word broken`, {timeout: 300_000}, async t => {
		if (!need(['tmux'], t)) return;
		assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
		const scratch = mkdtempSync(join(tmpdir(), 'wizard-help-line-'));
		const terminal = new Terminal('wizard-help-line', {columns, rows});
		const kinds = new Set<string>();
		/** The prompt in front: inquirer marks it with ? (✔ once answered). */
		const active = (screen: string) => [...screen.matchAll(/^\? (.+)$/gm)].at(-1)?.[1];
		const helps = () => terminal.history().split('\n').filter(line => line === 'Help').length;
		try {
			terminal.start(`cd ${scratch} && env -u CI TERM=dumb ${process.execPath} ${cliPath} --recipe ${seedRecipe} --root ${join(scratch, 'rehearsal')} --state-dir ${join(scratch, 'state')}`);
			for (;;) {
				const screen = await terminal.waitFor(/^\? |EXIT=\d+/m, 120_000);
				if (/EXIT=\d+/.test(screen)) break;
				const prompt = active(screen)!;
				assert.deepEqual(brokenWords(terminal.visible(), columns), [], `no word broken at ${prompt}`);
				const kind = /Disk for the VMs/.test(prompt) ? 'the disk list' : /^\(\d+\/\d+\)/.test(prompt) ? (/↑↓ navigate/.test(screen.slice(screen.lastIndexOf(prompt))) ? 'a list' : 'a text question') : /^Next\?/.test(prompt) ? 'the summary' : /^Apply "/.test(prompt) ? 'a plan' : /^Has the install finished/.test(prompt) ? 'the checkpoint' : prompt;
				if (!kinds.has(kind)) {
					const before = helps();
					await terminal.press('?');
					for (let waited = 0; helps() === before; waited += 100) {
						assert.ok(waited < 10_000, `? showed no help at ${prompt}:\n${terminal.screen()}`);
						await tick(100);
					}
					// The same prompt again, under the help.
					const again = await terminal.waitFor(/^Every command and its output[\s\S]*^\? /m);
					assert.equal(active(again)!.replace(/ \(.*\)$/, ''), prompt.replace(/ \(.*\)$/, ''));
					assert.deepEqual(brokenWords(terminal.visible(), columns), [], `no word broken in the help at ${prompt}`);
					kinds.add(kind);
				}
				await terminal.press('Enter');
				for (let waited = 0; active(terminal.screen()) === prompt && waited < 5000; waited += 100) await tick(100);
			}
			assert.match(terminal.screen(), /EXIT=0/);
			assert.deepEqual([...kinds].sort(), ['a list', 'a plan', 'a text question', 'the checkpoint', 'the disk list', 'the summary']);
		} finally {
			terminal.close();
			rmSync(scratch, {recursive: true, force: true});
		}
	});
}
