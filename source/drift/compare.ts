// The site's VMs as the site, Ganeti, bind and dhcpd each have them, compared:
// one row per VM for `vm list`, and every disagreement (drift) with the
// command that fixes it for `doctor`. Pure: facts in, rows and drifts out.
import type {Inventory, InventoryInstance} from '../inventory/inventory.js';
import {serialPlaceholder} from '../render/serial.js';
import {findSerial} from '../render/serial.js';
import type {GanetiInstance, VmFacts, ZoneFacts} from './facts.js';

/** How an entry compares: in place and right, absent, or present with other data. */
export type EntryState = 'ok' | 'missing' | 'differs' | 'off';

export type VmRow = {
	/** The site's name ("rodo1.osm"), or Ganeti's when the site does not list it. */
	name: string;
	fqdn: string;
	/** The address and MAC the site gives it (null when the site does not list it). */
	address: string | null;
	mac: string | null;
	inSite: boolean;
	/** Ganeti's view; null when Ganeti does not have it (or could not be asked: see `ganetiKnown`). */
	ganeti: {adminState: string; running: boolean | null; status: string; mac: string | null; node: string} | null;
	ganetiKnown: boolean;
	a: EntryState;
	ptr: EntryState;
	dhcp: EntryState;
	/**
	 * Site, Ganeti's NIC, the A and PTR records and the DHCP entry all agree:
	 * true, or false naming nothing; null when Ganeti could not be asked (a
	 * rehearsal) and everything else agrees, so nothing says they disagree.
	 */
	consistent: boolean | null;
};

export type DriftKind =
	| 'not-in-site'
	| 'not-in-ganeti'
	| 'nic-mac'
	| 'no-a'
	| 'a-differs'
	| 'no-ptr'
	| 'ptr-differs'
	| 'no-dhcp'
	| 'dhcp-mac'
	| 'dhcp-address'
	| 'stale-a'
	| 'stale-ptr'
	| 'stale-dhcp'
	| 'zone-serial';

export type Drift = {
	kind: DriftKind;
	/** The VM's FQDN, or the zone's name for a serial. */
	subject: string;
	/** What is wrong, in one sentence. */
	problem: string;
	/** The command that fixes it. */
	fix: string;
};

/** Commands the fixes name, with the operator's own --root/--state-dir. */
export type FixCommands = {apply: string; vmAdd: string; vmRemove: string};

type Expectation = {fqdn: string; address: string | null; mac: string | null};

function byName<T extends {name: string}>(items: T[]): Map<string, T> {
	return new Map(items.map(item => [item.name, item]));
}

/** The A record state of `fqdn` against `address`. */
function aState(facts: VmFacts, expected: Expectation): EntryState {
	const addresses = facts.aRecords.filter(record => record.fqdn === expected.fqdn).map(record => record.address);
	if (addresses.length === 0) return 'missing';
	return expected.address !== null && addresses.length === 1 && addresses[0] === expected.address ? 'ok' : 'differs';
}

function ptrState(facts: VmFacts, expected: Expectation): EntryState {
	if (expected.address === null) return facts.ptrRecords.some(record => record.fqdn === expected.fqdn) ? 'differs' : 'missing';
	const names = facts.ptrRecords.filter(record => record.address === expected.address).map(record => record.fqdn);
	if (names.length === 0) return 'missing';
	return names.length === 1 && names[0] === expected.fqdn ? 'ok' : 'differs';
}

function dhcpState(inventory: Inventory, facts: VmFacts, expected: Expectation): EntryState {
	if (!inventory.recipe.dhcp.enabled) return 'off';
	const entries = facts.dhcpHosts.filter(host => host.name === expected.fqdn);
	if (entries.length === 0) return 'missing';
	return entries.length === 1 && entries[0]!.mac === expected.mac && entries[0]!.address === expected.address ? 'ok' : 'differs';
}

/** The short name `vm add` takes for an FQDN in the VMs' domain (the FQDN itself otherwise). */
function shortName(inventory: Inventory, fqdn: string): string {
	const suffix = `.${inventory.vmsDomain}`;
	return fqdn.endsWith(suffix) ? fqdn.slice(0, -suffix.length) : fqdn;
}

/** Every VM of the site and of Ganeti, site order first, then Ganeti's others by name. */
/** What the parts that could be checked say, with Ganeti's listing when it was asked (VmRow.consistent). */
function consistency(othersAgree: boolean, ganetiKnown: boolean, listed: boolean): boolean | null {
	if (!othersAgree) return false;
	return ganetiKnown ? listed : null;
}

export function vmRows(inventory: Inventory, facts: VmFacts): VmRow[] {
	const ganeti = byName(facts.ganeti ?? []);
	const known = facts.ganeti !== null;
	const row = (name: string, fqdn: string, instance: InventoryInstance | undefined, listed: GanetiInstance | undefined): VmRow => {
		const mac = listed?.macs[0] ?? instance?.mac ?? null;
		const address = instance?.address ?? listed?.ips[0] ?? facts.aRecords.find(record => record.fqdn === fqdn)?.address ?? null;
		const expected = {fqdn, address, mac};
		const a = aState(facts, expected);
		const ptr = ptrState(facts, expected);
		const dhcp = dhcpState(inventory, facts, expected);
		const nicAgrees = !listed || !instance || ((listed.macs[0] ?? null) === instance.mac && (listed.ips[0] ?? instance.address) === instance.address);
		return {
			name,
			fqdn,
			address: instance?.address ?? null,
			mac: instance?.mac ?? null,
			inSite: Boolean(instance),
			ganeti: listed ? {adminState: listed.adminState, running: listed.running, status: listed.status, mac: listed.macs[0] ?? null, node: listed.primaryNode} : null,
			ganetiKnown: known,
			a,
			ptr,
			dhcp,
			consistent: consistency(Boolean(instance) && nicAgrees && a === 'ok' && ptr === 'ok' && (dhcp === 'ok' || dhcp === 'off'), known, Boolean(listed)),
		};
	};
	const rows = inventory.instances.map(instance => row(instance.name, instance.fqdn, instance, ganeti.get(instance.fqdn)));
	const ours = new Set(inventory.instances.map(instance => instance.fqdn));
	const others = [...ganeti.values()].filter(listed => !ours.has(listed.name)).sort((a, b) => a.name.localeCompare(b.name));
	for (const listed of others) rows.push(row(shortName(inventory, listed.name), listed.name, undefined, listed));
	return rows;
}

/** A zone's text with its serial replaced by the placeholder: what changes besides the serial. */
function withoutSerial(text: string): string {
	const found = findSerial(text);
	return found ? text.slice(0, found.index) + serialPlaceholder + text.slice(found.index + found.length) : text;
}

/** A zone whose records changed since its last commit while its serial did not rise. */
function serialDrift(zone: ZoneFacts, fixes: FixCommands): Drift | undefined {
	if (zone.text === null || zone.committed === null) return undefined;
	const now = findSerial(zone.text);
	const then = findSerial(zone.committed);
	if (!now || !then || withoutSerial(zone.text) === withoutSerial(zone.committed) || now.serial > then.serial) return undefined;
	return {
		kind: 'zone-serial',
		subject: zone.name,
		problem: `${zone.path} changed since its last commit but its serial stayed ${now.serial} (committed: ${then.serial}), so secondaries and caches keep the old records`,
		fix: fixes.apply,
	};
}

/**
 * What cannot be compared when Ganeti could not be asked (facts.ganeti null,
 * as in a rehearsal, which has no daemons): the drift kinds that need
 * Ganeti's instances and NICs.
 */
export const ganetiDriftKinds: DriftKind[] = ['not-in-site', 'not-in-ganeti', 'nic-mac'];

/**
 * Every drift between the site, Ganeti's instances, the zones and dhcpd's
 * host entries, each with its fix. When Ganeti could not be asked
 * (facts.ganeti null) the site is compared with the zones and dhcpd's host
 * entries only (a DHCP entry against the site's MAC): none of
 * `ganetiDriftKinds` is found, and the caller says so.
 */
export function findDrift(inventory: Inventory, facts: VmFacts, fixes: FixCommands): Drift[] {
	const drifts: Drift[] = [];
	const add = (kind: DriftKind, subject: string, problem: string, fix: string) => drifts.push({kind, subject, problem, fix});
	const ganeti = byName(facts.ganeti ?? []);
	const site = new Map(inventory.instances.map(instance => [instance.fqdn, instance]));
	const dhcpOn = inventory.recipe.dhcp.enabled;
	const zoneFile = facts.forward.path;

	for (const row of vmRows(inventory, facts)) {
		const {fqdn} = row;
		const listed = ganeti.get(fqdn);
		const instance = site.get(fqdn);
		if (listed && !instance) {
			const adopt = [fixes.vmAdd, row.name, '--os', listed.os, '--disk-template', listed.diskTemplate, '--disk', `${listed.diskSizesMiB[0] ?? 0}M`];
			for (const size of listed.diskSizesMiB.slice(1)) adopt.push('--extra-disk', `${size}M`);
			adopt.push('--memory', `${listed.memoryMiB}M`, '--vcpus', String(listed.vcpus));
			if (listed.macs[0]) adopt.push('--mac', listed.macs[0]);
			const address = listed.ips[0] ?? facts.aRecords.find(record => record.fqdn === fqdn)?.address;
			if (address) adopt.push('--address', address);
			adopt.push('--yes');
			add('not-in-site', fqdn, `Ganeti has instance ${fqdn}, which the site does not list: it has no DNS name or DHCP entry of the wizard's, and preflight stops every apply until the site lists it`, adopt.join(' '));
			continue;
		}
		if (!instance) continue;
		if (!listed && facts.ganeti !== null) {
			add('not-in-ganeti', fqdn, `the site lists ${fqdn} (${instance.address}) but Ganeti has no such instance: its DNS and DHCP entries stand for a VM that is gone`, `${fixes.vmRemove} ${instance.name} --yes`);
		} else if (listed && listed.macs[0] !== instance.mac) {
			add('nic-mac', fqdn, `Ganeti's NIC of ${fqdn} has MAC ${listed.macs[0] ?? '(none)'}, the site (and its DHCP entry) ${instance.mac}`, `gnt-instance modify --net 0:modify,mac=${instance.mac} ${fqdn}`);
		}
		if (row.a === 'missing') add('no-a', fqdn, `${zoneFile} has no A record for ${fqdn} (${instance.address})`, fixes.apply);
		if (row.a === 'differs') add('a-differs', fqdn, `${zoneFile} gives ${fqdn} ${facts.aRecords.filter(record => record.fqdn === fqdn).map(record => record.address).join(', ')}, the site ${instance.address}`, fixes.apply);
		if (row.ptr === 'missing') add('no-ptr', fqdn, `no reverse zone has a PTR for ${instance.address} (${fqdn})`, fixes.apply);
		if (row.ptr === 'differs') add('ptr-differs', fqdn, `the PTR of ${instance.address} names ${facts.ptrRecords.filter(record => record.address === instance.address).map(record => record.fqdn).join(', ')}, not ${fqdn}`, fixes.apply);
		if (!dhcpOn) continue;
		const entry = facts.dhcpHosts.find(host => host.name === fqdn);
		const nicMac = listed?.macs[0] ?? instance.mac;
		if (!entry) add('no-dhcp', fqdn, `${facts.dhcpdConf.path} has no host entry for ${fqdn} (MAC ${nicMac}, ${instance.address})`, fixes.apply);
		else {
			if (entry.mac !== nicMac) add('dhcp-mac', fqdn, `the DHCP host entry of ${fqdn} has MAC ${entry.mac || '(none)'}, Ganeti's NIC ${nicMac}`, fixes.apply);
			if (entry.address !== instance.address) add('dhcp-address', fqdn, `the DHCP host entry of ${fqdn} fixes address ${entry.address || '(none)'}, the site ${instance.address}`, fixes.apply);
		}
	}

	// Entries in the VMs' domain for no VM of the site or of Ganeti.
	const wanted = new Set([...site.keys(), ...ganeti.keys(), inventory.gateway.fqdn]);
	const inVmsDomain = (fqdn: string) => fqdn.endsWith(`.${inventory.vmsDomain}`);
	for (const record of facts.aRecords) {
		if (inVmsDomain(record.fqdn) && !wanted.has(record.fqdn)) add('stale-a', record.fqdn, `${zoneFile} has an A record for ${record.fqdn} (${record.address}), an instance that is gone`, fixes.apply);
	}
	for (const record of facts.ptrRecords) {
		if (inVmsDomain(record.fqdn) && !wanted.has(record.fqdn)) add('stale-ptr', record.fqdn, `the PTR of ${record.address} names ${record.fqdn}, an instance that is gone`, fixes.apply);
	}
	if (dhcpOn) {
		for (const host of facts.dhcpHosts) {
			if (!wanted.has(host.name)) add('stale-dhcp', host.name, `${facts.dhcpdConf.path} has a host entry for ${host.name} (MAC ${host.mac}, ${host.address}), an instance that is gone`, fixes.apply);
		}
	}
	for (const zone of [facts.forward, ...facts.reverse]) {
		const drift = serialDrift(zone, fixes);
		if (drift) drifts.push(drift);
	}
	return drifts;
}
