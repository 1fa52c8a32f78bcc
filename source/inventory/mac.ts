// MAC generation as the seed did it (a fixed prefix, random remaining bytes),
// with the guarantees the seed's one-liner lacked: no collision with a MAC the
// inventory already holds, and always unicast, locally administered when the
// prefix leaves that choice to us.
import {randomBytes as nodeRandomBytes} from 'node:crypto';
import type {RandomBytes} from './inventory.js';

export const systemRandomBytes: RandomBytes = count => new Uint8Array(nodeRandomBytes(count));

export function generateMac(prefix: string, used: ReadonlySet<string>, randomBytes: RandomBytes): string {
	const prefixBytes = prefix.split(':');
	const missing = 6 - prefixBytes.length;
	for (let attempt = 0; attempt < 1000; attempt++) {
		const tail = [...randomBytes(missing)].map(byte => byte.toString(16).padStart(2, '0'));
		const mac = [...prefixBytes, ...tail].join(':');
		if (!used.has(mac)) return mac;
	}
	throw new Error(`cluster.mac_prefix: "${prefix}" leaves no unused MAC address; use a shorter prefix`);
}
