// cluster.ssh_init: true on two nodes, for real (test/support/two-node-lab.ts):
// recipes/lab-two-nodes.yaml with Ganeti's own SSH setup, applied on gcc20 and
// grown with node add gcc21. Ganeti's gnt-node add lays gcc20's host keys on
// gcc21 and gives gcc21's root a key of its own; the cluster verifies with two
// nodes; undo --node gcc21 leaves gcc21 as it was found, its SSH files too.
// test/lab/nodes.test.ts covers the rest of node add with ssh_init: false.
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {labHostRequirements, type CliRun} from '../support/lab-host.js';
import {differences, labState} from '../support/lab-snapshot.js';
import {need} from '../support/need.js';
import {createTwoNodeLab, twoNodeLabRequirements} from '../support/two-node-lab.js';

const baseRecipe = fileURLToPath(new URL('../../recipes/lab-two-nodes.yaml', import.meta.url));
const recipe = '/root/recipes/ssh-init-two-nodes.yaml';
const addGcc21 = ['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.0.21', '--root', '/', '--yes'];

test('cluster.ssh_init: true: Ganeti sets up SSH as gcc21 joins, the cluster verifies with two nodes, undo --node puts gcc21 back', async t => {
	if (!need([...labHostRequirements, ...twoNodeLabRequirements, 'ps'], t)) return;
	const lab = await createTwoNodeLab();
	const {first} = lab;
	const gcc20 = lab.node1.lab;
	const gcc21 = lab.node2.lab;
	const cli = async (args: string[]) => {
		const run = await first.cli(args, {timeoutMs: 15 * 60_000});
		console.log(`# ${args.slice(0, 3).join(' ')}: exit ${run.code ?? run.signal} in ${(run.ms / 1000).toFixed(1)} s`);
		if (run.code !== 0) assert.fail(`${args.join(' ')} exited ${run.code ?? run.signal}\n${await first.diagnostics(run)}`);
		return run;
	};
	const shared = [new RegExp(`^${lab.sharedDirectory}/`)];
	// sshd serves one session per wizard connection: which programs run is compared, not how many.
	const gcc21State = async () => {
		const state = await labState(gcc21, shared);
		return {...state, processes: [...new Set(state['processes'] as string[])]};
	};
	try {
		const before = await gcc21State();
		const rootKeyBefore = await gcc21.readFile('/root/.ssh/id_rsa.pub');
		const text = await readFile(baseRecipe, 'utf8');
		await gcc20.writeFile(recipe, text.replace(/^cluster:\n/m, 'cluster:\n  ssh_init: true\n'));
		await cli(['apply', '--recipe', recipe, '--root', '/', '--yes']);
		await cli(addGcc21);

		assert.deepEqual((await gcc20.run(['gnt-node', 'list', '--no-headers', '-o', 'name'])).trim().split('\n'), ['gcc20.node.farm', 'gcc21.node.farm']);
		// ENODESETUP: a lab host's /proc is its namespace's (as test/lab/nodes.test.ts).
		const verify = await gcc20.exec(['gnt-cluster', 'verify', '-I', 'ENODESETUP']);
		assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
		// Ganeti's doing, not the wizard's: gcc20's host key on gcc21, a new root key there, authorised on gcc20.
		assert.equal(await gcc21.readFile('/etc/ssh/ssh_host_rsa_key.pub'), await gcc20.readFile('/etc/ssh/ssh_host_rsa_key.pub'));
		const rootKey = (await gcc21.readFile('/root/.ssh/id_rsa.pub'))?.trim() ?? '';
		assert.match(rootKey, /^ssh-rsa /);
		assert.notEqual(rootKey, rootKeyBefore?.trim());
		assert.ok((await gcc20.readFile('/root/.ssh/authorized_keys'))?.split('\n').includes(rootKey), "gcc21's new root key logs in to gcc20");

		await cli(['undo', '--node', 'gcc21', '--root', '/', '--yes']);
		assert.deepEqual((await gcc20.run(['gnt-node', 'list', '--no-headers', '-o', 'name'])).trim().split('\n'), ['gcc20.node.farm']);
		assert.deepEqual(differences(before, await gcc21State()), [], 'gcc21 is as the wizard found it, its SSH files too');
	} finally {
		await lab.destroy();
	}
});
