// The wizard's steps, in the order the seed document took them; removals of
// instances come before the zones and dhcpd.conf are rewritten without them;
// routing between nodes follows the network it routes.
import {clusterStep} from './cluster.js';
import {dhcpStep} from './dhcp.js';
import {dnsStep} from './dns.js';
import {hostStep} from './host.js';
import {instancesStep} from './instances.js';
import {networkStep} from './network.js';
import {nodesStep} from './nodes.js';
import {preflightStep} from './preflight.js';
import {removalsStep} from './removals.js';
import {routesBetweenNodes, routingStep} from './routing.js';
import type {Inventory} from '../inventory/inventory.js';
import {onMaster} from './roles.js';
import type {StepDefinition} from './step.js';

export const allSteps: StepDefinition[] = [preflightStep, removalsStep, hostStep, networkStep, routingStep, dnsStep, dhcpStep, clusterStep, nodesStep, instancesStep];

/**
 * The steps of a site on one of its nodes: the removals step only once vm
 * remove asked for one, the routing step only when the recipe asks for
 * routing, and the nodes step only in a site of several nodes (otherwise each
 * would be an empty step in every plan, status and screen). Removals and
 * instances are the master's: Ganeti's commands run there.
 */
export function siteSteps(inventory: Inventory): StepDefinition[] {
	const master = onMaster(inventory);
	return allSteps.filter(step => {
		if (step === removalsStep) return master && inventory.removals.length > 0;
		if (step === routingStep) return routesBetweenNodes(inventory);
		if (step === nodesStep) return inventory.nodes.length > 1;
		if (step === instancesStep) return master;
		return true;
	});
}
