// Which reverse (in-addr.arpa) zones the private name server holds.
//
// The rule. Reverse zones lie on octet boundaries, so each subnet of the recipe
// (network.nodes_subnet and network.vms_subnet) is covered by whole zones:
//   /8              one /8 zone          (10.0.0.0/8      -> 10.in-addr.arpa)
//   /9 ... /15      the /16 zones inside (10.0.0.0/15     -> 0.10 and 1.10.in-addr.arpa)
//   /16             one /16 zone         (10.10.0.0/16    -> 10.10.in-addr.arpa)
//   /17 ... /23     the /24 zones inside (10.10.0.0/23    -> 0.10.10 and 1.10.10.in-addr.arpa)
//   /24             one /24 zone         (10.10.1.0/24    -> 1.10.10.in-addr.arpa)
//   /25 ... /32     the /24 zone holding it (shared when both subnets fall in one /24)
// A zone inside another zone of the set is dropped (the larger one holds its
// records). Prefixes shorter than /8 and sets of more than 256 zones are
// refused (two subnets of /8 or longer never need more than 256);
// `reverseZoneProblem` gives the recipe's one-line error for a subnet.
// An address of the inventory outside both subnets (which the recipe checks
// should forbid) still gets its PTR, in the /24 zone holding it.
import {parseCidr, toInt} from '../inventory/addresses.js';

export const maxReverseZones = 256;

export type ReverseZone = {
	/** e.g. "1.10.10.in-addr.arpa" */
	name: string;
	/** The leading octets the zone covers: [10, 10, 1] for 10.10.1.0/24. */
	octets: number[];
};

function octetsOf(value: number, count: number): number[] {
	return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].slice(0, count);
}

function zoneOf(octets: number[]): ReverseZone {
	return {name: `${[...octets].reverse().join('.')}.in-addr.arpa`, octets};
}

/** The zones one subnet needs, by the rule above. */
export function subnetReverseZones(cidr: string): ReverseZone[] {
	const {network, prefix} = parseCidr(cidr);
	if (prefix < 8) throw new Error(`"${cidr}" is wider than /8; reverse zones support prefixes /8 to /32`);
	const start = toInt(network);
	const zoneBits = prefix <= 8 ? 8 : prefix <= 16 ? 16 : 24;
	const count = prefix >= zoneBits ? 1 : 2 ** (zoneBits - prefix);
	const zones: ReverseZone[] = [];
	const step = 2 ** (32 - zoneBits);
	for (let index = 0; index < count; index++) zones.push(zoneOf(octetsOf(start + index * step, zoneBits / 8)));
	return zones;
}

/**
 * One line for a recipe error (`<field>: "<cidr>" ...`) when the subnet cannot
 * be given reverse zones, else null. For the recipe's cross-checks.
 */
export function reverseZoneProblem(field: string, cidr: string): string | null {
	// One subnet of /8 or longer needs at most 128 zones, two at most 256: only the prefix can be wrong.
	const {prefix} = parseCidr(cidr);
	if (prefix < 8) return `${field}: "${cidr}" is wider than /8; the private DNS holds reverse zones for prefixes /8 to /32 only, use /8 or longer`;
	return null;
}

/** An already validated dotted quad as a number, without a parser's overhead (runs per record). */
function addressValue(address: string): number {
	let value = 0;
	let octet = 0;
	for (let index = 0; index < address.length; index++) {
		const code = address.charCodeAt(index);
		if (code === 46) {
			value = value * 256 + octet;
			octet = 0;
		} else octet = octet * 10 + (code - 48);
	}
	return value * 256 + octet;
}

/** One number per (zone size, network): the zone's leading octets tagged with their count. */
function zoneKey(value: number, length: number): number {
	return length * 2 ** 24 + (value >>> (32 - 8 * length));
}

const keyOf = (zone: ReverseZone): number => zone.octets.length * 2 ** 24 + zone.octets.reduce((value, octet) => value * 256 + octet, 0);

/** The first address of a zone, as a number. */
const startOf = (zone: ReverseZone): number => [...zone.octets, 0, 0, 0].slice(0, 4).reduce((value, octet) => value * 256 + octet, 0);

/**
 * The reverse zones for the subnets and for any address they do not cover,
 * without duplicates or zones nested in another, ordered by address.
 */
export function reverseZones(subnets: string[], addresses: Iterable<string> = []): ReverseZone[] {
	const byKey = new Map<number, ReverseZone>();
	for (const subnet of subnets) for (const zone of subnetReverseZones(subnet)) byKey.set(keyOf(zone), zone);
	const coveredBy = (value: number, longest: number): boolean => {
		for (let length = 1; length <= longest; length++) if (byKey.has(zoneKey(value, length))) return true;
		return false;
	};
	for (const address of addresses) {
		const value = addressValue(address);
		if (!coveredBy(value, 3)) byKey.set(zoneKey(value, 3), zoneOf(octetsOf(value, 3)));
	}
	const zones = [...byKey.values()].filter(zone => !coveredBy(startOf(zone), zone.octets.length - 1));
	if (zones.length > maxReverseZones) {
		throw new Error(`network: the subnets need ${zones.length} reverse zones; at most ${maxReverseZones} (use longer prefixes)`);
	}
	return zones.sort((a, b) => compareOctets(a.octets, b.octets));
}

function compareOctets(a: number[], b: number[]): number {
	for (let index = 0; index < Math.max(a.length, b.length); index++) {
		const difference = (a[index] ?? -1) - (b[index] ?? -1);
		if (difference !== 0) return difference;
	}
	return 0;
}

/** The address's octets after the zone's first `length`, last first: "50", "50.1", "50.1.10". */
function ownerName(value: number, length: number): string {
	let owner = String(value & 255);
	for (let octet = 2; octet <= 4 - length; octet++) owner += `.${(value >>> (8 * (octet - 1))) & 255}`;
	return owner;
}

export type ReverseLocation = {zone: ReverseZone; owner: string; value: number};

/** Finds the zone holding an address among `zones`, in constant time per address. */
export function reverseZoneIndex(zones: ReverseZone[]): (address: string) => ReverseLocation | null {
	const byKey = new Map(zones.map(zone => [keyOf(zone), zone]));
	return address => {
		const value = addressValue(address);
		for (let length = 3; length >= 1; length--) {
			const zone = byKey.get(zoneKey(value, length));
			if (zone) return {zone, owner: ownerName(value, length), value};
		}
		return null;
	};
}
