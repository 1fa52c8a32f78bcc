// The wizard's steps, in the order the seed document took them; removals of
// instances come before the zones and dhcpd.conf are rewritten without them;
// routing between nodes follows the network it routes.
import {clusterStep} from './cluster.js';
import {dhcpStep} from './dhcp.js';
import {dnsStep} from './dns.js';
import {hostStep} from './host.js';
import {instancesStep} from './instances.js';
import {networkStep} from './network.js';
import {preflightStep} from './preflight.js';
import {removalsStep} from './removals.js';
import {routesBetweenNodes, routingStep} from './routing.js';
import type {Inventory} from '../inventory/inventory.js';
import type {StepDefinition} from './step.js';

export const allSteps: StepDefinition[] = [preflightStep, removalsStep, hostStep, networkStep, routingStep, dnsStep, dhcpStep, clusterStep, instancesStep];

/**
 * The steps of a site: the removals step only once vm remove asked for one,
 * the routing step only when the recipe asks for routing (otherwise each
 * would be an empty step in every plan, status and screen).
 */
export function siteSteps(inventory: Inventory): StepDefinition[] {
	return allSteps.filter(step => (step !== removalsStep || inventory.removals.length > 0) && (step !== routingStep || routesBetweenNodes(inventory)));
}
