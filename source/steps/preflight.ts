// Preflight: what must hold before the wizard changes anything, checked on the
// live host (a rehearsal only lists these). Checks that need the wizard's own
// network and DNS (the node's FQDN, the cluster address) come later, in the
// cluster step's prerequisites, right before `gnt-cluster init`.
import type {Action, CommandAction} from '../actions/action.js';
import {recipeNodeOf, type Inventory} from '../inventory/inventory.js';
import {bindPlacement, checkResolver} from './dns.js';
import {firstPartition, physicalVolume, usesVolumeGroup} from './host.js';
import {program} from './programs.js';
import type {StepDefinition} from './step.js';

import {minimumVolumeGroupMiB} from '../recipe/cross-checks.js';

export {minimumVolumeGroupMiB};
export const sshHostKeyPath = '/etc/ssh/ssh_host_rsa_key.pub';

export function check(id: string, title: string, argv: string[]): CommandAction {
	return {kind: 'command', id, title, argv, readOnly: true};
}

/** The SSH host key: Ganeti records it at init and refuses to start without one. */
export function sshHostKeyCheck(id: string): CommandAction {
	return check(id, `SSH host key ${sshHostKeyPath} exists`, ['ssh-keygen', '-l', '-f', sshHostKeyPath]);
}

/** Files of another cluster in /var/lib/ganeti (the recipe's own cluster is fine). */
export function leftoversCheck(id: string, inventory: Inventory): CommandAction {
	return check(id, 'no other Ganeti cluster left files in /var/lib/ganeti', program('ganeti-state', 'leftovers', inventory.cluster.fqdn, inventory.master.fqdn));
}

/**
 * Instances the cluster has and the recipe dropped: a rewrite of the zone and
 * dhcpd.conf would cut them off. Those removed with `vm remove` are meant to go
 * (the removals step takes them out of Ganeti first).
 */
export function strayInstancesCheck(id: string, inventory: Inventory): CommandAction {
	const known = [...inventory.instances.map(instance => instance.fqdn), ...inventory.removals];
	return check(id, 'every instance of the cluster is in the recipe', program('ganeti-state', 'strays', inventory.cluster.fqdn, inventory.master.fqdn, ...known));
}

export function volumeGroupSizeCheck(id: string, vg: string): CommandAction {
	return check(id, `volume group ${vg} exists and has at least 20 GiB`, program('volume-group', vg, String(minimumVolumeGroupMiB)));
}

export const preflightStep: StepDefinition = {
	id: 'preflight',
	title: 'Preflight checks',
	requires: [],
	plan(inventory, facts): Action[] {
		// A bind or a resolver the wizard cannot live beside stops here, before any change.
		checkResolver(facts);
		bindPlacement(inventory, facts);
		const {recipe, node} = inventory;
		const publicInterface = recipeNodeOf(inventory).public_interface;
		const actions: Action[] = [
			check('preflight.hostname', `this machine is ${node.hostname}`, program('hostname', node.hostname)),
			check('preflight.public-interface', `public interface ${publicInterface} exists`, ['ip', 'link', 'show', 'dev', publicInterface]),
			sshHostKeyCheck('preflight.ssh-host-key'),
			leftoversCheck('preflight.leftovers', inventory),
			strayInstancesCheck('preflight.stray-instances', inventory),
		];
		const {storage} = recipe;
		const partition = physicalVolume(recipe);
		if (storage.disk && partition) {
			actions.push(check('preflight.disk', `${storage.disk} is blank (or ${partition} exists)`, program('blank-disk', storage.disk, partition, partition === firstPartition(storage.disk) ? 'first' : 'given')));
		} else if (!partition && !storage.loop_file && usesVolumeGroup(recipe)) {
			// No device to build the VG on: it must exist already.
			actions.push(volumeGroupSizeCheck('preflight.volume-group', storage.vg));
		}
		return actions;
	},
};
