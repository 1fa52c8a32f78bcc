// The SSH host (source/host/ssh.ts) between two lab hosts: from inside node1,
// the host contract against node2 over SSH and probeSsh's refusals
// (test/host/support/ssh-host-in-node.ts, run there with tsx from this
// checkout), and the two-node lab itself.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {outsideAddress} from '../support/lab-host.js';
import {need} from '../support/need.js';
import {createTwoNodeLab, removeAbandonedHarnesses, twoNodeLabRequirements, type TwoNodeLab} from '../support/two-node-lab.js';

const projectDirectory = fileURLToPath(new URL('../../', import.meta.url));

/** A process that makes a two-node lab, prints its holders and folders, then waits to be killed. */
const harnessScript = `
import {createTwoNodeLab} from './test/support/two-node-lab.ts';
const lab = await createTwoNodeLab();
const labs = [lab.switch, lab.node1.lab, lab.node2.lab];
console.log(JSON.stringify({holders: labs.map(each => each.pid), folders: labs.map(each => each.tempDir)}));
setInterval(() => {}, 60_000);
`;

test('a two-node lab killed outright leaves no process, and its folders are removed by the next', async t => {
	if (!need(twoNodeLabRequirements, t)) return;
	const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', harnessScript], {cwd: projectDirectory, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stderr.on('data', chunk => (stderr += chunk));
	const exited = new Promise(resolve => child.once('exit', resolve));
	const started = await new Promise<{holders: number[]; folders: string[]}>((resolve, reject) => {
		child.stdout.on('data', chunk => {
			stdout += chunk;
			if (stdout.includes('\n')) resolve(JSON.parse(stdout));
		});
		void exited.then(() => reject(new Error(`the harness ended before its lab was up: ${stderr}`)));
	});
	child.kill('SIGKILL');
	await exited;
	// The holders end when their stdin closes with the process that made them.
	for (let waited = 0; waited < 100 && started.holders.some(pid => existsSync(`/proc/${pid}`)); waited++) await new Promise(resolve => setTimeout(resolve, 100));
	assert.deepEqual(started.holders.filter(pid => existsSync(`/proc/${pid}`)), [], 'no holder survives');
	assert.ok(started.folders.every(folder => existsSync(folder)), 'the folders stay until a later harness looks');
	await removeAbandonedHarnesses();
	assert.deepEqual(started.folders.filter(folder => existsSync(folder)), []);
});

describe('two lab hosts and an SSH host between them', () => {
	let lab: TwoNodeLab | undefined;
	before(async () => {
		if (need(twoNodeLabRequirements, {skip: () => {}})) lab = await createTwoNodeLab();
	});
	after(() => lab?.destroy());

	test('the nodes share a switch, a directory, and node1\'s root key opens node2', async t => {
		if (!need(twoNodeLabRequirements, t) || !lab) return;
		const {node1, node2} = lab;
		assert.equal((await node1.lab.run(['hostname'])).trim(), 'gcc20');
		assert.equal((await node2.lab.run(['hostname'])).trim(), 'gcc21');
		await node1.lab.run(['sh', '-c', `echo from-node1 >${lab.sharedDirectory}/mark`]);
		assert.equal(await node2.lab.readFile(`${lab.sharedDirectory}/mark`), 'from-node1\n');
		// Each node has host keys of its own.
		const key = async (node: typeof node1) => (await node.lab.readFile('/etc/ssh/ssh_host_ed25519_key.pub'))!.split(' ')[1];
		assert.notEqual(await key(node1), await key(node2));
		const ssh = ['ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-i', lab.rootKey];
		assert.equal((await node1.lab.run([...ssh, `root@${node2.address}`, 'hostname'])).trim(), 'gcc21');
		assert.equal((await lab.switch.exec(['ping', '-c', '1', '-W', '5', node1.address])).exitCode, 0, `the outside (${outsideAddress}) reaches node1`);
		assert.equal((await lab.first.cli(['--version'])).code, 0, 'the built CLI runs on node1');
	});

	test('from node1, a node over SSH keeps the real host\'s contract; probeSsh says why a node cannot be reached', async t => {
		if (!need(twoNodeLabRequirements, t) || !lab) return;
		const inside = await lab.node1.lab.exec(
			['sh', '-c', 'cd "$0" && exec "$@"', projectDirectory, process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec', 'test/host/support/ssh-host-in-node.ts'],
			{env: {NODE2_NAME: lab.node2.name, NODE2_ADDRESS: lab.node2.address, ROOT_KEY: lab.rootKey, SILENT_ADDRESS: outsideAddress, NO_COLOR: '1'}, timeoutMs: 5 * 60_000},
		);
		const report = `${inside.stdout}\n${inside.stderr}`;
		console.log(inside.stdout.replace(/^/gm, '# '));
		assert.equal(inside.exitCode, 0, report);
		// Every test inside ran and passed: none skipped, the count is the files'.
		assert.match(inside.stdout, /^ℹ pass (\d+)$/m);
		assert.ok(Number(/^ℹ pass (\d+)$/m.exec(inside.stdout)![1]) >= 20, report);
		assert.match(inside.stdout, /^ℹ fail 0$/m, report);
		assert.match(inside.stdout, /^ℹ skipped 0$/m, report);
	});
});
