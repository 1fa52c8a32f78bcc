// MAC generation: the recipe's prefix, random remaining bytes, never a MAC the
// inventory already holds, and the same MAC for the same random bytes.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {RandomBytes} from '../../source/inventory/inventory.js';
import {generateMac, systemRandomBytes} from '../../source/inventory/mac.js';
import {macPattern} from '../../source/recipe/schema.js';
import {seededBytes} from '../support/random-recipe.js';

/** Hands out the given byte lists in turn, and records how many were asked for. */
function scripted(...answers: number[][]): RandomBytes & {asked: number[]} {
	const asked: number[] = [];
	const source = (count: number): Uint8Array => {
		asked.push(count);
		const next = answers.shift();
		assert.ok(next, 'asked for more random bytes than scripted');
		return Uint8Array.from(next.slice(0, count));
	};
	return Object.assign(source, {asked});
}

test('a three-byte prefix is kept and three random bytes complete it', () => {
	const bytes = scripted([0x0a, 0xbc, 0xff]);
	assert.equal(generateMac('52:54:00', new Set(), bytes), '52:54:00:0a:bc:ff');
	assert.deepEqual(bytes.asked, [3]);
});

test('a two-byte prefix (the seed\'s 52:54:) takes four random bytes', () => {
	const bytes = scripted([0x5a, 0x8d, 0x77, 0x8e]);
	assert.equal(generateMac('52:54', new Set(), bytes), '52:54:5a:8d:77:8e');
	assert.deepEqual(bytes.asked, [4]);
});

test('a MAC already in use is never returned: the next draw is taken', () => {
	const used = new Set(['52:54:00:00:00:01', '52:54:00:00:00:02']);
	const bytes = scripted([0, 0, 1], [0, 0, 2], [0, 0, 3]);
	assert.equal(generateMac('52:54:00', used, bytes), '52:54:00:00:00:03');
	assert.equal(bytes.asked.length, 3);
});

test('the same random bytes give the same MAC', () => {
	fc.assert(
		fc.property(fc.integer({min: 1, max: 2 ** 31 - 1}), fc.constantFrom('52:54:00', '52:54', 'aa:00:01'), (seed, prefix) => {
			assert.equal(generateMac(prefix, new Set(), seededBytes(seed)), generateMac(prefix, new Set(), seededBytes(seed)));
		}),
	);
});

test('many MACs in a row: all well-formed, all with the prefix, none repeated', () => {
	const used = new Set<string>();
	for (let index = 0; index < 2000; index++) {
		const mac = generateMac('52:54:00', used, systemRandomBytes);
		assert.match(mac, macPattern);
		assert.ok(mac.startsWith('52:54:00:'));
		assert.ok(!used.has(mac), `${mac} generated twice`);
		used.add(mac);
	}
});

test('a source that only repeats a used MAC ends in a one-line error naming the prefix, not a hang', () => {
	const used = new Set(['52:54:00:00:00:00']);
	const zeros: RandomBytes = count => new Uint8Array(count);
	assert.throws(() => generateMac('52:54:00', used, zeros), (error: Error) => /^cluster\.mac_prefix: "52:54:00" /.test(error.message) && !error.message.includes('\n'));
});
