// The wizard's steps, in the order the seed document took them; removals of
// instances come before the zones and dhcpd.conf are rewritten without them.
import {clusterStep} from './cluster.js';
import {dhcpStep} from './dhcp.js';
import {dnsStep} from './dns.js';
import {hostStep} from './host.js';
import {instancesStep} from './instances.js';
import {networkStep} from './network.js';
import {preflightStep} from './preflight.js';
import {removalsStep} from './removals.js';
import type {Inventory} from '../inventory/inventory.js';
import type {StepDefinition} from './step.js';

export const allSteps: StepDefinition[] = [preflightStep, removalsStep, hostStep, networkStep, dnsStep, dhcpStep, clusterStep, instancesStep];

/**
 * The steps of a site: the removals step only once vm remove asked for one
 * (otherwise it would be an empty step in every plan, status and screen).
 */
export function siteSteps(inventory: Inventory): StepDefinition[] {
	return inventory.removals.length > 0 ? allSteps : allSteps.filter(step => step !== removalsStep);
}
