// bind9 proven with the real named inside a lab host: the network and DNS
// steps' own files and commands are applied there (ifup, named-checkconf,
// git, `service named start/reload`), then dig asks named for every A record
// and every PTR of the inventory; named must be silent on public addresses.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {Inventory} from '../../source/inventory/inventory.js';
import {dnsStep} from '../../source/steps/dns.js';
import {networkStep} from '../../source/steps/network.js';
import {inventoryFromObject, seedInventory} from '../render/fixtures.js';
import {createLab, type Lab} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {need} from '../support/need.js';
import {arbitraryRecipe, recipeToYaml, type RecipeObject} from '../support/random-recipe.js';
import {assertAnswers, assertNoAnswer} from './dns-answers.js';

const requirements = ['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'named', 'named-checkconf', 'named-checkzone', 'rndc', 'dig', 'git'];
const randomSites = Number(process.env.RANDOM_SITES ?? 50);

test('the seed site: named answers every A and PTR on its private addresses and nothing on the public one', async t => {
	if (!need(requirements, t)) return;
	const inventory = seedInventory();
	const lab = await createLab({hostname: inventory.node.hostname});
	t.after(() => lab.destroy());
	const publicAddress = inventory.recipe.host.public_address!;
	const outside = await lab.addPeer('outside', {labInterface: inventory.recipe.host.public_interface, labAddress: `${publicAddress}/24`, peerAddress: '198.51.100.1/24'});

	await planAndApply(lab, networkStep, inventory);
	const {applied} = await planAndApply(lab, dnsStep, inventory);
	assert.deepEqual(applied.find(entry => entry.id === 'dns.named'), {id: 'dns.named', outcome: 'started'});
	assert.deepEqual(applied.find(entry => entry.id === 'dns.checkconf'), {id: 'dns.checkconf', outcome: 'checked'});

	// Asked on the node's private address and on the bridge, as VMs ask.
	await assertAnswers(lab, inventory.node.address, inventory, 'seed, node address');
	await assertAnswers(lab, inventory.recipe.network.bridge.address, inventory, 'seed, bridge address');
	// The public address is local and reachable (the outside host pings it), yet named is not there.
	assert.match(await outside.run(['busybox', 'ping', '-c1', '-W2', publicAddress]), /1 packets received/);
	await assertNoAnswer(lab, publicAddress, inventory.node.fqdn, 'seed, from the lab');
	await assertNoAnswer(outside, publicAddress, inventory.node.fqdn, 'seed, from the outside host');

	// A second run changes nothing and named keeps answering the same.
	const again = await planAndApply(lab, dnsStep, inventory);
	const changed = again.applied.filter(entry => entry.outcome === 'wrote' || entry.outcome === 'ran');
	assert.deepEqual(changed, [], 'a second dns step changes nothing');
	await assertAnswers(lab, inventory.node.address, inventory, 'seed, second run');
});

test(`${randomSites} random sites: named answers every A and PTR, and nothing on a public address`, async t => {
	if (!need(requirements, t)) return;
	const seed = Number(process.env.RANDOM_SEED ?? Date.now() % 2 ** 31);
	const sites = fc.sample(fc.tuple(arbitraryRecipe(), fc.integer({min: 1, max: 2 ** 31 - 1})), {numRuns: randomSites, seed});
	// Two labs take turns, one site after another each: the machine's two cores stay busy.
	const lanes = [0, 1];
	const labs = await Promise.all(lanes.map(lane => createLab({hostname: `lab${lane}`})));
	t.after(() => Promise.all(labs.map(lab => lab.destroy())));
	const starts = await Promise.all(lanes.map(lane => checkSites(labs[lane]!, sites.filter((_, index) => index % lanes.length === lane), lane, lanes.length, seed)));
	// named started once per lab, then reloaded for every other site, as on a host whose site changes.
	assert.deepEqual(starts, lanes.map(() => 1));
});

/** Applies each site in turn in one lab and asks its named; returns how often named was started. */
async function checkSites(lab: Lab, sites: Array<[unknown, number]>, lane: number, laneCount: number, seed: number): Promise<number> {
	let previous: Inventory | undefined;
	let serverStarts = 0;
	for (const [index, [recipe, bytesSeed]] of sites.entries()) {
		const inventory = inventoryFromObject(recipe as RecipeObject, bytesSeed);
		const context = `site ${index * laneCount + lane} of RANDOM_SEED=${seed}`;
		try {
			await switchSite(lab, previous, inventory);
			previous = inventory;
			// Every file and command of the DNS step but the git history (tested
			// in test/steps); files are checked together by its named-checkconf -z.
			const {applied} = await planAndApply(lab, dnsStep, inventory, {fileChecks: false, only: action => !action.id.startsWith('dns.git.')});
			assert.ok(applied.some(entry => entry.id === 'dns.checkconf' && entry.outcome === 'checked'), 'named-checkconf -z ran');
			if (applied.some(entry => entry.id === 'dns.named' && entry.outcome === 'started')) serverStarts++;
			await assertAnswers(lab, inventory.node.address, inventory, context);
			await assertAnswers(lab, inventory.recipe.network.bridge.address, inventory, context);
			await assertNoAnswer(lab, publicAddressOf(inventory), inventory.node.fqdn, context);
		} catch (error) {
			(error as Error).message += `\n${context}; its recipe:\n${recipeToYaml(recipe)}`;
			throw error;
		}
	}
	return serverStarts;
}

const fakePublicAddress = '203.0.113.20';
const publicAddressOf = (inventory: Inventory): string => inventory.recipe.host.public_address ?? fakePublicAddress;

/**
 * Takes the lab from one site to the next as an operator would: the previous
 * site's interfaces go down with its own configuration, the next site's network
 * step brings up its own, and the public interface it names carries a public address.
 */
async function switchSite(lab: Lab, previous: Inventory | undefined, next: Inventory): Promise<void> {
	if (previous) {
		await lab.run(['ifdown', 'lo:1']);
		await lab.run(['ifdown', previous.recipe.network.bridge.name]);
		await lab.run(['ip', 'link', 'delete', previous.recipe.host.public_interface]);
	}
	await planAndApply(lab, networkStep, next);
	// A bridge without ports stands in for the public NIC: up, with an address, no peer needed.
	const publicInterface = next.recipe.host.public_interface;
	await lab.run(['ip', 'link', 'add', publicInterface, 'type', 'bridge']);
	await lab.run(['ip', 'address', 'add', `${publicAddressOf(next)}/24`, 'dev', publicInterface]);
	await lab.run(['ip', 'link', 'set', publicInterface, 'up']);
}
