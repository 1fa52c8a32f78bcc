// What the host holds about the site's VMs, probed read-only through the host
// interface and parsed here only: Ganeti's instances with their NICs and
// states, the A and PTR records of the private zones (as on disk and as last
// committed), and dhcpd's host entries. `vm list` and `doctor` read the same.
import type {Host} from '../host/host.js';
import {readCommitted} from '../host/facts.js';
import type {Inventory} from '../inventory/inventory.js';
import {parseDhcpHosts, type DhcpHost} from '../render/dhcpd.js';
import {findSerial} from '../render/serial.js';
import {parseARecords, parsePtrRecords, type ARecord, type PtrRecord} from '../render/zone-records.js';
import {zoneFiles} from '../render/zones.js';
import {dhcpdIncludePath} from '../render/dhcpd.js';

/** One instance as Ganeti lists it. */
export type GanetiInstance = {
	/** Ganeti's instance name: the FQDN, e.g. "rodo1.osm.vm.farm". */
	name: string;
	/** Ganeti's admin_state: "up", "down" or "offline". */
	adminState: string;
	/** Ganeti's oper_state: whether the hypervisor runs it; null when Ganeti could not ask the node. */
	running: boolean | null;
	/** Ganeti's status: "running", "ADMIN_down", "ERROR_down", ... */
	status: string;
	/** nic.macs, in NIC order. */
	macs: string[];
	/** nic.ips, in NIC order; null for a NIC without an IP in Ganeti's config. */
	ips: Array<string | null>;
	/** pnode: the primary node's name. */
	primaryNode: string;
	/** os: the OS definition, e.g. "noop+default". */
	os: string;
	/** disk_template: "plain", "file", ... */
	diskTemplate: string;
	/** disk.sizes in MiB, in disk order. */
	diskSizesMiB: number[];
	/** be/memory (the maximum memory) in MiB. */
	memoryMiB: number;
	/** be/vcpus. */
	vcpus: number;
};

/**
 * The fields asked of `gnt-instance list` (Ganeti 3.0's names, see
 * `gnt-instance list-fields`); `|` never occurs in any of them.
 */
export const instanceFields = ['name', 'admin_state', 'oper_state', 'status', 'nic.macs', 'nic.ips', 'pnode', 'os', 'disk_template', 'disk.sizes', 'be/memory', 'be/vcpus'] as const;
/** Sizes in MiB without a suffix (--units=m), whatever the locale or the default. */
export const instanceListArgv = ['gnt-instance', 'list', '--no-headers', '--units=m', '--separator=|', '-o', instanceFields.join(',')];

/**
 * Parses `gnt-instance list --no-headers --separator=| -o <instanceFields>`.
 * Ganeti prints booleans as Y/N, lists comma-joined, a missing IP as "None",
 * and "*" or "(unavail)"-style markers where a node could not be asked (then
 * `running` is null). Throws on a line with another number of fields.
 */
export function parseInstanceList(stdout: string): GanetiInstance[] {
	return stdout
		.split('\n')
		.filter(line => line.trim() !== '')
		.map(line => {
			const fields = line.split('|');
			if (fields.length !== instanceFields.length) throw new Error(`gnt-instance list printed a line with ${fields.length} fields instead of ${instanceFields.length}: ${line}`);
			const [name, adminState, operState, status, macs, ips, primaryNode, os, diskTemplate, diskSizes, memory, vcpus] = fields.map(field => field.trim()) as string[] as [string, string, string, string, string, string, string, string, string, string, string, string];
			const list = (text: string): string[] => (text === '' ? [] : text.split(','));
			const number = (text: string): number => (/^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text)) : Number.NaN);
			return {
				name,
				adminState,
				running: operState === 'Y' ? true : operState === 'N' ? false : null,
				status,
				macs: list(macs).map(mac => mac.toLowerCase()),
				ips: list(ips).map(ip => (ip === 'None' || ip === '' ? null : ip)),
				primaryNode,
				os,
				diskTemplate,
				diskSizesMiB: list(diskSizes).map(number),
				memoryMiB: number(memory),
				vcpus: number(vcpus),
			};
		});
}

export type ZoneFacts = {
	name: string;
	path: string;
	/** The file now (null: absent). */
	text: string | null;
	/** The file at git's HEAD in its directory (null: not committed, or no git). */
	committed: string | null;
};

export type VmFacts = {
	/** Ganeti's instances; null when Ganeti cannot be asked (a rehearsal, a node without its daemons). */
	ganeti: GanetiInstance[] | null;
	/** Why Ganeti could not be asked, when `ganeti` is null. */
	ganetiProblem?: string;
	forward: ZoneFacts;
	reverse: ZoneFacts[];
	aRecords: ARecord[];
	ptrRecords: PtrRecord[];
	/** The host entries of the wizard's dhcpd include (empty when it is absent). */
	dhcpHosts: DhcpHost[];
	dhcpdConf: {path: string; present: boolean};
};

/** Reads every fact about the site's VMs through `host`; writes nothing. */
export async function readVmFacts(host: Host, inventory: Inventory): Promise<VmFacts> {
	const files = zoneFiles(inventory);
	const zone = async (name: string, path: string): Promise<ZoneFacts> => ({name, path, text: await host.readFile(path), committed: await readCommitted(host, path)});
	const forward = await zone(files.forward.name, files.forward.path);
	const reverse: ZoneFacts[] = [];
	for (const entry of files.reverse) reverse.push(await zone(entry.zone.name, entry.path));
	// The wizard's own file: host entries someone else keeps in dhcpd.conf are theirs, no drift of the site's.
	const dhcpd = await host.readFile(dhcpdIncludePath);
	const listed = await host.probe(instanceListArgv);
	const ganeti = listed && listed.exitCode === 0 ? parseInstanceList(listed.stdout) : null;
	const ganetiProblem = !listed ? 'Ganeti is not asked in a rehearsal' : listed.exitCode !== 0 ? `${instanceListArgv.slice(0, 3).join(' ')} exited ${listed.exitCode}: ${(listed.stderr || listed.stdout).trim().split('\n')[0] ?? ''}` : undefined;
	return {
		ganeti,
		...(ganetiProblem ? {ganetiProblem} : {}),
		forward,
		reverse,
		aRecords: parseARecords(forward.text ?? '', forward.name),
		ptrRecords: reverse.flatMap(entry => parsePtrRecords(entry.text ?? '', entry.name)),
		dhcpHosts: parseDhcpHosts(dhcpd ?? ''),
		dhcpdConf: {path: dhcpdIncludePath, present: dhcpd !== null},
	};
}

/** A zone file's serial, or null when it has no SOA the wizard can read. */
export function zoneSerial(text: string | null): number | null {
	return text === null ? null : (findSerial(text)?.serial ?? null);
}
