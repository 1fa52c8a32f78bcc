// IPv4 helpers over ipaddr.js: parsing and membership come from the library,
// the arithmetic the wizard needs (ranges, masks, reverse names) is built on it.
import ipaddr from 'ipaddr.js';

export type Cidr = {network: string; prefix: number};

const dottedQuad = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Strict dotted quad: ipaddr.js alone also accepts "10.1" or octal forms. */
export function isIpv4(value: string): boolean {
	return dottedQuad.test(value) && ipaddr.IPv4.isValidFourPartDecimal(value);
}

export function isIpv4Cidr(value: string): boolean {
	const [address, prefix] = value.split('/');
	if (!address || prefix === undefined || !/^\d{1,2}$/.test(prefix) || !isIpv4(address)) return false;
	const bits = Number(prefix);
	if (bits > 32) return false;
	return (toInt(address) & ~maskInt(bits)) >>> 0 === 0;
}

export function parseCidr(value: string): Cidr {
	const [address, prefix] = ipaddr.IPv4.parseCIDR(value);
	return {network: address.toString(), prefix};
}

export function toInt(address: string): number {
	const bytes = ipaddr.IPv4.parse(address).toByteArray();
	return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export function fromInt(value: number): string {
	return ipaddr.fromByteArray([(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]).toString();
}

function maskInt(prefix: number): number {
	return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

export function netmask(prefix: number): string {
	return fromInt(maskInt(prefix));
}

export function contains(cidr: string, address: string): boolean {
	return ipaddr.IPv4.parse(address).match(ipaddr.IPv4.parseCIDR(cidr));
}

/** True when every address of `inner` lies in `outer`. */
export function within(inner: string, outer: string): boolean {
	const a = parseCidr(inner);
	return a.prefix >= parseCidr(outer).prefix && contains(outer, a.network);
}

export function overlaps(a: string, b: string): boolean {
	return within(a, b) || within(b, a);
}

export function broadcast(cidr: string): string {
	const {network, prefix} = parseCidr(cidr);
	return fromInt((toInt(network) | ~maskInt(prefix)) >>> 0);
}

/** First and last usable host addresses (network and broadcast excluded below /31). */
export function hostRange(cidr: string): [number, number] {
	const {network, prefix} = parseCidr(cidr);
	const first = toInt(network);
	const last = toInt(broadcast(cidr));
	return prefix >= 31 ? [first, last] : [first + 1, last - 1];
}

export function isHostAddress(cidr: string, address: string): boolean {
	if (!contains(cidr, address)) return false;
	const [first, last] = hostRange(cidr);
	const value = toInt(address);
	return value >= first && value <= last;
}

/** RFC 1918 private ranges: where the wizard's DNS may listen. */
export function isPrivate(address: string): boolean {
	return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some(range => contains(range, address));
}

export function isLoopback(address: string): boolean {
	return contains('127.0.0.0/8', address);
}
