// DNS and DHCP generation for 1,000 and 10,000 instances, timed against bind's
// own checker (named-checkzone) on the same forward zone file, in the same run.
// Goal: generating everything is faster than checking one zone, and grows
// about linearly (10k/1k near 10).
//   node --import tsx bench/dns-dhcp.bench.ts
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fromInt, toInt} from '../source/inventory/addresses.js';
import {buildInventory, type Inventory} from '../source/inventory/inventory.js';
import {normaliseRecipe, recipeSchema} from '../source/recipe/schema.js';
import {renderNamedLocal, renderNamedOptions} from '../source/render/bind.js';
import {renderDhcpdInclude} from '../source/render/dhcpd.js';
import {withSerial} from '../source/render/serial.js';
import {renderZones} from '../source/render/zones.js';
import {dhcpStep} from '../source/steps/dhcp.js';
import {dnsStep} from '../source/steps/dns.js';
import {bareFacts} from '../source/steps/step.js';

const sizes = [1_000, 10_000];
const generationRounds = 11;
const checkerRounds = 5;

/** The seed's site with `count` instances on a /18 VM network, MACs and addresses given. */
function inventoryWith(count: number): Inventory {
	const first = toInt('10.10.64.10');
	const instances = Array.from({length: count}, (_, index) => ({
		name: `vm${index}.bench`,
		disk_template: 'plain',
		disk_size: '10G',
		memory: '512M',
		vcpus: 1,
		install: {os: 'debootstrap+default'},
		mac: `52:54:00:${[(index >> 16) & 255, (index >> 8) & 255, index & 255].map(byte => byte.toString(16).padStart(2, '0')).join(':')}`,
		address: fromInt(first + index),
	}));
	const recipe = normaliseRecipe(recipeSchema.parse({
		version: 1,
		host: {hostname: 'gcc20', public_interface: 'eth0', private_address: '10.10.0.20'},
		network: {private_range: '10.10.0.0/16', nodes_subnet: '10.10.0.0/24', vms_subnet: '10.10.64.0/18', bridge: {name: 'br0', address: '10.10.64.1'}},
		dns: {zone: 'farm'},
		dhcp: {range: ['10.10.127.1', '10.10.127.250']},
		storage: {vg: 'all'},
		cluster: {name: 'cluster', address: '10.10.0.10', hypervisor: 'kvm', disk_templates: ['plain']},
		instances,
	}));
	return buildInventory(recipe, {macs: {}, addresses: {}}, () => {
		throw new Error('every MAC is given');
	}).inventory;
}

/** Everything the DNS and DHCP steps write: zones with serials, zone list, options, dhcpd.conf. */
function generate(inventory: Inventory): {forwardZone: string; bytes: number} {
	const zones = renderZones(inventory).map(zone => ({...zone, content: withSerial(zone.body, 2026010100)}));
	const texts = [...zones.map(zone => zone.content), renderNamedLocal(zones), renderNamedOptions(inventory, ['192.0.2.53']), renderDhcpdInclude(inventory)];
	return {forwardZone: zones[0]!.content, bytes: texts.reduce((sum, text) => sum + text.length, 0)};
}

/** The two steps' whole plans (adds serials against "disk", commit messages). */
function plan(inventory: Inventory): number {
	const facts = bareFacts({resolvers: ['192.0.2.53']});
	return dnsStep.plan(inventory, facts).length + dhcpStep.plan(inventory, facts).length;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

function timed(rounds: number, work: () => void): number {
	work(); // warm-up: JIT, caches
	const times: number[] = [];
	for (let round = 0; round < rounds; round++) {
		const start = performance.now();
		work();
		times.push(performance.now() - start);
	}
	return median(times);
}

const folder = mkdtempSync(join(tmpdir(), 'gw-bench-'));
type Row = {count: number; records: number; bytes: number; generateMs: number; planMs: number; checkerMs: number};
const rows: Row[] = [];
try {
	for (const count of sizes) {
		const inventory = inventoryWith(count);
		const {forwardZone, bytes} = generate(inventory);
		const path = join(folder, `db.farm.${count}`);
		writeFileSync(path, forwardZone);
		const generateMs = timed(generationRounds, () => generate(inventory));
		const planMs = timed(generationRounds, () => plan(inventory));
		const checkerMs = timed(checkerRounds, () => {
			const result = spawnSync('named-checkzone', ['-q', 'farm', path], {encoding: 'utf8'});
			if (result.error) throw new Error(`named-checkzone could not run: ${result.error.message} (Debian package bind9-utils)`);
			if (result.status !== 0) throw new Error(`named-checkzone rejected the ${count}-instance zone: ${result.stdout}${result.stderr}`);
		});
		rows.push({count, records: inventory.records.length, bytes, generateMs, planMs, checkerMs});
	}
} finally {
	rmSync(folder, {recursive: true, force: true});
}

const format = (value: number, digits = 1): string => value.toFixed(digits);
const table = [
	['instances', 'A records', 'bytes written', 'generate ms', 'plan ms', 'named-checkzone ms', 'generate/checker', 'plan/checker'],
	...rows.map(row => [
		String(row.count),
		String(row.records),
		String(row.bytes),
		format(row.generateMs),
		format(row.planMs),
		format(row.checkerMs),
		format(row.generateMs / row.checkerMs, 2),
		format(row.planMs / row.checkerMs, 2),
	]),
];
const widths = table[0]!.map((_, column) => Math.max(...table.map(line => line[column]!.length)));
for (const line of table) console.log(line.map((cell, column) => cell.padStart(widths[column]!)).join('  '));

const [small, large] = rows as [Row, Row];
console.log('');
console.log(`growth 10k/1k: generate ${format(large.generateMs / small.generateMs, 2)}x, plan ${format(large.planMs / small.planMs, 2)}x, named-checkzone ${format(large.checkerMs / small.checkerMs, 2)}x (linear: 10x)`);
const faster = rows.every(row => row.generateMs < row.checkerMs);
console.log(`goal: generation faster than the checker at every size: ${faster ? 'met' : 'NOT met'}`);
