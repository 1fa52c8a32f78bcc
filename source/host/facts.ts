// Probes what steps need to know about the host, through the adapter only.
// Everything here is read-only; in a rehearsal, command-based facts are null.
import type {Inventory} from '../inventory/inventory.js';
import type {ClusterFacts, Facts, HostFacts, StepDefinition} from '../steps/step.js';
import type {Host} from './host.js';
import {isIpv4, isLoopback} from '../inventory/addresses.js';
import {interfacesPath} from '../render/interfaces.js';
import {parseResolvConf} from './detect.js';

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
async function readCommitted(host: Host, path: string): Promise<string | null> {
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
	return parseVgsColumns(result.stdout);
}

/** `vgs --noheadings --units b --nosuffix --separator : -o vg_name,vg_size,vg_free` -> sizes in bytes. */
export function parseVgsColumns(text: string): NonNullable<Facts['volumeGroups']> {
	return text
		.split('\n')
		.map(line => line.trim().split(':'))
		.filter(fields => fields.length === 3)
		.map(([name, size, free]) => ({name: name!, sizeBytes: Number(size), freeBytes: Number(free)}));
}

/** Where Ganeti keeps the cluster's configuration (Ganeti 3.0 pathutils.CLUSTER_CONF_FILE). */
export const ganetiConfigPath = '/var/lib/ganeti/config.data';
/** systemd-resolved's list of the upstream servers, when /etc/resolv.conf points at its stub. */
const resolvedUpstreamPath = '/run/systemd/resolve/resolv.conf';
const interfacesDirectory = '/etc/network/interfaces.d';

/**
 * What the host is, for the refusals made before any change: interfaces (by
 * /sys/class/net, so a rehearsal root can hold them), their addresses, the
 * resolvers, the default gateways (/proc/net/route), volume groups, the
 * cluster (config.data: Ganeti's own record, readable with its daemons down,
 * which `gnt-cluster info` shows from), ifupdown's files and the sizes of
 * `devices` (paths such as /dev/sdb). Read-only.
 */
export async function probeHostFacts(host: Host, devices: string[] = []): Promise<HostFacts> {
	const names = (await host.list('/sys/class/net')).sort();
	const [addresses, volumeGroups, routes, config] = await Promise.all([
		host.probe(['ip', '-j', '-4', 'addr', 'show']).catch(() => null),
		probeVolumeGroups(host).catch(() => null),
		host.readFile('/proc/net/route'),
		host.readFile(ganetiConfigPath),
	]);
	const resolvers: HostFacts['resolvers'] = [];
	for (const file of ['/etc/resolv.conf', resolvedUpstreamPath]) {
		const text = await host.readFile(file);
		for (const address of text === null ? [] : parseResolvConf(text)) resolvers.push({address, file});
	}
	const interfaceFiles: HostFacts['interfaceFiles'] = [];
	// `source /etc/network/interfaces.d/*` is a shell glob: hidden files (the wizard's own candidates among them) are never read.
	const included = (await host.list(interfacesDirectory)).filter(name => !name.startsWith('.')).sort();
	for (const path of [interfacesPath, ...included.map(name => `${interfacesDirectory}/${name}`)]) {
		const text = await host.readFile(path).catch(() => null);
		if (text !== null) interfaceFiles.push({path, text});
	}
	const deviceBytes: HostFacts['deviceBytes'] = {};
	for (const device of devices) {
		// /dev/NAME only: a /dev/disk/by-id link names no /sys/class/block entry.
		const name = /^\/dev\/([A-Za-z0-9_.-]+)$/.exec(device)?.[1];
		const sectors = name ? await host.readFile(`/sys/class/block/${name}/size`) : null;
		// The kernel counts 512-byte sectors, whatever the device's own sector size.
		if (sectors !== null && /^\d+\s*$/.test(sectors)) deviceBytes[device] = Number(sectors.trim()) * 512;
	}
	const parsedAddresses = addresses?.exitCode === 0 ? parseIpAddresses(addresses.stdout) : null;
	return {
		// A rehearsal root without /sys/class/net tells nothing; `ip` still knows them on a real host.
		interfaces: names.length > 0 ? names : parsedAddresses ? [...new Set(parsedAddresses.map(entry => entry.interface))].sort() : null,
		addresses: parsedAddresses,
		resolvers,
		defaultGateways: routes === null ? null : parseDefaultGateways(routes),
		volumeGroups,
		deviceBytes,
		cluster: config === null ? null : parseGanetiConfig(config),
		interfaceFiles,
	};
}

/** `ip -j -4 addr show` -> every IPv4 address with its interface. */
export function parseIpAddresses(json: string): NonNullable<HostFacts['addresses']> {
	let links: unknown;
	try {
		links = JSON.parse(json);
	} catch {
		return [];
	}
	if (!Array.isArray(links)) return [];
	return (links as Array<{ifname?: unknown; addr_info?: Array<{family?: unknown; local?: unknown}>}>).flatMap(link =>
		typeof link.ifname !== 'string'
			? []
			: (link.addr_info ?? []).filter(info => info.family === 'inet' && typeof info.local === 'string').map(info => ({interface: link.ifname as string, address: info.local as string})),
	);
}

/**
 * /proc/net/route -> the gateways of its default routes. The kernel prints
 * each address as a 32-bit number in host byte order (little-endian here), so
 * "010200C0" is 192.0.2.1.
 */
export function parseDefaultGateways(text: string): string[] {
	const gateways: string[] = [];
	for (const line of text.split('\n').slice(1)) {
		const [, destination, gateway, , , , , mask] = line.trim().split(/\s+/);
		if (destination !== '00000000' || mask !== '00000000' || !gateway || !/^[0-9A-Fa-f]{8}$/.test(gateway) || gateway === '00000000') continue;
		const bytes = gateway.match(/../g)!.map(pair => Number.parseInt(pair, 16)).reverse();
		const address = bytes.join('.');
		if (isIpv4(address) && !gateways.includes(address)) gateways.push(address);
	}
	return gateways;
}

/**
 * Ganeti's config.data (JSON) -> the cluster's name, instance policy and
 * instances; null when it is not a cluster configuration. Instances are keyed
 * by UUID with a name field in Ganeti 2.13 and later, by name before.
 */
export function parseGanetiConfig(text: string): ClusterFacts | null {
	let data: {cluster?: {cluster_name?: unknown; ipolicy?: {minmax?: unknown; 'disk-templates'?: unknown}}; instances?: Record<string, {name?: unknown}>};
	try {
		data = JSON.parse(text) as typeof data;
	} catch {
		return null;
	}
	const cluster = data?.cluster;
	if (!cluster || typeof cluster.cluster_name !== 'string') return null;
	const ipolicy = cluster.ipolicy ?? {};
	const numbers = (value: unknown): Record<string, number> =>
		Object.fromEntries(Object.entries(value && typeof value === 'object' ? value : {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
	const minmax = Array.isArray(ipolicy.minmax) ? (ipolicy.minmax as Array<{min?: unknown; max?: unknown}>).map(pair => ({min: numbers(pair.min), max: numbers(pair.max)})) : [];
	// A set to Ganeti (init stores an intersection in no particular order): sorted here.
	const diskTemplates = Array.isArray(ipolicy['disk-templates']) ? (ipolicy['disk-templates'] as unknown[]).filter((name): name is string => typeof name === 'string').sort() : [];
	const instances = Object.entries(data.instances ?? {}).map(([key, instance]) => (typeof instance?.name === 'string' ? instance.name : key));
	return {name: cluster.cluster_name, policy: {minmax, diskTemplates}, instances};
}
