// Zone serials are journalled: each zone file's end record carries the
// serial the written file holds, so a zone written again after its file was lost
// gets a higher serial (secondaries and caches only take a higher one), and
// serials that a site saved before the journal carried them still count.
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, unlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {findSerial} from '../../source/render/serial.js';
import {readJournal, type JournalRecord} from '../../source/site/journal.js';
import {runCli, seedRecipe} from '../support/cli.js';

const work = await mkdtemp(join(tmpdir(), 'gw-serials-'));
after(() => rm(work, {recursive: true, force: true}));

type ZoneWrite = {zone: string; value: number; path: string};

/** The zone writes the journal records, in order: the serial each end record names, and the file its begin record names. */
function zoneWrites(state: string): ZoneWrite[] {
	const paths = new Map<string, string>();
	return readJournal(state).flatMap((record: JournalRecord) => {
		if (record.type !== 'action') return [];
		if (record.phase === 'begin' && record.change?.kind === 'file') paths.set(record.id, record.change.path);
		return record.phase === 'end' && record.serial && record.applied ? [{...record.serial, path: paths.get(record.id)!}] : [];
	});
}

async function serialOnDisk(root: string, path: string): Promise<number | undefined> {
	return findSerial(await readFile(join(root, path), 'utf8'))?.serial;
}

async function applied(name: string) {
	const root = join(work, name, 'root');
	const state = join(work, name, 'state');
	const at = (args: string[]) => runCli([...args, '--root', root, '--state-dir', state]);
	const first = await at(['apply', '--recipe', seedRecipe, '--yes']);
	assert.equal(first.code, 0, first.stderr + first.stdout);
	return {root, state, at};
}

test('each zone write journals the serial the file carries; a zone file lost by hand is written again with a higher one', async () => {
	const {root, state, at} = await applied('lost');
	const writes = zoneWrites(state);
	assert.ok(writes.length >= 2, `a forward and a reverse zone at least (${writes.length})`);
	for (const write of writes) assert.equal(await serialOnDisk(root, write.path), write.value, `${write.path} carries the serial its record names`);

	const [lost] = writes;
	await unlink(join(root, lost!.path));
	const again = await at(['apply', '--yes']);
	assert.equal(again.code, 0, again.stderr + again.stdout);
	const rewritten = zoneWrites(state).slice(writes.length);
	assert.deepEqual(
		rewritten.map(write => write.zone),
		[lost!.zone],
		'only the lost zone is written again',
	);
	assert.ok(rewritten[0]!.value > lost!.value, `serial ${rewritten[0]!.value} is above ${lost!.value}`);
	assert.equal(await serialOnDisk(root, lost!.path), rewritten[0]!.value);
});

test('serials a site saved in site.json before the journal carried them keep counting', async () => {
	const {root, state, at} = await applied('saved');
	const [zone] = zoneWrites(state);
	const settingsPath = join(state, 'site.json');
	const settings = JSON.parse(await readFile(settingsPath, 'utf8')) as {serials: Record<string, number>};
	// As an earlier version left it: the last serial it wrote, far above today's.
	const saved = zone!.value + 1000;
	await writeFile(settingsPath, JSON.stringify({...settings, serials: {[zone!.zone]: saved}}, null, '\t'));
	await unlink(join(root, zone!.path));
	const again = await at(['apply', '--yes']);
	assert.equal(again.code, 0, again.stderr + again.stdout);
	assert.equal(await serialOnDisk(root, zone!.path), saved + 1);
});
