// Kill -9 at every point of a rehearsal of the seed recipe, then resume: each
// rerun must end with the same files and the same recorded commands as an
// uninterrupted run, and no action may be applied twice.
import assert from 'node:assert/strict';
import {readJournal} from '../../source/site/journal.js';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {runCli, seedRecipe} from '../support/cli.js';
import {treeDigest} from '../support/tree.js';

let work: string;
let reference: {files: Map<string, string>; commands: string; writes: string[]; applied: number};

async function applySeed(name: string, env: Record<string, string> = {}) {
	const root = join(work, name, 'root');
	const state = join(work, name, 'state');
	const result = await runCli(['apply', '--recipe', seedRecipe, '--root', root, '--state-dir', state, '--yes'], {env});
	return {root, state, result};
}

/** Every "wrote PATH" of the transcript: a file written twice shows twice. */
async function writes(state: string): Promise<string[]> {
	const transcript = await readFile(join(state, 'transcript.log'), 'utf8');
	return [...transcript.matchAll(/# wrote (\S+)/g)].map(match => match[1]!).sort();
}

async function outcome(root: string, state: string) {
	return {files: await treeDigest(root), commands: await readFile(join(state, 'commands.sh'), 'utf8'), writes: await writes(state)};
}

before(async () => {
	work = await mkdtemp(join(tmpdir(), 'gw-resume-'));
	const {root, state, result} = await applySeed('reference');
	assert.equal(result.code, 0, result.stderr + result.stdout);
	const applied = readJournal(state).filter(record => record.type === 'action' && record.phase === 'end' && record.status === 'done').length;
	reference = {...(await outcome(root, state)), applied};
});

after(async () => {
	await rm(work, {recursive: true, force: true});
});

test('the uninterrupted rehearsal applies many actions and a rerun applies none', async () => {
	assert.ok(reference.applied >= 20, `only ${reference.applied} actions applied`);
	assert.ok(reference.files.size >= 8, `only ${reference.files.size} files written`);
	const {root, state} = await applySeed('twice');
	const first = await outcome(root, state);
	const rerun = await applySeed('twice');
	assert.equal(rerun.result.code, 0);
	assert.doesNotMatch(rerun.result.stdout, /✓ done/);
	assert.deepEqual(await outcome(root, state), first);
});

// after-effect (the change made, not yet recorded) is the hard case: every
// point. after-action (recorded) is the easy one: every fourth point.
for (const [point, stride] of [['after-effect', 1], ['file-candidate', 1], ['after-action', 4]] as const) {
	test(`SIGKILL at ${stride === 1 ? 'every' : `every ${stride}th`} ${point} point, then resume: same result, nothing applied twice`, async () => {
		const limit = point === 'file-candidate' ? reference.writes.length : reference.applied;
		for (let count = 1; count <= limit; count += stride) {
			const name = `${point}-${count}`;
			const killed = await applySeed(name, {GANETI_WIZARD_FAILPOINT: `${point}:${count}`});
			assert.equal(killed.result.signal, 'SIGKILL', `${name}: expected the failpoint to kill the run (${killed.result.stderr})`);
			const resumed = await applySeed(name);
			assert.equal(resumed.result.code, 0, `${name}: ${resumed.result.stderr}${resumed.result.stdout}`);
			const result = await outcome(resumed.root, resumed.state);
			assert.deepEqual(result.files, reference.files, `${name}: files differ from an uninterrupted run`);
			assert.equal(result.commands, reference.commands, `${name}: recorded commands differ (a command ran twice or not at all)`);
			assert.deepEqual(result.writes, reference.writes, `${name}: a file was written twice`);
			await rm(join(work, name), {recursive: true, force: true});
		}
	});
}
