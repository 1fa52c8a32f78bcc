// `plan --json` of the seed recipe lists, in order, every change the seed
// document made by hand; a rehearsal writes the files those changes consist of.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {runCli, seedRecipe} from '../support/cli.js';

type PlannedAction = {id: string; kind: string; status: string; path?: string; argv?: string[]; title: string};

const work = await mkdtemp(join(tmpdir(), 'gw-seed-plan-'));
after(() => rm(work, {recursive: true, force: true}));

/** True when `argv` holds `run` as consecutive arguments. */
function holds(argv: string[] | undefined, run: string[]): boolean {
	return Boolean(argv) && argv!.some((_, index) => run.every((part, offset) => argv![index + offset] === part));
}

/** Debian's drbd-utils ships an /etc/drbd.conf: the one the seed moved aside. */
async function withDebianDrbdConf(root: string): Promise<void> {
	await mkdir(join(root, 'etc'), {recursive: true});
	await writeFile(join(root, 'etc/drbd.conf'), 'include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n');
}

async function planned(root: string, state: string): Promise<PlannedAction[]> {
	const result = await runCli(['plan', '--recipe', seedRecipe, '--root', root, '--state-dir', state, '--json']);
	assert.equal(result.code, 0, result.stderr);
	return (JSON.parse(result.stdout) as {steps: Array<{actions: PlannedAction[]}>}).steps.flatMap(step => step.actions);
}

test('a rehearsal decides from its own files: no /etc/drbd.conf there, nothing to move aside or reload', async () => {
	const ids = (await planned(join(work, 'bare'), join(work, 'bare-state'))).map(action => action.id);
	for (const id of ['host.drbd-aside', 'host.drbd-config', 'host.drbd-reload']) assert.ok(!ids.includes(id), `${id} is planned`);
});

test('plan --json lists every change of the seed document, in the seed\'s order', async () => {
	await withDebianDrbdConf(join(work, 'root'));
	const result = await runCli(['plan', '--recipe', seedRecipe, '--root', join(work, 'root'), '--state-dir', join(work, 'state'), '--json']);
	assert.equal(result.code, 0, result.stderr);
	const actions = (JSON.parse(result.stdout) as {steps: Array<{actions: PlannedAction[]}>}).steps.flatMap(step => step.actions);
	const file = (path: string) => (action: PlannedAction) => action.kind === 'file' && action.path === path;
	const command = (...run: string[]) => (action: PlannedAction) => action.kind === 'command' && holds(action.argv, run);
	const expected: Array<[string, (action: PlannedAction) => boolean]> = [
		['partition /dev/sdb', command('/dev/sdb', 'mklabel')],
		['pvcreate', command('pvcreate', '/dev/sdb1')],
		['vgcreate all', command('vgcreate', 'all', '/dev/sdb1')],
		['DRBD config moved aside', command('mv', '/etc/drbd.conf', '/etc/drbd.conf.old')],
		['empty DRBD config', file('/etc/drbd.conf')],
		['interfaces: lo:1 and br0', file('/etc/network/interfaces.d/ganeti-wizard')],
		['ip_forward', command('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1')],
		['MASQUERADE out of eth0', command('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE')],
		['forward zone', file('/etc/bind/db.farm')],
		['reverse zone of the VMs', file('/etc/bind/db.10.10.1')],
		['bind options', file('/etc/bind/named.conf.options')],
		['git commit of /etc/bind', command('git', '-C', '/etc/bind')],
		['dhcpd: the VM subnet and its host entry', file('/etc/dhcp/dhcpd.d/ganeti-wizard.conf')],
		['git commit of /etc/dhcp', command('git', '-C', '/etc/dhcp')],
		['gnt-cluster init with the seed\'s flags', command('gnt-cluster', 'init', '--no-etc-hosts', '--enabled-hypervisors=kvm', '--nic-parameters', 'link=br0', '--master-netdev', 'br0', '--vg-name', 'all')],
		['gnt-instance add rodo1', command('gnt-instance', 'add', '-t', 'plain', '-s', '10G', '-B', 'memory=512M,vcpus=1')],
		['the install checkpoint', action => action.kind === 'checkpoint' && action.id.startsWith('instances.rodo1.osm')],
		['boot from disk', command('gnt-instance', 'modify', '-H', 'boot_order=disk', 'rodo1.osm.vm.farm')],
		['restart', command('gnt-instance', 'reboot')],
		['the 500G disk', command('gnt-instance', 'modify', '--disk', 'add:size=500G')],
	];
	let position = -1;
	for (const [what, matches] of expected) {
		const found = actions.findIndex((action, index) => index > position && matches(action));
		assert.ok(found > position, `${what}: not planned after ${position >= 0 ? actions[position]!.id : 'the start'}`);
		position = found;
	}
	const add = actions.find(command('gnt-instance', 'add'))!.argv!;
	const hypervisor = add[add.indexOf('-H') + 1]!;
	assert.match(hypervisor, /boot_order=cdrom/);
	assert.match(hypervisor, /cdrom_image_path=\/srv\/ganeti\/debian-6\.0\.0-amd64-CD-1\.iso/);
	assert.match(hypervisor, /vnc_bind_address=127\.0\.0\.1(,|$)/, 'VNC listens on the loopback of the node that runs the VM (reached through an SSH tunnel to it)');
	assert.ok(add.some(part => part.includes('mac=52:54:5a:8d:77:8e')), 'the MAC of the DHCP entry');
});

test('the rehearsal writes what those changes consist of', async () => {
	const root = join(work, 'applied');
	await withDebianDrbdConf(root);
	const result = await runCli(['apply', '--recipe', seedRecipe, '--root', root, '--state-dir', join(work, 'applied-state'), '--yes']);
	assert.equal(result.code, 0, result.stderr + result.stdout);
	const interfaces = await readFile(join(root, 'etc/network/interfaces.d/ganeti-wizard'), 'utf8');
	for (const line of [/^auto lo:1$/m, /^iface br0 inet static$/m, /bridge_ports none/, /up ip route replace blackhole 10\.10\.0\.0\/16/, /net\.ipv4\.ip_forward=1/, /MASQUERADE/]) assert.match(interfaces, line);
	// The VM subnet and its hosts live in the wizard's own file, which dhcpd.conf includes.
	assert.match(await readFile(join(root, 'etc/dhcp/dhcpd.conf'), 'utf8'), /^include "\/etc\/dhcp\/dhcpd\.d\/ganeti-wizard\.conf";$/m);
	const dhcpd = await readFile(join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf'), 'utf8');
	assert.match(dhcpd, /hardware ethernet 52:54:5a:8d:77:8e;\s+fixed-address 10\.10\.1\.50;/);
	assert.match(dhcpd, /option routers 10\.10\.1\.1;/);
	assert.match(await readFile(join(root, 'etc/bind/db.10.10.1'), 'utf8'), /^50\s+IN\s+PTR\s+rodo1\.osm\.vm\.farm\.$/m);
	assert.equal(await readFile(join(root, 'etc/drbd.conf'), 'utf8'), '');
});
