// Valid recipes: the seed's own site, and random sites of every shape the
// generator in test/support/random-recipe.ts can draw, through parsing and the
// inventory (unique names and MACs, addresses where they belong, stable values).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {contains, isHostAddress, toInt} from '../../source/inventory/addresses.js';
import {buildInventory, type Generated} from '../../source/inventory/inventory.js';
import {macPattern} from '../../source/recipe/schema.js';
import {loadRecipeFile, parseRecipe} from '../../source/recipe/load.js';
import {arbitraryRecipe, recipeToYaml, seededBytes, seedRecipeObject} from '../support/random-recipe.js';

test('the seed recipe parses with the site the seed describes', async () => {
	const {recipe} = await loadRecipeFile('recipes/gcc-compile-farm.yaml');
	assert.equal(recipe.host.hostname, 'gcc20');
	assert.equal(recipe.storage.vg, 'all');
	assert.equal(recipe.storage.partition, '/dev/sdb1');
	assert.equal(recipe.network.bridge.name, 'br0');
	assert.equal(recipe.dns.zone, 'farm');
	assert.deepEqual(recipe.cluster.disk_templates, ['plain']);
	const [rodo1] = recipe.instances;
	assert.equal(rodo1?.name, 'rodo1.osm');
	assert.equal(rodo1?.disk_size, '10G');
	assert.equal(rodo1?.memory, '512M');
	assert.equal(rodo1?.vcpus, 1);
	assert.deepEqual(rodo1?.extra_disks, ['500G']);
	assert.ok(rodo1 && 'iso' in rodo1.install);
});

test("volume group names follow LVM's rules (lvm(8) VALID NAMES), not DNS's", () => {
	const withVg = (vg: string) => {
		const seed = seedRecipeObject() as {storage: Record<string, unknown>};
		seed.storage.vg = vg;
		return recipeToYaml(seed);
	};
	for (const vg of ['vg_data', 'VG0', 'all', 'ganeti-vms', 'vg.2+old', '_x', 'a'.repeat(127)]) assert.equal(parseRecipe(withVg(vg)).storage.vg, vg, vg);
	for (const vg of ['-vg', '.', '..', 'vg data', 'vg/data', 'vg:0', 'é', '', 'a'.repeat(128)]) {
		assert.throws(() => parseRecipe(withVg(vg), 'r'), {message: `r: storage.vg: ${JSON.stringify(vg).length > 60 ? `${JSON.stringify(vg).slice(0, 56)}..."` : JSON.stringify(vg)} is not an LVM volume group name (letters, digits and "+_.-", not starting with "-", not "." or "..", e.g. vg_data)`}, vg);
	}
});

test('an explicit MAC outside cluster.mac_prefix is accepted (the seed has one)', () => {
	const seed = seedRecipeObject();
	const cluster = seed.cluster as Record<string, unknown>;
	const [instance] = seed.instances as Array<Record<string, unknown>>;
	assert.equal(cluster.mac_prefix, '52:54:00');
	assert.ok(!String(instance!.mac).startsWith('52:54:00'));
	assert.equal(parseRecipe(recipeToYaml(seed)).instances[0]!.mac, instance!.mac);
});

test('the seed object dumped to YAML parses to the same recipe as the seed file', async () => {
	const {recipe} = await loadRecipeFile('recipes/gcc-compile-farm.yaml');
	assert.deepEqual(parseRecipe(recipeToYaml(seedRecipeObject())), recipe);
});

const none: Generated = {macs: {}, addresses: {}};

test('random valid recipes parse, and their inventories have unique names, good MACs and addresses, stable on rerun', () => {
	let instances = 0;
	let generatedMacs = 0;
	let generatedAddresses = 0;
	fc.assert(
		fc.property(arbitraryRecipe(), fc.integer({min: 1, max: 2 ** 31 - 1}), (object, seed) => {
			const recipe = parseRecipe(recipeToYaml(object), 'random recipe');
			const {inventory, generated} = buildInventory(recipe, none, seededBytes(seed));

			const fqdns = inventory.records.map(record => record.fqdn);
			assert.equal(new Set(fqdns).size, fqdns.length, `duplicate FQDN in ${fqdns.join(' ')}`);
			for (const fqdn of fqdns) assert.ok(fqdn.length <= 253 && fqdn.split('.').every(label => label.length >= 1 && label.length <= 63), fqdn);

			const macs = inventory.instances.map(instance => instance.mac);
			assert.equal(new Set(macs).size, macs.length, `duplicate MAC in ${macs.join(' ')}`);
			const {vms_subnet: subnet, bridge} = recipe.network;
			const range = recipe.dhcp.range?.map(toInt);
			const addresses = inventory.instances.map(instance => instance.address);
			assert.equal(new Set(addresses).size, addresses.length, `duplicate address in ${addresses.join(' ')}`);
			for (const [index, instance] of inventory.instances.entries()) {
				const given = recipe.instances[index]!;
				assert.match(instance.mac, macPattern);
				assert.ok(isHostAddress(subnet, instance.address), `${instance.address} is not a host address of ${subnet}`);
				assert.notEqual(instance.address, bridge.address);
				assert.ok(!range || toInt(instance.address) < range[0]! || toInt(instance.address) > range[1]!, `${instance.address} is in the DHCP range`);
				// Given values are kept; generated ones follow the prefix and are reported for saving.
				if (given.mac) assert.equal(instance.mac, given.mac);
				else {
					assert.ok(instance.mac.startsWith(`${recipe.cluster.mac_prefix}:`), `${instance.mac} lacks prefix ${recipe.cluster.mac_prefix}`);
					assert.equal(generated.macs[given.name], instance.mac);
					generatedMacs++;
				}
				if (given.address) assert.equal(instance.address, given.address);
				else {
					assert.equal(generated.addresses[given.name], instance.address);
					generatedAddresses++;
				}
			}
			assert.equal(Object.keys(generated.macs).length, recipe.instances.filter(instance => !instance.mac).length);
			assert.equal(Object.keys(generated.addresses).length, recipe.instances.filter(instance => !instance.address).length);
			for (const record of inventory.records) {
				if (record.role === 'node' || record.role === 'cluster' || record.role === 'name-server') assert.ok(contains(recipe.network.nodes_subnet, record.address));
			}
			instances += inventory.instances.length;

			// A later run with another random source reuses every generated value.
			const again = buildInventory(recipe, generated, seededBytes(seed ^ 0x5a5a5a5a));
			assert.deepEqual(
				again.inventory.instances.map(instance => [instance.name, instance.mac, instance.address]),
				inventory.instances.map(instance => [instance.name, instance.mac, instance.address]),
			);
			assert.deepEqual(again.generated, generated);
		}),
		{numRuns: 200},
	);
	// The generator must exercise both kinds of instance, not only one.
	assert.ok(instances > 500 && generatedMacs > 100 && generatedAddresses > 100, `${instances} instances, ${generatedMacs} generated MACs, ${generatedAddresses} generated addresses`);
});
