// Keys sent together reach the wizard in a real terminal (tmux), at 80x24 and
// 120x40, in the full-screen wizard (TERM=xterm-256color) and in line mode
// (TERM=dumb, and --plain under xterm-256color): three Enters in one write
// answer three questions, three Escapes go back three (full screen), and
// `Down Down Down Enter` in one write on the hypervisor list (kvm, xen-pvm,
// xen-hvm, fake) chooses the fourth item, as the answers kept say. Every
// question screen on the way keeps its key help and breaks no word.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {cliPath, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';
import {tick} from './support/ink.js';
import {brokenWords, Terminal} from './support/terminal.js';

type Face = {name: string; term: string; flags: string; full: boolean};
const faces: Face[] = [
	{name: 'the full-screen wizard (TERM=xterm-256color)', term: 'xterm-256color', flags: '', full: true},
	{name: 'line mode (TERM=dumb)', term: 'dumb', flags: '', full: false},
	{name: 'line mode (--plain, TERM=xterm-256color)', term: 'xterm-256color', flags: ' --plain', full: false},
];

for (const face of faces) {
	for (const [columns, rows] of [
		[80, 24],
		[120, 40],
	] as const) {
		test(`${columns}x${rows}, ${face.name}: Enters, Escapes and Down Down Down Enter in one burst each act as typed one by one`, {timeout: 120_000}, async t => {
			if (!need(['tmux'], t)) return;
			assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
			const scratch = mkdtempSync(join(tmpdir(), 'wizard-burst-'));
			const terminal = new Terminal(`wizard-burst-${face.term}${face.flags.trim()}`, {columns, rows});
			const question = (index: number | string) => (face.full ? new RegExp(`Question ${index} of (\\d+) · (.+)$`, 'm') : new RegExp(`\\(${index}/(\\d+)\\) (.+)$`, 'm'));
			/** Waits for question `index`; on the full screen, checks its key help and its words. */
			const at = async (index: number): Promise<string> => {
				const screen = await terminal.waitFor(question(index));
				if (face.full) {
					assert.match(screen, /\? help ·\s+(q|Ctrl-C) quit \(resume later\)/, `the key help at question ${index}:\n${screen}`);
					assert.deepEqual(brokenWords(terminal.visible(), columns), [], `no word broken at question ${index}`);
				}
				return question(index).exec(screen)![2]!.trim();
			};
			try {
				terminal.start(`cd ${scratch} && env -u CI TERM=${face.term} ${process.execPath} ${cliPath} --recipe ${seedRecipe} --root ${join(scratch, 'root')} --state-dir ${join(scratch, 'state')}${face.flags}`);
				await at(1);
				// Typed ahead: each Enter answers the question in front at that moment.
				await terminal.burst('Enter', 'Enter', 'Enter');
				await at(4);
				if (face.full) {
					await terminal.burst('Escape', 'Escape', 'Escape');
					await at(1);
					await terminal.burst('Enter', 'Enter', 'Enter');
					await at(4);
				}
				// One by one to the hypervisor: each Enter brings the next question, none is skipped.
				for (let index = 4; ; index++) {
					if ((await at(index)).startsWith('Hypervisor')) break;
					await terminal.press('Enter');
					await at(index + 1);
				}
				await terminal.waitFor(/❯ kvm/);
				await terminal.burst('Down', 'Down', 'Down', 'Enter');
				// The burst's Enter chose and moved on; the answers kept say what it chose.
				await terminal.waitFor(/First VM/);
				await terminal.press('C-c');
				await terminal.waitFor(/EXIT=\d+/);
				const saved = JSON.parse(readFileSync(join(scratch, 'state', 'site.json'), 'utf8')) as {answers: {cluster?: {hypervisor?: string}; host?: {hostname?: string}}};
				assert.equal(saved.answers.cluster?.hypervisor, 'fake');
				assert.equal(saved.answers.host?.hostname, 'gcc20', 'the first Enter of the burst kept the recipe\'s host name');
			} finally {
				terminal.close();
				rmSync(scratch, {recursive: true, force: true});
			}
		});
	}
}
