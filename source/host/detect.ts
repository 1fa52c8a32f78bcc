// What the wizard can find out about this host by itself, to offer as default
// answers: interfaces, disks, hostname, resolvers and private ranges nobody uses.
// Read-only, and only through the Host adapter; a rehearsal host has no
// processes, so there detection yields little and recipe values fill the gaps.
import {fromInt, isIpv4, isIpv4Cidr, overlaps, toInt} from '../inventory/addresses.js';
import {parseNameservers, probeResolver} from './facts.js';
import type {HostFacts} from '../steps/step.js';
import type {Host} from './host.js';

export type DetectedInterface = {
	name: string;
	/** IPv4 addresses in CIDR form (10.0.0.5/24). */
	addresses: string[];
	kind: 'loopback' | 'bridge' | 'physical' | 'virtual';
	up: boolean;
	/** The default route leaves through it. */
	defaultRoute: boolean;
};

export type DetectedPartition = {
	name: string;
	path: string;
	sizeBytes: number;
	fstype: string | null;
	mountpoints: string[];
};

export type DetectedDisk = {
	name: string;
	path: string;
	sizeBytes: number;
	fstype: string | null;
	mountpoints: string[];
	partitions: DetectedPartition[];
	/** Why choosing this disk would destroy something (null: it looks empty). */
	inUse: string | null;
};

export type DetectedVolumeGroup = {name: string; sizeBytes: number; freeBytes: number};

export type Detected = {
	hostname: string | null;
	interfaces: DetectedInterface[];
	disks: DetectedDisk[];
	volumeGroups: DetectedVolumeGroup[];
	/** The upstream name servers (systemd-resolved's when resolv.conf is its stub). */
	resolvers: string[];
	/** Networks in use on this host (interface networks and route destinations). */
	usedNetworks: string[];
	/** Private ranges that overlap nothing in use, best first. */
	freeRanges: string[];
	/**
	 * The host the site is for, as preflight's refusals see it (probeHostFacts),
	 * so each answer meets the same refusals at its question; `look` adds
	 * whether a file an answer names (an ISO) exists to `facts.files`;
	 * `lookZone` sets `facts.publicZone` to what the host's resolvers say of a
	 * zone (probePublicZone; `own`: the private name server's addresses).
	 */
	host?: {facts: HostFacts; look: (path: string) => Promise<void>; lookZone?: (zone: {name: string; own: string[]}) => Promise<void>};
};

export const nothingDetected: Detected = {
	hostname: null,
	interfaces: [],
	disks: [],
	volumeGroups: [],
	resolvers: [],
	usedNetworks: [],
	freeRanges: freePrivateRanges([]),
};

export async function detectDefaults(host: Host): Promise<Detected> {
	const [hostname, interfaces, routes, disks, volumeGroups, resolvConf] = await Promise.all([
		detectHostname(host),
		detectInterfaces(host),
		probeJson(host, ['ip', '-j', '-4', 'route', 'show', 'table', 'all']),
		probeJson(host, ['lsblk', '-J', '-b', '-o', 'NAME,PATH,SIZE,TYPE,MOUNTPOINTS,FSTYPE,PKNAME']),
		probeJson(host, ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_size,vg_free']),
		probeResolver(host),
	]);
	const routeList = parseRoutes(routes);
	for (const item of interfaces) item.defaultRoute = routeList.some(route => route.default && route.dev === item.name);
	const usedNetworks = [
		...new Set([...interfaces.flatMap(item => item.addresses.map(networkOf)), ...routeList.flatMap(route => (route.default ? [] : [route.dst]))]),
	];
	return {
		hostname,
		interfaces,
		disks: await withSignatures(host, parseLsblk(disks)),
		volumeGroups: parseVgs(volumeGroups),
		resolvers: resolvConf.upstream,
		usedNetworks,
		freeRanges: freePrivateRanges(usedNetworks),
	};
}

async function detectHostname(host: Host): Promise<string | null> {
	// The kernel's name is what this UTS namespace really uses; /etc/hostname may lag.
	const text = (await host.readFile('/proc/sys/kernel/hostname')) ?? (await host.readFile('/etc/hostname'));
	const name = text?.trim().split('.')[0];
	return name ? name : null;
}

async function detectInterfaces(host: Host): Promise<DetectedInterface[]> {
	const names = (await host.list('/sys/class/net')).sort();
	const addresses = parseIpAddr(await probeJson(host, ['ip', '-j', 'addr']));
	const result: DetectedInterface[] = [];
	const seen = new Set<string>();
	for (const name of names) {
		const entries = await host.list(`/sys/class/net/${name}`);
		const known = addresses.get(name);
		const kind = name === 'lo' || known?.loopback ? 'loopback' : entries.includes('bridge') ? 'bridge' : entries.includes('device') ? 'physical' : 'virtual';
		result.push({name, addresses: known?.addresses ?? [], kind, up: known?.up ?? false, defaultRoute: false});
		seen.add(name);
	}
	// /sys may be unreadable (a rehearsal root); `ip` still knows the interfaces.
	for (const [name, known] of addresses) {
		if (seen.has(name)) continue;
		result.push({name, addresses: known.addresses, kind: known.loopback ? 'loopback' : 'virtual', up: known.up, defaultRoute: false});
	}
	return result;
}

async function probeJson(host: Host, argv: string[]): Promise<unknown> {
	const result = await host.probe(argv, {timeoutMs: 5000}).catch(() => null);
	if (!result || result.exitCode !== 0) return null;
	try {
		return JSON.parse(result.stdout) as unknown;
	} catch {
		return null;
	}
}

type IpAddrEntry = {addresses: string[]; up: boolean; loopback: boolean};

/** `ip -j addr` output -> IPv4 addresses (CIDR) per interface. */
export function parseIpAddr(data: unknown): Map<string, IpAddrEntry> {
	const result = new Map<string, IpAddrEntry>();
	if (!Array.isArray(data)) return result;
	for (const link of data as Array<Record<string, unknown>>) {
		if (typeof link.ifname !== 'string') continue;
		const flags = Array.isArray(link.flags) ? (link.flags as string[]) : [];
		const info = Array.isArray(link.addr_info) ? (link.addr_info as Array<Record<string, unknown>>) : [];
		const addresses = info
			.filter(entry => entry.family === 'inet' && typeof entry.local === 'string' && typeof entry.prefixlen === 'number')
			.map(entry => `${entry.local as string}/${entry.prefixlen as number}`);
		result.set(link.ifname, {addresses, up: flags.includes('UP'), loopback: flags.includes('LOOPBACK')});
	}
	return result;
}

type Route = {dst: string; dev: string | null; default: boolean};

/** `ip -j -4 route` output -> destinations as CIDRs (host routes become /32). */
export function parseRoutes(data: unknown): Route[] {
	if (!Array.isArray(data)) return [];
	const routes: Route[] = [];
	for (const entry of data as Array<Record<string, unknown>>) {
		const dst = entry.dst;
		if (typeof dst !== 'string') continue;
		const dev = typeof entry.dev === 'string' ? entry.dev : null;
		if (dst === 'default' || dst === '0.0.0.0/0') {
			routes.push({dst: '0.0.0.0/0', dev, default: true});
			continue;
		}
		const cidr = dst.includes('/') ? dst : `${dst}/32`;
		if (isIpv4Cidr(cidr)) routes.push({dst: cidr, dev, default: false});
	}
	return routes;
}

type LsblkDevice = {
	name?: unknown;
	path?: unknown;
	size?: unknown;
	type?: unknown;
	mountpoints?: unknown;
	fstype?: unknown;
	pkname?: unknown;
	children?: unknown;
};

/**
 * `lsblk -J -b -o NAME,PATH,SIZE,TYPE,MOUNTPOINTS,FSTYPE,PKNAME` -> whole disks
 * with what is on them. `types`: which device types count as disks.
 */
export function parseLsblk(data: unknown, types: readonly string[] = ['disk']): DetectedDisk[] {
	const top = (data as {blockdevices?: unknown} | null)?.blockdevices;
	if (!Array.isArray(top)) return [];
	// lsblk nests children unless asked for a list; flatten, keeping each parent name.
	const flat: Array<{device: LsblkDevice; parent: string | null}> = [];
	const walk = (devices: LsblkDevice[], parent: string | null) => {
		for (const device of devices) {
			flat.push({device, parent: typeof device.pkname === 'string' ? device.pkname : parent});
			if (Array.isArray(device.children)) walk(device.children as LsblkDevice[], String(device.name));
		}
	};
	walk(top as LsblkDevice[], null);

	const disks: DetectedDisk[] = [];
	for (const {device} of flat) {
		if (!types.includes(String(device.type)) || typeof device.name !== 'string') continue;
		const sizeBytes = Number(device.size ?? 0);
		// zram and empty card readers show up as disks of size 0: nothing to offer.
		if (!(sizeBytes > 0) || device.name.startsWith('zram')) continue;
		const descendants = flat.filter(entry => isDescendant(flat, entry, device.name as string));
		const partitions = descendants
			.filter(entry => entry.device.type === 'part')
			.map(entry => ({
				name: String(entry.device.name),
				path: typeof entry.device.path === 'string' ? entry.device.path : `/dev/${String(entry.device.name)}`,
				sizeBytes: Number(entry.device.size ?? 0),
				fstype: typeof entry.device.fstype === 'string' ? entry.device.fstype : null,
				mountpoints: mountpointsOf(entry.device),
			}));
		const disk: DetectedDisk = {
			name: device.name,
			path: typeof device.path === 'string' ? device.path : `/dev/${device.name}`,
			sizeBytes,
			fstype: typeof device.fstype === 'string' ? device.fstype : null,
			mountpoints: mountpointsOf(device),
			partitions,
			inUse: null,
		};
		disk.inUse = inUseReason(disk, descendants.map(entry => entry.device));
		disks.push(disk);
	}
	return disks;
}

function isDescendant(flat: Array<{device: LsblkDevice; parent: string | null}>, entry: {parent: string | null}, ancestor: string): boolean {
	let parent = entry.parent;
	for (let depth = 0; parent && depth < 8; depth++) {
		if (parent === ancestor) return true;
		parent = flat.find(candidate => candidate.device.name === parent)?.parent ?? null;
	}
	return false;
}

function mountpointsOf(device: LsblkDevice): string[] {
	return Array.isArray(device.mountpoints) ? (device.mountpoints as unknown[]).filter((value): value is string => typeof value === 'string') : [];
}

function inUseReason(disk: DetectedDisk, descendants: LsblkDevice[]): string | null {
	const mounts = [...disk.mountpoints, ...descendants.flatMap(mountpointsOf)];
	if (mounts.length > 0) return `mounted on ${mounts.join(', ')}`;
	if (disk.fstype) return `holds ${disk.fstype} data`;
	if (disk.partitions.length > 0) return `has ${disk.partitions.length} partition${disk.partitions.length > 1 ? 's' : ''}`;
	if (descendants.length > 0) return 'is used by other devices';
	return null;
}

/**
 * lsblk knows file systems only from udev's database, which containers and
 * minimal hosts lack: a disk that looks free is asked directly (blkid -p reads
 * the signatures on it) whether it holds a file system, an LVM physical volume
 * or a partition table.
 */
export async function withSignatures(host: Host, disks: DetectedDisk[]): Promise<DetectedDisk[]> {
	return Promise.all(
		disks.map(async disk => {
			if (disk.inUse) return disk;
			const result = await host.probe(['blkid', '-p', '-o', 'export', disk.path], {timeoutMs: 5000}).catch(() => null);
			const found = result?.exitCode === 0 ? signatureOf(result.stdout) : null;
			return found ? {...disk, inUse: found} : disk;
		}),
	);
}

/** `blkid -p -o export` output -> why the device is in use (null: no signature). */
export function signatureOf(text: string): string | null {
	const fields = new Map(text.split('\n').flatMap(line => {
		const at = line.indexOf('=');
		return at > 0 ? [[line.slice(0, at), line.slice(at + 1)] as const] : [];
	}));
	const type = fields.get('TYPE');
	if (type) return `holds ${type} data`;
	const table = fields.get('PTTYPE');
	if (table) return `has a ${table} partition table`;
	return null;
}

export function parseVgs(data: unknown): DetectedVolumeGroup[] {
	const report = (data as {report?: Array<{vg?: unknown}>} | null)?.report?.[0]?.vg;
	if (!Array.isArray(report)) return [];
	return (report as Array<Record<string, unknown>>)
		.filter(entry => typeof entry.vg_name === 'string')
		.map(entry => ({name: entry.vg_name as string, sizeBytes: Number(entry.vg_size ?? 0), freeBytes: Number(entry.vg_free ?? 0)}));
}

/** The IPv4 name servers of a resolv.conf (the parser the steps' facts use). */
export const parseResolvConf = (text: string): string[] => parseNameservers(text);

function networkOf(addressCidr: string): string {
	const [address, prefix] = addressCidr.split('/');
	const bits = Number(prefix);
	const hostBits = 2 ** (32 - bits);
	return `${fromInt(toInt(address!) - (toInt(address!) % hostBits))}/${bits}`;
}

/**
 * Private ranges to offer for the wizard's networks, none overlapping a network
 * in use: 10.x.0.0/16 first (room for a nodes and a VM /24 and more), then
 * 172.16-31.x.0/16, then 192.168.x.0/24. A few candidates, not an inventory.
 */
export function freePrivateRanges(used: string[], count = 5): string[] {
	const candidates = [
		...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200].map(second => `10.${second}.0.0/16`),
		...Array.from({length: 16}, (_, index) => `172.${16 + index}.0.0/16`),
		...Array.from({length: 20}, (_, index) => `192.168.${100 + index}.0/24`),
	];
	const free = candidates.filter(candidate => !used.some(network => isIpv4Cidr(network) && overlaps(candidate, network)));
	return free.slice(0, count);
}

/** The first IPv4 address (without prefix) an interface carries, if any. */
export function firstAddress(item: DetectedInterface | undefined): string | undefined {
	return item?.addresses[0]?.split('/')[0];
}

/** Whether an address is already taken by this host's interfaces. */
export function addressInUse(detected: Detected, address: string): boolean {
	return detected.interfaces.some(item => item.addresses.some(cidr => cidr.split('/')[0] === address));
}

export function inUsedNetwork(detected: Detected, cidr: string): string | undefined {
	if (!isIpv4Cidr(cidr)) return undefined;
	return detected.usedNetworks.find(network => isIpv4Cidr(network) && overlaps(cidr, network));
}
