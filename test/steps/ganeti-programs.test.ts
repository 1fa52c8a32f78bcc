// The small programs behind the Ganeti steps' checks and commands, run for real
// with python3 and the tools they call, where that touches nothing but a
// temporary folder or loopback. (Those that need a whole host, such as the
// node-name check and the cluster state, are proven in the lab tests.)
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {$} from 'zx';
import {hintFor} from '../../source/steps/hints.js';
import {authorizeKeyProgram, blankDiskCheck, clusterAddressCheck, hostnameCheck, packagesCheck, python, volumeGroupCheck} from '../../source/steps/programs.js';
import {need} from '../support/need.js';

const folder = mkdtempSync(join(tmpdir(), 'ganeti-programs-'));
after(() => rmSync(folder, {recursive: true, force: true}));

async function run(argv: string[]) {
	const result = await $({nothrow: true, quiet: true, env: {...process.env, LC_ALL: 'C'}})`${argv}`;
	return {exitCode: result.exitCode, output: (result.stdout + result.stderr).trim()};
}

/** A failing check prints exactly one line, and the wizard has a hint for it. */
function assertOneLine(output: string, actionId: string) {
	assert.equal(output.split('\n').length, 1, output);
	assert.ok(hintFor(actionId, output), `a hint for: ${output}`);
}

test('packages check: passes on installed packages, names the missing ones with the fix', async t => {
	if (!need(['python3', 'dpkg-query'], t)) return;
	const installed = await run(python(packagesCheck, 'dpkg', 'coreutils'));
	assert.equal(installed.exitCode, 0, installed.output);
	const missing = await run(python(packagesCheck, 'dpkg', 'no-such-package-ganeti-wizard'));
	assert.equal(missing.exitCode, 1);
	assert.equal(missing.output, 'not installed: no-such-package-ganeti-wizard: install them (apt-get install --no-install-recommends no-such-package-ganeti-wizard; the host step does)');
	assertOneLine(missing.output, 'cluster.check.packages');
});

test('hostname check: this machine\'s own name passes, another fails and names it', async t => {
	if (!need(['python3'], t)) return;
	const own = (await run(['hostname'])).output.split('.')[0]!;
	assert.equal((await run(python(hostnameCheck, own))).exitCode, 0);
	const other = await run(python(hostnameCheck, 'not-this-machine'));
	assert.equal(other.exitCode, 1);
	assert.match(other.output, new RegExp(`^this machine is called \\S+, the recipe calls it not-this-machine: set host.hostname to ${own}$`));
});

test('cluster address check: a name resolving elsewhere, and an address already on this host, are refused', async t => {
	if (!need(['python3'], t)) return;
	const elsewhere = await run(python(clusterAddressCheck, 'localhost', '10.10.0.10'));
	assert.equal(elsewhere.exitCode, 1);
	assert.equal(elsewhere.output, 'the cluster name localhost resolves to 127.0.0.1, the recipe says 10.10.0.10: fix the DNS record or cluster.address');
	assertOneLine(elsewhere.output, 'cluster.check.cluster-address');
	const inUse = await run(python(clusterAddressCheck, 'localhost', '127.0.0.1'));
	assert.equal(inUse.exitCode, 1);
	assert.match(inUse.output, /^the cluster address 127\.0\.0\.1 is already in use on this host/);
	assertOneLine(inUse.output, 'cluster.check.cluster-address');
	const unknown = await run(python(clusterAddressCheck, 'no-such-name.invalid', '10.10.0.10'));
	assert.equal(unknown.exitCode, 1);
	assert.match(unknown.output, /^the cluster name no-such-name\.invalid does not resolve/);
});

test('volume group check: a missing group is named with the fix', async t => {
	if (!need(['python3', 'vgs'], t)) return;
	const missing = await run(python(volumeGroupCheck, 'ganeti-wizard-no-such-vg', '20480'));
	assert.equal(missing.exitCode, 1);
	assert.match(missing.output, /^the volume group ganeti-wizard-no-such-vg does not exist: create it/);
	assertOneLine(missing.output, 'cluster.check.volume-group');
});

test('blank disk check: a blank image passes, a partitioned one is refused, an existing partition is taken', async t => {
	if (!need(['python3', 'wipefs', 'parted'], t)) return;
	const disk = join(folder, 'disk.img');
	writeFileSync(disk, Buffer.alloc(8 * 1024 * 1024));
	const blank = await run(python(blankDiskCheck, disk, `${disk}1`, 'first'));
	assert.equal(blank.exitCode, 0, blank.output);
	assert.equal((await run(['parted', '--script', disk, 'mklabel', 'gpt', 'mkpart', 'lvm', '1MiB', '100%', 'set', '1', 'lvm', 'on'])).exitCode, 0);
	const used = await run(python(blankDiskCheck, disk, `${disk}1`, 'first'));
	assert.equal(used.exitCode, 1);
	assert.match(used.output, /is not empty \(it holds .*gpt.*\): the wizard only partitions blank disks/);
	assertOneLine(used.output, 'preflight.disk');
	writeFileSync(`${disk}1`, '');
	assert.equal((await run(python(blankDiskCheck, disk, `${disk}1`, 'first'))).exitCode, 0, 'the partition exists: used as it is');
	const notFirst = await run(python(blankDiskCheck, disk, `${disk}2`, 'given'));
	assert.equal(notFirst.exitCode, 1);
	assert.match(notFirst.output, /the partition \S+2 does not exist, and the wizard only makes the first partition/);
	const absent = await run(python(blankDiskCheck, join(folder, 'absent'), join(folder, 'absent1'), 'first'));
	assert.match(absent.output, /^the disk \S+ does not exist/);
});

test('authorising root\'s key appends it once, creates the file 0600, and the probe agrees', async t => {
	if (!need(['python3', 'grep'], t)) return;
	const key = join(folder, 'id_rsa.pub');
	const authorized = join(folder, 'authorized_keys');
	writeFileSync(key, 'ssh-rsa AAAAB3Nza-test root@gcc20\n');
	const probe = ['grep', '-qxF', '-f', key, authorized];
	assert.notEqual((await run(probe)).exitCode, 0, 'no file yet: not satisfied');
	assert.equal((await run(python(authorizeKeyProgram, key, authorized))).exitCode, 0);
	assert.equal(readFileSync(authorized, 'utf8'), 'ssh-rsa AAAAB3Nza-test root@gcc20\n');
	assert.equal(statSync(authorized).mode & 0o777, 0o600);
	assert.equal((await run(probe)).exitCode, 0);
	await run(python(authorizeKeyProgram, key, authorized));
	assert.equal(readFileSync(authorized, 'utf8'), 'ssh-rsa AAAAB3Nza-test root@gcc20\n', 'never twice');

	writeFileSync(authorized, 'ssh-ed25519 AAAAC3-other admin@laptop');
	await run(python(authorizeKeyProgram, key, authorized));
	assert.equal(readFileSync(authorized, 'utf8'), 'ssh-ed25519 AAAAC3-other admin@laptop\nssh-rsa AAAAB3Nza-test root@gcc20\n', 'other keys kept, on their own line');
});

test('hints: Ganeti\'s own messages and the wizard\'s checks get the fix; unknown output gets none', () => {
	const cases: Array<[string, string, RegExp]> = [
		['cluster.init', "Failure: prerequisites not met for this operation:\nThis host's IP (127.0.1.1) resolves to a loopback address. Please fix DNS or /etc/hosts.", /127\.0\.1\.1 in \/etc\/hosts/],
		['cluster.init', 'Failure: prerequisites not met for this operation:\nerror type: resource_not_unique, error details:\nCluster IP already active', /cluster address must be unused/],
		['cluster.init', "Failure: prerequisites not met for this operation:\nError: volume group 'all' too small (20480 MiB required, 10236 MiB found)", /at least 20 GiB/],
		['cluster.init', "Failure: prerequisites not met for this operation:\nError: volume group 'all' missing", /at least 20 GiB/],
		['cluster.init', "Invalid master netdev given (br0): 'Device \"br0\" does not exist.'", /network step/],
		['instances.rodo1.osm.add', 'Failure: command execution error:\nMissing bridges br0', /network step/],
		['cluster.init', 'Failure: prerequisites not met for this operation:\nCluster is already initialised', /gnt-cluster destroy/],
		['cluster.verify', "  - ERROR: node gcc20.node.farm: ssh communication with node 'gcc20.node.farm': ssh problem: root@gcc20.node.farm: Permission denied (publickey,password).", /authorises it/],
		['cluster.verify', "ERROR: node gcc20.node.farm: node setup error: The procfs filesystem doesn't seem to be mounted under /proc, missing required directory /proc/sys and the file /proc/sysrq-trigger", /ENODESETUP/],
		['instances.rodo1.osm.add', "Hypervisor parameter validation failed on node gcc20.node.farm: Parameter 'kvm_path' fails validation: not found or not a file (current value: '/usr/bin/kvm')", /qemu-system-x86/],
		['cluster.daemons', 'This is not the master node, please connect to node \'gcc20.node.farm\' and rerun the command', /\/etc\/hosts/],
		['preflight.public-interface', 'Device "eth0" does not exist.', /host\.public_interface/],
	];
	for (const [actionId, output, expected] of cases) assert.match(hintFor(actionId, output) ?? '(none)', expected, `${actionId}: ${output}`);
	assert.equal(hintFor('cluster.init', 'something nobody has seen before'), undefined);
	assert.equal(hintFor('dns.checkconf', 'Device "eth0" does not exist.'), undefined, 'some hints belong to some steps only');
	assert.equal(hintFor({kind: 'command', id: 'cluster.init', title: '', argv: []}, 'Cluster IP already active'), hintFor('cluster.init', 'Cluster IP already active'), 'the runner passes the action');
});
