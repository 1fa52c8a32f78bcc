// A KVM VM that migrates live between two nodes, for real: two lab hosts on a
// switch (test/support/two-node-lab.ts), recipes/lab-two-nodes.yaml with
// hypervisor kvm (qemu in software emulation: there is no /dev/kvm here),
// and a sharedfile VM without an OS (qemu runs its BIOS, which finds nothing
// to boot: enough to migrate), applied on gcc20 and grown with node add
// gcc21. The VM goes to gcc21 with `vm migrate` and back. Each time: qemu runs on the target,
// started by the migration (-incoming), and no longer on the source; Ganeti
// names the target as primary node; the VM's /32 sits on the target's bridge
// and the other node routes it there over OSPF; and qemu's VNC console
// listens on the target's loopback only, the one address qemu can keep across
// a migration (Ganeti hands the source's command line to the target).
// test/lab/nodes.test.ts covers the rest of node add, kills and undo with
// the fake hypervisor; this file keeps to what KVM adds.
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import YAML from 'yaml';
import type {Lab} from '../support/lab.js';
import {labHostRequirements, type CliRun} from '../support/lab-host.js';
import {need} from '../support/need.js';
import {createTwoNodeLab, twoNodeLabRequirements} from '../support/two-node-lab.js';

const baseRecipe = fileURLToPath(new URL('../../recipes/lab-two-nodes.yaml', import.meta.url));
const recipe = '/root/recipes/kvm-two-nodes.yaml';
const qemu = '/usr/bin/qemu-system-x86_64';
const fqdn = 'kvm1.vm.farm';
const addGcc21 = ['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.0.21', '--root', '/', '--yes'];

/** Polls `look` every half second until `holds`, or `seconds` pass; the last answer either way. */
async function eventually<T>(seconds: number, look: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
	let value = await look();
	for (const deadline = Date.now() + seconds * 1000; !holds(value) && Date.now() < deadline; value = await look()) await new Promise(resolve => setTimeout(resolve, 500));
	return value;
}

/** The qemu processes of `node` (its own PID namespace: only its own), each with its argv. */
async function qemus(node: Lab): Promise<Array<{pid: number; argv: string[]}>> {
	const listed = await node.exec(['pgrep', '-f', `^${qemu} `]);
	const pids = listed.stdout.split('\n').filter(Boolean).map(Number);
	return Promise.all(pids.map(async pid => ({pid, argv: (await node.run(['cat', `/proc/${pid}/cmdline`])).split('\0').filter(Boolean)})));
}

/** Addresses and ports a process listens on (ss inside the node). */
async function listening(node: Lab, pid: number): Promise<string[]> {
	const out = await node.run(['ss', '-Hltnp']);
	return out
		.split('\n')
		.filter(line => line.includes(`pid=${pid},`))
		.map(line => line.trim().split(/\s+/)[3]!);
}

test('a KVM VM migrates live to the other node and back: qemu, primary node, /32 and VNC follow it', async t => {
	if (!need([...labHostRequirements, ...twoNodeLabRequirements, 'bird', 'birdc', 'ss', 'pgrep', 'qemu-system-x86_64'], t)) return;
	const lab = await createTwoNodeLab();
	const {first} = lab;
	const nodes = {'gcc20.node.farm': lab.node1.lab, 'gcc21.node.farm': lab.node2.lab};
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await first.diagnostics(run)}`);
	const cli = async (args: string[]) => {
		const run = await first.cli(args, {timeoutMs: 15 * 60_000});
		console.log(`# ${args.slice(0, 3).join(' ')}: exit ${run.code ?? run.signal} in ${(run.ms / 1000).toFixed(1)} s`);
		if (run.code !== 0) await failWith(`${args.join(' ')} exited ${run.code ?? run.signal}`, run);
		return run;
	};
	try {
		const document = YAML.parse(await readFile(baseRecipe, 'utf8')) as Record<string, any>;
		document.cluster.hypervisor = 'kvm';
		// Software emulation, as measured: no /dev/kvm; no serial console socket.
		document.cluster.hypervisor_parameters = {kvm_path: qemu, kvm_flag: 'disabled', serial_console: 'false'};
		// In the recipe from the start (not vm add): one run of the site fewer.
		document.instances = [{name: 'kvm1', disk_template: 'sharedfile', disk_size: '1G', memory: '128M', vcpus: 1, install: {os: 'noop+default'}}];
		await lab.node1.lab.writeFile(recipe, YAML.stringify(document));
		await cli(['apply', '--recipe', recipe, '--root', '/', '--yes']);
		await cli(addGcc21);
		const address = (await lab.node1.lab.run(['dig', '+short', '@10.10.0.20', fqdn])).trim();
		assert.match(address, /^10\.10\.1\.\d+$/);
		const primary = async () => (await lab.node1.lab.run(['gnt-instance', 'list', '--no-headers', '-o', 'pnode,status', fqdn])).trim().split(/\s+/);
		assert.deepEqual(await primary(), ['gcc20.node.farm', 'running']);
		const [started] = await qemus(lab.node1.lab);
		assert.ok(started, 'qemu runs kvm1 on gcc20');

		for (const [from, to] of [['gcc20.node.farm', 'gcc21.node.farm'], ['gcc21.node.farm', 'gcc20.node.farm']] as const) {
			await t.test(`vm migrate kvm1: ${from} -> ${to}, live`, async () => {
				const [source, target] = [nodes[from], nodes[to]];
				const run = await cli(['vm', 'migrate', 'kvm1', '--root', '/']);
				assert.match(run.stdout, new RegExp(`migrate ${fqdn.replaceAll('.', '\\.')} to ${to.replaceAll('.', '\\.')}`));
				assert.deepEqual(await primary(), [to, 'running'], 'Ganeti names the target, and the VM kept running');
				// One qemu, on the target, started to receive the running VM (a live migration, not a failover's fresh boot).
				assert.deepEqual(await qemus(source), [], `no qemu left on ${from}`);
				const running = await qemus(target);
				assert.equal(running.length, 1, `one qemu on ${to}: ${JSON.stringify(running)}`);
				const {pid, argv} = running[0]!;
				assert.ok(argv.includes('-incoming'), `qemu on ${to} was started for the incoming migration: ${argv.join(' ')}`);
				// VNC: the loopback, carried in the command line from the source, and bound on the target.
				const port = (await lab.node1.lab.run(['gnt-instance', 'list', '--no-headers', '-o', 'network_port', fqdn])).trim();
				assert.equal(argv[argv.indexOf('-vnc') + 1], `127.0.0.1:${Number(port) - 5900}`);
				assert.deepEqual(await listening(target, pid), [`127.0.0.1:${port}`], 'qemu\'s VNC listens on the target\'s loopback only');
				// The /32 is the target's; the source learns over OSPF where the VM went.
				assert.match(await target.run(['ip', '-4', 'route', 'show', `${address}/32`]), /dev br0 proto 203/, `${to} holds the /32 of the VM it runs`);
				const onSource = await eventually(30, () => source.run(['ip', '-4', 'route', 'show', `${address}/32`]), text => /via \S+ dev eth0 proto bird/.test(text));
				assert.match(onSource, /via \S+ dev eth0 proto bird/, `${from} routes ${address} to ${to} over OSPF`);
			});
		}
		const changes = await cli(['changes', '--root', '/']);
		assert.match(changes.stdout, /gnt-instance migrate -f --allow-failover -n gcc21\.node\.farm kvm1\.vm\.farm/);
	} finally {
		await lab.destroy();
	}
});
