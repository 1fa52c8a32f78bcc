import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Action, CommandAction, FileAction} from '../../source/actions/action.js';
import {networkStep} from '../../source/steps/network.js';
import {bareFacts} from '../../source/steps/step.js';
import {need} from '../support/need.js';
import {runCheckArgv} from '../render/checkers.js';
import {inventoryFromYaml, seedInventory} from '../render/fixtures.js';
import {exec, probeSays} from './apply.js';

const seed = seedInventory();
const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');
const debianInterfaces = '# interfaces(5) file used by ifup(8) and ifdown(8)\n# Include files from /etc/network/interfaces.d:\nsource /etc/network/interfaces.d/*\n';

const files = (actions: Action[]): FileAction[] => actions.filter((action): action is FileAction => action.kind === 'file');
const commands = (actions: Action[]): CommandAction[] => actions.filter((action): action is CommandAction => action.kind === 'command');

test('the seed\'s network plan: our stanzas, the source line, then lo:1, the blackhole, forwarding, NAT, br0', () => {
	const actions = networkStep.plan(seed, bareFacts({files: {'/etc/network/interfaces': debianInterfaces}}));
	assert.deepEqual(
		actions.map(action => action.id),
		// Forwarding and NAT before br0, whose post-up sets them too: undo must know the values found before.
		['network.interfaces', 'network.source', 'network.lo1', 'network.blackhole', 'network.forwarding', 'network.nat', 'network.bridge'],
	);
	const [ours, source] = files(actions);
	assert.equal(ours!.path, '/etc/network/interfaces.d/ganeti-wizard');
	assert.equal(source!.content, debianInterfaces, 'Debian\'s file already reads interfaces.d: unchanged');
	for (const file of [ours!, source!]) assert.deepEqual(file.check, {argv: ['ifup', '--no-act', '-i', '{}', '-a']});
	const byId = Object.fromEntries(commands(actions).map(action => [action.id, action]));
	assert.deepEqual(byId['network.lo1']!.satisfiedWhen, {argv: ['ip', '-4', 'addr', 'show', 'dev', 'lo'], stdoutIncludes: 'inet 10.10.0.20/32 '});
	assert.deepEqual(byId['network.bridge']!.argv, ['ifup', 'br0']);
	assert.deepEqual(byId['network.bridge']!.satisfiedWhen, {argv: ['ip', '-4', 'addr', 'show', 'dev', 'br0'], stdoutIncludes: 'inet 10.10.1.1/24 '});
	assert.deepEqual(byId['network.nat']!.argv, ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']);
	assert.deepEqual(byId['network.nat']!.satisfiedWhen, {argv: ['iptables', '-t', 'nat', '-C', 'POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']});
	// ip_forward as found: what undo sets it back to.
	assert.deepEqual(networkStep.reads!(seed), ['/etc/network/interfaces', '/proc/sys/net/ipv4/ip_forward']);
});

test('without NAT there is no forwarding and no MASQUERADE', () => {
	const inventory = inventoryFromYaml(seedYaml.replace('nat: true', 'nat: false'));
	const actions = networkStep.plan(inventory, bareFacts({files: {'/etc/network/interfaces': debianInterfaces}}));
	assert.ok(!actions.some(action => action.id === 'network.nat' || action.id === 'network.forwarding'));
	assert.doesNotMatch(files(actions)[0]!.content, /MASQUERADE/);
});

test('an interfaces file without a source line gets one; a second plan keeps it as it is', () => {
	const own = 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n';
	const first = files(networkStep.plan(seed, bareFacts({files: {'/etc/network/interfaces': own}})));
	const source = first.find(file => file.id === 'network.source')!;
	assert.ok(source.content.startsWith(own));
	assert.match(source.content, /\nsource \/etc\/network\/interfaces\.d\/ganeti-wizard\n$/);
	const second = files(networkStep.plan(seed, bareFacts({files: {'/etc/network/interfaces': source.content}})));
	assert.deepEqual(second, first);
});

test('the seed\'s own hand-made stanzas for lo:1 and br0 stop the step at a checkpoint first', () => {
	const seedStyle = `${debianInterfaces}\nauto lo:1\niface lo:1 inet static\n\tup ip route add blackhole 10.10.0.0/16\n\nauto br0\niface br0 inet static\n\tbridge_ports none\n`;
	const actions = networkStep.plan(seed, bareFacts({files: {'/etc/network/interfaces': seedStyle}}));
	const first = actions[0]!;
	assert.equal(first.kind, 'checkpoint');
	assert.equal(first.id, 'network.conflict');
	assert.match(first.kind === 'checkpoint' ? first.instructions : '', /Remove the stanzas for lo:1 and br0 from \/etc\/network\/interfaces/);
});

test('both files pass their ifup --no-act check, and a broken one fails it', async t => {
	if (!need(['ifup'], t)) return;
	for (const file of files(networkStep.plan(seed, bareFacts({files: {'/etc/network/interfaces': 'auto lo\niface lo inet loopback\n'}})))) {
		const result = await runCheckArgv(file.check!.argv, file.content);
		assert.equal(result.exitCode, 0, `${file.id}: ${result.output}`);
	}
	const ours = files(networkStep.plan(seed, bareFacts()))[0]!;
	assert.notEqual((await runCheckArgv(ours.check!.argv, ours.content.replace('iface br0 inet static', 'iface br0 inet'))).exitCode, 0);
});

test('in a throwaway network namespace, the probes see the commands\' effects and a second pass adds nothing', async t => {
	if (!need(['root', 'unshare', 'nsenter', 'ip', 'iptables', 'sysctl'], t)) return;
	const live = commands(networkStep.plan(seed, bareFacts())).filter(action => ['network.blackhole', 'network.forwarding', 'network.nat'].includes(action.id));
	assert.equal(live.length, 3);
	// A network namespace held open by a sleeping process of ours; everything dies with it.
	const holder = spawn('unshare', ['--net', 'sleep', '300'], {stdio: 'ignore'});
	try {
		await new Promise(resolve => setTimeout(resolve, 200));
		const inside = (argv: string[]) => exec(['nsenter', `--net=/proc/${holder.pid}/ns/net`, ...argv]);
		const ran: string[] = [];
		for (let pass = 1; pass <= 2; pass++) {
			for (const action of live) {
				const before = await probeSays(action.satisfiedWhen!, inside);
				assert.equal(before, pass === 2, `${action.id}: probe says ${before} in pass ${pass}`);
				if (before) continue;
				const result = await inside(action.argv);
				assert.equal(result.exitCode, 0, `${action.id}: ${result.stderr}`);
				ran.push(action.id);
				assert.equal(await probeSays(action.satisfiedWhen!, inside), true, `${action.id}: probe does not see its effect`);
			}
		}
		assert.deepEqual(ran, live.map(action => action.id));
		const rules = await inside(['iptables', '-t', 'nat', '-S', 'POSTROUTING']);
		assert.deepEqual(rules.stdout.split('\n').filter(line => line.includes('MASQUERADE')), ['-A POSTROUTING -s 10.10.0.0/16 -o eth0 -j MASQUERADE']);
	} finally {
		holder.kill('SIGKILL');
	}
});

test('NAT turned off after it was on: the live rule goes before the file that names it; with no rule installed, nothing', () => {
	const withNat = files(networkStep.plan(seed, bareFacts({files: {'/etc/network/interfaces': debianInterfaces}})))[0]!.content;
	const inventory = inventoryFromYaml(seedYaml.replace('nat: true', 'nat: false'));
	assert.ok(networkStep.reads!(inventory).includes('/etc/network/interfaces.d/ganeti-wizard'), 'the installed file is read');
	const actions = networkStep.plan(inventory, bareFacts({files: {'/etc/network/interfaces': debianInterfaces, '/etc/network/interfaces.d/ganeti-wizard': withNat}}));
	assert.deepEqual(actions.map(action => action.id).slice(0, 2), ['network.nat-off', 'network.interfaces']);
	const off = commands(actions)[0]!;
	assert.deepEqual(off.argv, ['iptables', '-t', 'nat', '-D', 'POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']);
	assert.deepEqual(off.satisfiedWhen, {not: {argv: ['iptables', '-t', 'nat', '-C', 'POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']}});
	assert.ok(off.inverseNote && !off.inverse, 'undo has nothing to put back: the rule was the wizard\'s own');
	// Once the file without NAT is installed (or was never NAT'ed), there is nothing left to remove.
	const without = files(actions)[0]!.content;
	for (const installed of [without, null]) {
		const again = networkStep.plan(inventory, bareFacts({files: {'/etc/network/interfaces': debianInterfaces, '/etc/network/interfaces.d/ganeti-wizard': installed}}));
		assert.ok(!again.some(action => action.id === 'network.nat-off'));
	}
});

test('in a throwaway network namespace, NAT on then off: the MASQUERADE rule is gone, and a second pass removes nothing', async t => {
	if (!need(['root', 'unshare', 'nsenter', 'iptables'], t)) return;
	const on = commands(networkStep.plan(seed, bareFacts())).find(action => action.id === 'network.nat')!;
	const installed = files(networkStep.plan(seed, bareFacts()))[0]!.content;
	const inventory = inventoryFromYaml(seedYaml.replace('nat: true', 'nat: false'));
	const off = commands(networkStep.plan(inventory, bareFacts({files: {'/etc/network/interfaces.d/ganeti-wizard': installed}}))).find(action => action.id === 'network.nat-off')!;
	const holder = spawn('unshare', ['--net', 'sleep', '300'], {stdio: 'ignore'});
	try {
		await new Promise(resolve => setTimeout(resolve, 200));
		const inside = (argv: string[]) => exec(['nsenter', `--net=/proc/${holder.pid}/ns/net`, ...argv]);
		const masquerades = async () => (await inside(['iptables', '-t', 'nat', '-S', 'POSTROUTING'])).stdout.split('\n').filter(line => line.includes('MASQUERADE'));
		assert.equal((await inside(on.argv)).exitCode, 0);
		assert.equal(await probeSays(off.satisfiedWhen!, inside), false, 'the rule is live: turning NAT off has work to do');
		const removed = await inside(off.argv);
		assert.equal(removed.exitCode, 0, removed.stderr);
		assert.deepEqual(await masquerades(), []);
		assert.equal(await probeSays(off.satisfiedWhen!, inside), true, 'a second pass finds nothing to remove');
	} finally {
		holder.kill('SIGKILL');
	}
});
