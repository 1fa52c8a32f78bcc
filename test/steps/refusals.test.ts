// What preflight refuses from the host's facts, and the parsers of those facts
// fed with real output: vgs, /proc/net/route and `ip -j -4 addr` as captured on
// a Debian 12 host, config.data as Ganeti's own library writes it.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {drbdUsermodeHelperPath, isIso9660, iso9660Identifier, parseDefaultGateways, parseDrbdUsermodeHelper, parseGanetiConfig, parseIpAddresses, parseListeningSockets, parseVgsColumns, probeDrbd, probeFile, probeHostFacts, probeInstallerIso} from '../../source/host/facts.js';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {hintFor} from '../../source/steps/hints.js';
import {defaultInstancePolicy, initialInstancePolicy, preflightNotes, publicZoneQuestion, refusals} from '../../source/steps/refusals.js';
import type {HostFacts} from '../../source/steps/step.js';
import {ganetiConfig, ganetiConfigRequirements} from '../support/ganeti-config.js';
import {iso9660Image} from '../support/iso-image.js';
import {need} from '../support/need.js';
import {inventoryFromYaml} from '../render/fixtures.js';

const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');
const casePolicyYaml = readFileSync(new URL('../fixtures/cases/instance-policy/recipe.yaml', import.meta.url), 'utf8');
const seed = inventoryFromYaml(seedYaml);

// `vgs --noheadings --units b --nosuffix --separator : -o vg_name,vg_size,vg_free` with a 24G loop VG.
const vgsOutput = '  all:25765609472:25765609472\n';
// /proc/net/route of a host whose default route leaves eth0 through 192.0.2.1.
const procNetRoute =
	'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n' +
	'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               \n' +
	'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n';
// `ip -j -4 addr show` of the same host.
const ipAddrOutput =
	'[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295}]},' +
	'{"ifindex":4,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1400,"qdisc":"pfifo_fast","operstate":"UP","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24,"broadcast":"192.0.2.255","scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]\n';

const GiB = 2 ** 30;

/** A host that tells nothing: nothing can be refused. */
function facts(overrides: Partial<HostFacts> = {}): HostFacts {
	return {interfaces: null, addresses: null, resolvers: [], defaultGateways: null, volumeGroups: null, deviceBytes: {}, cluster: null, interfaceFiles: [], ...overrides};
}

test('the parsers read real vgs, /proc/net/route and ip output', () => {
	assert.deepEqual(parseVgsColumns(vgsOutput), [{name: 'all', sizeBytes: 25_765_609_472, freeBytes: 25_765_609_472}]);
	assert.deepEqual(parseDefaultGateways(procNetRoute), ['192.0.2.1']);
	assert.deepEqual(parseDefaultGateways(procNetRoute.split('\n').filter(line => !line.includes('\t00000000\t010200C0')).join('\n')), [], 'no default route, no gateway');
	assert.deepEqual(parseIpAddresses(ipAddrOutput), [
		{interface: 'lo', address: '127.0.0.1'},
		{interface: 'eth0', address: '192.0.2.2'},
	]);
});

test("config.data as Ganeti writes it: the default instance policy is the wizard's, and the instances are named", t => {
	if (!need(ganetiConfigRequirements, t)) return;
	const cluster = parseGanetiConfig(ganetiConfig('cluster.node.farm', {}, ['rodo1.osm.vm.farm']));
	assert.deepEqual(cluster, {name: 'cluster.node.farm', policy: defaultInstancePolicy, instances: ['rodo1.osm.vm.farm'], drbdUsermodeHelper: null, hypervisorParameters: {}, instanceHypervisorParameters: {'rodo1.osm.vm.farm': {}}});
	assert.equal(parseGanetiConfig(ganetiConfig('cluster.node.farm', {}, [], {drbdUsermodeHelper: '/bin/true'}))?.drbdUsermodeHelper, '/bin/true');
	assert.equal(parseGanetiConfig('{"not": "a cluster"}'), null);
	assert.deepEqual(initialInstancePolicy(seed.recipe), {minmax: defaultInstancePolicy.minmax, diskTemplates: ['plain']}, 'init keeps only the enabled disk templates');
	assert.equal(parseGanetiConfig('{truncated'), null);
});

test('a host that tells nothing refuses nothing (the seed in a bare rehearsal)', () => {
	assert.deepEqual(refusals(seed, facts()), []);
});

test('an existing volume group under 20 GiB is refused naming storage.vg and the minimum', () => {
	const small = facts({volumeGroups: [{name: 'all', sizeBytes: 10 * GiB - 4 * 2 ** 20, freeBytes: 10 * GiB - 4 * 2 ** 20}]});
	assert.deepEqual(refusals(seed, small), [
		`storage.vg: "all" has 10236 MiB, under Ganeti's minimum of 20 GiB (20480 MiB) for plain and drbd disks; extend it (vgextend all DEVICE), name a group of 20 GiB or more, or use file disks`,
		`instances[0].disk_size: "10G" does not fit the free space of the volume group all (10236 MiB): the plain disks of the new instances up to this one need 10240 MiB; use smaller disks, extend the group (vgextend all DEVICE), or use file disks`,
	]);
});

test('a disk or partition the volume group is to be made on must give it 20 GiB', () => {
	// /sys/class/block/*/size counts 512-byte sectors: a 10 GiB disk, a 24 GiB one.
	const tenGiB = 20_971_520 * 512;
	const noPartition = inventoryFromYaml(seedYaml.replace('  partition: /dev/sdb1\n', ''));
	assert.deepEqual(refusals(noPartition, facts({deviceBytes: {'/dev/sdb': tenGiB}})), [
		`storage.disk: "/dev/sdb" has 10238 MiB for its LVM partition, so the volume group all made on it would have 10236 MiB, under Ganeti's minimum of 20 GiB (20480 MiB) for plain and drbd disks; give a device of 21 GiB or more, an existing storage.vg, or use file disks`,
		`instances[0].disk_size: "10G" does not fit the volume group all the wizard makes on storage.disk (10236 MiB): the plain disks of the new instances up to this one need 10240 MiB; use smaller disks, extend the group (vgextend all DEVICE), or use file disks`,
	]);
	assert.deepEqual(refusals(seed, facts({deviceBytes: {'/dev/sdb': 50_331_648 * 512, '/dev/sdb1': tenGiB}})).slice(0, 1), [
		`storage.partition: "/dev/sdb1" has 10240 MiB, so the volume group all made on it would have 10236 MiB, under Ganeti's minimum of 20 GiB (20480 MiB) for plain and drbd disks; give a device of 21 GiB or more, an existing storage.vg, or use file disks`,
	]);
	assert.deepEqual(refusals(seed, facts({deviceBytes: {'/dev/sdb': 2 ** 40}})), [], 'a 1 TiB disk holds rodo1 and its 500G');
});

test('a volume group the host lacks is refused only when nothing makes it (no disk, partition or loop file)', () => {
	const existingOnly = inventoryFromYaml(seedYaml.replace('  disk: /dev/sdb\n', '').replace('  partition: /dev/sdb1\n', '').replace('vg: all', 'vg: vg_data'));
	const host = facts({volumeGroups: [{name: 'system', sizeBytes: 100 * GiB, freeBytes: 100 * GiB}]});
	assert.deepEqual(refusals(existingOnly, host), [
		`storage.vg: "vg_data" is not a volume group of this host (it has system) and no storage.disk, storage.partition or storage.loop_file makes it; name an existing group (vgs lists them), or give a disk for the wizard to make it on`,
	]);
	assert.match(refusals(existingOnly, facts({volumeGroups: []}))[0]!, /\(it has none\)/);
	assert.deepEqual(refusals(existingOnly, facts({volumeGroups: [{name: 'vg_data', sizeBytes: 1024 * GiB, freeBytes: 1024 * GiB}]})), [], 'it exists');
	assert.deepEqual(refusals(seed, host), [], 'the seed makes its group on /dev/sdb');
	assert.deepEqual(refusals(existingOnly, facts()), [], 'vgs unknown (a rehearsal): nothing refused');
});

test('the disk must be a block device of the host', () => {
	const devices = facts({blockDevices: ['/dev/sda', '/dev/sda1', '/dev/loop0', '/dev/sdc']});
	assert.deepEqual(refusals(seed, devices), [
		`storage.disk: "/dev/sdb" is not a block device of this host (it has /dev/sda, /dev/sda1, /dev/sdc); name one of those (lsblk lists them), or leave storage.disk and storage.partition out to use an existing storage.vg`,
	]);
	assert.deepEqual(refusals(seed, facts({blockDevices: ['/dev/sda', '/dev/sdb']})), [], 'the partition on /dev/sdb is the wizard\'s to make');
});

test('a new instance\'s installer ISO must exist; unknown files and installed instances refuse nothing', () => {
	const iso = '/srv/ganeti/debian-6.0.0-amd64-CD-1.iso';
	assert.deepEqual(refusals(seed, facts({files: {[iso]: false}})), [
		`instances[0].install.iso: "${iso}" does not exist on this host; put the installer ISO there, or give the path of one that exists`,
	]);
	assert.deepEqual(refusals(seed, facts({files: {[iso]: true}})), []);
	assert.deepEqual(refusals(seed, facts({files: {}})), [], 'not looked at: unknown');
	const installed = {name: seed.cluster.fqdn, policy: defaultInstancePolicy, instances: [seed.instances[0]!.fqdn]};
	assert.deepEqual(refusals(seed, facts({files: {[iso]: false}, cluster: installed})), [], 'the cluster has the instance: it boots from its disk');
});

test('a new instance\'s installer ISO must be an ISO 9660 image; installed instances refuse nothing', () => {
	const iso = '/srv/ganeti/debian-6.0.0-amd64-CD-1.iso';
	assert.deepEqual(refusals(seed, facts({files: {[iso]: true}, isoImages: {[iso]: false}})), [
		`instances[0].install.iso: "${iso}" is not an ISO 9660 image (no "CD001" at byte 32769, ECMA-119); give the path of an installer CD or DVD image (.iso)`,
	]);
	assert.deepEqual(refusals(seed, facts({files: {[iso]: true}, isoImages: {[iso]: true}})), []);
	const installed = {name: seed.cluster.fqdn, policy: defaultInstancePolicy, instances: [seed.instances[0]!.fqdn]};
	assert.deepEqual(refusals(seed, facts({files: {[iso]: true}, isoImages: {[iso]: false}, cluster: installed})), [], 'the cluster has the instance: it boots from its disk');
});

test('probeInstallerIso reads the ISO 9660 identifier through the host: a text file named .iso, an empty file and a directory are none, an image is one', async () => {
	assert.equal(iso9660Identifier.offset, 32769, 'sector 16 of 2048 bytes, after the type byte');
	assert.equal(isIso9660(Buffer.from('CD001')), true);
	assert.equal(isIso9660(Buffer.from('CD00')), false);
	assert.equal(isIso9660(null), false);
	const root = await mkdtemp(join(tmpdir(), 'gw-probe-iso-'));
	try {
		await mkdir(join(root, 'srv/iso/folder.iso'), {recursive: true});
		await writeFile(join(root, 'srv/iso/text.iso'), 'an ISO image\n');
		await writeFile(join(root, 'srv/iso/empty.iso'), '');
		await writeFile(join(root, 'srv/iso/image.iso'), iso9660Image());
		const rehearsal = localHost({root, stateDir: join(root, '..', 'unused-state'), transcript: new Transcript(undefined)});
		assert.deepEqual(await probeInstallerIso(rehearsal, '/srv/iso/text.iso'), {exists: true, iso9660: false});
		assert.deepEqual(await probeInstallerIso(rehearsal, '/srv/iso/empty.iso'), {exists: true, iso9660: false});
		assert.deepEqual(await probeInstallerIso(rehearsal, '/srv/iso/folder.iso'), {exists: true, iso9660: false});
		assert.deepEqual(await probeInstallerIso(rehearsal, '/srv/iso/image.iso'), {exists: true, iso9660: true});
		assert.deepEqual(await probeInstallerIso(rehearsal, '/srv/iso/missing.iso'), {exists: false});
		assert.deepEqual(await probeInstallerIso(rehearsal, '/srv/ganeti/debian.iso'), {}, 'a folder the root does not hold: unknown');
		const found = await probeHostFacts(rehearsal, [], ['/srv/iso/text.iso', '/srv/iso/image.iso', '/srv/iso/missing.iso']);
		assert.deepEqual(found.isoImages, {'/srv/iso/text.iso': false, '/srv/iso/image.iso': true});
	} finally {
		await rm(root, {recursive: true, force: true});
	}
});

/**
 * The seed with drbd enabled and its instance on it, with a second node for
 * the mirror (a site of one node cannot hold a drbd instance), as seen from
 * the master.
 */
const drbdSeedYaml = seedYaml
	.replace('disk_templates: [plain]', 'disk_templates: [plain, drbd]')
	.replace('disk_template: plain', 'disk_template: drbd')
	.replace(
		/\nhost:\n(?: {2}.*\n)+/,
		'\nnodes:\n  - name: gcc20\n    public_interface: eth0\n    public_address: 198.51.100.20\n    private_address: 10.10.0.20\n    role: master\n  - name: node2\n    public_interface: eth0\n    public_address: 198.51.100.21\n    private_address: 10.10.0.21\n    role: candidate\n',
	)
	.replace('  nat: true\n', '  nat: true\n  routing: ospf\n');
const drbdSeed = inventoryFromYaml(drbdSeedYaml);
const drbdCluster = (helper: string | null) => ({name: drbdSeed.cluster.fqdn, policy: defaultInstancePolicy, instances: [], drbdUsermodeHelper: helper});
const withoutModule = `instances[0].disk_template: "drbd" needs DRBD's kernel module, which this host has not loaded (no ${drbdUsermodeHelperPath}); load it with the usermode helper /bin/true, Ganeti's default, which gnt-cluster init sets (options drbd usermode_helper=/bin/true in /etc/modprobe.d/drbd.conf, then modprobe drbd), or use another disk template`;

test('the drbd template needs the drbd module with the usermode helper Ganeti expects: /bin/true before init', () => {
	assert.ok(drbdSeed.recipe.cluster.disk_templates.includes('drbd') && drbdSeed.instances[0]!.disk_template === 'drbd');
	assert.deepEqual(refusals(drbdSeed, facts({drbd: null})), [], 'unknown: nothing refused');
	assert.deepEqual(refusals(drbdSeed, facts({drbd: {loaded: false}})), [withoutModule]);
	assert.deepEqual(refusals(drbdSeed, facts({drbd: {loaded: true, usermodeHelper: '/sbin/drbdadm'}})), [
		`instances[0].disk_template: "drbd" needs DRBD's usermode helper to be /bin/true, Ganeti's default, which gnt-cluster init sets, but the drbd module has "/sbin/drbdadm" (${drbdUsermodeHelperPath}); set it (echo /bin/true >${drbdUsermodeHelperPath}, and options drbd usermode_helper=/bin/true in /etc/modprobe.d/drbd.conf for the next boot), or use another disk template`,
	]);
	assert.deepEqual(refusals(drbdSeed, facts({drbd: {loaded: true, usermodeHelper: '/bin/true'}})), []);
	assert.deepEqual(refusals(seed, facts({drbd: {loaded: false}})), [], 'drbd not enabled: the module does not matter');
	// drbd enabled, no instance on it: init itself would refuse.
	const enabledOnly = inventoryFromYaml(seedYaml.replace('disk_templates: [plain]', 'disk_templates: [plain, drbd]'));
	assert.deepEqual(refusals(enabledOnly, facts({drbd: {loaded: false}})), [
		`cluster.disk_templates: ["plain","drbd"] needs DRBD's kernel module, which this host has not loaded (no ${drbdUsermodeHelperPath}); load it with the usermode helper /bin/true, Ganeti's default, which gnt-cluster init sets (options drbd usermode_helper=/bin/true in /etc/modprobe.d/drbd.conf, then modprobe drbd), or leave drbd out`,
	]);
});

test("the drbd template on an existing cluster: the module's helper must be the cluster's; a cluster without one checks none", () => {
	const module = facts({drbd: {loaded: true, usermodeHelper: '/bin/true'}});
	assert.deepEqual(refusals(drbdSeed, {...module, cluster: drbdCluster('/usr/local/sbin/drbd-helper')}), [
		`instances[0].disk_template: "drbd" needs DRBD's usermode helper to be /usr/local/sbin/drbd-helper, the cluster's (${drbdSeed.cluster.fqdn}, gnt-cluster info shows it), but the drbd module has "/bin/true" (${drbdUsermodeHelperPath}); set it (echo /usr/local/sbin/drbd-helper >${drbdUsermodeHelperPath}, and options drbd usermode_helper=/usr/local/sbin/drbd-helper in /etc/modprobe.d/drbd.conf for the next boot), or use another disk template`,
	]);
	assert.deepEqual(refusals(drbdSeed, {...module, cluster: drbdCluster('/bin/true')}), []);
	assert.deepEqual(refusals(drbdSeed, {...facts({drbd: {loaded: false}}), cluster: drbdCluster(null)}), [], 'no helper set: Ganeti checks none');
	// The instance is the cluster's already: drbd enabled still needs the module, named by the field that enables it.
	assert.match(refusals(drbdSeed, {...facts({drbd: {loaded: false}}), cluster: {...drbdCluster('/bin/true'), instances: [drbdSeed.instances[0]!.fqdn]}})[0]!, /^cluster\.disk_templates: \["plain","drbd"\] needs DRBD's kernel module/);
});

test('probeDrbd: the helper is the first line of the module parameter; no drbd under /sys/module is no module; a root without /sys/module knows nothing', async () => {
	assert.equal(parseDrbdUsermodeHelper('/bin/true\n'), '/bin/true');
	const root = await mkdtemp(join(tmpdir(), 'gw-probe-drbd-'));
	try {
		const rehearsal = localHost({root, stateDir: join(root, '..', 'unused-state'), transcript: new Transcript(undefined)});
		assert.equal(await probeDrbd(rehearsal), null);
		await mkdir(join(root, 'sys/module/bridge'), {recursive: true});
		assert.deepEqual(await probeDrbd(rehearsal), {loaded: false});
		await mkdir(join(root, 'sys/module/drbd/parameters'), {recursive: true});
		await writeFile(join(root, drbdUsermodeHelperPath), '/sbin/drbdadm\n');
		assert.deepEqual(await probeDrbd(rehearsal), {loaded: true, usermodeHelper: '/sbin/drbdadm'});
	} finally {
		await rm(root, {recursive: true, force: true});
	}
});

test('probeFile: the host says; a rehearsal root that lacks the directory knows nothing', async () => {
	const root = await mkdtemp(join(tmpdir(), 'gw-probe-file-'));
	try {
		await mkdir(join(root, 'srv/iso'), {recursive: true});
		await writeFile(join(root, 'srv/iso/here.iso'), 'x');
		const rehearsal = localHost({root, stateDir: join(root, '..', 'unused-state'), transcript: new Transcript(undefined)});
		assert.equal(rehearsal.kind, 'rehearsal');
		assert.equal(await probeFile(rehearsal, '/srv/iso/here.iso'), true);
		assert.equal(await probeFile(rehearsal, '/srv/iso/missing.iso'), false);
		assert.equal(await probeFile(rehearsal, '/srv/ganeti/debian.iso'), undefined);
		const facts = await probeHostFacts(rehearsal, [], ['/srv/iso/missing.iso', '/srv/ganeti/debian.iso']);
		assert.deepEqual(facts.files, {'/srv/iso/missing.iso': false});
		assert.equal(facts.blockDevices, null, 'no /sys/class/block under the root');
	} finally {
		await rm(root, {recursive: true, force: true});
	}
});

test('ports the wizard\'s daemons need: held by another program on every address or theirs, refused naming it; named, dhcpd, Ganeti\'s own, other addresses and unknown processes are not', () => {
	// `ss -H -l -n -t -u -p` on a Debian 12 host with systemd-resolved, the wizard's named, dhcpd and Ganeti, and nginx.
	const ss = [
		'udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=301,fd=13))',
		'udp   UNCONN 0      0         10.10.0.20:53        0.0.0.0:*    users:(("named",pid=912,fd=30))',
		'udp   UNCONN 0      0            0.0.0.0:67        0.0.0.0:*    users:(("dhcpd",pid=990,fd=7))',
		'udp   UNCONN 0      0         10.10.0.20:1814      0.0.0.0:*    users:(("ganeti-confd",pid=1201,fd=6))',
		'tcp   LISTEN 0      4096      10.10.0.20:1811      0.0.0.0:*    users:(("ganeti-noded",pid=1188,fd=5))',
		'tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=700,fd=6),("nginx",pid=701,fd=6))',
		'tcp   LISTEN 0      511             [::]:80           [::]:*    users:(("nginx",pid=700,fd=7))',
		'tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=500,fd=3))',
		'tcp   LISTEN 0      128        10.10.1.1:53        0.0.0.0:*',
		'',
	].join('\n');
	const sockets = parseListeningSockets(ss);
	assert.deepEqual(sockets[0], {protocol: 'udp', address: '127.0.0.53', port: 53, process: 'systemd-resolve'});
	assert.deepEqual(sockets[6], {protocol: 'tcp', address: '::', port: 80, process: 'nginx'});
	assert.deepEqual(sockets[8], {protocol: 'tcp', address: '10.10.1.1', port: 53, process: null});
	assert.deepEqual(refusals(seed, facts({sockets})), [
		'host.private_address: "10.10.0.20" needs port 80 for Ganeti\'s ganeti-metad, which nginx already holds (TCP 0.0.0.0:80, TCP [::]:80); stop nginx, or make it listen on other addresses or another port, then run again',
	]);
	const dnsmasq = parseListeningSockets('udp UNCONN 0 0 10.10.1.1:53 0.0.0.0:* users:(("dnsmasq",pid=42,fd=4))\n');
	assert.match(refusals(seed, facts({sockets: dnsmasq}))[0]!, /^host\.private_address: "10\.10\.0\.20" needs port 53 for the private name server \(named\), which dnsmasq already holds \(UDP 10\.10\.1\.1:53\)/);
	const noDhcp = inventoryFromYaml(seedYaml.replace('dhcp:\n  enabled: true', 'dhcp:\n  enabled: false'));
	const dhcpHolder = parseListeningSockets('udp UNCONN 0 0 0.0.0.0:67 0.0.0.0:* users:(("dnsmasq",pid=42,fd=4))\n');
	assert.match(refusals(seed, facts({sockets: dhcpHolder}))[0]!, /^dhcp\.enabled: true needs port 67 for dhcpd, which dnsmasq already holds/);
	assert.deepEqual(refusals(noDhcp, facts({sockets: dhcpHolder})), [], 'no DHCP, no port 67');
});

test('plain disks must fit the free space of the volume group, not its size; instances the cluster has are not counted again', t => {
	// 24 GiB, of which 12 GiB are taken.
	const busy = facts({volumeGroups: parseVgsColumns('  all:25765609472:12884901888\n')});
	const withoutExtra = inventoryFromYaml(seedYaml.replace('extra_disks: [500G]', 'extra_disks: []'));
	assert.deepEqual(refusals(withoutExtra, busy), [], '10G fits the 12288 MiB free');
	assert.deepEqual(refusals(seed, busy), [
		`instances[0].extra_disks[0]: "500G" does not fit the free space of the volume group all (12288 MiB): the plain disks of the new instances up to this one need 522240 MiB; use smaller disks, extend the group (vgextend all DEVICE), or use file disks`,
	]);
	if (!need(ganetiConfigRequirements, t)) return;
	const created = facts({volumeGroups: busy.volumeGroups, cluster: parseGanetiConfig(ganetiConfig('cluster.node.farm', {}, ['rodo1.osm.vm.farm']))});
	assert.deepEqual(refusals(seed, created), [], 'rodo1 exists: its disks are already taken from the free space');
});

test('the instance policy: Ganeti default before init, the cluster\'s own once it exists', t => {
	const big = inventoryFromYaml(casePolicyYaml);
	assert.deepEqual(refusals(big, facts()), [
		`instances[0].vcpus: 16 is above the cluster's instance policy maximum of 8 (Ganeti's default, which gnt-cluster init sets); use at most 8, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
		`instances[0].memory: "64G" (65536 MiB) is above the cluster's instance policy maximum of 32G (Ganeti's default, which gnt-cluster init sets); use at most 32G, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
	]);
	const tiny = inventoryFromYaml(seedYaml.replace('memory: 512M', 'memory: 64M').replace('extra_disks: [500G]', 'extra_disks: [2T]'));
	assert.deepEqual(refusals(tiny, facts()), [
		`instances[0].memory: "64M" (64 MiB) is below the cluster's instance policy minimum of 128M (Ganeti's default, which gnt-cluster init sets); use at least 128M, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
		`instances[0].extra_disks[0]: "2T" (2097152 MiB) is above the cluster's instance policy maximum of 1T (Ganeti's default, which gnt-cluster init sets); use at most 1T, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
	]);

	if (!need(ganetiConfigRequirements, t)) return;
	const bounds = (max: Record<string, number>) => ({minmax: [{min: defaultInstancePolicy.minmax[0]!.min, max: {...defaultInstancePolicy.minmax[0]!.max, ...max}}]});
	const wide = parseGanetiConfig(ganetiConfig('cluster.node.farm', bounds({'cpu-count': 16, 'memory-size': 65536})));
	assert.deepEqual(refusals(big, facts({cluster: wide})), [], 'a cluster whose policy allows 16 vcpus and 64G');
	const narrow = parseGanetiConfig(ganetiConfig('cluster.node.farm', {...bounds({'cpu-count': 2}), 'disk-templates': ['drbd', 'file']}));
	const four = inventoryFromYaml(seedYaml.replace('vcpus: 1', 'vcpus: 4'));
	assert.deepEqual(refusals(four, facts({cluster: narrow})), [
		'instances[0].disk_template: "plain" is not allowed by the cluster\'s instance policy (drbd, file); use one of those',
		`instances[0].vcpus: 4 is above the cluster's instance policy maximum of 2; use at most 2, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
	]);
	const other = parseGanetiConfig(ganetiConfig('other.example.org', bounds({'cpu-count': 2})));
	assert.deepEqual(refusals(four, facts({cluster: other})), [], "another cluster's policy is not this site's (the leftovers check stops there)");
	// Several min/max pairs: fitting one is enough.
	const pairs = parseGanetiConfig(
		ganetiConfig('cluster.node.farm', {
			minmax: [defaultInstancePolicy.minmax[0], {min: {...defaultInstancePolicy.minmax[0]!.min, 'cpu-count': 9, 'memory-size': 32769}, max: {...defaultInstancePolicy.minmax[0]!.max, 'cpu-count': 16, 'memory-size': 65536}}],
		}),
	);
	assert.deepEqual(refusals(big, facts({cluster: pairs})), []);
	assert.deepEqual(refusals(seed, facts({cluster: pairs})), []);
});

test('interfaces: the public one and the master netdev must exist, the bridge the wizard makes need not', () => {
	const host = facts({interfaces: ['eth0', 'lo']});
	assert.deepEqual(refusals(seed, host), [], 'master_netdev br0 is the bridge');
	const eth9 = inventoryFromYaml(seedYaml.replace('master_netdev: br0', 'master_netdev: eth9'));
	assert.deepEqual(refusals(eth9, host), [
		'cluster.master_netdev: "eth9" is not an interface of this host (this host has eth0, lo) nor the bridge the wizard makes (br0); leave it out to put the cluster address on br0, or name one of those',
	]);
	assert.deepEqual(refusals(eth9, facts({interfaces: ['eth0', 'eth9', 'lo']})), []);
	assert.deepEqual(refusals(seed, facts({interfaces: ['ens3', 'lo']})), [
		'host.public_interface: "eth0" is not an interface of this host (this host has ens3, lo); name the interface that carries the public address (ip -br addr lists them)',
	]);
});

test('the private range may hold none of the addresses the host depends on; the wizard\'s own are fine', () => {
	const range = 'network.private_range: "10.10.0.0/16" holds';
	const cutOff = 'and the blackhole route the wizard adds for the range would cut the host off from it; choose a range that holds none of the host\'s addresses (e.g. 10.20.0.0/16)';
	assert.deepEqual(refusals(seed, facts({resolvers: [{address: '10.10.0.53', file: '/etc/resolv.conf'}]})), [`${range} 10.10.0.53, a name server of this host (/etc/resolv.conf), ${cutOff}`]);
	assert.deepEqual(refusals(seed, facts({defaultGateways: parseDefaultGateways(procNetRoute.replace('010200C0', '010A0A0A'))})), [`${range} 10.10.10.1, the default gateway of this host, ${cutOff}`]);
	assert.deepEqual(refusals(seed, facts({addresses: [{interface: 'eth1', address: '10.10.7.4'}]})), [`${range} 10.10.7.4, an address of this host's interface eth1, ${cutOff}`]);
	// After a run: the node on lo:1, the bridge, the cluster address on the master netdev, the private name server first.
	const applied = facts({
		addresses: [...parseIpAddresses(ipAddrOutput), {interface: 'lo', address: '10.10.0.20'}, {interface: 'br0', address: '10.10.1.1'}, {interface: 'br0', address: '10.10.0.10'}],
		resolvers: [{address: '10.10.0.20', file: '/etc/resolv.conf'}, {address: '192.0.2.53', file: '/etc/resolv.conf'}],
		defaultGateways: parseDefaultGateways(procNetRoute),
	});
	assert.deepEqual(refusals(seed, applied), []);
	const eth1 = inventoryFromYaml(seedYaml.replace('master_netdev: br0', 'master_netdev: eth1'));
	assert.deepEqual(refusals(eth1, facts({addresses: [{interface: 'eth1', address: '10.10.0.5'}]})), [], 'the private interface the recipe names as master netdev');
});

test('a stanza for the bridge or lo:1 in a file the wizard does not own is refused naming the file', () => {
	const interfaces = '# The loopback network interface\nauto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n';
	const ours = 'auto lo:1\niface lo:1 inet static\n    address 10.10.0.20/32\n\nauto br0\niface br0 inet static\n    address 10.10.1.1/24\n';
	assert.deepEqual(
		refusals(seed, facts({interfaceFiles: [{path: '/etc/network/interfaces', text: interfaces}, {path: '/etc/network/interfaces.d/ganeti-wizard', text: ours}]})),
		[],
		"the wizard's own file",
	);
	assert.deepEqual(refusals(seed, facts({interfaceFiles: [{path: '/etc/network/interfaces.d/bridges', text: 'auto br0\niface br0 inet manual\n    bridge_ports eth1\n'}]})), [
		'network.bridge.name: "br0" already has a stanza in /etc/network/interfaces.d/bridges (iface br0), a file the wizard does not own, and ifupdown would configure br0 twice; remove that stanza from /etc/network/interfaces.d/bridges (the wizard writes br0 in /etc/network/interfaces.d/ganeti-wizard) or choose another bridge name',
	]);
	assert.deepEqual(refusals(seed, facts({interfaceFiles: [{path: '/etc/network/interfaces', text: `${interfaces}\nauto lo:1\niface lo:1 inet static\n    address 10.0.0.1/32\n`}]})), [
		'host.private_address: "10.10.0.20" goes on lo:1, which already has a stanza in /etc/network/interfaces (iface lo:1), a file the wizard does not own, and ifupdown would configure lo:1 twice; remove that stanza from /etc/network/interfaces (the wizard writes lo:1 in /etc/network/interfaces.d/ganeti-wizard)',
	]);
});

test('a missing interface: the hint names the field that named it', () => {
	// `ip link show dev eth9` on a host without eth9, and gnt-cluster init's refusal.
	const ipLink = 'Device "eth9" does not exist.\n';
	const masterNetdev = hintFor('cluster.check.master-netdev', ipLink);
	assert.match(masterNetdev ?? '', /cluster\.master_netdev/);
	assert.doesNotMatch(masterNetdev ?? '', /host\.public_interface/);
	assert.equal(hintFor('cluster.init', "Failure: prerequisites not met for this operation:\nerror type: wrong_input, error details:\nInvalid master netdev given (eth9): 'Device \"eth9\" does not exist.'"), masterNetdev);
	assert.match(hintFor('preflight.public-interface', ipLink.replace('eth9', 'eth0')) ?? '', /set host\.public_interface/);
	assert.match(hintFor('instances.rodo1.osm.add', 'Missing bridges: br0') ?? '', /network\.bridge\.name/);
});

test('a zone the host\'s resolvers answer an SOA or NS for is refused naming dns.zone, a reserved name and the field that accepts it; silence refuses nothing but is noted', () => {
	// The seed accepts shadowing farm; without that line, the check applies.
	const unaccepted = inventoryFromYaml(seedYaml.replace('  shadow_public_zone: true\n', ''));
	assert.equal(seed.recipe.dns.shadow_public_zone, true, "the seed recipe accepts that farm is public");
	assert.equal(publicZoneQuestion(seed), undefined, 'a recipe that accepts it asks nobody');
	assert.deepEqual(publicZoneQuestion(unaccepted), {name: 'farm', own: ['10.10.0.20', '10.10.1.1']}, 'the private server is not asked');
	const line =
		'dns.zone: "farm" is a zone in public DNS (its SOA answers from 192.0.2.53): every *.farm name would be hidden from this host\'s users; use a name under internal or home.arpa (e.g. farm.internal), or set dns.shadow_public_zone: true to accept hiding it';
	const publicFarm = facts({publicZone: {zone: 'farm', answers: [{server: '192.0.2.54', silent: 'no reply (timed out)'}, {server: '192.0.2.53', record: 'SOA'}]}});
	assert.deepEqual(refusals(unaccepted, publicFarm), [line]);
	assert.deepEqual(preflightNotes(unaccepted, publicFarm), [], 'one resolver answered: nothing left untold');
	assert.deepEqual(refusals(unaccepted, facts({publicZone: {zone: 'farm', answers: [{server: '192.0.2.53', record: 'NS'}]}})), [line.replace('its SOA', 'its NS')]);
	assert.deepEqual(refusals(seed, publicFarm), [], 'accepted in the recipe');
	const example = inventoryFromYaml(seedYaml.replace('  shadow_public_zone: true\n', '').replace('zone: farm', 'zone: example.com'));
	assert.match(refusals(example, facts({publicZone: {zone: 'example.com', answers: [{server: '192.0.2.53', record: 'SOA'}]}}))[0]!, /^dns\.zone: "example\.com" is a zone in public DNS .* every \*\.example\.com name .* \(e\.g\. example\.internal\)/);

	// Not a zone there, or nobody could tell: no refusal.
	const absent = facts({publicZone: {zone: 'farm', answers: [{server: '192.0.2.53', record: null}]}});
	assert.deepEqual([refusals(unaccepted, absent), preflightNotes(unaccepted, absent)], [[], []]);
	const silent = facts({publicZone: {zone: 'farm', answers: [{server: '192.0.2.53', silent: 'no reply (timed out)'}, {server: '192.0.2.54', silent: 'it answered SERVFAIL'}]}});
	assert.deepEqual(refusals(unaccepted, silent), []);
	assert.deepEqual(preflightNotes(unaccepted, silent), [
		'dns.zone: cannot tell whether "farm" is a zone in public DNS (192.0.2.53: no reply (timed out); 192.0.2.54: it answered SERVFAIL); if it is, the private zone hides it from this host\'s users: prefer a name under internal or home.arpa',
	]);
	assert.match(preflightNotes(unaccepted, facts({publicZone: {zone: 'farm', answers: []}}))[0]!, /names no resolver to ask/);
	assert.deepEqual(preflightNotes(unaccepted, facts()), [], 'not asked, not a rehearsal: nothing to say');
});

test('a rehearsal says the zone was not looked up in public DNS, unless the recipe decided or the name is reserved', () => {
	const unaccepted = inventoryFromYaml(seedYaml.replace('  shadow_public_zone: true\n', ''));
	assert.deepEqual(preflightNotes(unaccepted, facts(), true), [
		'dns.zone: "farm" was not looked up in public DNS (a rehearsal asks no name server); a real run asks this host\'s resolvers first and refuses a public zone unless dns.shadow_public_zone is true',
	]);
	assert.deepEqual(preflightNotes(seed, facts(), true), [], 'shadow_public_zone: true (the seed): nobody is asked on a real host either');
	const refused = inventoryFromYaml(seedYaml.replace('  shadow_public_zone: true\n', '  shadow_public_zone: false\n'));
	assert.equal(preflightNotes(refused, facts(), true).length, 1, 'false: still asked on a real host');
	for (const zone of ['farm.internal', 'farm.home.arpa']) {
		const reserved = inventoryFromYaml(seedYaml.replace('  shadow_public_zone: true\n', '').replace('zone: farm', `zone: ${zone}`));
		assert.deepEqual(preflightNotes(reserved, facts(), true), [], `${zone}: never public, never asked`);
	}
});

test('vnc_bind_address: an interface name must be an interface of this host (Ganeti takes any other name for a socket directory)', () => {
	const host = facts({interfaces: ['eth0', 'eth1', 'lo']});
	const on = (value: string) => inventoryFromYaml(seedYaml.replace('  mac_prefix: "52:54:00"\n', `  mac_prefix: "52:54:00"\n  hypervisor_parameters:\n    vnc_bind_address: ${value}\n`));
	assert.ok(on('eth1').recipe.cluster.hypervisor_parameters?.['vnc_bind_address'] === 'eth1', 'the seed still has the line this test extends');
	assert.deepEqual(refusals(on('eth1'), host), []);
	assert.deepEqual(refusals(on('lo'), host), []);
	assert.deepEqual(refusals(on('127.0.0.1'), host), []);
	assert.deepEqual(refusals(on('eth9'), host), [
		'cluster.hypervisor_parameters.vnc_bind_address: "eth9" is not an interface of this host (this host has eth0, eth1, lo); use 127.0.0.1, or leave it out (consoles then listen on 127.0.0.1 of whichever node runs the VM) and reach the console through an SSH tunnel to that node',
	]);
	assert.deepEqual(refusals(on('eth9'), facts({interfaces: null})), [], 'interfaces unknown: nothing refused');
});
