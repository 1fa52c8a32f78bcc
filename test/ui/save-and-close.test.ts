// "Save as recipe" and the end of a run, in a real terminal (tmux, TERM=dumb:
// line mode) driving the built command: the saved recipe replays what the
// operator did (a rehearsal stays one, under the same folder) with the
// generated MAC and address written in, the closing lines say where the
// rehearsal's files and commands are and how to do it for real, once; the
// recipe replayed into a fresh folder gives the same files and records the
// same commands.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {parse} from 'yaml';
import {cliPath, runCli, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';
import {tick} from './support/ink.js';
import {Terminal} from './support/terminal.js';
import {treeFiles} from '../support/tree.js';


const count = (text: string, part: string) => text.split(part).length - 1;

test('save as recipe in a rehearsal, then run it: the replay command, the pinned MAC, the closing lines once, the same files and recorded commands on replay', {timeout: 600_000}, async t => {
	if (!need(['tmux'], t)) return;
	assert.ok(existsSync(cliPath), 'dist/cli.js is built (npm run build)');
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-save-'));
	const terminal = new Terminal('wizard-save');
	try {
		// The seed without the VM's MAC and address: the site generates them.
		const given = join(scratch, 'given.yaml');
		const seed = readFileSync(seedRecipe, 'utf8');
		const at = seed.indexOf('\ninstances:');
		const unpinned = seed.slice(0, at) + seed.slice(at).replace(/^ {4}(mac|address): .*\n/gm, '');
		assert.notEqual(unpinned, seed);
		writeFileSync(given, unpinned);
		const root = join(scratch, 'rehearsal');
		const state = join(scratch, 'state');
		const saved = join(scratch, 'saved.yaml');
		terminal.start(`cd ${scratch} && env -u CI TERM=dumb ${process.execPath} ${cliPath} --recipe ${given} --root ${root} --state-dir ${state}`);

		const first = await terminal.waitFor(/\(1\/(\d+)\) /);
		const total = Number(/\(1\/(\d+)\) /.exec(first)![1]);
		for (let index = 1; index <= total; index++) {
			await terminal.waitFor(`(${index}/${total}) `);
			await terminal.press('Enter');
		}
		await terminal.waitFor(/^\? Next\?/m);
		await terminal.press('Down', 'Enter');
		await terminal.waitFor('Save the answers as a recipe file:');
		await terminal.type(saved);
		await terminal.press('Enter');
		const afterSave = await terminal.waitFor(/Saved to .*: replay it with `.*`/);
		const replay = /Saved to .*: replay it with `(.*)`/.exec(afterSave)![1]!;
		assert.equal(replay, `ganeti-wizard apply --recipe ${saved} --root ${root} --state-dir ${state} --yes`, 'a rehearsal stays a rehearsal');
		const recipe = parse(readFileSync(saved, 'utf8')) as {instances: Array<{mac?: string; address?: string}>};
		assert.match(recipe.instances[0]!.mac ?? '', /^52:54:00(:[0-9a-f]{2}){3}$/, 'the generated MAC is in the saved recipe');
		assert.match(recipe.instances[0]!.address ?? '', /^10\.10\.1\.\d+$/, 'the generated address is in the saved recipe');
		assert.match(readFileSync(saved, 'utf8'), new RegExp(`^# Replay them unattended with: ${replay.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));

		// Start, then every plan applied and the checkpoint passed.
		await terminal.waitFor(/^\? Next\?/m);
		await terminal.press('Enter');
		for (;;) {
			const screen = await terminal.waitFor(/^\? (Apply "|Has the install finished)|EXIT=\d+|^\? What now\?/m, 120_000);
			if (/EXIT=\d+/.test(screen)) break;
			assert.doesNotMatch(screen, /^\? What now\?/m, 'no failure');
			await terminal.press('Enter');
			for (let waited = 0; terminal.screen() === screen && waited < 5000; waited += 100) await tick(100);
		}
		const shown = terminal.history();
		assert.match(shown, /EXIT=0/);
		assert.equal(count(shown, 'Every step is done.'), 1, 'the closing lines come once');
		assert.equal(count(shown, `Rehearsal: the files are under ${root}; the commands a real run would execute are in ${join(state, 'commands.sh')}.`), 1);
		assert.equal(count(shown, `To do it for real, as root on this host: ganeti-wizard apply --recipe ${saved} --root / --yes`), 1);
		const dhcpd = readFileSync(join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf'), 'utf8');
		assert.ok(dhcpd.includes(`hardware ethernet ${recipe.instances[0]!.mac};`), 'the MAC in the recipe is the one the run used');
		assert.ok(dhcpd.includes(`fixed-address ${recipe.instances[0]!.address};`));

		// The command the wizard suggested acts on the rehearsal, where nothing is left to do.
		const again = await runCli(replay.split(' ').slice(1));
		assert.equal(again.code, 0, again.stderr);
		assert.match(again.stdout, new RegExp(`^Rehearsal of ${saved} under ${root}`));
		assert.match(again.stdout, /All steps are done\. 0 changes made/);
		// Replayed into a fresh folder and site, the recipe gives the same files.
		const fresh = join(scratch, 'fresh');
		const replayed = await runCli(['apply', '--recipe', saved, '--root', fresh, '--state-dir', join(scratch, 'fresh-state'), '--yes']);
		assert.equal(replayed.code, 0, replayed.stderr);
		const expected = treeFiles(root);
		const got = treeFiles(fresh);
		assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
		for (const [path, content] of expected) assert.equal(got.get(path), content, path);
		// And the same commands recorded, in the same order (comment lines carry dates).
		const commands = (directory: string) => readFileSync(join(directory, 'commands.sh'), 'utf8').split('\n').filter(line => !line.startsWith('#'));
		assert.ok(commands(state).length > 10, 'the interactive run recorded its commands');
		assert.deepEqual(commands(join(scratch, 'fresh-state')), commands(state));
	} finally {
		terminal.close();
		rmSync(scratch, {recursive: true, force: true});
	}
});
