// The small programs behind the Ganeti steps' checks and commands, run for real
// with python3 and the tools they call, where that touches nothing but a
// temporary folder, loopback or a private mount namespace. (Those that need a
// whole host, such as the node-name check, are proven in the lab tests.)
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {$} from 'zx';
import {hintFor} from '../../source/steps/hints.js';
import {checkPath, program} from '../../source/steps/programs.js';
import {need} from '../support/need.js';

const folder = mkdtempSync(join(tmpdir(), 'ganeti-programs-'));
after(() => rmSync(folder, {recursive: true, force: true}));

async function run(argv: string[]) {
	// No __pycache__ beside the programs in the source tree.
	const result = await $({nothrow: true, quiet: true, env: {...process.env, LC_ALL: 'C', PYTHONDONTWRITEBYTECODE: '1'}})`${argv}`;
	return {exitCode: result.exitCode, output: (result.stdout + result.stderr).trim()};
}

/** A failing check prints exactly one line, and the wizard has a hint for it. */
function assertOneLine(output: string, actionId: string) {
	assert.equal(output.split('\n').length, 1, output);
	assert.ok(hintFor(actionId, output), `a hint for: ${output}`);
}

test('packages check: passes on installed packages, names the missing ones with the fix', async t => {
	if (!need(['python3', 'dpkg-query'], t)) return;
	const installed = await run(program('packages', 'dpkg', 'coreutils'));
	assert.equal(installed.exitCode, 0, installed.output);
	const missing = await run(program('packages', 'dpkg', 'no-such-package-ganeti-wizard'));
	assert.equal(missing.exitCode, 1);
	assert.equal(missing.output, 'not installed: no-such-package-ganeti-wizard: install them (apt-get install --no-install-recommends no-such-package-ganeti-wizard; the host step does)');
	assertOneLine(missing.output, 'cluster.check.packages');
});

test('hostname check: this machine\'s own name passes, another fails and names it', async t => {
	if (!need(['python3'], t)) return;
	const own = (await run(['hostname'])).output.split('.')[0]!;
	assert.equal((await run(program('hostname', own))).exitCode, 0);
	const other = await run(program('hostname', 'not-this-machine'));
	assert.equal(other.exitCode, 1);
	assert.match(other.output, new RegExp(`^this machine is called \\S+, the recipe calls it not-this-machine: set host.hostname to ${own}$`));
});

test('cluster address check: a name resolving elsewhere, and an address already on this host, are refused', async t => {
	if (!need(['python3'], t)) return;
	const elsewhere = await run(program('cluster-address', 'localhost', '10.10.0.10'));
	assert.equal(elsewhere.exitCode, 1);
	assert.equal(elsewhere.output, 'the cluster name localhost resolves to 127.0.0.1, the recipe says 10.10.0.10: fix the DNS record or cluster.address');
	assertOneLine(elsewhere.output, 'cluster.check.cluster-address');
	const inUse = await run(program('cluster-address', 'localhost', '127.0.0.1'));
	assert.equal(inUse.exitCode, 1);
	assert.match(inUse.output, /^the cluster address 127\.0\.0\.1 is already in use on this host/);
	assertOneLine(inUse.output, 'cluster.check.cluster-address');
	const unknown = await run(program('cluster-address', 'no-such-name.invalid', '10.10.0.10'));
	assert.equal(unknown.exitCode, 1);
	assert.match(unknown.output, /^the cluster name no-such-name\.invalid does not resolve/);
});

test('volume group check: a missing group is named with the fix', async t => {
	if (!need(['python3', 'vgs'], t)) return;
	const missing = await run(program('volume-group', 'ganeti-wizard-no-such-vg', '20480'));
	assert.equal(missing.exitCode, 1);
	assert.match(missing.output, /^the volume group ganeti-wizard-no-such-vg does not exist: create it/);
	assertOneLine(missing.output, 'cluster.check.volume-group');
});

test('blank disk check: a blank image passes, a partitioned one is refused, an existing partition is taken', async t => {
	if (!need(['python3', 'wipefs', 'parted'], t)) return;
	const disk = join(folder, 'disk.img');
	writeFileSync(disk, Buffer.alloc(8 * 1024 * 1024));
	const blank = await run(program('blank-disk', disk, `${disk}1`, 'first'));
	assert.equal(blank.exitCode, 0, blank.output);
	assert.equal((await run(['parted', '--script', disk, 'mklabel', 'gpt', 'mkpart', 'lvm', '1MiB', '100%', 'set', '1', 'lvm', 'on'])).exitCode, 0);
	const used = await run(program('blank-disk', disk, `${disk}1`, 'first'));
	assert.equal(used.exitCode, 1);
	assert.match(used.output, /is not empty \(it holds .*gpt.*\): the wizard only partitions blank disks/);
	assertOneLine(used.output, 'preflight.disk');
	writeFileSync(`${disk}1`, '');
	assert.equal((await run(program('blank-disk', disk, `${disk}1`, 'first'))).exitCode, 0, 'the partition exists: used as it is');
	const notFirst = await run(program('blank-disk', disk, `${disk}2`, 'given'));
	assert.equal(notFirst.exitCode, 1);
	assert.match(notFirst.output, /the partition \S+2 does not exist, and the wizard only makes the first partition/);
	const absent = await run(program('blank-disk', join(folder, 'absent'), join(folder, 'absent1'), 'first'));
	assert.match(absent.output, /^the disk \S+ does not exist/);
});

test('authorising root\'s key appends it once, creates the file 0600, and the probe agrees', async t => {
	if (!need(['python3', 'grep'], t)) return;
	const key = join(folder, 'id_rsa.pub');
	const authorized = join(folder, 'authorized_keys');
	writeFileSync(key, 'ssh-rsa AAAAB3Nza-test root@gcc20\n');
	const probe = ['grep', '-qxF', '-f', key, authorized];
	assert.notEqual((await run(probe)).exitCode, 0, 'no file yet: not satisfied');
	assert.equal((await run(program('authorize-key', key, authorized))).exitCode, 0);
	assert.equal(readFileSync(authorized, 'utf8'), 'ssh-rsa AAAAB3Nza-test root@gcc20\n');
	assert.equal(statSync(authorized).mode & 0o777, 0o600);
	assert.equal((await run(probe)).exitCode, 0);
	await run(program('authorize-key', key, authorized));
	assert.equal(readFileSync(authorized, 'utf8'), 'ssh-rsa AAAAB3Nza-test root@gcc20\n', 'never twice');

	writeFileSync(authorized, 'ssh-ed25519 AAAAC3-other admin@laptop');
	await run(program('authorize-key', key, authorized));
	assert.equal(readFileSync(authorized, 'utf8'), 'ssh-ed25519 AAAAC3-other admin@laptop\nssh-rsa AAAAB3Nza-test root@gcc20\n', 'other keys kept, on their own line');
});

/**
 * Runs the cluster-state program in each mode, one after another, over a
 * /var/lib holding only `files` under ganeti/ (a tmpfs in private mount and
 * PID namespaces: the machine's /var/lib and processes are out of sight).
 * Returns each mode's exit code and output, and the files left in /var/lib.
 */
async function clusterState(files: Record<string, string>, modes: string[], instances: string[] = []) {
	const source = mkdtempSync(join(folder, 'ganeti-'));
	for (const [name, content] of Object.entries(files)) writeFileSync(join(source, name), content);
	// As the steps run it: python3 PROGRAM MODE CLUSTER NODE [INSTANCE...].
	const script = `source=$1; program=$2; instances=$3; shift 3
mount -t tmpfs tmpfs /var/lib && mkdir /var/lib/ganeti && cp -a "$source"/. /var/lib/ganeti/ || exit 9
for mode in "$@"; do python3 "$program" "$mode" gnt.farm gcc20.farm $instances; echo "=== $mode exit $?"; done
cd /var/lib && find . -type f | sort`;
	const {output} = await run(['unshare', '--mount', '--pid', '--fork', '--mount-proc', 'sh', '-c', script, 'sh', source, checkPath('ganeti-state'), instances.join(' '), ...modes]);
	const results = new Map<string, {exitCode: number; output: string}>();
	let rest = output;
	for (const mode of modes) {
		const marker = new RegExp(`^=== ${mode} exit (\\d+)$`, 'm').exec(rest);
		assert.ok(marker, `${mode} ran: ${output}`);
		results.set(mode, {exitCode: Number(marker[1]), output: rest.slice(0, marker.index).trim()});
		rest = rest.slice(marker.index + marker[0].length);
	}
	return {results, left: rest.trim().split('\n').filter(Boolean)};
}

/** A config.data of the recipe's cluster (or another's), as far as the program reads it. */
function config(name: string, certificates: Record<string, string>, instances: string[] = []) {
	const entries = Object.fromEntries(instances.map((instance, index) => [`instance-uuid-${index}`, {name: instance}]));
	return JSON.stringify({cluster: {cluster_name: name, master_node: 'uuid-1', candidate_certs: certificates}, nodes: {'uuid-1': {name: 'gcc20.farm'}}, instances: entries});
}

const digest = {'uuid-1': 'sha1:abc'};
const certificates = {'server.pem': 'PEM', 'client.pem': 'PEM'};

test('cluster state: nothing, another cluster, an init killed early, killed before its last write, complete', async t => {
	if (!need(['root', 'unshare', 'python3'], t)) return;
	const modes = ['leftovers', 'complete', 'settled'];
	const ssconf = {ssconf_master_candidates_certs: 'uuid-1=sha1:abc\n'};
	const cases: Array<[string, Record<string, string>, [number, number, number]]> = [
		['nothing', {}, [0, 1, 0]],
		['complete', {'config.data': config('gnt.farm', digest), ...certificates, ...ssconf}, [0, 0, 0]],
		['config.data without the digest', {'config.data': config('gnt.farm', {}), ...certificates, ...ssconf}, [0, 1, 1]],
		["the digest recorded, ssconf's copy not yet written", {'config.data': config('gnt.farm', digest), ...certificates, ssconf_master_candidates_certs: ''}, [0, 1, 1]],
		['the digest recorded, a certificate missing', {'config.data': config('gnt.farm', digest), 'server.pem': 'PEM', ...ssconf}, [0, 1, 1]],
		['another cluster', {'config.data': config('other.farm', digest), ...certificates, ...ssconf}, [1, 1, 0]],
	];
	for (const [what, files, expected] of cases) {
		const {results} = await clusterState(files, modes);
		assert.deepEqual(modes.map(mode => results.get(mode)!.exitCode), expected, `${what}: exit codes of ${modes.join(', ')}`);
	}
	const other = (await clusterState({'config.data': config('other.farm', digest)}, ['leftovers'])).results.get('leftovers')!;
	assert.equal(other.output, '/var/lib/ganeti holds files of the cluster other.farm (master gcc20.farm), e.g. /var/lib/ganeti/config.data: if it still runs, gnt-cluster destroy --yes-do-it; otherwise move those files aside');
	assertOneLine(other.output, 'preflight.leftovers');
});

test('cluster state: clear moves a half-made init aside whole, and leaves a complete one or another cluster alone', async t => {
	if (!need(['root', 'unshare', 'python3'], t)) return;
	const half = {'config.data': config('gnt.farm', digest), 'server.pem': 'PEM', ssconf_master_candidates_certs: ''};
	const cleared = await clusterState(half, ['clear', 'settled', 'complete']);
	assert.match(cleared.results.get('clear')!.output, /^moved 3 files of the interrupted init to \/var\/lib\/ganeti-wizard\/interrupted-init-\d{8}-\d{6}$/);
	assert.equal(cleared.results.get('settled')!.exitCode, 0, 'nothing left to clear: init may run');
	assert.equal(cleared.results.get('complete')!.exitCode, 1);
	assert.deepEqual(cleared.left.map(path => path.replace(/interrupted-init-[\d-]+/, 'interrupted-init-T')), ['./ganeti-wizard/interrupted-init-T/config.data', './ganeti-wizard/interrupted-init-T/server.pem', './ganeti-wizard/interrupted-init-T/ssconf_master_candidates_certs']);
	const complete = {'config.data': config('gnt.farm', digest), ...certificates, ssconf_master_candidates_certs: 'x'};
	const kept = await clusterState(complete, ['clear']);
	assert.equal(kept.results.get('clear')!.exitCode, 0);
	assert.deepEqual(kept.left, Object.keys(complete).sort().map(name => `./ganeti/${name}`));
	const other = await clusterState({'config.data': config('other.farm', {})}, ['clear']);
	assert.deepEqual(other.left, ['./ganeti/config.data'], "another cluster's files are preflight's to report, not clear's to move");
});

test('stray instances: one the cluster has and the recipe dropped is named with the fix; no cluster, or another one, passes', async t => {
	if (!need(['root', 'unshare', 'python3'], t)) return;
	const cluster = {'config.data': config('gnt.farm', digest, ['rodo1.osm.vm.farm', 'tile2.osm.vm.farm']), ...certificates};
	const listed = await clusterState(cluster, ['strays'], ['rodo1.osm.vm.farm', 'tile2.osm.vm.farm', 'new3.osm.vm.farm']);
	assert.deepEqual(listed.results.get('strays'), {exitCode: 0, output: 'every instance of the cluster is in the recipe'}, 'every instance listed (and one not made yet)');
	const dropped = (await clusterState(cluster, ['strays'], ['rodo1.osm.vm.farm'])).results.get('strays')!;
	assert.equal(dropped.exitCode, 1);
	assert.equal(dropped.output, 'the cluster has instances the recipe does not list: tile2.osm.vm.farm: their DNS names and DHCP entries would go; list them again under instances, or remove them first (gnt-instance remove NAME)');
	assertOneLine(dropped.output, 'preflight.stray-instances');
	assert.equal((await clusterState({}, ['strays'])).results.get('strays')!.exitCode, 0, 'no cluster yet');
	const other = {'config.data': config('other.farm', digest, ['old.example.org'])};
	assert.equal((await clusterState(other, ['strays'])).results.get('strays')!.exitCode, 0, "another cluster's instances are the leftovers check's business");
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
		// A missing interface names the recipe field that chose it.
		['cluster.init', "Invalid master netdev given (br0): 'Device \"br0\" does not exist.'", /set cluster\.master_netdev/],
		['cluster.check.master-netdev', 'Device "br0" does not exist.', /set cluster\.master_netdev/],
		['instances.rodo1.osm.add', 'Failure: command execution error:\nMissing bridges br0', /set cluster\.nic_link/],
		['cluster.verify', "Cannot find device \"lo:1\"", /network\.bridge\.name/],
		// The init scripts start named quietly: no output at all still gets the way to its log.
		['dns.named', '', /journalctl -t named/],
	];
	// The master netdev's hint is not the public interface's.
	assert.doesNotMatch(hintFor('cluster.check.master-netdev', 'Device "br0" does not exist.')!, /host\.public_interface/);
	for (const [actionId, output, expected] of cases) assert.match(hintFor(actionId, output) ?? '(none)', expected, `${actionId}: ${output}`);
	assert.equal(hintFor('cluster.init', 'something nobody has seen before'), undefined);
	assert.equal(hintFor('dns.checkconf', 'Device "eth0" does not exist.'), undefined, 'some hints belong to some steps only');
	assert.equal(hintFor({kind: 'command', id: 'cluster.init', title: '', argv: []}, 'Cluster IP already active'), hintFor('cluster.init', 'Cluster IP already active'), 'the runner passes the action');
});
