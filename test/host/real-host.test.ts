// The host contract (test/host/support/host-contract.ts) against the real
// host on this machine, in a folder of its own: the behaviour every other
// host with processes (a node over SSH) must match.
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {hostContract} from './support/host-contract.js';

let folder = '';
let state = '';
// Owners are set by name: only root may give a file to another user.
if (process.getuid?.() === 0) {
	hostContract(
		'the real host',
		async () => {
			folder = await mkdtemp(join(tmpdir(), 'gw-real-host-'));
			state = await mkdtemp(join(tmpdir(), 'gw-real-host-state-'));
			return {host: localHost({root: '/', stateDir: state, transcript: new Transcript(join(state, 'transcript.log'))}), folder};
		},
		async () => {
			await rm(folder, {recursive: true, force: true});
			await rm(state, {recursive: true, force: true});
		},
	);
} else {
	test('the real host keeps the host contract', t => t.skip('needs root (files are given to another owner)'));
}
