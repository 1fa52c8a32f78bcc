// The command-running failpoint the resume lab aims with: it counts every
// changing command at its start and kills the wizard a second into the n-th,
// or as soon as that command ends if it ends sooner, before it is recorded.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';

/** Runs the given commands one after another through a real-mode host adapter, with the failpoint set. */
async function runCommands(failpoint: string, commands: string[][]) {
	const state = await mkdtemp(join(tmpdir(), 'gw-failpoint-'));
	try {
		const script = `
			import {localHost} from './source/host/local.ts';
			import {Transcript} from './source/host/transcript.ts';
			const transcript = new Transcript(${JSON.stringify(join(state, 'transcript.log'))});
			const host = localHost({root: '/', stateDir: ${JSON.stringify(state)}, transcript});
			for (const argv of ${JSON.stringify(commands)}) {
				await host.run(argv);
				await host.probe(['true']);
				console.log('finished ' + argv.join(' '));
			}
		`;
		const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {env: {...process.env, GANETI_WIZARD_FAILPOINT: failpoint}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => (stdout += chunk));
		child.stderr.on('data', chunk => (stderr += chunk));
		const signal = await new Promise<NodeJS.Signals | null>(resolve => child.on('close', (_, signal) => resolve(signal)));
		const transcript = await readFile(join(state, 'transcript.log'), 'utf8').catch(() => '');
		return {signal, finished: stdout.trim().split('\n').filter(Boolean), stderr, transcript};
	} finally {
		await rm(state, {recursive: true, force: true});
	}
}

test('command-running:2 kills a second into the second changing command; probes do not count', async () => {
	const run = await runCommands('command-running:2', [['true'], ['sleep', '30'], ['echo', 'third']]);
	assert.equal(run.signal, 'SIGKILL', run.stderr);
	assert.deepEqual(run.finished, ['finished true']);
	assert.match(run.transcript, /\$ sleep 30 +# started/);
	assert.doesNotMatch(run.transcript, /\$ sleep 30 +# exit/, 'the sleep was still running when the wizard died');
	assert.doesNotMatch(run.transcript, /echo third/);
});

test('command-running:1 on a command that ends within the second kills right after it, before the next one', async () => {
	const run = await runCommands('command-running:1', [['true'], ['echo', 'second']]);
	assert.equal(run.signal, 'SIGKILL', run.stderr);
	assert.deepEqual(run.finished, []);
	assert.match(run.transcript, /\$ true +# started/);
	assert.doesNotMatch(run.transcript, /# exit/, 'killed before the end was recorded');
	assert.doesNotMatch(run.transcript, /echo second/);
});
