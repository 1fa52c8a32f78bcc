// The ISO checkpoint on a real cluster: recipes/lab.yaml with KVM (qemu in
// software emulation, as there is no /dev/kvm here) and an instance installed
// from an ISO. `apply --yes` boots the instance from the ISO and stops at the
// checkpoint (exit 3) with the VNC address, the port Ganeti gave the instance
// and the SSH tunnel command; applying again without --confirm waits at the
// same place and changes nothing; `--confirm <checkpoint>` switches the boot
// order to the disk, restarts the instance (a new qemu process) and adds its
// extra disk. The cluster has a kernel_path (KVM would boot that kernel and
// never the CD): the instance clears it, and boots the ISO, then its disk.
// Set back by hand to the node's private address (what an earlier version
// set), the cluster's and the instance's VNC address are put right by one apply.
// On the same cluster, `vm add NAME --iso ... --extra-disk 1G --yes` goes
// through the same checkpoint: killed once the ISO booted and run again, it
// stops there (exit 3) with the VNC address and port Ganeti reports; the
// printed continuation, killed once the boot order is on the disk, and the
// same vm add with --confirm then finish it: a new qemu booting the disk, two
// disks. A text file named .iso is refused before anything changes.
import assert from 'node:assert/strict';
import {mkdir, writeFile} from 'node:fs/promises';
import {dirname} from 'node:path';
import {test} from 'node:test';
import {createLabHost, doneLines, labHostRequirements, transcriptPath, writeRecipeVariant, type CliRun, type LabHost} from '../support/lab-host.js';
import {iso9660Image} from '../support/iso-image.js';
import {need} from '../support/need.js';
import {configurationChanges, snapshot} from './snapshot.js';

const iso = '/srv/iso/debian-installer.iso';
const qemu = '/usr/bin/qemu-system-x86_64';
/** A host kernel for the cluster's kernel_path (Ganeti only checks that the file is there). */
const hostKernel = '/boot/vmlinuz-lab';


type InstanceRow = {status: string; bootOrder: string; cdrom: string; vncBind: string; port: string; disks: number};

async function instanceRow(host: LabHost, fqdn: string): Promise<InstanceRow> {
	const out = await host.lab.run(['gnt-instance', 'list', '--no-headers', '--separator=|', '-o', 'status,hv/boot_order,hv/cdrom_image_path,hv/vnc_bind_address,network_port,disk.count', fqdn]);
	const [status = '', bootOrder = '', cdrom = '', vncBind = '', port = '', disks = ''] = out.trim().split('|');
	return {status, bootOrder, cdrom, vncBind, port, disks: Number(disks)};
}

/** The instance's qemu process: its pid (inside the lab) as Ganeti recorded it, and its command line. */
async function qemuProcess(host: LabHost, fqdn: string): Promise<{pid: number; argv: string[]}> {
	const pid = Number((await host.lab.readFile(`/run/ganeti/kvm-hypervisor/pid/${fqdn}`))?.trim());
	assert.ok(pid > 0, `Ganeti recorded a pid for ${fqdn}`);
	const cmdline = await host.lab.run(['cat', `/proc/${pid}/cmdline`]);
	return {pid, argv: cmdline.split('\0').filter(Boolean)};
}

/** Names of `gnt-instance list --no-headers -o name`. */
function parseInstanceCount(listed: string): string[] {
	return listed.split('\n').map(line => line.trim()).filter(Boolean);
}

/** Addresses qemu listens on (ss inside the lab). */
async function listening(host: LabHost, pid: number): Promise<string[]> {
	const out = await host.lab.run(['ss', '-Hltnp']);
	return out
		.split('\n')
		.filter(line => line.includes(`pid=${pid},`))
		.map(line => line.trim().split(/\s+/)[3]!);
}

test('the ISO checkpoint on a real KVM cluster: waits with VNC and tunnel, changes nothing until confirmed, then boots from disk', async t => {
	if (!need([...labHostRequirements, 'ss', 'qemu-system-x86_64'], t)) return;
	const started = Date.now();
	const host = await createLabHost();
	console.log(`# lab host ready in ${((Date.now() - started) / 1000).toFixed(1)} s (machine lock included)`);
	const {lab} = host;
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await host.diagnostics(run)}`);
	try {
		// An ISO 9660 image with nothing to boot: an installer that never finishes is what the operator would see.
		await mkdir(dirname(lab.path(iso)), {recursive: true});
		await writeFile(lab.path(iso), iso9660Image());
		await lab.run(['sh', '-e', '-c', `mkdir -p /boot && truncate -s 1M ${hostKernel}`]);
		const recipe = await writeRecipeVariant(host, 'kvm-iso', document => {
			document.cluster.hypervisor = 'kvm';
			// Software emulation: no /dev/kvm on this machine.
			document.cluster.hypervisor_parameters = {kvm_path: qemu, kvm_flag: 'disabled', kernel_path: hostKernel};
			const instance = document.instances[0];
			instance.memory = '128M';
			instance.install = {iso, os: 'noop+default'};
		});
		const inventory = await host.inventory(recipe);
		const instance = inventory.instances[0]!;
		const checkpointId = `instances.${instance.name}.install`;
		const tunnelTarget = `root@${inventory.recipe.host.public_address}`;
		// VNC on the loopback of the node that runs the VM (every node has it, so the VM can move), reached through that node.
		const vncAddress = '127.0.0.1';

		const first = await host.apply(recipe);
		console.log(`# first apply: exit ${first.code ?? first.signal} in ${(first.ms / 1000).toFixed(1)} s, ${doneLines(first.stdout).length} changes`);
		if (first.code !== 3) await failWith(`apply --yes exits 3 at the checkpoint, not ${first.code ?? first.signal}`, first);
		for (const line of first.stdout.slice(first.stdout.indexOf('Waiting for the operator:')).trimEnd().split('\n')) console.log(`# | ${line}`);
		const row = await instanceRow(host, instance.fqdn);
		const installer = await qemuProcess(host, instance.fqdn);

		await t.test('the first apply waits at the checkpoint with the VNC address, the port Ganeti gave and the SSH tunnel', async () => {
			const port = row.port;
			assert.match(port, /^\d+$/, `Ganeti lists a network port: ${JSON.stringify(row)}`);
			const lines = first.stdout.trimEnd().split('\n');
			const tail = lines.slice(lines.findIndex(line => line.startsWith('Waiting for the operator:')));
			assert.deepEqual(tail.slice(0, 5), [`Waiting for the operator: install the OS of ${instance.fqdn} over VNC`, tail[1], `  VNC address: ${vncAddress}`, `  VNC port: ${port}`, `  SSH tunnel: ssh -N -L 5900:${vncAddress}:${port} ${tunnelTarget}`], first.stdout);
			assert.match(tail[1]!, new RegExp(`booting the installer from ${iso.replaceAll('.', '\\.')}`));
			assert.equal(tail.at(-1), `When it is done, continue with: ganeti-wizard apply --recipe ${recipe} --root / --yes --confirm ${checkpointId}`);
			assert.match(first.stdout, new RegExp(`^  … waiting install the OS of ${instance.fqdn.replaceAll('.', '\\.')} over VNC$`, 'm'));
			// Nothing after the checkpoint ran.
			const transcript = (await lab.readFile(transcriptPath)) ?? '';
			assert.doesNotMatch(transcript, /^\S+ \$ gnt-instance (modify|reboot) /m, 'no modify or reboot before the operator confirms');
		});

		await t.test('the instance runs qemu from the ISO, with VNC on the loopback only', async () => {
			assert.deepEqual({status: row.status, bootOrder: row.bootOrder, cdrom: row.cdrom, vncBind: row.vncBind, disks: row.disks}, {status: 'running', bootOrder: 'cdrom', cdrom: iso, vncBind: vncAddress, disks: 1});
			assert.equal(installer.argv[0], qemu, `qemu runs the instance: ${installer.argv.join(' ')}`);
			const command = installer.argv.join(' ');
			assert.ok(installer.argv.some(part => part.startsWith(`file=${iso},media=cdrom`)), `qemu has the ISO as its CD-ROM: ${command}`);
			assert.equal(installer.argv[installer.argv.indexOf('-boot') + 1], 'd', `qemu boots from the CD-ROM: ${command}`);
			assert.ok(!installer.argv.includes('-kernel'), `the cluster's kernel_path is cleared for the ISO install: ${command}`);
			// Software emulation: neither -enable-kvm nor accel=kvm (there is no /dev/kvm).
			assert.ok(!installer.argv.includes('-enable-kvm') && !installer.argv.some(part => part.includes('accel=kvm')), `qemu emulates: ${command}`);
			// Ganeti's VNC port is 5900 + display.
			const display = Number(row.port) - 5900;
			assert.equal(installer.argv[installer.argv.indexOf('-vnc') + 1], `${vncAddress}:${display}`, `qemu -vnc: ${installer.argv.join(' ')}`);
			assert.deepEqual(await listening(host, installer.pid), [`${vncAddress}:${row.port}`], 'qemu listens on the loopback and VNC port only');
		});

		await t.test('a second apply without --confirm stays at the checkpoint and changes nothing', async () => {
			const trees = ['/etc', '/srv', '/root', '/var'];
			const filesBefore = await snapshot(lab, trees);
			const second = await host.apply(recipe);
			console.log(`# second apply (no --confirm): exit ${second.code ?? second.signal} in ${(second.ms / 1000).toFixed(1)} s`);
			if (second.code !== 3) await failWith(`the second apply exits 3, not ${second.code ?? second.signal}`, second);
			assert.deepEqual(doneLines(second.stdout), [], 'nothing applied');
			assert.match(second.stdout, new RegExp(`^  VNC port: ${row.port}$`, 'm'), 'the same port');
			const changed = configurationChanges(filesBefore, await snapshot(lab, trees));
			assert.deepEqual(changed, [], 'no file changed but logs, job queue and the journal');
			assert.deepEqual(await instanceRow(host, instance.fqdn), row, 'the instance is as it was');
			assert.equal((await qemuProcess(host, instance.fqdn)).pid, installer.pid, 'the same qemu process');
		});

		await t.test('apply --confirm <checkpoint> boots from disk: boot order, a hard restart (new qemu process), the extra disk', async () => {
			const third = await host.apply(recipe, {confirm: [checkpointId]});
			console.log(`# apply --confirm ${checkpointId}: exit ${third.code ?? third.signal} in ${(third.ms / 1000).toFixed(1)} s, ${doneLines(third.stdout).length} changes`);
			if (third.code !== 0) await failWith(`apply --confirm exits 0, not ${third.code ?? third.signal}`, third);
			assert.match(third.stdout, /All steps are done\./);
			const after = await instanceRow(host, instance.fqdn);
			assert.equal(after.status, 'running');
			assert.equal(after.bootOrder, 'disk');
			assert.equal(after.disks, 1 + instance.extra_disks.length, 'the extra disk is there');
			const restarted = await qemuProcess(host, instance.fqdn);
			assert.notEqual(restarted.pid, installer.pid, 'a new qemu process (hard reboot)');
			assert.equal(restarted.argv[restarted.argv.indexOf('-boot') + 1], 'c', `qemu boots from the disk: ${restarted.argv.join(' ')}`);
			assert.ok(!restarted.argv.includes('-kernel'), 'still its own disk, not the cluster\'s kernel');
			const transcript = (await lab.readFile(transcriptPath)) ?? '';
			assert.equal(transcript.match(/^\S+ \$ gnt-instance reboot --type=hard .*# started$/gm)?.length, 1, 'one hard reboot');
		});

		await t.test("a cluster and ISO install left by an earlier version with the node's address: one apply sets both to 127.0.0.1, the running qemu keeps its own", async () => {
			const address = inventory.node.address;
			await lab.run(['gnt-cluster', 'modify', '-H', `kvm:vnc_bind_address=${address}`]);
			await lab.run(['gnt-instance', 'modify', '-H', `vnc_bind_address=${address}`, instance.fqdn]);
			const running = await qemuProcess(host, instance.fqdn);
			const fixed = await host.apply(recipe);
			console.log(`# apply on the earlier version's addresses: exit ${fixed.code ?? fixed.signal} in ${(fixed.ms / 1000).toFixed(1)} s, ${doneLines(fixed.stdout).length} changes`);
			if (fixed.code !== 0) await failWith(`apply exits 0, not ${fixed.code ?? fixed.signal}`, fixed);
			const done = doneLines(fixed.stdout);
			assert.equal(done.length, 2, done.join('\n'));
			assert.ok(done.some(line => line.includes(`listen on 127.0.0.1, not ${address}, cluster-wide`)), done.join('\n'));
			assert.ok(done.some(line => line.includes(`${instance.fqdn}'s VNC console listens on 127.0.0.1`)), done.join('\n'));
			assert.match(await lab.run(['gnt-cluster', 'info']), /^ {4}vnc_bind_address: 127\.0\.0\.1$/m);
			assert.equal((await instanceRow(host, instance.fqdn)).vncBind, vncAddress);
			assert.equal((await qemuProcess(host, instance.fqdn)).pid, running.pid, 'no restart: the VM takes it at its next one');
			// That a cluster already right gets no change is the steps' tests' (another apply costs 35 s here).
		});

		await t.test('vm add --iso of a text file named .iso: one line naming --iso, exit 2; the zone, dhcpd.conf and gnt-instance list stay byte for byte', async () => {
			const text = '/srv/iso/notes.iso';
			await lab.writeFile(text, 'not an image\n');
			const watched = async () => [await lab.readFile('/etc/bind/db.farm'), await lab.readFile('/etc/dhcp/dhcpd.d/ganeti-wizard.conf'), await lab.readFile('/etc/dhcp/dhcpd.conf'), await lab.run(['gnt-instance', 'list'])];
			const before = await watched();
			const refused = await host.cli(['vm', 'add', 'web6', '--iso', text, '--os', 'noop+default', '--yes', '--root', '/']);
			assert.equal(refused.code, 2, await host.diagnostics(refused));
			assert.equal(refused.stderr, `ganeti-wizard: --iso: "${text}" is not an ISO 9660 image (no "CD001" at byte 32769, ECMA-119); give the path of an installer CD or DVD image (.iso)\n`);
			assert.deepEqual(await watched(), before);
		});

		await t.test('vm add --iso --extra-disk 1G --yes: killed once the ISO booted, run again it waits at the checkpoint with the VNC address and port Ganeti reports; confirmed (killed once, then again) it boots from its disk with the extra disk', async () => {
			const name = 'web5';
			const flags = ['--iso', iso, '--os', 'noop+default', '--extra-disk', '1G', '--disk', '1G', '--memory', '128M', '--yes', '--root', '/'];
			const vmAdd = (more: string[] = [], failpoint?: string) => host.cli(['vm', 'add', name, ...flags, ...more], failpoint ? {env: {GANETI_WIZARD_FAILPOINT: failpoint}} : {});
			const killed = await vmAdd([], `after-effect@instances.${name}.start`);
			if (killed.signal !== 'SIGKILL') await failWith(`vm add ${name} was not killed after booting the ISO (exit ${killed.code})`, killed);
			const waiting = await vmAdd();
			console.log(`# vm add ${name} again: exit ${waiting.code ?? waiting.signal} in ${(waiting.ms / 1000).toFixed(1)} s, ${doneLines(waiting.stdout).length} changes`);
			if (waiting.code !== 3) await failWith(`vm add ${name} run again exits 3 at the checkpoint, not ${waiting.code ?? waiting.signal}`, waiting);
			const fqdn = `${name}.${inventory.vmsDomain}`;
			const id = `instances.${name}.install`;
			const [vncBind = '', port = '', bootOrder = '', status = ''] = (await lab.run(['gnt-instance', 'list', '--no-headers', '--separator=|', '-o', 'hv/vnc_bind_address,network_port,hv/boot_order,status', fqdn])).trim().split('|');
			assert.deepEqual([bootOrder, status], ['cdrom', 'running'], 'booted from the ISO');
			assert.match(port, /^\d+$/);
			const lines = waiting.stdout.trimEnd().split('\n');
			const tail = lines.slice(lines.findIndex(line => line.startsWith('Waiting for the operator:')));
			for (const line of tail) console.log(`# | ${line}`);
			assert.equal(tail[0], `Waiting for the operator: install the OS of ${fqdn} over VNC`);
			assert.ok(tail.includes(`  VNC address: ${vncBind}`), `the VNC address Ganeti has (${vncBind}):\n${tail.join('\n')}`);
			assert.ok(tail.includes(`  VNC port: ${port}`), `the port Ganeti reports (${port}):\n${tail.join('\n')}`);
			assert.ok(tail.some(line => line.startsWith('  SSH tunnel: ssh -N -L ') && line.includes(`:${port} `)), tail.join('\n'));
			const continued = `ganeti-wizard apply --root / --yes --confirm ${id}`;
			assert.equal(tail.at(-1), `When it is done, continue with: ${continued}`);
			assert.equal(parseInstanceCount(await lab.run(['gnt-instance', 'list', '--no-headers', '-o', 'name'])).filter(listed => listed === fqdn).length, 1, 'one instance');
			const installer = await qemuProcess(host, fqdn);

			// The continuation as printed, killed once the boot order is on the disk (before the restart).
			const cut = await host.cli(continued.split(' ').slice(1), {env: {GANETI_WIZARD_FAILPOINT: `after-effect@instances.${name}.boot-disk`}});
			if (cut.signal !== 'SIGKILL') await failWith(`the confirmed run was not killed after the boot order changed (exit ${cut.code})`, cut);
			const finished = await vmAdd(['--confirm', id]);
			console.log(`# vm add ${name} --confirm: exit ${finished.code ?? finished.signal} in ${(finished.ms / 1000).toFixed(1)} s, ${doneLines(finished.stdout).length} changes`);
			if (finished.code !== 0) await failWith(`vm add ${name} --confirm exits 0, not ${finished.code ?? finished.signal}`, finished);
			const after = await instanceRow(host, fqdn);
			assert.deepEqual([after.status, after.bootOrder, after.disks], ['running', 'disk', 2], JSON.stringify(after));
			const restarted = await qemuProcess(host, fqdn);
			assert.notEqual(restarted.pid, installer.pid, 'a new qemu process: the restart the kill cut off ran');
			assert.equal(restarted.argv[restarted.argv.indexOf('-boot') + 1], 'c', `qemu boots from the disk: ${restarted.argv.join(' ')}`);
			const transcript = (await lab.readFile(transcriptPath)) ?? '';
			assert.equal(transcript.match(new RegExp(`^\\S+ \\$ gnt-instance reboot --type=hard .*${fqdn.replaceAll('.', '\\.')}  # started$`, 'gm'))?.length, 1, 'one hard reboot of it');
			assert.equal(transcript.match(new RegExp(`^\\S+ \\$ gnt-instance add .* ${fqdn.replaceAll('.', '\\.')}  # started$`, 'gm'))?.length, 1, 'added once');
		});
	} finally {
		// Also proves the machine is exactly as it was before the lab.
		await host.destroy();
	}
	console.log(`# whole test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
