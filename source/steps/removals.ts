// Removals: instances the operator removed from the site (`vm remove`) are
// taken out of Ganeti before the zones and dhcpd.conf are rewritten without
// them, so a removal that fails leaves the VM with its name and its lease.
// Ganeti's config.data says whether one is still there (the daemons need not
// run), so a second apply removes nothing.
import type {Action} from '../actions/action.js';
import type {Inventory} from '../inventory/inventory.js';
import {program} from './programs.js';
import type {StepDefinition} from './step.js';

export const removalsStep: StepDefinition = {
	id: 'removals',
	title: 'Instances removed from the site',
	requires: ['preflight'],
	plan(inventory: Inventory): Action[] {
		return inventory.removals.map(fqdn => ({
			kind: 'command',
			id: `removals.${fqdn}`,
			title: `remove instance ${fqdn} and its disks (gnt-instance remove)`,
			// --force: Ganeti's own confirmation prompt; the operator confirmed with vm remove.
			argv: ['gnt-instance', 'remove', '--force', fqdn],
			satisfiedWhen: {argv: program('ganeti-state', 'absent', inventory.cluster.fqdn, inventory.node.fqdn, fqdn)},
			timeoutMs: 30 * 60_000,
		}));
	},
};
