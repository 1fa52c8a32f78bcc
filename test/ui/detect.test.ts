// Detection of default answers, against the real tools: a network namespace
// with an uplink, a bridge and routes; loop devices with a partition table or
// a mounted file system; resolv.conf and hostname of a private namespace.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {$} from 'zx';
import {freePrivateRanges, parseLsblk, parseResolvConf, signatureOf, withSignatures, type Detected} from '../../source/host/detect.js';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {need} from '../support/need.js';

// parted complains about the missing udevadm on stderr; nothing to see.
$.quiet = true;

const lsblkColumns = 'NAME,PATH,SIZE,TYPE,MOUNTPOINTS,FSTYPE,PKNAME';

test('detects interfaces, their kinds, the default route, the hostname and resolvers inside a namespace', async t => {
	if (!need(['root', 'namespaces', 'ip', 'unshare'], t)) return;
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-detect-'));
	try {
		const resolv = join(scratch, 'resolv.conf');
		writeFileSync(resolv, '# test\nsearch example.org\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nnameserver fe80::1\n');
		const script = [
			'set -e',
			'mount -t sysfs sysfs /sys',
			`mount --bind ${resolv} /etc/resolv.conf`,
			'hostname detect-test.example.org',
			'ip link set lo up',
			'ip link add up0 type veth peer name up1',
			'ip addr add 192.168.100.2/24 dev up0',
			'ip link set up0 up && ip link set up1 up',
			'ip link add br9 type bridge && ip link set br9 up',
			'ip addr add 10.10.0.1/16 dev br9',
			'ip route add default via 192.168.100.1 dev up0',
			'ip route add 172.16.0.0/16 via 192.168.100.1 dev up0',
			`exec ${process.execPath} --import tsx test/ui/support/detect-here.ts ${scratch}`,
		].join('\n');
		const result = await $({nothrow: true, quiet: true})`unshare --uts --net --mount --propagation private sh -c ${script}`;
		assert.equal(result.exitCode, 0, result.stderr);
		const detected = JSON.parse(result.stdout) as Detected;

		assert.equal(detected.hostname, 'detect-test');
		assert.deepEqual(detected.resolvers, ['192.0.2.53', '192.0.2.54']);
		const byName = new Map(detected.interfaces.map(item => [item.name, item]));
		assert.equal(byName.get('lo')?.kind, 'loopback');
		assert.equal(byName.get('br9')?.kind, 'bridge');
		assert.deepEqual(byName.get('br9')?.addresses, ['10.10.0.1/16']);
		assert.deepEqual(byName.get('up0')?.addresses, ['192.168.100.2/24']);
		assert.equal(byName.get('up0')?.defaultRoute, true);
		assert.equal(byName.get('br9')?.defaultRoute, false);
		assert.ok(byName.get('up0')?.up);
		for (const network of ['192.168.100.0/24', '10.10.0.0/16', '172.16.0.0/16', '127.0.0.0/8']) assert.ok(detected.usedNetworks.includes(network), `${network} in ${detected.usedNetworks}`);
		// Free ranges avoid every network in use, and the first one is offered as the default.
		assert.equal(detected.freeRanges[0], '10.20.0.0/16');
		for (const taken of ['10.10.0.0/16', '172.16.0.0/16']) assert.ok(!detected.freeRanges.includes(taken));
	} finally {
		rmSync(scratch, {recursive: true, force: true});
	}
});

async function withLoop(prepare: (device: string) => Promise<void>, inspect: (device: string) => Promise<string>): Promise<unknown> {
	const scratch = mkdtempSync(join(tmpdir(), 'wizard-disk-'));
	const image = join(scratch, 'disk.img');
	await $`truncate -s 64M ${image}`;
	const device = (await $`losetup -f --show -P ${image}`).stdout.trim();
	try {
		await prepare(device);
		return JSON.parse(await inspect(device));
	} finally {
		await $({nothrow: true})`losetup -d ${device}`;
		rmSync(scratch, {recursive: true, force: true});
	}
}

test('a blank disk is free; a partitioned or mounted one is in use, with the reason', async t => {
	if (!need(['root', 'losetup', 'lsblk', 'blkid', 'parted', 'mkfs.ext4', 'unshare'], t)) return;
	const lsblk = async (device: string) => (await $`lsblk -J -b -o ${lsblkColumns} ${device}`).stdout;

	const blank = parseLsblk(await withLoop(async () => {}, lsblk), ['loop']);
	assert.equal(blank.length, 1);
	assert.equal(blank[0]!.sizeBytes, 64 * 1024 * 1024);
	assert.deepEqual(blank[0]!.partitions, []);
	assert.equal(blank[0]!.inUse, null);

	const partitioned = parseLsblk(
		await withLoop(async device => {
			await $`parted -s ${device} mklabel gpt mkpart lvm 1MiB 100%`;
			await $`partx -u ${device}`.nothrow();
		}, lsblk),
		['loop'],
	);
	assert.equal(partitioned[0]!.partitions.length, 1);
	assert.match(partitioned[0]!.partitions[0]!.path, /^\/dev\/loop\d+p1$/);
	assert.equal(partitioned[0]!.inUse, 'has 1 partition');

	// A file system straight on the disk, not mounted: lsblk without udev does not
	// see it, the signature probe does.
	const host = localHost({root: '/', stateDir: tmpdir(), transcript: new Transcript(undefined)});
	const formatted = await withLoop(
		async device => {
			await $`mkfs.ext4 -q ${device}`;
		},
		async device => JSON.stringify({disks: await withSignatures(host, parseLsblk(JSON.parse((await $`lsblk -J -b -o ${lsblkColumns} ${device}`).stdout), ['loop']))}),
	);
	assert.equal((formatted as {disks: Array<{inUse: string}>}).disks[0]!.inUse, 'holds ext4 data');

	// Mounted inside a private mount namespace, where lsblk sees the mount.
	const mountpoint = mkdtempSync(join(tmpdir(), 'wizard-mnt-'));
	try {
		const mounted = parseLsblk(
			await withLoop(
				async device => {
					await $`mkfs.ext4 -q ${device}`;
				},
				async device => (await $`unshare --mount --propagation private sh -c ${`mount ${device} ${mountpoint} && lsblk -J -b -o ${lsblkColumns} ${device}`}`).stdout,
			),
			['loop'],
		);
		assert.equal(mounted[0]!.inUse, `mounted on ${mountpoint}`);
		assert.deepEqual(mounted[0]!.mountpoints, [mountpoint]);
	} finally {
		rmSync(mountpoint, {recursive: true, force: true});
	}
});

test('this host: every disk lsblk lists is parsed, and sizes are positive', async t => {
	if (!need(['lsblk'], t)) return;
	const data = JSON.parse((await $`lsblk -J -b -o ${lsblkColumns}`).stdout) as unknown;
	for (const disk of parseLsblk(data)) {
		assert.ok(disk.sizeBytes > 0);
		assert.match(disk.path, /^\/dev\//);
		if (disk.mountpoints.length > 0) assert.match(disk.inUse ?? '', /^mounted on /);
	}
});

test('blkid signatures: a file system, an LVM physical volume, a partition table', () => {
	assert.equal(signatureOf('DEVNAME=/dev/sdb\nTYPE=ext4\nUSAGE=filesystem\n'), 'holds ext4 data');
	assert.equal(signatureOf('DEVNAME=/dev/sdb\nTYPE=LVM2_member\n'), 'holds LVM2_member data');
	assert.equal(signatureOf('DEVNAME=/dev/sdb\nPTUUID=x\nPTTYPE=gpt\n'), 'has a gpt partition table');
	assert.equal(signatureOf(''), null);
});

test('resolv.conf: IPv4 name servers in order, once each', () => {
	assert.deepEqual(parseResolvConf('nameserver 10.0.0.2\n# nameserver 10.0.0.9\n  nameserver 10.0.0.3 \nnameserver 10.0.0.2\nnameserver ::1\noptions ndots:2\n'), ['10.0.0.2', '10.0.0.3']);
	assert.deepEqual(parseResolvConf(''), []);
});

test('free private ranges skip anything overlapping a network in use', () => {
	assert.deepEqual(freePrivateRanges([], 3), ['10.10.0.0/16', '10.20.0.0/16', '10.30.0.0/16']);
	// A /8 route covering all of 10/8 pushes the offer to 172.16/12.
	assert.deepEqual(freePrivateRanges(['10.0.0.0/8', '172.16.5.0/24'], 2), ['172.17.0.0/16', '172.18.0.0/16']);
	const everything = ['10.0.0.0/8', '172.16.0.0/12'];
	assert.equal(freePrivateRanges(everything, 1)[0], '192.168.100.0/24');
});
