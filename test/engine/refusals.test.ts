// Refusals before any change, through the built command: each site the host
// cannot hold gets one line naming the recipe field, the bad value and the
// fix (exit 2) from both plan and apply, and neither the rehearsal root nor
// the state directory changes. The field cases of test/fixtures/cases/ run
// against rehearsal roots laid out like the hosts they came from.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {runCli, seedRecipe} from '../support/cli.js';
import {ganetiConfig, ganetiConfigRequirements} from '../support/ganeti-config.js';
import {iso9660Image} from '../support/iso-image.js';
import {need} from '../support/need.js';
import {treeDigest} from '../support/tree.js';

const cases = fileURLToPath(new URL('../fixtures/cases/', import.meta.url));
const casePath = (name: string) => join(cases, name, 'recipe.yaml');
let work: string;

before(async () => {
	work = await mkdtemp(join(tmpdir(), 'gw-refusals-'));
});
after(async () => {
	await rm(work, {recursive: true, force: true});
});

/** A rehearsal root holding these files (path under the root -> content; null: an empty directory). */
async function layOut(name: string, files: Record<string, string | Buffer | null> = {}): Promise<{root: string; state: string}> {
	const root = join(work, name);
	await mkdir(root, {recursive: true});
	for (const [path, content] of Object.entries(files)) {
		const target = join(root, path);
		if (content === null) {
			await mkdir(target, {recursive: true});
			continue;
		}
		await mkdir(dirname(target), {recursive: true});
		await writeFile(target, content);
	}
	return {root, state: join(work, `${name}-state`)};
}

async function exists(path: string): Promise<boolean> {
	return stat(path).then(
		() => true,
		() => false,
	);
}

/** Digests of the root and the state directory (absent: null). */
async function snapshot(root: string, state: string) {
	return {root: await treeDigest(root), state: (await exists(state)) ? await treeDigest(state) : null};
}

/**
 * plan, then apply --yes, each refused with exactly `line` (the recipe path
 * first, as every recipe error), changing nothing.
 */
/** Each problem is one line of its own (all of them, in order). */
async function assertRefused(recipe: string | undefined, where: {root: string; state: string}, ...lines: string[]): Promise<void> {
	const before = await snapshot(where.root, where.state);
	const recipeArgs = recipe ? ['--recipe', recipe] : [];
	for (const args of [['plan', ...recipeArgs], ['apply', ...recipeArgs, '--yes']]) {
		const result = await runCli([...args, '--root', where.root, '--state-dir', where.state]);
		assert.equal(result.code, 2, `${args[0]}: exit ${result.code}\n${result.stderr}${result.stdout}`);
		assert.equal(result.stdout, '', `${args[0]}: nothing on stdout`);
		assert.equal(result.stderr, lines.map(line => `ganeti-wizard: ${line}\n`).join(''), `${args[0]}: one line per problem`);
		assert.deepEqual(await snapshot(where.root, where.state), before, `${args[0]}: the rehearsal root and the state directory are unchanged`);
	}
}

/** Every interface a stock single-NIC host has, as /sys/class/net lists them. */
const ethernetHost = {'sys/class/net/eth0': null, 'sys/class/net/lo': null};

test("case small-vg: a 10G loop volume group is refused with Ganeti's 20 GiB minimum, before any change", async () => {
	const recipe = casePath('small-vg');
	await assertRefused(
		recipe,
		await layOut('small-vg'),
		`${recipe}: storage.loop_size: "10G" gives the volume group all 10236 MiB, under Ganeti's minimum of 20 GiB (20480 MiB) for plain disks; use loop_size: 21G or more`,
	);
});

test('case instance-policy: 16 vcpus and 64G are refused with the limits of the instance policy init sets', async () => {
	const recipe = casePath('instance-policy');
	await assertRefused(
		recipe,
		await layOut('instance-policy'),
		`${recipe}: instances[0].vcpus: 16 is above the cluster's instance policy maximum of 8 (Ganeti's default, which gnt-cluster init sets); use at most 8, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
		`${recipe}: instances[0].memory: "64G" (65536 MiB) is above the cluster's instance policy maximum of 32G (Ganeti's default, which gnt-cluster init sets); use at most 32G, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
	);
});

test("case instance-policy: once the cluster exists, its own policy decides (read from Ganeti's config.data)", async t => {
	if (!need(ganetiConfigRequirements, t)) return;
	const recipe = casePath('instance-policy');
	const wide = {minmax: [{min: {'cpu-count': 1, 'disk-count': 1, 'disk-size': 1024, 'memory-size': 128, 'nic-count': 1, 'spindle-use': 1}, max: {'cpu-count': 16, 'disk-count': 16, 'disk-size': 1048576, 'memory-size': 65536, 'nic-count': 8, 'spindle-use': 12}}]};
	const allowed = await layOut('instance-policy-wide', {'var/lib/ganeti/config.data': ganetiConfig('cluster.node.farm', wide)});
	const plan = await runCli(['plan', '--recipe', recipe, '--root', allowed.root, '--state-dir', allowed.state]);
	assert.equal(plan.code, 0, plan.stderr);
	assert.match(plan.stdout, /create rodo1\.osm\.vm\.farm \(plain 10G, 64G, 16 vcpus/);

	const narrow = {minmax: [{min: wide.minmax[0]!.min, max: {...wide.minmax[0]!.max, 'cpu-count': 4, 'memory-size': 98304}}]};
	await assertRefused(
		recipe,
		await layOut('instance-policy-narrow', {'var/lib/ganeti/config.data': ganetiConfig('cluster.node.farm', narrow)}),
		`${recipe}: instances[0].vcpus: 16 is above the cluster's instance policy maximum of 4; use at most 4, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
	);
});

test('case master-netdev-missing: eth9 on a host with eth0 and lo is refused naming cluster.master_netdev and those interfaces', async () => {
	const recipe = casePath('master-netdev-missing');
	await assertRefused(
		recipe,
		await layOut('master-netdev-missing', ethernetHost),
		`${recipe}: cluster.master_netdev: "eth9" is not an interface of this host (this host has eth0, lo) nor the bridge the wizard makes (br0); leave it out to put the cluster address on br0, or name one of those`,
	);
});

test('the seed on a host laid out the same passes plan: nothing is refused without a cause (hidden files are not ifupdown\'s)', async () => {
	const host = await layOut('seed-host', {
		...ethernetHost,
		'etc/resolv.conf': 'nameserver 192.0.2.53\n',
		'etc/network/interfaces': 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n\nsource /etc/network/interfaces.d/*\n',
		// Hidden files are outside `source .../*`: an interrupted write's candidate, an editor's swap file.
		'etc/network/interfaces.d/.ganeti-wizard.ganeti-wizard-new': 'auto lo:1\niface lo:1 inet static\n    address 10.10.0.20/32\n',
		'etc/network/interfaces.d/.vm-bridge.swp': 'iface br0 inet manual\n',
	});
	const plan = await runCli(['plan', '--recipe', seedRecipe, '--root', host.root, '--state-dir', host.state]);
	assert.equal(plan.code, 0, plan.stderr);
	assert.equal(await exists(host.state), false, 'plan wrote nothing');
});

test('a private range that holds a resolver or the default gateway of the host is refused naming network.private_range', async () => {
	const fix = "and the blackhole route the wizard adds for the range would cut the host off from it; choose a range that holds none of the host's addresses (e.g. 10.20.0.0/16)";
	await assertRefused(
		seedRecipe,
		await layOut('range-resolver', {...ethernetHost, 'etc/resolv.conf': 'search example.org\nnameserver 10.10.0.53\n'}),
		`${seedRecipe}: network.private_range: "10.10.0.0/16" holds 10.10.0.53, a name server of this host (/etc/resolv.conf), ${fix}`,
	);
	// /proc/net/route as the kernel prints it: the gateway 10.10.255.254 in host byte order.
	const route = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\tFEFF0A0A\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t00000A0A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n';
	await assertRefused(
		seedRecipe,
		await layOut('range-gateway', {...ethernetHost, 'proc/net/route': route}),
		`${seedRecipe}: network.private_range: "10.10.0.0/16" holds 10.10.255.254, the default gateway of this host, ${fix}`,
	);
});

test('a stanza for the bridge in an interfaces file the wizard does not own is refused naming the file', async () => {
	await assertRefused(
		seedRecipe,
		await layOut('bridge-stanza', {'etc/network/interfaces': 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n', 'etc/network/interfaces.d/vm-bridge': 'auto br0\niface br0 inet static\n    address 192.168.7.1/24\n    bridge_ports none\n'}),
		`${seedRecipe}: network.bridge.name: "br0" already has a stanza in /etc/network/interfaces.d/vm-bridge (iface br0), a file the wizard does not own, and ifupdown would configure br0 twice; remove that stanza from /etc/network/interfaces.d/vm-bridge (the wizard writes br0 in /etc/network/interfaces.d/ganeti-wizard) or choose another bridge name`,
	);
});

test('a stanza for lo:1 in an interfaces file the wizard does not own is refused naming host.private_address and the file', async () => {
	await assertRefused(
		seedRecipe,
		await layOut('lo1-stanza', {'etc/network/interfaces': 'auto lo\niface lo inet loopback\n\nauto lo:1\niface lo:1 inet static\n    address 10.10.0.20/32\n'}),
		`${seedRecipe}: host.private_address: "10.10.0.20" goes on lo:1, which already has a stanza in /etc/network/interfaces (iface lo:1), a file the wizard does not own, and ifupdown would configure lo:1 twice; remove that stanza from /etc/network/interfaces (the wizard writes lo:1 in /etc/network/interfaces.d/ganeti-wizard)`,
	);
});

test('the master netdev on the public interface, and consoles on every address or the public one, are refused naming the field, before any change', async () => {
	const corpus = fileURLToPath(new URL('../recipes-bad/', import.meta.url));
	for (const name of ['master-netdev-is-public-interface', 'vnc-bind-every-address', 'vnc-bind-public-address']) {
		const recipe = join(corpus, `${name}.yaml`);
		// The line the corpus file expects (its first line), as plan and apply print it.
		const expected = /^# expect: (.*)$/.exec((await readFile(recipe, 'utf8')).split('\n')[0]!)![1]!;
		await assertRefused(recipe, await layOut(name, ethernetHost), `${recipe}: ${expected}`);
	}
});

test('a spare disk too small for a 20 GiB volume group is refused naming storage.disk', async () => {
	// /sys/class/block/sdb/size: 10 GiB in 512-byte sectors.
	await assertRefused(
		seedRecipe,
		await layOut('small-disk', {...ethernetHost, 'sys/class/block/sdb/size': '20971520\n'}),
		`${seedRecipe}: storage.disk: "/dev/sdb" has 10238 MiB for its LVM partition, so the volume group all made on it would have 10236 MiB, under Ganeti's minimum of 20 GiB (20480 MiB) for plain and drbd disks; give a device of 21 GiB or more, an existing storage.vg, or use file disks`,
		`${seedRecipe}: instances[0].disk_size: "10G" does not fit the volume group all the wizard makes on storage.disk (10236 MiB): the plain disks of the new instances up to this one need 10240 MiB; use smaller disks, extend the group (vgextend all DEVICE), or use file disks`,
	);
});

test('an installer ISO missing from the folder that should hold it is refused naming the instance field; a rehearsal root without that folder knows nothing', async () => {
	const iso = '/srv/ganeti/debian-6.0.0-amd64-CD-1.iso';
	await assertRefused(
		seedRecipe,
		await layOut('iso-missing', {...ethernetHost, 'srv/ganeti': null}),
		`${seedRecipe}: instances[0].install.iso: "${iso}" does not exist on this host; put the installer ISO there, or give the path of one that exists`,
	);
	for (const [name, files] of [
		['iso-present', {...ethernetHost, [iso.slice(1)]: iso9660Image()}],
		['iso-folder-unknown', ethernetHost],
	] as const) {
		const host = await layOut(name, files);
		const plan = await runCli(['plan', '--recipe', seedRecipe, '--root', host.root, '--state-dir', host.state]);
		assert.equal(plan.code, 0, `${name}: ${plan.stderr}`);
	}
});

test('in a rehearsal, the ISO of an instance the journal records as created is not asked for again: it boots from its disk', async () => {
	const iso = '/srv/ganeti/debian-6.0.0-amd64-CD-1.iso';
	const host = await layOut('iso-after-install', ethernetHost);
	const applied = await runCli(['apply', '--recipe', seedRecipe, '--yes', '--root', host.root, '--state-dir', host.state]);
	assert.equal(applied.code, 0, applied.stderr);
	assert.match(await readFile(join(host.state, 'commands.sh'), 'utf8'), /gnt-instance add .*rodo1\.osm\.vm\.farm/);
	// The folder is there now, the ISO not: rodo1 was created, so nothing needs it.
	await mkdir(join(host.root, 'srv/ganeti'), {recursive: true});
	const plan = await runCli(['plan', '--root', host.root, '--state-dir', host.state]);
	assert.equal(plan.code, 0, plan.stderr);
	assert.doesNotMatch(plan.stderr, new RegExp(iso.replaceAll('.', '\\.')));
	// A fresh site in the same kind of root still needs it.
	await assertRefused(
		seedRecipe,
		await layOut('iso-before-install', {...ethernetHost, 'srv/ganeti': null}),
		`${seedRecipe}: instances[0].install.iso: "${iso}" does not exist on this host; put the installer ISO there, or give the path of one that exists`,
	);
});

test('an installer ISO that is no ISO 9660 image (a text file named .iso, an empty file) is refused naming the instance field', async () => {
	const iso = '/srv/ganeti/debian-6.0.0-amd64-CD-1.iso';
	for (const [name, content] of [
		['iso-text', 'an ISO image\n'],
		['iso-empty', ''],
	] as const) {
		await assertRefused(
			seedRecipe,
			await layOut(name, {...ethernetHost, [iso.slice(1)]: content}),
			`${seedRecipe}: instances[0].install.iso: "${iso}" is not an ISO 9660 image (no "CD001" at byte 32769, ECMA-119); give the path of an installer CD or DVD image (.iso)`,
		);
	}
});

// The seed is a site of one node, where no instance may be on drbd (no mirror node): drbd enabled alone.
test('the drbd template without the drbd module, or with another usermode helper than Ganeti expects, is refused naming the field that enables it; /bin/true passes', async () => {
	const text = (await readFile(seedRecipe, 'utf8')).replace('disk_templates: [plain]', 'disk_templates: [plain, drbd]');
	const recipe = join(work, 'seed-drbd.yaml');
	await writeFile(recipe, text);
	const helperFile = 'sys/module/drbd/parameters/usermode_helper';
	await assertRefused(
		recipe,
		await layOut('drbd-no-module', {...ethernetHost, 'sys/module/bridge': null}),
		`${recipe}: cluster.disk_templates: ["plain","drbd"] needs DRBD's kernel module, which this host has not loaded (no /${helperFile}); load it with the usermode helper /bin/true, Ganeti's default, which gnt-cluster init sets (options drbd usermode_helper=/bin/true in /etc/modprobe.d/drbd.conf, then modprobe drbd), or leave drbd out`,
	);
	await assertRefused(
		recipe,
		await layOut('drbd-other-helper', {...ethernetHost, [helperFile]: '/sbin/drbdadm\n'}),
		`${recipe}: cluster.disk_templates: ["plain","drbd"] needs DRBD's usermode helper to be /bin/true, Ganeti's default, which gnt-cluster init sets, but the drbd module has "/sbin/drbdadm" (/${helperFile}); set it (echo /bin/true >/${helperFile}, and options drbd usermode_helper=/bin/true in /etc/modprobe.d/drbd.conf for the next boot), or leave drbd out`,
	);
	for (const [name, files] of [
		['drbd-helper-true', {...ethernetHost, [helperFile]: '/bin/true\n'}],
		['drbd-module-unknown', ethernetHost],
	] as const) {
		const host = await layOut(name, files);
		const plan = await runCli(['plan', '--recipe', recipe, '--root', host.root, '--state-dir', host.state]);
		assert.equal(plan.code, 0, `${name}: ${plan.stderr}`);
		assert.match(plan.stdout, /create rodo1\.osm\.vm\.farm \(plain 10G/);
	}
});

test('a storage.disk that is not a block device of the host is refused naming the devices it has', async () => {
	await assertRefused(
		seedRecipe,
		await layOut('disk-missing', {...ethernetHost, 'sys/class/block/sda/size': '536870912\n', 'sys/class/block/sda1/size': '536866816\n', 'sys/class/block/loop0/size': '0\n'}),
		`${seedRecipe}: storage.disk: "/dev/sdb" is not a block device of this host (it has /dev/sda, /dev/sda1); name one of those (lsblk lists them), or leave storage.disk and storage.partition out to use an existing storage.vg`,
	);
});

test('plain disks larger than the loop volume group the wizard makes are refused naming the disk', async () => {
	const text = (await readFile(casePath('small-vg'), 'utf8')).replace('loop_size: 10G', 'loop_size: 25G').replace('disk_template: file', 'disk_template: plain');
	const recipe = join(work, 'loop-too-small-for-disks.yaml');
	await writeFile(recipe, text);
	await assertRefused(
		recipe,
		await layOut('loop-disks'),
		`${recipe}: instances[0].extra_disks[0]: "500G" does not fit the volume group all the wizard makes on storage.loop_file (25596 MiB): the plain disks of the new instances up to this one need 522240 MiB; use smaller disks, extend the group (vgextend all DEVICE), or use file disks`,
	);
});

test('a saved site is refused too when the host changed under it, and its state directory stays as it was', async () => {
	const host = await layOut('saved-site', ethernetHost);
	const applied = await runCli(['apply', '--recipe', seedRecipe, '--root', host.root, '--state-dir', host.state, '--yes']);
	assert.equal(applied.code, 0, applied.stderr + applied.stdout);
	// Someone points the host at a name server inside the private range.
	const resolvConf = join(host.root, 'etc/resolv.conf');
	await writeFile(resolvConf, `${await readFile(resolvConf, 'utf8')}nameserver 10.10.200.1\n`);
	await assertRefused(
		undefined,
		host,
		`${seedRecipe}: network.private_range: "10.10.0.0/16" holds 10.10.200.1, a name server of this host (/etc/resolv.conf), and the blackhole route the wizard adds for the range would cut the host off from it; choose a range that holds none of the host's addresses (e.g. 10.20.0.0/16)`,
	);
});
