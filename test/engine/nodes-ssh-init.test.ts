// A rehearsed two-node site with cluster.ssh_init: true, where Ganeti manages
// SSH itself: gcc21 keeps its SSH files as found and authorises the master's
// root key (gnt-node add's first login) but gets no host keys from the wizard
// (Ganeti's prepare_node_join lays the master's); the master authorises no
// other node's key and joins gcc21 with --no-ssh-key-check; a plan of both
// nodes then has nothing to do, and undo --node puts gcc21's SSH files back.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {runCli} from '../support/cli.js';

const work = await mkdtemp(join(tmpdir(), 'gw-nodes-ssh-init-'));
after(() => rm(work, {recursive: true, force: true}));
const recipe = join(work, 'ssh-init.yaml');
const root = join(work, 'root');
const state = join(work, 'state');
const nodeRoot = join(work, 'root-gcc21');
const at = (...args: string[]) => runCli([...args, '--root', root, '--state-dir', state]);
const masterKey = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0master root@gcc20';

test('nodes of a rehearsed site with cluster.ssh_init: true', async () => {
	const text = await readFile(new URL('../../recipes/lab-two-nodes.yaml', import.meta.url), 'utf8');
	await writeFile(recipe, text.replace(/^cluster:\n/m, 'cluster:\n  ssh_init: true\n'));
	const applied = await runCli(['apply', '--recipe', recipe, '--root', root, '--state-dir', state, '--yes']);
	assert.equal(applied.code, 0, applied.stdout + applied.stderr);
	assert.match(await readFile(join(state, 'commands.sh'), 'utf8'), /^gnt-cluster init (?!.*--no-ssh-init)/m);
	// What gnt-cluster init would have left on the master: root's key, sshd's host key.
	await mkdir(join(root, 'root/.ssh'), {recursive: true});
	await writeFile(join(root, 'root/.ssh/id_rsa.pub'), `${masterKey}\n`);
	await mkdir(join(root, 'etc/ssh'), {recursive: true});
	await writeFile(join(root, 'etc/ssh/ssh_host_rsa_key'), 'PRIVATE\n', {mode: 0o600});
	await writeFile(join(root, 'etc/ssh/ssh_host_rsa_key.pub'), 'ssh-rsa AAAAhost root@gcc20\n');
	await mkdir(nodeRoot);

	const added = await at('node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.0.21', '--yes');
	assert.equal(added.code, 0, added.stdout + added.stderr);
	const nodeCommands = await readFile(join(state, 'nodes', 'gcc21', 'commands.sh'), 'utf8');
	assert.match(nodeCommands, /ssh-as-found\.py save \/var\/lib\/ganeti-wizard\/ssh-as-found .*\/etc\/ssh\/ssh_host_rsa_key .*\/root\/\.ssh\/id_rsa .*\/root\/\.ssh\/authorized_keys/);
	assert.ok(nodeCommands.indexOf('ssh-as-found.py save') < nodeCommands.indexOf('authorize-key.py'), 'the files are kept before anything touches them');
	assert.match(nodeCommands, /authorize-key\.py --key \$?'?ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0master root@gcc20'? \/root\/\.ssh\/authorized_keys/);
	assert.equal(existsSync(join(nodeRoot, 'etc/ssh/ssh_host_rsa_key')), false, 'no host key laid by the wizard');
	assert.doesNotMatch(nodeCommands, /service ssh restart/);
	const masterCommands = await readFile(join(state, 'commands.sh'), 'utf8');
	assert.match(masterCommands, /^gnt-node add --no-ssh-key-check gcc21\.node\.farm$/m);
	assert.doesNotMatch(masterCommands, /authorize-key/, "the master authorises no node's key: Ganeti spreads them");

	const plan = await at('plan', '--detailed-exitcode');
	assert.equal(plan.code, 0, plan.stdout + plan.stderr);

	const undone = await at('undo', '--node', 'gcc21', '--yes');
	assert.equal(undone.code, 0, undone.stdout + undone.stderr);
	const after = await readFile(join(state, 'nodes', 'gcc21', 'commands.sh'), 'utf8');
	assert.match(after.slice(nodeCommands.length), /ssh-as-found\.py restore \/var\/lib\/ganeti-wizard\/ssh-as-found$/m);
	assert.match(await readFile(join(state, 'commands.sh'), 'utf8'), /^gnt-node remove gcc21\.node\.farm$/m);
});
