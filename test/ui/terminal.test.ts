// The real binary in a real terminal (tmux): the rehearsal of the seed recipe
// from the first question to the VM checkpoint, a quit with q in the middle,
// a restart that finishes from the resume screen; the rehearsal folder then
// holds what an unattended `apply --root` of the same recipe writes.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {cliPath, runCli, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';
import {tick} from './support/ink.js';
import {Terminal} from './support/terminal.js';
import {treeFiles} from '../support/tree.js';


test('the wizard in a terminal: questions, plans, q in the middle, resume, checkpoint; same files as apply --root', {timeout: 600_000}, async t => {
	if (!need(['tmux'], t)) return;
	assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-terminal-'));
	const terminal = new Terminal();
	try {
		const root = join(scratch, 'rehearsal');
		const state = join(scratch, 'state');
		// CI is unset inside: this test is about the full-screen wizard, which CI would turn into plain prompts.
		const command = `cd ${process.cwd()} && env -u CI TERM=xterm-256color ${process.execPath} ${cliPath} --recipe ${seedRecipe} --root ${root} --state-dir ${state}`;

		terminal.start(command);
		const first = await terminal.waitFor(/Question 1 of (\d+)/);
		const total = Number(/Question 1 of (\d+)/.exec(first)![1]);
		assert.match(first, /❯ gcc20/);
		for (let index = 1; index <= total; index++) {
			await terminal.waitFor(`Question ${index} of ${total}`);
			await terminal.press('Enter');
		}
		const summary = await terminal.waitFor('Your site');
		assert.match(summary, /VMs +rodo1\.osm/);
		await terminal.press('Enter');
		for (const step of ['Preflight checks', 'Packages, LVM volume group', 'Private network, bridge and NAT']) {
			await terminal.waitFor(`Plan: ${step}`);
			await terminal.press('Enter');
		}
		// In the middle of the run: q at the next plan.
		await terminal.waitFor('Plan: Private DNS');
		await terminal.press('q');
		let screen = await terminal.waitFor('EXIT=4');
		assert.match(screen, /Stopped\. Run `ganeti-wizard .*` again to resume/);

		terminal.start(command);
		screen = await terminal.waitFor('Saved progress');
		assert.match(screen, /Done: +Preflight checks, Packages, LVM volume group and DRBD hand-over, Private network, bridge and NAT/);
		assert.match(screen, /Next: +Private DNS/);
		await terminal.press('Enter');
		for (;;) {
			screen = await terminal.waitFor(/Plan: |Your turn|Every step is done|failed/, 120_000);
			if (/Every step is done|failed/.test(screen)) break;
			if (screen.includes('Your turn')) {
				assert.match(screen, /install the OS of rodo1\.osm\.vm\.farm over VNC/);
				assert.match(screen, /ssh -N -L 5900:127\.0\.0\.1:<VNC port> root@198\.51\.100\.20/);
			}
			const before = screen;
			await terminal.press('Enter');
			// The next screen, not the same one again.
			for (let waited = 0; terminal.screen() === before && waited < 5000; waited += 100) await tick(100);
		}
		assert.match(screen, /Every step is done\./);
		await terminal.press('Enter');
		await terminal.waitFor('EXIT=0');

		const unattendedRoot = join(scratch, 'unattended');
		const unattended = await runCli(['apply', '--recipe', seedRecipe, '--root', unattendedRoot, '--state-dir', join(scratch, 'unattended-state'), '--yes']);
		assert.equal(unattended.code, 0, unattended.stderr);
		const interactive = treeFiles(root);
		const expected = treeFiles(unattendedRoot);
		assert.deepEqual([...interactive.keys()].sort(), [...expected.keys()].sort());
		for (const [path, content] of expected) assert.equal(interactive.get(path), content, path);
		const commands = (directory: string) => readFileSync(join(directory, 'commands.sh'), 'utf8').split('\n').filter(line => !line.startsWith('#'));
		assert.deepEqual(commands(state), commands(join(scratch, 'unattended-state')));
	} finally {
		terminal.close();
		rmSync(scratch, {recursive: true, force: true});
	}
});
