// The Ganeti steps' plans for the seed site and the lab site, argv by argv:
// what `plan --json` shows and what a real apply runs.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Action, CheckpointAction, CommandAction, FileAction, Probe} from '../../source/actions/action.js';
import type {Inventory} from '../../source/inventory/inventory.js';
import {clusterStep, withNodeHostsLine} from '../../source/steps/cluster.js';
import {hostStep, requiredPackages} from '../../source/steps/host.js';
import {instancesStep} from '../../source/steps/instances.js';
import {preflightStep} from '../../source/steps/preflight.js';
import {bareFacts, type Facts} from '../../source/steps/step.js';
import {inventoryFromYaml, seedInventory} from '../render/fixtures.js';

const seed = seedInventory();
const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');
const labYaml = readFileSync(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8');
const lab = inventoryFromYaml(labYaml);
/** A command probe's argv (a path probe has none). */
const argvOf = (probe: Probe | undefined): string[] => (probe && 'argv' in probe ? probe.argv : []);
const realFacts = (overrides: Partial<Facts> = {}) => bareFacts({...overrides});

const ids = (actions: Action[]) => actions.map(action => action.id);
const byId = (actions: Action[]) => Object.fromEntries(actions.map(action => [action.id, action]));
const command = (actions: Action[], id: string): CommandAction => {
	const action = byId(actions)[id];
	assert.ok(action && action.kind === 'command', `${id} is a command`);
	return action;
};
const file = (actions: Action[], id: string): FileAction => {
	const action = byId(actions)[id];
	assert.ok(action && action.kind === 'file', `${id} is a file`);
	return action;
};
/** argv with a check program's absolute path shortened to checks/NAME.py (where the wizard is installed varies). */
const shown = (argv: string[]) => argv.map(part => part.replace(/^\/.*\/(checks\/[\w-]+\.py)$/, '$1'));

test('seed: gnt-cluster init with the seed\'s flags in the seed\'s order, then what keeps a shared machine intact', () => {
	const actions = clusterStep.plan(seed, bareFacts());
	assert.deepEqual(command(actions, 'cluster.init').argv, [
		'gnt-cluster', 'init',
		'--no-etc-hosts', '--enabled-hypervisors=kvm', '--nic-parameters', 'link=br0', '--master-netdev', 'br0', '--vg-name', 'all',
		'--no-ssh-init', '--enabled-disk-templates=plain', '--mac-prefix', '52:54:00',
		// VNC on the loopback: the one address every node has, so a VM can move (vncBindAddress).
		'-H', 'kvm:kernel_path=,initrd_path=,vnc_bind_address=127.0.0.1',
		'cluster.node.farm',
	]);
	const init = command(actions, 'cluster.init');
	assert.deepEqual(shown(argvOf(init.satisfiedWhen)), ['python3', '-B', 'checks/ganeti-state.py', 'complete', 'cluster.node.farm', 'gcc20.node.farm']);
	assert.deepEqual(command(actions, 'cluster.verify').argv, ['gnt-cluster', 'verify']);
	assert.equal(command(actions, 'cluster.verify').readOnly, true);
});

test('seed: the cluster step names the node, checks every prerequisite, then inits, starts, verifies', () => {
	const actions = clusterStep.plan(seed, bareFacts());
	assert.deepEqual(ids(actions), [
		'cluster.hosts',
		'cluster.check.packages', 'cluster.check.node-name', 'cluster.check.cluster-address', 'cluster.check.master-netdev',
		'cluster.check.volume-group', 'cluster.check.ssh-host-key', 'cluster.check.leftovers', 'cluster.check.sshd',
		'cluster.ssh-directory', 'cluster.ssh-key', 'cluster.ssh-authorize',
		'cluster.daemon-addresses', 'cluster.clear-interrupted', 'cluster.init', 'cluster.daemons', 'cluster.daemons-rebind', 'cluster.master-ip', 'cluster.instances-up', 'cluster.verify',
	]);
	for (const action of actions.filter(action => action.id.startsWith('cluster.check.'))) {
		assert.equal((action as CommandAction).readOnly, true, `${action.id} is a read-only check`);
		assert.equal((action as CommandAction).satisfiedWhen, undefined, `${action.id} runs every time`);
	}
	assert.deepEqual(shown(command(actions, 'cluster.check.node-name').argv), ['python3', '-B', 'checks/node-name.py', 'gcc20', 'gcc20.node.farm', '10.10.0.20']);
	assert.deepEqual(shown(command(actions, 'cluster.check.cluster-address').argv), ['python3', '-B', 'checks/cluster-address.py', 'cluster.node.farm', '10.10.0.10']);
	assert.deepEqual(command(actions, 'cluster.check.master-netdev').argv, ['ip', 'link', 'show', 'dev', 'br0']);
	assert.deepEqual(shown(command(actions, 'cluster.check.volume-group').argv), ['python3', '-B', 'checks/volume-group.py', 'all', '20480']);
	assert.deepEqual(command(actions, 'cluster.check.ssh-host-key').argv, ['ssh-keygen', '-l', '-f', '/etc/ssh/ssh_host_rsa_key.pub']);
	assert.deepEqual(command(actions, 'cluster.master-ip').satisfiedWhen, {argv: ['ip', '-4', '-o', 'addr', 'show', 'dev', 'br0'], stdoutIncludes: ' 10.10.0.10/'});
	// After a reboot: only instances Ganeti should run and does not, never one an operator stopped.
	// Both ask Ganeti's daemons only when they run (else every gnt-* query waits 30 s).
	const instancesUp = command(actions, 'cluster.instances-up').satisfiedWhen as Extract<Probe, {argv: string[]}>;
	assert.deepEqual([shown(instancesUp.argv), instancesUp.stdoutEmpty], [['python3', '-B', 'checks/when-daemons-run.py', 'gnt-instance', 'list', '--no-headers', '-o', 'name', '--filter', 'admin_state == "up" and not oper_state'], true]);
	const daemons = command(actions, 'cluster.daemons').satisfiedWhen as Extract<Probe, {argv: string[]}>;
	assert.deepEqual([shown(daemons.argv), daemons.stdoutIncludes], [['python3', '-B', 'checks/when-daemons-run.py', 'gnt-cluster', 'info'], 'Master node: gcc20.node.farm']);
	// Root's key is only ever created when missing, and authorised once.
	assert.deepEqual(command(actions, 'cluster.ssh-key').satisfiedWhen, {exists: '/root/.ssh/id_rsa.pub'});
	assert.deepEqual(command(actions, 'cluster.ssh-authorize').satisfiedWhen, {argv: ['grep', '-qxF', '-f', '/root/.ssh/id_rsa.pub', '/root/.ssh/authorized_keys']});
	assert.equal(file(actions, 'cluster.hosts').content, '127.0.0.1\tlocalhost\n10.10.0.20\tgcc20.node.farm gcc20\n');
	// authorized_keys: whether the wizard creates it decides what undo does with it.
	assert.deepEqual(clusterStep.reads!(seed), ['/etc/hosts', '/root/.ssh/authorized_keys', '/etc/default/ganeti']);
	// The daemons' addresses are in place before init starts them; daemons bound elsewhere are restarted.
	assert.match(file(actions, 'cluster.daemon-addresses').content, /^NODED_ARGS="-b 10\.10\.0\.20"$/m);
	assert.deepEqual(shown((command(actions, 'cluster.daemons-rebind').satisfiedWhen as Extract<Probe, {argv: string[]}>).argv), ['python3', '-B', 'checks/ganeti-sockets.py', '10.10.0.20']);
});

test('seed: rodo1 is added from the ISO with its DHCP MAC, installed over VNC, switched to disk, restarted, grown by 500G', () => {
	const actions = instancesStep.plan(seed, bareFacts());
	assert.deepEqual(ids(actions), [
		'instances.rodo1.osm.add', 'instances.rodo1.osm.start', 'instances.rodo1.osm.install',
		'instances.rodo1.osm.boot-disk', 'instances.rodo1.osm.restart', 'instances.rodo1.osm.disk-1',
	]);
	assert.deepEqual(command(actions, 'instances.rodo1.osm.add').argv, [
		'gnt-instance', 'add', '-t', 'plain', '-s', '10G', '-B', 'memory=512M,vcpus=1',
		'-H', 'kvm:boot_order=cdrom,cdrom_image_path=/srv/ganeti/debian-6.0.0-amd64-CD-1.iso,vnc_bind_address=127.0.0.1',
		'-n', 'gcc20.node.farm', '-o', 'debootstrap+default', '--no-install',
		'--net', '0:mac=52:54:5a:8d:77:8e,link=br0', 'rodo1.osm.vm.farm',
	]);
	const dhcpMac = seed.instances.find(instance => instance.name === 'rodo1.osm')!.mac;
	assert.ok(command(actions, 'instances.rodo1.osm.add').argv.includes(`0:mac=${dhcpMac},link=br0`), 'the MAC of its DHCP host entry');
	assert.deepEqual(command(actions, 'instances.rodo1.osm.add').satisfiedWhen, {
		argv: ['gnt-instance', 'list', '--no-headers', '-o', 'name', '--filter', 'name == "rodo1.osm.vm.farm"'],
		stdoutIncludes: 'rodo1.osm.vm.farm',
	});
	assert.deepEqual(command(actions, 'instances.rodo1.osm.start').argv, ['gnt-instance', 'startup', 'rodo1.osm.vm.farm']);
	assert.deepEqual(command(actions, 'instances.rodo1.osm.boot-disk').argv, ['gnt-instance', 'modify', '-H', 'boot_order=disk', 'rodo1.osm.vm.farm']);
	assert.equal(argvOf(command(actions, 'instances.rodo1.osm.boot-disk').satisfiedWhen).at(-1), 'name == "rodo1.osm.vm.farm" and hv/boot_order == "disk"');
	const restart = command(actions, 'instances.rodo1.osm.restart');
	assert.deepEqual(restart.argv, ['gnt-instance', 'reboot', '--type=hard', '--shutdown-timeout=1', 'rodo1.osm.vm.farm']);
	assert.equal(restart.satisfiedWhen, undefined, 'a restart leaves nothing to probe: the journal and its trigger decide');
	assert.equal(restart.idempotent, true);
	assert.deepEqual(restart.rerunAfter, ['instances.rodo1.osm.boot-disk']);
	const disk = command(actions, 'instances.rodo1.osm.disk-1');
	assert.deepEqual(disk.argv, ['gnt-instance', 'modify', '--disk', 'add:size=500G', '--hotplug-if-possible', 'rodo1.osm.vm.farm']);
	assert.equal(argvOf(disk.satisfiedWhen).at(-1), 'name == "rodo1.osm.vm.farm" and disk.count >= 2');
});

test('seed: the install checkpoint gives the VNC address, the port once Ganeti chose it, and a ready ssh tunnel', () => {
	const checkpoint = byId(instancesStep.plan(seed, bareFacts()))['instances.rodo1.osm.install'] as CheckpointAction;
	assert.equal(checkpoint.kind, 'checkpoint');
	const details = Object.fromEntries(checkpoint.details.map(detail => [detail.label, detail]));
	// The loopback of the node that runs it (the master, where it was created), reached through SSH to that node.
	assert.equal(details['VNC address']!.value, '127.0.0.1');
	const port = ['gnt-instance', 'list', '--no-headers', '-o', 'network_port', 'rodo1.osm.vm.farm'];
	assert.deepEqual(details['VNC port']!.live, {argv: port, template: '{}'});
	assert.deepEqual(details['SSH tunnel']!.live, {argv: port, template: 'ssh -N -L 5900:127.0.0.1:{} root@198.51.100.20'});
	assert.equal(details['Installer ISO']!.value, '/srv/ganeti/debian-6.0.0-amd64-CD-1.iso');
	assert.match(details['Network (DHCP offers the same)']!.value, /address 10\.10\.1\.50, netmask 255\.255\.255\.0, gateway 10\.10\.1\.1/);
	assert.equal(argvOf(checkpoint.satisfiedWhen).at(-1), 'name == "rodo1.osm.vm.farm" and hv/boot_order == "disk"');
	assert.equal(details['VNC password file'], undefined);

	const withPassword = inventoryFromYaml(seedYaml.replace('iso: /srv/ganeti/debian-6.0.0-amd64-CD-1.iso', 'iso: /srv/ganeti/debian.iso\n      vnc_password_file: /etc/ganeti/vnc-rodo1'));
	const actions = instancesStep.plan(withPassword, bareFacts());
	assert.match(command(actions, 'instances.rodo1.osm.add').argv[9]!, /,vnc_password_file=\/etc\/ganeti\/vnc-rodo1$/);
	const detailsWithPassword = (byId(actions)['instances.rodo1.osm.install'] as CheckpointAction).details;
	assert.deepEqual(detailsWithPassword.find(detail => detail.label === 'VNC password file')?.value, '/etc/ganeti/vnc-rodo1');
});

test('seed: host preparation partitions sdb, makes the PV and the VG "all", hands DRBD over, each probed', () => {
	// Debian's drbd-utils left its /etc/drbd.conf: the seed moved it aside.
	const actions = hostStep.plan(seed, bareFacts({files: {'/etc/drbd.conf': 'include "drbd.d/*.res";\n'}}));
	assert.deepEqual(ids(actions), ['host.dpkg-configure', 'host.packages', 'host.partition', 'host.pv', 'host.vg', 'host.drbd-aside', 'host.drbd-config', 'host.drbd-reload']);
	assert.deepEqual(command(actions, 'host.partition').argv, ['parted', '--script', '/dev/sdb', 'mklabel', 'gpt', 'mkpart', 'lvm', '1MiB', '100%', 'set', '1', 'lvm', 'on']);
	assert.deepEqual(command(actions, 'host.partition').satisfiedWhen, {argv: ['test', '-b', '/dev/sdb1']});
	assert.deepEqual(command(actions, 'host.pv').argv, ['pvcreate', '/dev/sdb1']);
	assert.deepEqual(command(actions, 'host.pv').satisfiedWhen, {argv: ['pvs', '/dev/sdb1']});
	assert.deepEqual(command(actions, 'host.vg').argv, ['vgcreate', 'all', '/dev/sdb1']);
	assert.deepEqual(command(actions, 'host.vg').satisfiedWhen, {argv: ['vgs', 'all']});
	assert.deepEqual(command(actions, 'host.drbd-aside').argv, ['mv', '/etc/drbd.conf', '/etc/drbd.conf.old']);
	assert.deepEqual(command(actions, 'host.drbd-aside').satisfiedWhen, {exists: '/etc/drbd.conf.old'});
	assert.equal(file(actions, 'host.drbd-config').content, '');
	assert.deepEqual(command(actions, 'host.drbd-reload').argv, ['service', 'drbd', 'reload']);
	assert.deepEqual(command(actions, 'host.drbd-reload').rerunAfter, ['host.drbd-aside', 'host.drbd-config']);
	const packages = command(actions, 'host.packages');
	assert.deepEqual(packages.argv.slice(0, 6), ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends']);
	assert.deepEqual(packages.argv.slice(6), requiredPackages(seed.recipe));
	assert.deepEqual(command(actions, 'host.dpkg-configure').satisfiedWhen, {argv: ['dpkg', '--audit'], stdoutEmpty: true});
	for (const name of ['ganeti', 'qemu-system-x86', 'parted', 'lvm2', 'ganeti-instance-debootstrap', 'bind9', 'isc-dhcp-server']) assert.ok(packages.argv.includes(name), name);
	assert.ok(!packages.argv.includes('drbd-utils'), 'no drbd template, no drbd-utils');
	assert.deepEqual(shown(argvOf(packages.satisfiedWhen)), ['python3', '-B', 'checks/packages.py', ...requiredPackages(seed.recipe)]);
});

test('DRBD is handed over only where it is installed, or about to be', () => {
	const plan = (inventory: Inventory, files: Record<string, string | null>) => ids(hostStep.plan(inventory, realFacts({files}))).filter(id => id.startsWith('host.drbd'));
	assert.deepEqual(plan(seed, {}), [], 'no drbd.conf on a real host: nothing to hand over');
	assert.deepEqual(plan(seed, {'/etc/drbd.conf': 'include "drbd.d/*.res";\n'}), ['host.drbd-aside', 'host.drbd-config', 'host.drbd-reload']);
	assert.deepEqual(plan(seed, {'/etc/drbd.conf': '', '/etc/drbd.conf.old': 'include "drbd.d/*.res";\n'}), ['host.drbd-aside', 'host.drbd-config', 'host.drbd-reload'], 'done before: still planned (probes say satisfied)');
	const drbd = inventoryFromYaml(seedYaml.replace('disk_templates: [plain]', 'disk_templates: [plain, drbd]'));
	assert.deepEqual(plan(drbd, {}), ['host.drbd-aside', 'host.drbd-config', 'host.drbd-reload'], 'drbd-utils is installed by this very step');
	assert.ok(command(hostStep.plan(drbd, realFacts()), 'host.packages').argv.includes('drbd-utils'));
	const kept = inventoryFromYaml(seedYaml.replace('hand_over: true', 'hand_over: false'));
	assert.deepEqual(plan(kept, {'/etc/drbd.conf': 'x'}), []);
});

test('an existing partition is used as it is: no parted, same PV and VG', () => {
	const inventory = inventoryFromYaml(seedYaml.replace('partition: /dev/sdb1', 'partition: /dev/sdb2'));
	const actions = hostStep.plan(inventory, bareFacts());
	assert.equal(byId(actions)['host.partition'], undefined, 'the wizard only ever makes a blank disk\'s first partition');
	assert.deepEqual(command(actions, 'host.pv').argv, ['pvcreate', '/dev/sdb2']);
	assert.deepEqual(shown(command(preflightStep.plan(inventory, bareFacts()), 'preflight.disk').argv), ['python3', '-B', 'checks/blank-disk.py', '/dev/sdb', '/dev/sdb2', 'given'], 'so it must exist');
	const noDisk = inventoryFromYaml(seedYaml.replace('  disk: /dev/sdb\n  partition: /dev/sdb1\n', ''));
	assert.deepEqual(ids(hostStep.plan(noDisk, bareFacts())).filter(id => /partition|pv|vg/.test(id)), [], 'an existing VG: nothing to build');
	assert.deepEqual(ids(preflightStep.plan(noDisk, bareFacts())).at(-1), 'preflight.volume-group', 'but it must exist before anything changes');
});

test('preflight: only read-only checks, the disk among them when the wizard is to partition it', () => {
	const actions = preflightStep.plan(seed, bareFacts());
	assert.deepEqual(ids(actions), ['preflight.hostname', 'preflight.public-interface', 'preflight.ssh-host-key', 'preflight.leftovers', 'preflight.stray-instances', 'preflight.disk']);
	for (const action of actions) assert.equal((action as CommandAction).readOnly, true, action.id);
	assert.deepEqual(shown(command(actions, 'preflight.disk').argv), ['python3', '-B', 'checks/blank-disk.py', '/dev/sdb', '/dev/sdb1', 'first']);
	assert.deepEqual(command(actions, 'preflight.public-interface').argv, ['ip', 'link', 'show', 'dev', 'eth0']);
	assert.deepEqual(shown(command(actions, 'preflight.stray-instances').argv), ['python3', '-B', 'checks/ganeti-state.py', 'strays', 'cluster.node.farm', 'gcc20.node.farm', 'rodo1.osm.vm.farm'], "the recipe's instances, by FQDN");
	assert.deepEqual(ids(preflightStep.plan(lab, bareFacts())), ['preflight.hostname', 'preflight.public-interface', 'preflight.ssh-host-key', 'preflight.leftovers', 'preflight.stray-instances']);
});

test('lab: a loop device carries the VG, file disks get their path, the fake hypervisor needs no -H', () => {
	const host = hostStep.plan(lab, realFacts({files: {'/etc/ganeti/file-storage-paths': null}}));
	assert.deepEqual(ids(host), ['host.dpkg-configure', 'host.packages', 'host.loop-directory', 'host.loop-file', 'host.loop-attach', 'host.pv', 'host.vg', 'host.file-storage-paths']);
	assert.deepEqual(command(host, 'host.loop-file').argv, ['truncate', '-s', '24G', '/var/lib/ganeti-wizard/lab-vg.img']);
	assert.deepEqual(command(host, 'host.loop-attach').argv, ['losetup', '--find', '/var/lib/ganeti-wizard/lab-vg.img']);
	assert.deepEqual(command(host, 'host.loop-attach').satisfiedWhen, {argv: ['losetup', '-j', '/var/lib/ganeti-wizard/lab-vg.img', '-n', '-O', 'BACK-FILE'], stdoutIncludes: '/var/lib/ganeti-wizard/lab-vg.img'});
	assert.deepEqual(shown(command(host, 'host.vg').argv), ['python3', '-B', 'checks/with-loop-device.py', '/var/lib/ganeti-wizard/lab-vg.img', 'vgcreate', 'all', '{loop}']);
	assert.equal(file(host, 'host.file-storage-paths').content, '/srv/ganeti/file-storage\n');
	const kept = hostStep.plan(lab, realFacts({files: {'/etc/ganeti/file-storage-paths': '# mine\n/srv/other\n'}}));
	assert.equal(file(kept, 'host.file-storage-paths').content, '# mine\n/srv/other\n/srv/ganeti/file-storage\n', 'what is there stays');
	const again = hostStep.plan(lab, realFacts({files: {'/etc/ganeti/file-storage-paths': '/srv/ganeti/file-storage\n'}}));
	assert.equal(file(again, 'host.file-storage-paths').content, '/srv/ganeti/file-storage\n');

	const cluster = clusterStep.plan(lab, bareFacts());
	assert.deepEqual(command(cluster, 'cluster.init').argv, [
		'gnt-cluster', 'init',
		'--no-etc-hosts', '--enabled-hypervisors=fake', '--nic-parameters', 'link=br0', '--master-netdev', 'br0', '--vg-name', 'all',
		'--no-ssh-init', '--enabled-disk-templates=file,plain', '--file-storage-dir', '/srv/ganeti/file-storage', '--mac-prefix', '52:54:00',
		'cluster.node.farm',
	]);
	assert.deepEqual(command(cluster, 'cluster.verify').argv, ['gnt-cluster', 'verify', '-I', 'ENODESETUP']);

	const instances = instancesStep.plan(lab, bareFacts());
	assert.deepEqual(ids(instances), ['instances.rodo1.osm.add', 'instances.rodo1.osm.disk-1'], 'an OS definition: no checkpoint, nothing waits');
	assert.deepEqual(command(instances, 'instances.rodo1.osm.add').argv, [
		'gnt-instance', 'add', '-t', 'file', '-s', '10G', '-B', 'memory=512M,vcpus=1', '-n', 'gcc20.node.farm', '-o', 'noop+default',
		'--net', '0:mac=52:54:5a:8d:77:8e,link=br0', 'rodo1.osm.vm.farm',
	]);
});

test('lab and seed differ only in hypervisor, storage and install medium', () => {
	const strip = (inventory: Inventory) => {
		const {storage: _storage, drbd: _drbd, cluster, instances, ...rest} = inventory.recipe;
		const {hypervisor: _hypervisor, hypervisor_parameters: _parameters, disk_templates: _templates, verify_ignore: _ignore, ...clusterRest} = cluster;
		return {...rest, cluster: clusterRest, instances: instances.map(({install: _install, disk_template: _template, ...instance}) => instance)};
	};
	assert.deepEqual(strip(lab), strip(seed));
	assert.deepEqual(lab.records, seed.records, 'the same names and addresses');
});

test('cluster options: hypervisor parameters merge over the wizard\'s defaults; ssh_init and manage_etc_hosts are honoured', () => {
	const tuned = inventoryFromYaml(seedYaml.replace('hypervisor: kvm', 'hypervisor: kvm\n  hypervisor_parameters:\n    kvm_flag: disabled\n    vnc_bind_address: 10.10.0.21'));
	assert.equal(command(clusterStep.plan(tuned, bareFacts()), 'cluster.init').argv.at(-2), 'kvm:kernel_path=,initrd_path=,vnc_bind_address=10.10.0.21,kvm_flag=disabled');

	const sshInit = inventoryFromYaml(seedYaml.replace('mac_prefix: "52:54:00"', 'mac_prefix: "52:54:00"\n  ssh_init: true'));
	const actions = clusterStep.plan(sshInit, bareFacts());
	assert.ok(!command(actions, 'cluster.init').argv.includes('--no-ssh-init'));
	assert.deepEqual(ids(actions).filter(id => id.startsWith('cluster.ssh')), [], 'Ganeti sets SSH up itself');

	const unmanaged = inventoryFromYaml(seedYaml.replace('private_address: 10.10.0.20', 'private_address: 10.10.0.20\n  manage_etc_hosts: false'));
	assert.equal(byId(clusterStep.plan(unmanaged, bareFacts()))['cluster.hosts'], undefined);
	assert.deepEqual(clusterStep.reads!(unmanaged), ['/root/.ssh/authorized_keys', '/etc/default/ganeti']);
	assert.ok(byId(clusterStep.plan(unmanaged, bareFacts()))['cluster.check.node-name'], 'the check still runs');
});

const debianHosts = `127.0.0.1\tlocalhost
127.0.1.1\tgcc20.example.org\tgcc20

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
`;

test('/etc/hosts: the node line goes after localhost and Debian\'s 127.0.1.1 line loses the hostname', () => {
	const once = withNodeHostsLine(debianHosts, seed);
	assert.equal(
		once,
		`127.0.0.1\tlocalhost
10.10.0.20\tgcc20.node.farm gcc20
127.0.1.1\tgcc20.example.org

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
`,
	);
	assert.equal(withNodeHostsLine(once, seed), once, 'applied to its own output it changes nothing');
});

test('/etc/hosts: a line left without names is commented out; the FQDN is taken out too; our line moves to its place', () => {
	const only = withNodeHostsLine('127.0.0.1 localhost\n127.0.1.1 gcc20\n', seed);
	assert.equal(only, '127.0.0.1 localhost\n10.10.0.20\tgcc20.node.farm gcc20\n# 127.0.1.1 gcc20  (ganeti-wizard: gcc20 is 10.10.0.20)\n');
	assert.equal(withNodeHostsLine(only, seed), only);

	const fqdnOnLoopback = withNodeHostsLine('127.0.1.1 gcc20.node.farm gcc20 # installer\n127.0.0.1 localhost\n', seed);
	assert.equal(fqdnOnLoopback, '# 127.0.1.1 gcc20.node.farm gcc20 # installer  (ganeti-wizard: gcc20 is 10.10.0.20)\n127.0.0.1 localhost\n10.10.0.20\tgcc20.node.farm gcc20\n');

	const misplaced = withNodeHostsLine('127.0.0.1 localhost\n192.0.2.7 other\n10.10.0.20\tgcc20.node.farm gcc20\n', seed);
	assert.equal(misplaced, '127.0.0.1 localhost\n10.10.0.20\tgcc20.node.farm gcc20\n192.0.2.7 other\n');

	assert.equal(withNodeHostsLine(null, seed), '127.0.0.1\tlocalhost\n10.10.0.20\tgcc20.node.farm gcc20\n', 'no file: localhost and the node');
	assert.equal(withNodeHostsLine('# nothing yet\n', seed), '# nothing yet\n10.10.0.20\tgcc20.node.farm gcc20\n');
	assert.equal(withNodeHostsLine('127.0.0.1 localhost GCC20\n', seed), '127.0.0.1\tlocalhost\n10.10.0.20\tgcc20.node.farm gcc20\n', 'names compare without case');
});

test('instances without an ISO: the OS installs unattended, extra disks are counted one by one', () => {
	const inventory = inventoryFromYaml(
		seedYaml.replace('    install:\n      iso: /srv/ganeti/debian-6.0.0-amd64-CD-1.iso\n', '    install:\n      os: debootstrap+default\n').replace('extra_disks: [500G]', 'extra_disks: [500G, 20G]'),
	);
	const actions = instancesStep.plan(inventory, bareFacts());
	assert.deepEqual(ids(actions), ['instances.rodo1.osm.add', 'instances.rodo1.osm.disk-1', 'instances.rodo1.osm.disk-2']);
	assert.ok(!command(actions, 'instances.rodo1.osm.add').argv.includes('--no-install'));
	assert.ok(!command(actions, 'instances.rodo1.osm.add').argv.includes('-H'));
	assert.equal(argvOf(command(actions, 'instances.rodo1.osm.disk-2').satisfiedWhen).at(-1), 'name == "rodo1.osm.vm.farm" and disk.count >= 3');
	assert.deepEqual(command(actions, 'instances.rodo1.osm.disk-2').argv.slice(2, 4), ['--disk', 'add:size=20G']);

	const isoWithOs = inventoryFromYaml(seedYaml.replace('iso: /srv/ganeti/debian-6.0.0-amd64-CD-1.iso', 'iso: /srv/ganeti/debian-6.0.0-amd64-CD-1.iso\n      os: noop+default'));
	const add = command(instancesStep.plan(isoWithOs, bareFacts()), 'instances.rodo1.osm.add').argv;
	assert.deepEqual(add.slice(add.indexOf('-o'), add.indexOf('-o') + 3), ['-o', 'noop+default', '--no-install']);
	assert.ok(!requiredPackages(isoWithOs.recipe).includes('ganeti-instance-debootstrap'));
});

test('every action id is unique across the Ganeti steps, for the seed and the lab', () => {
	for (const inventory of [seed, lab]) {
		const all = [preflightStep, hostStep, clusterStep, instancesStep].flatMap(step => ids(step.plan(inventory, bareFacts())));
		assert.equal(new Set(all).size, all.length);
	}
});

test("an ISO install clears a kernel_path the cluster sets (KVM would boot that kernel, not the CD); an instance's own parameters come last", () => {
	const kernel = inventoryFromYaml(seedYaml.replace('hypervisor: kvm', 'hypervisor: kvm\n  hypervisor_parameters:\n    kernel_path: /boot/vmlinuz-6.1.0-13-amd64'));
	assert.equal(command(clusterStep.plan(kernel, bareFacts()), 'cluster.init').argv.at(-2), 'kvm:kernel_path=/boot/vmlinuz-6.1.0-13-amd64,initrd_path=,vnc_bind_address=127.0.0.1');
	assert.equal(
		command(instancesStep.plan(kernel, bareFacts()), 'instances.rodo1.osm.add').argv[9],
		'kvm:boot_order=cdrom,cdrom_image_path=/srv/ganeti/debian-6.0.0-amd64-CD-1.iso,vnc_bind_address=127.0.0.1,kernel_path=',
	);

	const own = inventoryFromYaml(seedYaml.replace('extra_disks: [500G]', 'extra_disks: [500G]\n    hypervisor_parameters:\n      vnc_bind_address: 10.10.0.20\n      serial_console: "true"'));
	assert.equal(
		command(instancesStep.plan(own, bareFacts()), 'instances.rodo1.osm.add').argv[9],
		'kvm:boot_order=cdrom,cdrom_image_path=/srv/ganeti/debian-6.0.0-amd64-CD-1.iso,vnc_bind_address=10.10.0.20,serial_console=true',
	);
	const byOs = inventoryFromYaml(labYaml.replace('extra_disks: [500G]', 'extra_disks: [500G]\n    hypervisor_parameters:\n      kernel_path: /boot/vmlinuz'));
	const argv = command(instancesStep.plan(byOs, bareFacts()), 'instances.rodo1.osm.add').argv;
	assert.deepEqual(argv.slice(argv.indexOf('-H'), argv.indexOf('-H') + 2), ['-H', 'fake:kernel_path=/boot/vmlinuz'], 'an install by OS definition passes the instance\'s own parameters as they are');
});
