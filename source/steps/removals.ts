// Removals: instances the operator removed from the site (`vm remove`) are
// taken out of Ganeti before the zones and dhcpd.conf are rewritten without
// them, so a removal that fails leaves the VM with its name and its lease.
// Ganeti's config.data says whether one is still there (the daemons need not
// run), so a second apply removes nothing.
import type {Action} from '../actions/action.js';
import type {Inventory} from '../inventory/inventory.js';
import {program} from './programs.js';
import type {StepDefinition} from './step.js';

/**
 * A node leaving the cluster: its primary instances migrate to the master
 * (failing over those that are stopped), then `gnt-node remove` (gnt-node(8)).
 * Both are done once Ganeti says so, so a second run changes nothing.
 */
export function nodeLeaveActions(inventory: Inventory, fqdn: string): Action[] {
	const master = inventory.master.fqdn;
	const listed = {argv: ['gnt-node', 'list', '--no-headers', '-o', 'name', fqdn], stdoutIncludes: fqdn};
	return [
		{
			kind: 'command',
			id: `removals.${fqdn}.instances`,
			title: `move the instances running on ${fqdn} to ${master} (gnt-instance migrate, or failover when stopped)`,
			argv: program('evacuate-node', fqdn, master),
			satisfiedWhen: {argv: ['gnt-instance', 'list', '--no-headers', '-o', 'name', '--filter', `pnode == ${JSON.stringify(fqdn)}`], stdoutEmpty: true},
			inverseNote: 'the instances can be moved back one by one (vm migrate NAME --node NODE) once the node is back',
			timeoutMs: 60 * 60_000,
		},
		{
			kind: 'command',
			id: `removals.${fqdn}`,
			title: `remove node ${fqdn} from the cluster (gnt-node remove)`,
			argv: ['gnt-node', 'remove', fqdn],
			satisfiedWhen: {not: listed},
			inverseNote: 'node add NAME joins it again',
			timeoutMs: 10 * 60_000,
		},
	];
}

export const removalsStep: StepDefinition = {
	id: 'removals',
	title: 'Instances and nodes removed from the site',
	requires: ['preflight'],
	plan(inventory: Inventory): Action[] {
		return inventory.removals.flatMap((fqdn): Action[] =>
			fqdn.endsWith(`.${inventory.nodesDomain}`)
				? nodeLeaveActions(inventory, fqdn)
				: [
						{
							kind: 'command',
							id: `removals.${fqdn}`,
							title: `remove instance ${fqdn} and its disks (gnt-instance remove)`,
							// --force: Ganeti's own confirmation prompt; the operator confirmed with vm remove.
							argv: ['gnt-instance', 'remove', '--force', fqdn],
							satisfiedWhen: {argv: program('ganeti-state', 'absent', inventory.cluster.fqdn, inventory.master.fqdn, fqdn)},
							timeoutMs: 30 * 60_000,
						},
					],
		);
	},
};
