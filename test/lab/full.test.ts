// The whole lab site applied for real: `ganeti-wizard apply --yes` of
// recipes/lab.yaml inside a lab host (its own hostname, network, /etc, /var,
// daemons; sshd running as on any server) ends with a cluster Ganeti verifies,
// the recipe's instances with their MACs, named answering every A and PTR, a
// DHCP client with an instance's MAC getting its address and default route,
// and NAT from the VM network. A second apply changes nothing; after a
// reboot, apply brings it all back. Once the lab is gone the machine is
// exactly as it was.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseCidr} from '../../source/inventory/addresses.js';
import type {Inventory} from '../../source/inventory/inventory.js';
import {program} from '../../source/steps/programs.js';
import {assertAnswers} from '../network/dns-answers.js';
import {udhcpc} from '../network/dhcp-client.js';
import {createLabHost, doneLines, labHostRequirements, outsideAddress, slowestCommands, transcriptPath, writeRecipeVariant, type CliRun, type LabHost} from '../support/lab-host.js';
import {need} from '../support/need.js';
import {checksums, configurationChanges, snapshot} from './snapshot.js';


test('apply --yes of recipes/lab.yaml sets the whole site up for real, and a second apply changes nothing', async t => {
	if (!need(labHostRequirements, t)) return;
	const host = await createLabHost();
	const {lab} = host;
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await host.diagnostics(run)}`);
	try {
		const started = Date.now();
		const first = await host.apply();
		console.log(`# first apply: exit ${first.code ?? first.signal} in ${(first.ms / 1000).toFixed(1)} s, ${doneLines(first.stdout).length} changes; slowest: ${slowestCommands((await lab.readFile(transcriptPath)) ?? '', started).join('; ')}`);
		if (first.code !== 0) await failWith(`apply --yes exited ${first.code ?? first.signal}`, first);
		assert.match(first.stdout, /All steps are done\./);
		const inventory = await host.inventory();

		await t.test('gnt-cluster verify accepts the cluster', () => assertClusterVerified(host, inventory));
		await t.test('every recipe instance is in gnt-instance list with its MAC and disks', () => assertInstancesListed(host, inventory));
		await t.test('named answers A and PTR for the node, the cluster and the instances', () => assertNamesAnswered(host, inventory));
		await t.test("a DHCP client with an instance's MAC gets its address and default route, and reaches the outside through NAT", () => assertLeaseAndNat(host, inventory, 'vm'));

		await t.test('no socket listens on the public or the wildcard address but sshd and dhcpd on UDP 67', async () => {
			const listing = await lab.exec(['ss', '-H', '-l', '-n', '-t', '-u', '-p']);
			assert.equal(listing.exitCode, 0, listing.stderr);
			const exposed = listing.stdout
				.split('\n')
				.filter(line => line.trim() !== '')
				.filter(line => {
					const fields = line.split(/\s+/);
					const local = fields[4] ?? '';
					const address = local.slice(0, local.lastIndexOf(':'));
					const wide = ['0.0.0.0', '*', '[::]', inventory.recipe.host.public_address].includes(address.split('%')[0]!);
					const allowed = line.includes('"sshd"') || (line.includes('"dhcpd"') && local.endsWith(':67') && fields[0] === 'udp');
					return wide && !allowed;
				});
			assert.deepEqual(exposed, [], `sockets open to every address or the public one:\n${listing.stdout}`);
		});
		await t.test('a second apply applies nothing and changes no file', async () => {
			const plan = await host.plan();
			// Read-only checks always run again for real, so the plan lists them as pending.
			const unsatisfied = plan.steps.flatMap(step => step.actions).filter(action => action.status !== 'satisfied');
			const files = plan.steps.flatMap(step => step.actions).filter(action => action.kind === 'file').map(action => action.path!);
			assert.ok(files.length >= 10, `plan --json names the files it writes (${files.length})`);
			const sums = await checksums(lab, [...files, '/etc/hosts']);
			assert.ok(Object.values(sums).every(sum => sum !== 'absent'), `every file of the plan exists: ${JSON.stringify(sums)}`);
			const trees = ['/etc', '/srv', '/root', '/var'];
			const changedBefore = await snapshot(lab, trees);
			const masqueradesBefore = await masquerades(host);

			const second = await host.apply();
			console.log(`# second apply: exit ${second.code ?? second.signal} in ${(second.ms / 1000).toFixed(1)} s`);
			if (second.code !== 0) await failWith(`the second apply exited ${second.code ?? second.signal}`, second);
			assert.deepEqual(doneLines(second.stdout), [], `the second apply reports nothing applied\n(plan before it listed as not satisfied: ${unsatisfied.map(action => action.id).join(', ') || 'none'})`);
			assert.deepEqual(await checksums(lab, [...files, '/etc/hosts']), sums, 'every file the plan names is byte for byte the same');
			const changed = configurationChanges(changedBefore, await snapshot(lab, trees));
			assert.deepEqual(changed, [], 'no file under /etc, /srv, /root or /var changed but logs, job queue and the journal');
			assert.equal(masqueradesBefore.length, 1, `one MASQUERADE rule after the first apply:\n${masqueradesBefore.join('\n')}`);
			assert.deepEqual(await masquerades(host), masqueradesBefore, 'exactly one MASQUERADE rule after the second apply');
		});
		await t.test('plan of the applied site: No changes (exit 0 with --detailed-exitcode); a recipe with one more instance: exit 2', async () => {
			const saved = await host.cli(['plan', '--root', '/', '--detailed-exitcode']);
			assert.equal(saved.code, 0, `plan of the saved site, without --recipe:\n${saved.stdout}${saved.stderr}`);
			assert.match(saved.stdout, /^No changes: the site matches its recipe \(\d+ checks will run\)$/m);
			const grown = await writeRecipeVariant(host, 'plus-web1', document => {
				const instances = document['instances'] as Array<Record<string, unknown>>;
				const {mac: _mac, address: _address, ...first} = instances[0]!;
				instances.push({...first, name: 'web1.osm', extra_disks: []});
			});
			const pending = await host.cli(['plan', '--recipe', grown, '--root', '/', '--detailed-exitcode']);
			assert.equal(pending.code, 2, `plan of a recipe with one more instance:\n${pending.stdout}${pending.stderr}`);
			assert.match(pending.stdout, /^\s+\+ instance web1\.osm /m);
		});

		await t.test('bare ganeti-wizard as root, in a terminal, opens on the saved site without asking for a recipe, and looking writes nothing', async () => {
			const state = ['/var/lib/ganeti-wizard/site.json', '/var/lib/ganeti-wizard/journal.jsonl', '/var/lib/ganeti-wizard/transcript.log'];
			const before = await checksums(lab, state);
			const screen = await openBareWizard(host);
			assert.match(screen, /Saved progress/, screen);
			assert.match(screen, /Done: +Preflight checks/, screen);
			assert.doesNotMatch(screen, /--recipe/, screen);
			assert.deepEqual(await checksums(lab, state), before, 'the state directory is byte for byte the same');
		});

		await t.test('a recipe that drops an instance the cluster has stops at preflight, before the zone or dhcpd.conf lose it', async () => {
			const {fqdn} = inventory.instances[0]!;
			const recipe = await writeRecipeVariant(host, 'without-rodo1', document => {
				document['instances'] = [];
			});
			const plan = await host.plan(recipe);
			const files = plan.steps.flatMap(step => step.actions).filter(action => action.kind === 'file').map(action => action.path!);
			const sums = await checksums(lab, files);
			const dropped = await host.apply(recipe);
			assert.equal(dropped.code, 1, `apply of a recipe without ${fqdn} must stop\n${dropped.stdout}`);
			assert.ok(
				dropped.stdout.includes(`the cluster has instances the recipe does not list: ${fqdn}: their DNS names and DHCP entries would go`),
				`the check's line names the instance:\n${dropped.stdout}`,
			);
			assert.match(dropped.stdout, /^step preflight: ✗ failed$/m);
			assert.match(dropped.stdout, /^Hint: The wizard never removes an instance/m);
			assert.deepEqual(await checksums(lab, files), sums, 'no file was rewritten: the zone and dhcpd.conf still hold the instance');
			assert.equal(await instanceStatus(host, fqdn), 'running', 'the instance is left alone');
			const again = await host.apply();
			assert.equal(again.code, 0, 'with the instance back in the recipe, apply passes');
			assert.deepEqual(doneLines(again.stdout), [], 'and changes nothing');
		});

		await t.test('after a reboot (every process gone, the runtime network state lost), apply brings the whole site back', async () => {
			const fileTitles = new Set((await host.plan()).steps.flatMap(step => step.actions).filter(action => action.kind === 'file').map(action => action.title));
			await reboot(host);
			const rebooted = Date.now();
			assert.doesNotMatch(await lab.run(['ip', '-o', 'link', 'show']), /\bbr0\b/, 'the reboot took br0 away');
			// The daemons' probe says "no" from daemon-util instead of asking a master daemon that is not there.
			const asked = await lab.exec(program('when-daemons-run', 'gnt-cluster', 'info'));
			assert.deepEqual([asked.exitCode, asked.stdout.trim()], [1, 'ganeti-wconfd is not running']);
			const third = await host.apply();
			console.log(`# apply after the reboot: exit ${third.code ?? third.signal} in ${(third.ms / 1000).toFixed(1)} s, ${doneLines(third.stdout).length} changes; slowest: ${slowestCommands((await lab.readFile(transcriptPath)) ?? '', rebooted).join('; ')}`);
			if (third.code !== 0) await failWith(`apply after the reboot exited ${third.code ?? third.signal}`, third);
			// Only runtime state is made again: no file is written anew.
			const changed = doneLines(third.stdout).map(line => line.replace(/^\s+✓ done /, ''));
			assert.ok(changed.length > 0, 'the apply after the reboot had things to do');
			assert.deepEqual(changed.filter(title => fileTitles.has(title)), [], 'no configuration file is written again after a reboot');
			await assertClusterVerified(host, inventory);
			await assertInstancesListed(host, inventory);
			await assertNamesAnswered(host, inventory);
			await assertLeaseAndNat(host, inventory, 'vm-again');
			assert.equal((await masquerades(host)).length, 1, 'one MASQUERADE rule after the reboot');
			assert.equal(await instanceStatus(host, inventory.instances[0]!.fqdn), 'running', 'the instance Ganeti should run was started');
			assert.match(await lab.run(program('when-daemons-run', 'gnt-cluster', 'info')), new RegExp(`Master node: ${inventory.node.fqdn}\\n`));
		});
		await t.test('an instance the operator shut down stays down on the next apply', async () => {
			const {fqdn} = inventory.instances[0]!;
			await lab.run(['gnt-instance', 'shutdown', '--timeout=0', fqdn], {timeoutMs: 120_000});
			const fourth = await host.apply();
			if (fourth.code !== 0) await failWith(`apply after the shutdown exited ${fourth.code ?? fourth.signal}`, fourth);
			assert.deepEqual(doneLines(fourth.stdout), [], 'nothing applied, no instance started');
			assert.equal(await instanceStatus(host, fqdn), 'ADMIN_down');
		});
	} finally {
		// Also proves the machine is exactly as it was before the lab.
		await host.destroy();
	}
});

/**
 * What a power cut and a boot without the wizard's services leave: every
 * process of the lab killed at once, the kernel's network state gone (the
 * bridge, lo:1, the blackhole route, forwarding, the NAT table) and the
 * daemons' runtime files in /run with it; then the boot starts what any
 * server starts by itself: sshd. The files on disk are kept as they were.
 */
async function reboot(host: LabHost): Promise<void> {
	const {lab} = host;
	// PID 1 of the lab (its holder) survives `kill -1`; everything else dies, this shell included.
	await lab.exec(['sh', '-c', 'kill -KILL -1']);
	await lab.run([
		'sh',
		'-e',
		'-c',
		[
			'ip link del br0 2>/dev/null || true',
			'ip -4 addr flush dev lo label lo:1',
			'ip route flush table main type blackhole',
			'sysctl -q -w net.ipv4.ip_forward=0',
			'iptables -t nat -F',
			'rm -rf /run/network /run/named /run/ganeti /run/dhcpd.pid /run/sshd.pid',
			'mkdir -p /run/sshd',
			'/usr/sbin/sshd',
		].join('\n'),
	]);
}

async function assertClusterVerified(host: LabHost, inventory: Inventory): Promise<void> {
	const {lab} = host;
	const verify = await lab.exec(['gnt-cluster', 'verify', ...inventory.recipe.cluster.verify_ignore.flatMap(code => ['-I', code])], {timeoutMs: 300_000});
	assert.equal(verify.exitCode, 0, `gnt-cluster verify:\n${verify.stdout}${verify.stderr}`);
	const info = await lab.run(['gnt-cluster', 'info']);
	assert.match(info, new RegExp(`Cluster name: ${inventory.cluster.fqdn}\\n`));
	assert.match(info, new RegExp(`Master node: ${inventory.node.fqdn}\\n`));
	assert.match(await lab.run(['ip', '-4', '-o', 'address', 'show', 'dev', inventory.cluster.masterNetdev]), new RegExp(` ${inventory.cluster.address.replaceAll('.', '\\.')}/`), 'the cluster address is up on the master netdev');
}

async function assertInstancesListed(host: LabHost, inventory: Inventory): Promise<void> {
	const listed = await host.lab.run(['gnt-instance', 'list', '--no-headers', '--separator=|', '-o', 'name,nic.mac/0,disk.count,be/memory,be/vcpus']);
	const rows = listed.trim().split('\n').filter(Boolean);
	assert.equal(rows.length, inventory.instances.length, listed);
	for (const instance of inventory.instances) {
		const row = rows.find(line => line.startsWith(`${instance.fqdn}|`));
		assert.ok(row, `${instance.fqdn} is listed:\n${listed}`);
		const [, mac, disks, memory, vcpus] = row.split('|');
		assert.equal(mac, instance.mac);
		assert.equal(Number(disks), 1 + instance.extra_disks.length);
		assert.equal(Number(memory), mebibytes(instance.memory), `memory of ${instance.fqdn}`);
		assert.equal(Number(vcpus), instance.vcpus);
	}
}

async function assertNamesAnswered(host: LabHost, inventory: Inventory): Promise<void> {
	const {lab} = host;
	const names = inventory.records.map(record => record.fqdn);
	for (const name of [inventory.node.fqdn, inventory.cluster.fqdn, ...inventory.instances.map(instance => instance.fqdn)]) assert.ok(names.includes(name), `${name} has a record`);
	await assertAnswers(lab, inventory.node.address, inventory, 'lab host, node address');
	await assertAnswers(lab, inventory.recipe.network.bridge.address, inventory, 'lab host, bridge address');
	// The node itself resolves through it (Ganeti's own lookups).
	assert.match(await lab.run(['getent', 'hosts', inventory.instances[0]!.fqdn]), new RegExp(`^${inventory.instances[0]!.address.replaceAll('.', '\\.')}\\s`));
}

/** A new peer with the first instance's MAC on the bridge: its lease, its route, and a ping out through NAT. */
async function assertLeaseAndNat(host: LabHost, inventory: Inventory, peerName: string): Promise<void> {
	const {recipe} = inventory;
	const instance = inventory.instances[0]!;
	const vm = await host.lab.addPeer(peerName, {mac: instance.mac, bridge: recipe.network.bridge.name});
	const lease = await udhcpc(vm);
	const {prefix} = parseCidr(recipe.network.vms_subnet);
	assert.equal(lease.address, `${instance.address}/${prefix}`, `udhcpc: ${lease.output}`);
	assert.equal(lease.gateway, recipe.network.bridge.address, `udhcpc: ${lease.output}`);
	assert.doesNotMatch(await host.outside.run(['ip', 'route', 'show']), /^default|10\./m, 'the outside host has no way back to the private range');
	const ping = await vm.exec(['busybox', 'ping', '-c', '1', '-W', '3', outsideAddress]);
	assert.equal(ping.exitCode, 0, `the VM reaches ${outsideAddress} only through MASQUERADE:\n${ping.stdout}${ping.stderr}`);
}

/** "512M", "2G" -> MiB, as Ganeti lists be/memory. */
function mebibytes(size: string): number {
	const match = /^(\d+)([MGT]?)$/i.exec(size);
	if (!match) throw new Error(`not a size: ${size}`);
	return Number(match[1]) * ({'': 1, M: 1, G: 1024, T: 1024 * 1024} as Record<string, number>)[match[2]!.toUpperCase()]!;
}

async function instanceStatus(host: LabHost, fqdn: string): Promise<string> {
	return (await host.lab.run(['gnt-instance', 'list', '--no-headers', '-o', 'status', fqdn])).trim();
}

async function masquerades(host: LabHost): Promise<string[]> {
	return (await host.lab.run(['iptables', '-t', 'nat', '-S'])).split('\n').filter(line => line.includes('MASQUERADE'));
}

/**
 * Starts `ganeti-wizard` with no argument as root in a terminal inside the lab
 * (a tmux server of the lab's own), waits for its first screen, quits it, and
 * returns that screen.
 */
async function openBareWizard(host: LabHost): Promise<string> {
	const tmux = (...args: string[]) => host.lab.exec(['tmux', '-S', '/root/wizard.tmux', ...args]);
	const command = `env -u CI TERM=xterm-256color ${process.execPath} /root/ganeti-wizard/dist/cli.js; echo EXIT=$?; sleep 600`;
	await tmux('new-session', '-d', '-x', '120', '-y', '40', command);
	try {
		let screen = '';
		for (let waited = 0; !/Saved progress|Question 1 of|EXIT=/.test(screen); waited += 200) {
			if (waited > 60_000) assert.fail(`the wizard showed nothing known in 60 s:\n${screen}`);
			await new Promise(resolve => setTimeout(resolve, 200));
			screen = (await tmux('capture-pane', '-p', '-J')).stdout;
		}
		await tmux('send-keys', 'q');
		return screen;
	} finally {
		await tmux('kill-server');
	}
}

