// The site you come back to: a state directory holds one site, imported by the
// first apply --recipe; plan and status write nothing; another site's recipe
// is refused before anything is written; a recipe that adds one instance
// changes only what belongs to that instance.
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {readJournal} from '../../source/site/journal.js';
import {runCli, seedRecipe} from '../support/cli.js';
import {treeDigest} from '../support/tree.js';

const work = await mkdtemp(join(tmpdir(), 'gw-site-'));
after(() => rm(work, {recursive: true, force: true}));

const seedText = await readFile(seedRecipe, 'utf8');

/** The seed recipe with one more instance, web1, after rodo1. */
function withInstance(text: string): string {
	assert.match(text, /\ninstances:\n(.|\n)*$/, 'the seed recipe lists its instances last');
	return text.replace(/\n*$/, '\n') + ['  - name: web1.osm', '    disk_template: plain', '    disk_size: 10G', '    memory: 512M', '    vcpus: 1', '    install: {os: debootstrap+default}', ''].join('\n');
}

async function site(name: string) {
	const root = join(work, name, 'root');
	const state = join(work, name, 'state');
	const at = (...args: string[]) => runCli([...args, '--root', root, '--state-dir', state]);
	return {root, state, at, digest: async () => ({root: existsSync(root) ? await treeDigest(root) : null, state: existsSync(state) ? await treeDigest(state) : null})};
}

test('plan and status on nothing create nothing: not the state directory, not the root', async () => {
	const {root, state, at} = await site('nothing');
	const plan = await runCli(['plan', '--recipe', seedRecipe, '--root', root, '--state-dir', state]);
	assert.equal(plan.code, 0, plan.stderr);
	const status = await runCli(['status', '--recipe', seedRecipe, '--root', root, '--state-dir', state]);
	assert.equal(status.code, 0, status.stderr);
	const bare = await at('status');
	assert.equal(bare.code, 2, 'no site saved and no recipe: a usage error');
	assert.match(bare.stderr, /no site is saved in .*: import one with --recipe FILE/);
	assert.ok(!existsSync(state) && !existsSync(root), 'nothing was created');
});

test('errors under --detailed-exitcode exit 1 (2 means changes pending); an empty flag value is a usage error', async () => {
	const {at} = await site('errors');
	const missing = await at('plan', '--detailed-exitcode');
	assert.equal(missing.code, 1, missing.stderr);
	for (const flag of ['--root', '--state-dir', '--recipe']) {
		const run = await runCli(['plan', `${flag}=`]);
		assert.equal(run.code, 2, `${flag}: ${run.stderr}`);
		assert.equal(run.stderr.trim(), `ganeti-wizard: ${flag} needs a value (${flag === '--recipe' ? 'a YAML file' : flag === '--root' ? 'a folder, or / for this host' : 'a folder'}); see ganeti-wizard --help`);
	}
});

test('a damaged site.json or journal line: one line naming the file and the fix, or ignored where nothing is lost', async () => {
	const {state, at, digest} = await site('damaged');
	assert.equal((await at('apply', '--recipe', seedRecipe, '--yes')).code, 0);
	const whole = await readFile(join(state, 'journal.jsonl'), 'utf8');
	// A damaged record in the middle (here the begin record of the write of /etc/resolv.conf):
	// skipping it would leave that file behind on undo. Every command stops before any change.
	const lines = whole.split('\n');
	const resolvBegin = lines.findIndex(line => line.includes('"phase":"begin"') && line.includes('"path":"/etc/resolv.conf"'));
	assert.ok(resolvBegin > 0, 'the journal holds the write of /etc/resolv.conf');
	const before = await digest();
	for (const damage of ['{garbage', 'null']) {
		await writeFile(join(state, 'journal.jsonl'), lines.map((line, index) => (index === resolvBegin ? damage : line)).join('\n'));
		for (const command of [['undo', '--yes'], ['changes'], ['apply', '--yes'], ['status']]) {
			const damaged = await at(...command);
			assert.equal(damaged.code, 2, `${command.join(' ')}: ${damaged.stdout}${damaged.stderr}`);
			assert.equal(damaged.stderr, `ganeti-wizard: ${join(state, 'journal.jsonl')}: line ${resolvBegin + 1} is not a record the wizard wrote (${JSON.stringify(damage)}): it is damaged; nothing was changed. Restore the file from a backup, or repair or delete that line (a deleted record's change is then neither shown nor undone)\n`);
		}
	}
	await writeFile(join(state, 'journal.jsonl'), whole);
	assert.deepEqual(await digest(), before, 'nothing was changed');
	// A last line torn by a kill is no damage: ignored, and the next run cuts it off before appending.
	await writeFile(join(state, 'journal.jsonl'), `${whole}{"run":"torn","at":"2026`);
	assert.equal((await at('status')).code, 0);
	assert.equal((await at('apply', '--yes')).code, 0);
	const mended = await readFile(join(state, 'journal.jsonl'), 'utf8');
	assert.ok(mended.startsWith(whole) && !mended.includes('"torn"') && mended.endsWith('\n'), 'the torn line is cut off');
	assert.equal((await at('changes')).code, 0);
	// Cut to a torn first line: the site saved beside it says records were there; changes and undo would see none.
	await writeFile(join(state, 'journal.jsonl'), whole.slice(0, 100));
	for (const command of [['changes'], ['undo', '--yes'], ['plan']]) {
		const cut = await at(...command);
		assert.equal(cut.code, 2, `${command.join(' ')}: ${cut.stdout}${cut.stderr}`);
		assert.match(cut.stderr.trim(), /^ganeti-wizard: .*journal\.jsonl: holds no record the wizard can read, though a site is saved beside it: it is damaged; restore it from a backup/);
	}
	await writeFile(join(state, 'journal.jsonl'), whole);
	await writeFile(join(state, 'site.json'), '{"version": 2, "recipe": ');
	const run = await at('plan');
	assert.equal(run.code, 2);
	assert.match(run.stderr.trim(), /^ganeti-wizard: .*site\.json: is damaged \(.*\): restore it from a backup, or move its state directory aside to start a new site$/);
});

test('a recipe with an error leaves nothing behind', async () => {
	const {root, state} = await site('bad');
	const bad = join(work, 'bad.yaml');
	await writeFile(bad, seedText.replace(/hostname: \S+/, 'hostname: Not_A_Name'));
	const run = await runCli(['apply', '--recipe', bad, '--root', root, '--state-dir', state, '--yes']);
	assert.equal(run.code, 2, run.stdout + run.stderr);
	assert.ok(!existsSync(state) && !existsSync(root));
});

test('the saved site: apply without --recipe makes 0 changes, plan and status write no byte, plan says No changes', async () => {
	const {at, digest} = await site('saved');
	const first = await at('apply', '--recipe', seedRecipe, '--yes');
	assert.equal(first.code, 0, first.stderr + first.stdout);

	const again = await at('apply', '--yes');
	assert.equal(again.code, 0, again.stderr + again.stdout);
	assert.match(again.stdout, /All steps are done\. 0 changes made/);

	const before = await digest();
	const plan = await at('plan');
	const status = await at('status');
	const json = await at('plan', '--json');
	assert.equal(plan.code, 0, plan.stderr);
	assert.equal(status.code, 0, status.stderr);
	assert.deepEqual(await digest(), before, 'plan and status changed a byte of the state directory, the transcript or the root');

	// Plan agrees with apply: nothing to change (the rehearsal passed the operator's install, claiming nothing).
	const planned = JSON.parse(json.stdout) as {changes: number; checks: number; steps: Array<{actions: Array<{id: string; change: boolean; kind: string; status: string}>}>};
	assert.deepEqual(planned.steps.flatMap(step => step.actions).filter(action => action.change), []);
	assert.equal(planned.changes, 0);
	assert.ok(planned.checks > 5);
	assert.deepEqual(planned.steps.flatMap(step => step.actions).filter(action => action.kind === 'checkpoint').map(action => action.status), ['unchecked']);
	assert.match(plan.stdout, /^No changes: the site matches its recipe \(\d+ checks will run\)$/m);
	assert.equal((await at('plan', '--detailed-exitcode')).code, 0);

	// Before the first apply, the plan of the same recipe shows its changes, short lines, no program text.
	const fresh = await site('fresh');
	const firstPlan = await runCli(['plan', '--recipe', seedRecipe, '--root', fresh.root, '--state-dir', fresh.state]);
	assert.match(firstPlan.stdout, /^\d+ changes, \d+ checks$/m);
	for (const line of firstPlan.stdout.split('\n')) assert.ok(line.length <= 200, `a plan line of ${line.length} characters`);
	assert.doesNotMatch(firstPlan.stdout, /import os|\{stage\}/, 'no program text, no placeholder');
});

test('another site\'s recipe on a saved site exits 2 with one line, and nothing is written', async () => {
	const {at, digest} = await site('other');
	assert.equal((await at('apply', '--recipe', seedRecipe, '--yes')).code, 0);
	const before = await digest();
	const other = join(work, 'other.yaml');
	await writeFile(other, seedText.replace(/hostname: gcc20\b/, 'hostname: gcc30'));
	for (const command of [['apply', '--yes'], ['plan']]) {
		const run = await at(...command, '--recipe', other);
		assert.equal(run.code, 2, `${command[0]}: ${run.stdout}${run.stderr}`);
		const lines = run.stderr.trim().split('\n');
		assert.equal(lines.length, 1, run.stderr);
		assert.match(lines[0]!, /host gcc30, cluster .* is another site than the one saved in .*state \(host gcc20, .*\); to rename the saved site, undo it first \(ganeti-wizard undo\), then apply the new recipe; or keep a separate site with --state-dir DIR/);
	}
	assert.deepEqual(await digest(), before);
});

test('a recipe that adds one instance: plan shows it and the MAC apply then uses; apply changes only that instance\'s records, entries and commands', async () => {
	const {root, state, at} = await site('grow');
	assert.equal((await at('apply', '--recipe', seedRecipe, '--yes')).code, 0);
	const grown = join(work, 'grown.yaml');
	await writeFile(grown, withInstance(seedText));
	const plan = await at('plan', '--recipe', grown);
	assert.equal(plan.code, 0, plan.stderr);
	const shown = /\+ instance web1\.osm (\S+) (\S+)/.exec(plan.stdout);
	assert.ok(shown, `plan names the new instance:\n${plan.stdout}`);
	const [, address, mac] = shown;
	assert.equal((await at('plan', '--recipe', grown, '--detailed-exitcode')).code, 2);

	const journalled = readJournal(state).length;
	const commands = await readFile(join(state, 'commands.sh'), 'utf8');
	const applied = await at('apply', '--recipe', grown, '--yes');
	assert.equal(applied.code, 0, applied.stderr + applied.stdout);
	const dhcpd = await readFile(join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf'), 'utf8');
	assert.match(dhcpd, new RegExp(`hardware ethernet ${mac};\\s+fixed-address ${address!.replaceAll('.', '\\.')};`), 'apply used what plan showed');
	const added = (await readFile(join(state, 'commands.sh'), 'utf8')).slice(commands.length);
	for (const line of added.split('\n').filter(line => line && !line.startsWith('#'))) {
		assert.ok(/web1|git -C|service (named|isc-dhcp-server)/.test(line), `a command that is not web1's own, its commit or a reload: ${line}`);
	}
	assert.match(added, /gnt-instance add .*web1\.osm\.vm\.farm/);
	const changed = readJournal(state)
		.slice(journalled)
		.flatMap(record => (record.type === 'action' && record.phase === 'begin' ? [record.id] : []));
	for (const id of changed) assert.match(id, /^(instances\.web1|dns\.|dhcp\.)/, `changed ${id}`);
	assert.match(await readFile(join(root, 'etc/bind/db.farm'), 'utf8'), new RegExp(`web1\\.osm\\.vm\\s+IN\\s+A\\s+${address!.replaceAll('.', '\\.')}`));
	// And now the grown site is the saved one.
	const again = await at('apply', '--yes');
	assert.match(again.stdout, /0 changes made/);
});

test('a saved site that no longer validates: plan says how to import a corrected recipe; apply --recipe of the same host replaces it, of another host is refused', async () => {
	const {state, at, digest} = await site('stale');
	const first = await at('apply', '--recipe', seedRecipe, '--yes');
	assert.equal(first.code, 0, first.stderr);
	// As if an earlier version had accepted what this one refuses.
	const settingsPath = join(state, 'site.json');
	const settings = JSON.parse(await readFile(settingsPath, 'utf8')) as {recipe: {text: string}};
	settings.recipe.text = settings.recipe.text.replace(/vcpus: \d+/, 'vcpus: 0');
	await writeFile(settingsPath, JSON.stringify(settings));
	const before = await digest();

	const plan = await at('plan');
	assert.equal(plan.code, 2, plan.stderr);
	assert.equal(plan.stderr.trim().split('\n').length, 1, plan.stderr);
	assert.match(plan.stderr, /no longer passes validation \(.*vcpus.*\): import a corrected recipe of the same site with ganeti-wizard apply --recipe FILE/);
	const other = join(work, 'stale', 'other.yaml');
	await writeFile(other, seedText.replace(/hostname: gcc20/, 'hostname: gcc21'));
	const refused = await at('apply', '--recipe', other, '--yes');
	assert.equal(refused.code, 2, refused.stderr);
	assert.match(refused.stderr, /another host's \(gcc20\); keep a separate site with --state-dir DIR/);
	assert.deepEqual(await digest(), before, 'nothing written by the refusals');

	const replaced = await at('apply', '--recipe', seedRecipe, '--yes');
	assert.equal(replaced.code, 0, replaced.stderr);
	assert.match(replaced.stdout, /0 changes made/);
	assert.equal((await at('plan', '--detailed-exitcode')).code, 0);
});
