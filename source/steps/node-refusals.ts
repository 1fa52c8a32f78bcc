// What stops a node from joining the site, read on the node before any change:
// it belongs to another Ganeti cluster, or it cannot hold its part of the site
// (the same refusals as the master's: its interfaces, ifupdown files, private
// range and volume groups). One line each, naming the field and the fix.
import type {Inventory} from '../inventory/inventory.js';
import {refusals} from './refusals.js';
import type {HostFacts} from './step.js';

/** Where every Ganeti node keeps the name of its cluster (ssconf, written by node-daemon-setup). */
export const ssconfClusterNamePath = '/var/lib/ganeti/ssconf_cluster_name';

/**
 * Problems of the node the inventory is built for, from its host facts and its
 * ssconf cluster name (null: none). A node of this site's own cluster (a
 * resumed node add) is fine.
 */
export function nodeRefusals(inventory: Inventory, facts: HostFacts, ssconfClusterName: string | null): string[] {
	const ours = inventory.cluster.fqdn;
	const theirs = [facts.cluster?.name, ssconfClusterName?.trim()].find(name => name && name !== ours);
	const problems = theirs
		? [`already belongs to the Ganeti cluster ${theirs} (${ssconfClusterName ? ssconfClusterNamePath : '/var/lib/ganeti/config.data'}); remove it there first (gnt-node remove on that cluster's master), or add another node`]
		: [];
	return [...problems, ...refusals(inventory, facts)];
}
