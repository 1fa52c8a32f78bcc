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
import type {StepDefinition} from './step.js';

export const allSteps: StepDefinition[] = [preflightStep, removalsStep, hostStep, networkStep, dnsStep, dhcpStep, clusterStep, instancesStep];
