// bind9 proven with the real named inside a lab host: the network and DNS
// steps' own files and commands are applied there (ifup, named-checkconf,
// git, `service named start/reload`), then dig asks named for every A record
// and every PTR of the inventory; named must be silent on public addresses.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Inventory} from '../../source/inventory/inventory.js';
import {dnsStep} from '../../source/steps/dns.js';
import {networkStep} from '../../source/steps/network.js';
import {seedInventory} from '../render/fixtures.js';
import {createLab, type Lab} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {need} from '../support/need.js';
import {assertAnswers, assertNoAnswer} from './dns-answers.js';
import {describeFailure, randomSites, siteSeed, switchNetwork, type Site} from './sites.js';

const requirements = ['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'named', 'named-checkconf', 'named-checkzone', 'rndc', 'dig', 'git'];
const randomSiteCount = Number(process.env.RANDOM_SITES ?? 50);

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

test(`${randomSiteCount} random sites: named answers every A and PTR, and nothing on a public address`, async t => {
	if (!need(requirements, t)) return;
	const seed = siteSeed();
	const sites = randomSites(randomSiteCount, seed);
	// Two labs take turns, one site after another each: the machine's two cores stay busy.
	const lanes = [0, 1];
	const labs = await Promise.all(lanes.map(lane => createLab({hostname: `lab${lane}`})));
	t.after(() => Promise.all(labs.map(lab => lab.destroy())));
	const starts = await Promise.all(lanes.map(lane => checkSites(labs[lane]!, sites.filter(site => site.index % lanes.length === lane), seed)));
	// named started once per lab, then reloaded for every other site, as on a host whose site changes.
	assert.deepEqual(starts, lanes.map(() => 1));
});

/** Applies each site in turn in one lab and asks its named; returns how often named was started. */
async function checkSites(lab: Lab, sites: Site[], seed: number): Promise<number> {
	let previous: Inventory | undefined;
	let serverStarts = 0;
	for (const site of sites) {
		const {inventory} = site;
		const context = `site ${site.index}`;
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
			describeFailure(error, site, seed);
		}
	}
	return serverStarts;
}

const fakePublicAddress = '203.0.113.20';
const publicAddressOf = (inventory: Inventory): string => inventory.recipe.host.public_address ?? fakePublicAddress;

/** The next site's network, and a public interface of the name it gives carrying a public address. */
async function switchSite(lab: Lab, previous: Inventory | undefined, next: Inventory): Promise<void> {
	if (previous) await lab.run(['ip', 'link', 'delete', previous.recipe.host.public_interface]);
	await switchNetwork(lab, previous, next);
	// A bridge without ports stands in for the public NIC: up, with an address, no peer needed.
	const publicInterface = next.recipe.host.public_interface;
	const commands = [`link add ${publicInterface} type bridge`, `address add ${publicAddressOf(next)}/24 dev ${publicInterface}`, `link set ${publicInterface} up`];
	await lab.run(['ip', '-batch', '-'], {input: `${commands.join('\n')}\n`});
}
