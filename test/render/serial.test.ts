import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {dayBase, findSerial, nextSerial, serialPlaceholder, withSerial} from '../../source/render/serial.js';
import {renderZones} from '../../source/render/zones.js';
import {seedInventory} from './fixtures.js';

const day = new Date('2026-03-14T10:00:00Z');
const forward = renderZones(seedInventory())[0]!;
const changed = forward.body.replace('10.10.1.50', '10.10.1.51');

test('the day base is YYYYMMDD00 in UTC', () => {
	assert.equal(dayBase(day), 2026031400);
	assert.equal(dayBase(new Date('2026-12-31T23:59:59Z')), 2026123100);
});

test('a new zone starts at today\'s base', () => {
	assert.equal(nextSerial(null, forward.body, day), 2026031400);
});

test('unchanged content keeps the serial on disk, whatever the day', () => {
	const onDisk = withSerial(forward.body, 2025010107);
	assert.equal(nextSerial(onDisk, forward.body, day), 2025010107);
	assert.equal(nextSerial(onDisk, forward.body, new Date('2030-01-01T00:00:00Z')), 2025010107);
});

test('a change the same day adds one', () => {
	const onDisk = withSerial(forward.body, 2026031403);
	assert.equal(nextSerial(onDisk, changed, day), 2026031404);
});

test('a change on a later day starts at that day\'s base', () => {
	assert.equal(nextSerial(withSerial(forward.body, 2026031403), changed, new Date('2026-03-15T00:00:00Z')), 2026031500);
});

test('more than 99 changes in a day still increase', () => {
	let body = forward.body;
	let onDisk: string | null = null;
	let previous = 0;
	for (let change = 0; change < 250; change++) {
		body = forward.body.replace('10.10.1.50', `10.10.1.${50 + (change % 100)}`).replace('$TTL 1h', `$TTL ${change + 1}`);
		const serial = nextSerial(onDisk, body, day);
		assert.ok(serial > previous, `change ${change}: ${serial} after ${previous}`);
		previous = serial;
		onDisk = withSerial(body, serial);
	}
	assert.equal(previous, 2026031400 + 249);
});

test('the clock going back still increases the serial', () => {
	const onDisk = withSerial(forward.body, 2026031405);
	assert.equal(nextSerial(onDisk, changed, new Date('2025-01-01T00:00:00Z')), 2026031406);
});

test('the last serial the wizard wrote wins over a lower one on disk (file replaced by hand)', () => {
	const handWritten = withSerial(forward.body, 1);
	assert.equal(nextSerial(handWritten, changed, day, 2026031409), 2026031410);
	assert.equal(nextSerial(null, changed, day, 2026031409), 2026031410);
});

test('the serial is found in hand-written SOAs too (the seed\'s layout)', () => {
	const seedStyle = '$TTL 1h\n$ORIGIN farm.\n@  IN  SOA  ns hostmaster (\n                        2011031200      ; serial\n    1h )\n';
	assert.equal(findSerial(seedStyle)?.serial, 2011031200);
	const oneLine = '@ 3600 IN SOA ns.farm. hostmaster.farm. 42 3600 1800 1209600 1800\n';
	assert.equal(findSerial(oneLine)?.serial, 42);
	assert.equal(findSerial('no soa here'), null);
	// A file whose serial cannot be read counts as changed.
	assert.equal(nextSerial('garbage', forward.body, day), 2026031400);
});

test('property: serials only grow, and only when the content changes', () => {
	fc.assert(
		fc.property(
			fc.array(fc.tuple(fc.integer({min: 0, max: 3}), fc.integer({min: -400, max: 400})), {minLength: 1, maxLength: 60}),
			steps => {
				let onDisk: string | null = null;
				let serial = 0;
				let clock = day.getTime();
				for (const [variant, dayShift] of steps) {
					clock += dayShift * 3_600_000;
					const body = forward.body.replace('10.10.1.50', `10.10.1.${50 + variant}`);
					const next = nextSerial(onDisk, body, new Date(clock));
					const previousBody = onDisk?.replace(String(serial), serialPlaceholder);
					if (previousBody === body) assert.equal(next, serial);
					else assert.ok(next > serial, `${next} after ${serial}`);
					serial = next;
					onDisk = withSerial(body, next);
				}
			},
		),
		{numRuns: 300},
	);
});
