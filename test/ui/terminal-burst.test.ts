// Keys sent together reach the full-screen wizard in a real terminal: at
// 80x24 and 120x40, `Down Down Down Enter` in one write on the hypervisor list
// (kvm, xen-pvm, xen-hvm, fake) chooses the fourth item, as the summary shows.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {cliPath, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';
import {Terminal} from './support/terminal.js';

for (const [columns, rows] of [
	[80, 24],
	[120, 40],
] as const) {
	test(`${columns}x${rows}: Down Down Down Enter in one burst picks the fourth hypervisor`, {timeout: 120_000}, async t => {
		if (!need(['tmux'], t)) return;
		assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
		const scratch = mkdtempSync(join(tmpdir(), 'wizard-burst-'));
		const terminal = new Terminal('wizard-burst', {columns, rows});
		try {
			terminal.start(`cd ${scratch} && env -u CI TERM=xterm-256color ${process.execPath} ${cliPath} --recipe ${seedRecipe} --root ${join(scratch, 'root')} --state-dir ${join(scratch, 'state')}`);
			for (;;) {
				const screen = await terminal.waitFor(/Question \d+ of \d+/);
				if (screen.includes('Hypervisor')) break;
				const before = screen;
				await terminal.press('Enter');
				for (let waited = 0; terminal.screen() === before && waited < 5000; waited += 100) await new Promise(resolve => setTimeout(resolve, 100));
			}
			await terminal.waitFor('❯ kvm');
			await terminal.burst('Down', 'Down', 'Down', 'Enter');
			// The burst's Enter chose and moved on; the answers kept say what it chose.
			await terminal.waitFor(/Question \d+ of \d+/);
			await terminal.press('q');
			await terminal.waitFor(/EXIT=\d+/);
			const saved = JSON.parse(readFileSync(join(scratch, 'state', 'site.json'), 'utf8')) as {answers: {cluster?: {hypervisor?: string}}};
			assert.equal(saved.answers.cluster?.hypervisor, 'fake');
		} finally {
			terminal.close();
			rmSync(scratch, {recursive: true, force: true});
		}
	});
}
