// Every command the seed's and the lab's plans run to change the host says
// how it is reversed: an inverse command, or a note why none is needed. The
// inverses are the ones each tool documents for its change.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Action, CommandAction} from '../../source/actions/action.js';
import type {Inventory} from '../../source/inventory/inventory.js';
import {masqueradeRule} from '../../source/render/interfaces.js';
import {gitHistoryArchive} from '../../source/steps/config-history.js';
import {packagesActionId, requiredPackages} from '../../source/steps/host.js';
import {allSteps} from '../../source/steps/index.js';
import {ipForwardPath} from '../../source/steps/network.js';
import {bareFacts, type Facts} from '../../source/steps/step.js';
import {inventoryFromYaml, seedInventory} from '../render/fixtures.js';

const lab = inventoryFromYaml(readFileSync(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8'));
const sites = [['seed', seedInventory()], ['lab', lab]] as const;

function planned(inventory: Inventory, facts: Facts): Action[] {
	return allSteps.flatMap(step => step.plan(inventory, facts));
}

function changing(actions: Action[]): CommandAction[] {
	return actions.filter((action): action is CommandAction => action.kind === 'command' && !action.readOnly);
}

function byId(actions: Action[], id: string): CommandAction {
	const found = actions.find(action => action.id === id);
	assert.ok(found && found.kind === 'command', `${id} is planned`);
	return found;
}

test('every command of the seed and lab plans that changes the host has an inverse or a note why none is needed', () => {
	for (const [site, inventory] of sites) {
		for (const facts of [bareFacts(), bareFacts({files: {[ipForwardPath]: '0\n'}, packages: {git: true}})]) {
			const commands = changing(planned(inventory, facts));
			assert.ok(commands.length > 15, `${site}: ${commands.length} changing commands`);
			for (const command of commands) {
				assert.ok((command.inverse?.length ?? 0) > 0 || (command.inverseNote?.length ?? 0) > 0, `${site}: ${command.id} (${command.argv.join(' ')}) says how it is reversed`);
				assert.ok(!(command.inverse && command.inverseNote), `${site}: ${command.id} has an inverse or a note, not both`);
			}
		}
	}
});

test('the inverses: iptables -D for -A, ip route del, ifdown for ifup, Ganeti removes, LVM removes, the repository archived', () => {
	for (const [site, inventory] of sites) {
		const actions = planned(inventory, bareFacts());
		const rule = masqueradeRule(inventory);
		assert.deepEqual(byId(actions, 'network.nat').argv, ['iptables', '-t', 'nat', '-A', ...rule]);
		assert.deepEqual(byId(actions, 'network.nat').inverse, ['iptables', '-t', 'nat', '-D', ...rule], site);
		assert.deepEqual(byId(actions, 'network.blackhole').inverse, ['ip', 'route', 'del', 'blackhole', inventory.recipe.network.private_range]);
		assert.deepEqual(byId(actions, 'network.lo1').inverse, ['ifdown', 'lo:1']);
		assert.deepEqual(byId(actions, 'network.bridge').inverse, ['ifdown', inventory.recipe.network.bridge.name]);
		// gnt-cluster destroy, then the daemons and directories it leaves behind, back as they were.
		const destroy = byId(actions, 'cluster.init').inverse!;
		assert.match(destroy[2]!, /undo-cluster\.py$/);
		assert.ok(destroy.includes('/var/lib/ganeti=absent') && destroy.includes('/var/lib/ganeti/queue=absent'), destroy.join(' '));
		for (const instance of inventory.instances) assert.deepEqual(byId(actions, `instances.${instance.name}.add`).inverse, ['gnt-instance', 'remove', '-f', '--shutdown-timeout=0', instance.fqdn]);
		assert.deepEqual(byId(actions, 'host.vg').inverse, ['vgremove', inventory.recipe.storage.vg]);
		assert.ok(byId(actions, 'host.pv').inverse!.includes('pvremove'), `${site}: pvremove for pvcreate`);
		for (const dir of ['/etc/bind', '/etc/dhcp']) {
			const init = actions.find(action => action.kind === 'command' && action.argv.join(' ') === `git init -q ${dir}`) as CommandAction;
			assert.deepEqual(init.inverse!.slice(3), [dir, gitHistoryArchive], `${site}: ${dir}'s history is archived in the state directory`);
		}
		// NAT is set up before the bridge, whose post-up also turns forwarding on: the value found first is the one reversed to.
		const ids = actions.map(action => action.id);
		assert.ok(ids.indexOf('network.forwarding') < ids.indexOf('network.bridge') && ids.indexOf('network.nat') < ids.indexOf('network.bridge'), site);
	}
	const loop = planned(lab, bareFacts());
	assert.ok(byId(loop, 'host.loop-attach').inverse!.includes('--detach'));
	assert.deepEqual(byId(loop, 'host.loop-file').inverse, ['rm', '-f', lab.recipe.storage.loop_file]);
});

test('the directories Ganeti takes over get the mode and owner read before the init', () => {
	const inventory = seedInventory();
	const facts = bareFacts({directories: {'/var/lib/ganeti': {mode: 0o755, uid: 0, gid: 0}}});
	const destroy = byId(planned(inventory, facts), 'cluster.init').inverse!;
	assert.ok(destroy.includes('/var/lib/ganeti=755:0:0') && destroy.includes('/var/lib/ganeti/rapi=absent'), destroy.join(' '));
});

test('the sysctl goes back to the value read before the change; packages: only those that were not installed', () => {
	const inventory = seedInventory();
	for (const value of ['0', '1']) {
		const forwarding = byId(planned(inventory, bareFacts({files: {[ipForwardPath]: `${value}\n`}})), 'network.forwarding');
		assert.deepEqual(forwarding.inverse, ['sysctl', '-q', '-w', `net.ipv4.ip_forward=${value}`]);
	}
	assert.match(byId(planned(inventory, bareFacts()), 'network.forwarding').inverseNote!, /unknown/);

	const names = requiredPackages(inventory.recipe);
	const installed = {git: true, bind9: true};
	const purge = byId(planned(inventory, bareFacts({packages: installed})), packagesActionId).inverse!;
	assert.deepEqual(purge, ['apt-get', 'purge', '-y', ...names.filter(name => name !== 'git' && name !== 'bind9')]);
	assert.match(byId(planned(inventory, bareFacts({packages: Object.fromEntries(names.map(name => [name, true]))})), packagesActionId).inverseNote!, /every package was installed before/);
	assert.match(byId(planned(inventory, bareFacts()), packagesActionId).inverseNote!, /unknown/);
});
