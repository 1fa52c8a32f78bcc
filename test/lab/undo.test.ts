// Undo for real: a lab host (see test/support/lab-host.ts) is snapshotted, the
// lab site applied (`apply --yes` of recipes/lab.yaml: a cluster, an instance,
// bind, dhcpd, NAT, a loop-backed VG), then `undo --yes`: the host is as it
// was, file for file under /etc, /var/lib/ganeti, /srv and ~/.ssh (content,
// mode, owner, and every directory), addresses, links and routes, the nat and
// filter tables, ip_forward, listening sockets, processes, loop devices and
// volume groups, also when undo is killed part way (after an instance is
// removed, after the cluster is destroyed, a file restored, a daemon stopped,
// the bridge taken down) and run again. A second undo changes nothing; apply
// then makes the site again with the same MACs and addresses, and
// `gnt-cluster verify` passes; NAT turned off in the recipe takes the live
// MASQUERADE rule away, and undo after that still ends as before.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {instanceListArgv, parseInstanceList} from '../../source/drift/facts.js';
import {createLabHost, labHostRequirements, writeRecipeVariant, type CliRun, type LabHost} from '../support/lab-host.js';
import {differences, labState} from '../support/lab-snapshot.js';
import {need} from '../support/need.js';


test('apply of recipes/lab.yaml, then undo --yes killed at five points and run again: the lab host is exactly as before; a second undo changes nothing; apply again verifies; NAT off, then undo, as before too', async t => {
	if (!need([...labHostRequirements, 'ss', 'ps', 'vgs', 'iptables-save'], t)) return;
	const host = await createLabHost();
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await host.diagnostics(run)}`);
	try {
		const before = await labState(host.lab);
		const applied = await host.apply();
		if (applied.code !== 0) await failWith(`apply --yes exited ${applied.code ?? applied.signal}`, applied);
		const during = await labState(host.lab);
		assert.ok(differences(before, during).length > 10, 'the apply changed the host');

		const listed = await host.cli(['changes', '--json', '--root', '/']);
		assert.equal(listed.code, 0, listed.stderr);
		const changes = JSON.parse(listed.stdout) as {files: Array<{path: string}>; commands: Array<{category: string; argv: string[]}>};
		assert.ok(changes.files.some(file => file.path === '/etc/bind/named.conf.options'), 'changes lists the files');
		assert.ok(changes.commands.some(command => command.category === 'cluster' && command.argv[1] === 'init'), 'changes lists the cluster');

		// Killed part way, at a few points, each run going on from where the last one stopped.
		const inventory = await host.inventory();
		for (const [failpoint, where] of [
			['after-effect@undo.instances.rodo1.osm.add', /undo: create rodo1\.osm\.vm\.farm /],
			['after-effect@undo.cluster.init', /undo: initialise the cluster /],
			['after-effect@undo.file./etc/hosts', /restore \/etc\/hosts /],
			['after-effect@undo.service.isc-dhcp-server', /stop isc-dhcp-server/],
			['after-effect@undo.network.bridge', /undo: bring up br0 /],
		] as const) {
			const killed = await host.cli(['undo', '--yes', '--root', '/'], {env: {GANETI_WIZARD_FAILPOINT: failpoint}, timeoutMs: 10 * 60_000});
			if (killed.signal !== 'SIGKILL') await failWith(`undo with ${failpoint} was not killed (exit ${killed.code})`, killed);
			const last = killed.stdout.trimEnd().split('\n').at(-1) ?? '';
			assert.match(last, where, `undo killed at ${failpoint}: ${last}`);
			console.log(`# undo killed (${failpoint}) in ${(killed.ms / 1000).toFixed(1)} s: ${last.trim()}`);
		}
		const undone = await host.cli(['undo', '--yes', '--root', '/'], {timeoutMs: 10 * 60_000});
		console.log(`# undo after the kills: exit ${undone.code ?? undone.signal} in ${(undone.ms / 1000).toFixed(1)} s`);
		if (undone.code !== 0) await failWith(`undo --yes exited ${undone.code ?? undone.signal}`, undone);
		const after = await labState(host.lab);
		assert.deepEqual(differences(before, after), [], `the lab host is as before the apply\n${undone.stdout}`);

		const again = await host.cli(['undo', '--yes', '--root', '/']);
		assert.equal(again.code, 0, again.stderr);
		assert.match(again.stdout, /Nothing to undo/);
		assert.deepEqual(differences(before, await labState(host.lab)), []);

		// apply after undo makes the site again, with the MACs and addresses it had, and Ganeti verifies it.
		const rebuilt = await host.apply();
		console.log(`# apply after undo: exit ${rebuilt.code ?? rebuilt.signal} in ${(rebuilt.ms / 1000).toFixed(1)} s`);
		if (rebuilt.code !== 0) await failWith(`apply after undo exited ${rebuilt.code ?? rebuilt.signal}`, rebuilt);
		const verify = await host.lab.exec(['gnt-cluster', 'verify', ...inventory.recipe.cluster.verify_ignore.flatMap(code => ['-I', code])], {timeoutMs: 300_000});
		assert.equal(verify.exitCode, 0, `gnt-cluster verify after apply, undo, apply:\n${verify.stdout}${verify.stderr}`);
		const instances = parseInstanceList(await host.lab.run(instanceListArgv));
		assert.deepEqual(
			instances.map(instance => [instance.name, instance.macs]),
			inventory.instances.map(instance => [instance.fqdn, [instance.mac]]),
			'the same instances with the same MACs',
		);
		for (const instance of inventory.instances) {
			assert.equal((await host.lab.run(['dig', '+short', `@${inventory.node.address}`, instance.fqdn, 'A'])).trim(), instance.address);
		}

		// NAT turned off in the recipe: the live MASQUERADE rule goes with the configuration; undo then still ends as before.
		const masquerades = async () => (await host.lab.run(['iptables', '-t', 'nat', '-S', 'POSTROUTING'])).split('\n').filter(line => line.includes('MASQUERADE'));
		assert.equal((await masquerades()).length, 1, 'NAT is on');
		const noNat = await host.apply(await writeRecipeVariant(host, 'no-nat', recipe => (recipe.network.nat = false)));
		if (noNat.code !== 0) await failWith(`apply with network.nat: false exited ${noNat.code ?? noNat.signal}`, noNat);
		assert.match(noNat.stdout, /✓ done stop masquerading 10\.10\.0\.0\/16 out /);
		assert.deepEqual(await masquerades(), [], 'no MASQUERADE rule is live');
		assert.doesNotMatch((await host.lab.readFile('/etc/network/interfaces.d/ganeti-wizard'))!, /MASQUERADE/);
		const undoneAgain = await host.cli(['undo', '--yes', '--root', '/'], {timeoutMs: 10 * 60_000});
		if (undoneAgain.code !== 0) await failWith(`undo after NAT was turned off exited ${undoneAgain.code ?? undoneAgain.signal}`, undoneAgain);
		assert.deepEqual(differences(before, await labState(host.lab)), [], 'apply, undo, apply, NAT off, undo: the lab host is as before');
	} finally {
		await host.destroy();
	}
});
