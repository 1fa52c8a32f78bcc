// A site grows past one machine, for real: two lab hosts on a switch
// (test/support/two-node-lab.ts). recipes/lab-two-nodes.yaml is applied on
// gcc20, then `node add gcc21` (killed at four points on both nodes, during
// gnt-node add too, and run again) prepares gcc21 over SSH and joins it; Ganeti
// verifies two nodes, and a second node add changes nothing. A sharedfile VM
// migrates to gcc21 and fails over back: its /32 follows it over OSPF, a peer
// behind gcc20 reaches it on gcc21 and resolves its name, its DHCP entry is
// served on both nodes, doctor finds no drift. undo --node gcc21 leaves gcc21 as it was before node add and the
// cluster verifies with one node.
import assert from 'node:assert/strict';
import {fileURLToPath} from 'node:url';
import {test} from 'node:test';
import {labHostRequirements, type CliRun} from '../support/lab-host.js';
import {differences, labState} from '../support/lab-snapshot.js';
import {need} from '../support/need.js';
import {createTwoNodeLab, twoNodeLabRequirements} from '../support/two-node-lab.js';

const recipe = fileURLToPath(new URL('../../recipes/lab-two-nodes.yaml', import.meta.url));
const addGcc21 = ['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.0.21', '--root', '/', '--yes'];

/** Polls `check` every half second until it holds or `seconds` pass; the last answer otherwise. */
async function eventually<T>(seconds: number, look: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
	let value = await look();
	for (const deadline = Date.now() + seconds * 1000; !holds(value) && Date.now() < deadline; value = await look()) await new Promise(resolve => setTimeout(resolve, 500));
	return value;
}

test('node add, a sharedfile VM that moves with its address, undo --node', async t => {
	if (!need([...labHostRequirements, ...twoNodeLabRequirements, 'bird', 'birdc', 'ss', 'ps', 'iptables-save'], t)) return;
	const lab = await createTwoNodeLab();
	const {first} = lab;
	const gcc20 = lab.node1.lab;
	const gcc21 = lab.node2.lab;
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await first.diagnostics(run)}`);
	const cli = async (args: string[], expected = 0) => {
		const run = await first.cli(args, {timeoutMs: 15 * 60_000});
		console.log(`# ${args.slice(0, 3).join(' ')}: exit ${run.code ?? run.signal} in ${(run.ms / 1000).toFixed(1)} s`);
		if (run.code !== expected) await failWith(`${args.join(' ')} exited ${run.code ?? run.signal}, not ${expected}`, run);
		return run;
	};
	// The shared directory is both nodes': what the other node left there is no change of gcc21's.
	const shared = [new RegExp(`^${lab.sharedDirectory}/`)];
	// A killed wizard's SSH master connection lives on for a while (ControlPersist), an sshd
	// session on gcc21 each: which programs run is compared, not how many sessions sshd serves.
	const gcc21State = async () => {
		const state = await labState(gcc21, shared);
		return {...state, processes: [...new Set(state['processes'] as string[])]};
	};
	try {
		const before = await gcc21State();
		await cli(['apply', '--recipe', recipe, '--root', '/', '--yes']);

		await t.test("a node SSH cannot reach (root there refuses gcc20's key): one line, exit 2, nothing changed on either node", async () => {
			const site = async () => [await gcc20.readFile('/var/lib/ganeti-wizard/journal.jsonl'), await gcc20.readFile('/var/lib/ganeti-wizard/site.json')];
			const [gcc20Before, gcc21Before, siteBefore] = [await labState(gcc20, shared), await gcc21State(), await site()];
			await gcc21.run(['mv', '/root/.ssh/authorized_keys', '/root/.ssh/authorized_keys.away']);
			let refused: CliRun;
			try {
				refused = await first.cli(addGcc21, {timeoutMs: 5 * 60_000});
			} finally {
				await gcc21.run(['mv', '/root/.ssh/authorized_keys.away', '/root/.ssh/authorized_keys']);
			}
			if (refused.code !== 2) await failWith(`node add to a node that refuses the key exited ${refused.code ?? refused.signal}, not 2`, refused);
			assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
			assert.match(refused.stderr, /^ganeti-wizard: node gcc21: root@198\.51\.100\.21 refuses .*: add its public key to \/root\/\.ssh\/authorized_keys on gcc21$/m);
			assert.deepEqual(differences(gcc21Before, await gcc21State()), [], 'gcc21 is as it was');
			assert.deepEqual(differences(gcc20Before, await labState(gcc20, shared)), [], 'gcc20 is as it was');
			assert.deepEqual(await site(), siteBefore, "the site and its journal are as they were");
		});

		await t.test('node add killed on gcc21 and on gcc20, during gnt-node add too, resumes', async () => {
			// Each kill stops the run further on; the next run resumes from the journal.
			const points = ['after-effect@network.nat', 'after-effect@nodes.host-key.ssh_host_rsa_key', 'after-effect@nodes.authorize.gcc21', 'command-running@nodes.join.gcc21'];
			for (const point of points) {
				const killed = await first.cli(addGcc21, {env: {GANETI_WIZARD_FAILPOINT: point}, timeoutMs: 15 * 60_000});
				console.log(`# node add killed at ${point}: ${killed.signal ?? `exit ${killed.code}`} in ${(killed.ms / 1000).toFixed(1)} s`);
				if (killed.signal !== 'SIGKILL') await failWith(`node add with the failpoint ${point} was not killed`, killed);
			}
		});

		await t.test('node add prepares gcc21 over SSH and joins it; Ganeti verifies two nodes', async () => {
			const added = await cli(addGcc21);
			assert.match(added.stdout, /^Node gcc21 \(candidate, over SSH to 198\.51\.100\.21\):$/m);
			assert.match(added.stdout, /^Node gcc20 \(master, this host\):$/m);
			const nodes = await gcc20.run(['gnt-node', 'list', '--no-headers', '-o', 'name,role']);
			assert.deepEqual(nodes.trim().split('\n').map(line => line.trim().split(/\s+/)), [['gcc20.node.farm', 'M'], ['gcc21.node.farm', 'C']]);
			const verify = await gcc20.exec(['gnt-cluster', 'verify', '-I', 'ENODESETUP']);
			assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
			// gcc21 serves the site's names and leases itself, from the same inventory.
			assert.equal((await gcc21.run(['dig', '+short', '@10.10.0.21', 'gcc20.node.farm'])).trim(), '10.10.0.20');
			assert.match((await gcc21.readFile('/etc/default/ganeti')) ?? '', /10\.10\.0\.21/);
			// Nothing twice after the kills: key lines, the NAT rule, routes.
			for (const node of [gcc20, gcc21]) {
				const keys = ((await node.readFile('/root/.ssh/authorized_keys')) ?? '').split('\n').filter(Boolean);
				assert.deepEqual(keys, [...new Set(keys)], `${node.hostname}: no key line twice`);
				const masquerade = (await node.run(['iptables-save', '-t', 'nat'])).split('\n').filter(line => line.includes('MASQUERADE'));
				assert.equal(masquerade.length, 1, masquerade.join('\n'));
				const routes = (await node.run(['ip', '-4', 'route', 'show', 'table', 'all'])).split('\n').filter(Boolean);
				assert.deepEqual(routes, [...new Set(routes)], `${node.hostname}: no route twice`);
			}
		});

		await t.test('a second node add and a plan change nothing, on either node', async () => {
			const again = await cli(addGcc21);
			assert.match(again.stdout, / 0 changes made/);
			await cli(['plan', '--root', '/', '--detailed-exitcode'], 0);
		});

		await t.test('a sharedfile VM migrates to gcc21 and fails over back, keeping its address', async () => {
			await cli(['vm', 'add', 'web1', '--disk-template', 'sharedfile', '--os', 'noop+default', '--root', '/', '--yes']);
			const address = (await gcc20.run(['dig', '+short', '@10.10.0.20', 'web1.vm.farm'])).trim();
			assert.match(address, /^10\.10\.1\.\d+$/);
			const primary = async () => (await gcc20.run(['gnt-instance', 'list', '--no-headers', '-o', 'pnode', 'web1.vm.farm'])).trim();
			const route = (node: typeof gcc20) => async () => node.run(['ip', '-4', 'route', 'show', `${address}/32`]);

			await cli(['vm', 'migrate', 'web1', '--root', '/']);
			assert.equal(await primary(), 'gcc21.node.farm');
			assert.match(await route(gcc21)(), /dev br0/, 'gcc21 holds the /32 of the VM it runs');
			assert.match(await eventually(30, route(gcc20), text => /via 10\.10\.0\.21|via 198\.51\.100\.21/.test(text)), /via/, 'gcc20 learns over OSPF where the VM went');
			// A peer behind gcc20 reaches the VM at its address on gcc21, and resolves its name.
			// (The fake hypervisor gives the VM no NIC: a namespace on gcc21's bridge stands in for it.)
			const vm = await gcc21.addPeer('web1', {bridge: 'br0', peerAddress: `${address}/24`, peerGateway: '10.10.1.1'});
			// The peer is routed as the wizard routes a VM gcc20 runs: its /32 on the bridge, announced to gcc21.
			const peer = await gcc20.addPeer('peer', {bridge: 'br0', peerAddress: '10.10.1.240/24', peerGateway: '10.10.1.1'});
			await gcc20.run(['ip', 'route', 'add', '10.10.1.240/32', 'dev', 'br0', 'proto', '203']);
			const pings = async () => (await peer.exec(['ping', '-c', '1', '-W', '1', address])).exitCode === 0;
			assert.ok(await eventually(30, pings, Boolean), `a peer on gcc20's bridge reaches ${address} on gcc21`);
			assert.equal((await peer.run(['dig', '+short', '@10.10.1.1', 'web1.vm.farm'])).trim(), address);
			await gcc21.run(['ip', 'link', 'del', vm.labInterface]);
			await gcc20.run(['ip', 'link', 'del', peer.labInterface]);
			await gcc20.exec(['ip', 'route', 'del', '10.10.1.240/32', 'dev', 'br0', 'proto', '203']);
			// Its name and its lease wherever it runs.
			assert.equal((await gcc21.run(['dig', '+short', '@10.10.0.21', 'web1.vm.farm'])).trim(), address);
			assert.match((await gcc21.readFile('/etc/dhcp/dhcpd.d/ganeti-wizard.conf')) ?? (await gcc21.readFile('/etc/dhcp/dhcpd.conf')) ?? '', new RegExp(`fixed-address ${address.replaceAll('.', '\\.')};`));

			await cli(['vm', 'failover', 'web1', '--root', '/', '--shutdown-timeout', '0']);
			assert.equal(await primary(), 'gcc20.node.farm');
			assert.match(await route(gcc20)(), /dev br0/);
			assert.match(await eventually(30, route(gcc21), text => /via/.test(text)), /via/, 'gcc21 learns the /32 is back on gcc20');

			await cli(['doctor', '--root', '/'], 0);
			const changes = await cli(['changes', '--root', '/']);
			assert.match(changes.stdout, /gnt-instance failover/);
		});

		await t.test('undo --node gcc21: its VM moves to gcc20, gcc21 is as before node add, the cluster verifies with one node', async () => {
			await cli(['vm', 'migrate', 'web1', '--root', '/']);
			await cli(['undo', '--node', 'gcc21', '--root', '/', '--yes']);
			assert.equal((await gcc20.run(['gnt-instance', 'list', '--no-headers', '-o', 'pnode', 'web1.vm.farm'])).trim(), 'gcc20.node.farm', 'the VM left gcc21 before it did');
			const nodes = await gcc20.run(['gnt-node', 'list', '--no-headers', '-o', 'name']);
			assert.deepEqual(nodes.trim().split('\n'), ['gcc20.node.farm']);
			const verify = await gcc20.exec(['gnt-cluster', 'verify', '-I', 'ENODESETUP']);
			assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
			assert.deepEqual(differences(before, await gcc21State()), [], 'gcc21 is as the wizard found it');
			await cli(['plan', '--root', '/', '--detailed-exitcode'], 0);
		});
	} finally {
		await lab.destroy();
	}
});
