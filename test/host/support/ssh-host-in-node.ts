// Run inside node1 of the two-node lab (test/lab/ssh-host.test.ts starts it
// with `node --import tsx --test`): the host contract against node2 over SSH,
// then probeSsh's refusals. The lab passes, in the environment: NODE2_NAME,
// NODE2_ADDRESS, ROOT_KEY (node1's root key, accepted by node2) and
// SILENT_ADDRESS (a namespace on the switch where nothing listens).
import assert from 'node:assert/strict';
import {existsSync, readdirSync} from 'node:fs';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {$} from 'zx';
import {probeSsh, sshHost, type SshConnection, type SshHost} from '../../../source/host/ssh.js';
import {Transcript} from '../../../source/host/transcript.js';
import {hostContract} from './host-contract.js';

function required(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set: run this file through test/lab/ssh-host.test.ts`);
	return value;
}

const node = required('NODE2_NAME');
const address = required('NODE2_ADDRESS');
const identityFile = required('ROOT_KEY');
const silentAddress = required('SILENT_ADDRESS');
const work = await mkdtemp(join(tmpdir(), 'ssh-host-test-'));
const quiet = $({quiet: true, nothrow: true});

/** A known_hosts file holding node2's key, learnt on first contact (accept-new). */
async function learntKnownHosts(name: string): Promise<string> {
	const knownHosts = join(work, name);
	assert.equal(await probeSsh(address, {node, knownHosts, identityFile, hostKeys: 'accept-new'}), null);
	return knownHosts;
}

describe('probeSsh', () => {
	test('accept-new learns the node\'s key into the given file; strict checking then passes', async () => {
		const knownHosts = await learntKnownHosts('learnt');
		assert.match(await readFile(knownHosts, 'utf8'), new RegExp(`^${address.replaceAll('.', '\\.')} ssh-ed25519 `, 'm'));
		assert.equal(await probeSsh(address, {node, knownHosts, identityFile}), null);
	});

	test('a name that does not resolve', async () => {
		const line = await probeSsh('no-such-node.invalid', {node, knownHosts: join(work, 'none'), identityFile});
		assert.equal(line, `node ${node}: the name no-such-node.invalid does not resolve: add it to DNS or /etc/hosts, or give the node's address`);
	});

	test('nothing listening', async () => {
		const line = await probeSsh(silentAddress, {node, knownHosts: join(work, 'none'), identityFile});
		assert.equal(line, `node ${node}: nothing listens for SSH on ${silentAddress} port 22: start sshd there (Debian package openssh-server)`);
	});

	test('a key the node refuses', async () => {
		const stranger = join(work, 'stranger');
		assert.equal((await quiet`ssh-keygen -q -t ed25519 -N ${''} -f ${stranger}`).exitCode, 0);
		const knownHosts = await learntKnownHosts('for-stranger');
		const line = await probeSsh(address, {node, knownHosts, identityFile: stranger});
		assert.equal(line, `node ${node}: root@${address} refuses ${stranger}: add its public key to /root/.ssh/authorized_keys on ${node}`);
	});

	test('a host key not known, and one that changed', async () => {
		const empty = join(work, 'empty');
		await writeFile(empty, '');
		assert.match((await probeSsh(address, {node, knownHosts: empty, identityFile}))!, new RegExp(`^node ${node}: the host key of ${address} is not in ${empty}: add the node's key to it`));
		// Another machine's key under node2's address: what a reinstalled node looks like.
		const other = join(work, 'other');
		assert.equal((await quiet`ssh-keygen -q -t ed25519 -N ${''} -f ${other}`).exitCode, 0);
		const changed = join(work, 'changed');
		await writeFile(changed, `${address} ${(await readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')}\n`);
		const line = await probeSsh(address, {node, knownHosts: changed, identityFile});
		assert.equal(line, `node ${node}: the host key of ${address} is not the one in ${changed}: if the node was reinstalled, remove its line (ssh-keygen -R ${address} -f ${changed}) and add the node again`);
	});
});

let contractHost: SshHost | undefined;
hostContract(
	`a node over SSH (${node})`,
	async () => {
		const connection: SshConnection = {knownHosts: await learntKnownHosts('contract'), identityFile};
		contractHost = sshHost({node, address, transcript: new Transcript(join(work, 'transcript.log')), ...connection});
		const made = await contractHost.run(['mktemp', '-d', '-t', 'contract.XXXXXX']);
		assert.equal(made.exitCode, 0, made.stderr);
		return {host: contractHost, folder: made.stdout.trim(), runningService: 'ssh'};
	},
	async () => {
		await contractHost?.close();
	},
);

describe('the SSH host\'s connection', () => {
	let host: SshHost;
	const transcript = join(work, 'connection.log');
	const localFolders = () => readdirSync(tmpdir()).filter(name => name.startsWith('ganeti-wizard-ssh-'));
	// What other hosts of this file left here: this host's local folder is the one that is not among them.
	let othersFolders = new Set<string>();
	before(async () => {
		othersFolders = new Set(localFolders());
		host = sshHost({node, address, transcript: new Transcript(transcript), knownHosts: await learntKnownHosts('connection'), identityFile});
	});
	after(() => host.close());

	test('the transcript names the node and the command as given', async () => {
		await host.run(['true', 'a b']);
		assert.match(await readFile(transcript, 'utf8'), new RegExp(`\\$ ssh ${node} true \\$'a b'  # exit 0 after \\d+ ms$`, 'm'));
	});

	test('close ends the master connection and removes the private folders on both sides', async () => {
		const onNode = async () => new Set((await host.probe(['sh', '-c', 'ls -d /tmp/ganeti-wizard.* 2>/dev/null || true']))!.stdout.split('\n').filter(Boolean));
		// This host made its folder at its first command; other hosts of this file may still hold theirs.
		await host.run(program('hostname'));
		const during = await onNode();
		assert.ok(during.size >= 1, 'a private folder on the node while connected');
		const local = () => localFolders().filter(name => !othersFolders.has(name));
		assert.equal(local().length, 1);
		const master = join(tmpdir(), local()[0]!, 'master');
		assert.ok(existsSync(master), 'the control socket is there');
		await host.close();
		assert.deepEqual(local(), []);
		assert.equal((await quiet`pgrep -f ${`[C]ontrolPath=${master}`}`).exitCode, 1, 'no master ssh process is left');
		const after = await onNode();
		assert.ok([...during].some(folder => !after.has(folder)), 'reconnected: the folder of the closed connection is gone');
	});
});

function program(name: string): string[] {
	return ['python3', '-B', join(process.cwd(), 'source', 'checks', `${name}.py`), node];
}
