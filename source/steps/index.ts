// The wizard's steps, in the order the seed document took them.
import {clusterStep} from './cluster.js';
import {dhcpStep} from './dhcp.js';
import {dnsStep} from './dns.js';
import {hostStep} from './host.js';
import {instancesStep} from './instances.js';
import {networkStep} from './network.js';
import {preflightStep} from './preflight.js';
import type {StepDefinition} from './step.js';

export const allSteps: StepDefinition[] = [preflightStep, hostStep, networkStep, dnsStep, dhcpStep, clusterStep, instancesStep];
