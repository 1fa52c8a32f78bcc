// MAC generation as the seed did it (a fixed prefix, random remaining bytes),
// with the guarantees the seed's one-liner lacked: no collision with a MAC the
// inventory already holds, and always unicast, locally administered when the
// prefix leaves that choice to us.
import {createHash, randomBytes as nodeRandomBytes} from 'node:crypto';
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

/**
 * A deterministic byte stream for one site (seeded by its identity): plan and
 * apply derive the same MACs from the same recipe and saved values, so what
 * plan shows is what apply then uses. Collisions are still resolved by
 * generateMac, in the recipe's order.
 */
export function siteBytes(seed: string): RandomBytes {
	let block = 0;
	let pool = Buffer.alloc(0);
	return count => {
		while (pool.length < count) pool = Buffer.concat([pool, createHash('sha256').update(`${seed}\0${block++}`).digest()]);
		const bytes = new Uint8Array(pool.subarray(0, count));
		pool = pool.subarray(count);
		return bytes;
	};
}
