// Probes what steps need to know about the host, through the adapter only.
// Everything here is read-only; in a rehearsal, command-based facts are null.
import type {Inventory} from '../inventory/inventory.js';
import type {Facts, StepDefinition} from '../steps/step.js';
import type {Host} from './host.js';
import {isLoopback} from '../inventory/addresses.js';

/** The facts a step plans from, read through the host (plan, apply, status alike). */
export async function probeFacts(host: Host, inventory: Inventory, step: StepDefinition, serials: Record<string, number>, now = new Date()): Promise<Facts> {
	const files: Record<string, string | null> = {};
	for (const path of step.reads?.(inventory) ?? []) files[path] = await host.readFile(path);
	const committed: Record<string, string | null> = {};
	for (const path of step.readsCommitted?.(inventory) ?? []) committed[path] = await readCommitted(host, path);
	const [interfaces, volumeGroups] = await Promise.all([probeInterfaces(host), probeVolumeGroups(host)]);
	return {
		files,
		committed,
		resolvers: parseResolvers(await host.readFile('/etc/resolv.conf'), inventory),
		interfaces,
		volumeGroups,
		packages: null,
		serials,
		now,
	};
}

/** Name servers of resolv.conf, less the wizard's own and loopback ones. */
export function parseResolvers(text: string | null, inventory: Inventory): string[] {
	const own = new Set([inventory.node.address, inventory.gateway.address]);
	return (text ?? '')
		.split('\n')
		.map(line => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
		.filter((address): address is string => Boolean(address) && !own.has(address!) && !isLoopback(address!) && !address!.includes(':'));
}

/** The content at git's HEAD: null when not committed (or git cannot be asked). */
export async function readCommitted(host: Host, path: string): Promise<string | null> {
	const slash = path.lastIndexOf('/');
	const directory = path.slice(0, slash) || '/';
	const result = await host.probe(['git', '-C', directory, 'show', `HEAD:./${path.slice(slash + 1)}`]);
	return result?.exitCode === 0 ? result.stdout : null;
}

async function probeInterfaces(host: Host): Promise<Facts['interfaces']> {
	const result = await host.probe(['ip', '-j', '-4', 'addr', 'show']);
	if (!result || result.exitCode !== 0) return null;
	const links = JSON.parse(result.stdout) as Array<{ifname: string; addr_info?: Array<{local: string}>}>;
	return links.map(link => ({name: link.ifname, addresses: (link.addr_info ?? []).map(info => info.local)}));
}

async function probeVolumeGroups(host: Host): Promise<Facts['volumeGroups']> {
	const result = await host.probe(['vgs', '--noheadings', '--units', 'b', '--nosuffix', '--separator', ':', '-o', 'vg_name,vg_size,vg_free']);
	if (!result || result.exitCode !== 0) return null;
	return result.stdout
		.split('\n')
		.map(line => line.trim().split(':'))
		.filter(fields => fields.length === 3)
		.map(([name, size, free]) => ({name: name!, sizeBytes: Number(size), freeBytes: Number(free)}));
}
