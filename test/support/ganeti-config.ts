// A config.data as Ganeti itself writes it (its objects and serializer, run by
// ganeti-config.py), for the tests of what the wizard reads from it.
import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

const script = fileURLToPath(new URL('ganeti-config.py', import.meta.url));
/** Ganeti's library runs under Debian's python3 (its python3-openssl), whatever python3 PATH finds. */
export const debianPython = '/usr/bin/python3';
/** What ganetiConfig needs, for need(): the ganeti package brings its library and Debian's python3. */
export const ganetiConfigRequirements = ['gnt-cluster'];

/** Hypervisor parameters by hypervisor (the cluster's) or by instance FQDN (each instance's own). */
type GroupedParameters = Record<string, Record<string, string | number | boolean>>;

/**
 * config.data of cluster `name` with `ipolicy` filled over Ganeti's defaults
 * (as init does), these instances and, when given, the cluster's DRBD usermode
 * helper, its hypervisor parameters (each hypervisor's filled over Ganeti's
 * defaults, as init does) and instances' own hypervisor parameters.
 */
export function ganetiConfig(
	name: string,
	ipolicy: Record<string, unknown> = {},
	instances: string[] = [],
	options: {drbdUsermodeHelper?: string; hvparams?: GroupedParameters; instanceHvparams?: GroupedParameters} = {},
): string {
	const flags = [
		...(options.drbdUsermodeHelper === undefined ? [] : [`--drbd-usermode-helper=${options.drbdUsermodeHelper}`]),
		...(options.hvparams ? [`--hvparams=${JSON.stringify(options.hvparams)}`] : []),
		...(options.instanceHvparams ? [`--instance-hvparams=${JSON.stringify(options.instanceHvparams)}`] : []),
	];
	return execFileSync(debianPython, [script, name, JSON.stringify(ipolicy), ...flags, ...instances], {encoding: 'utf8'});
}
