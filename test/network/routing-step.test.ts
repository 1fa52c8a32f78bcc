// The routing step on one lab host, as the runner applies it: the first run
// installs and starts the wizard's bird, turns proxy ARP on and routes the
// instance's /32 to the bridge; the second changes nothing; the journalled
// inverses, run newest first, take all of it back to the values found.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Action} from '../../source/actions/action.js';
import {birdControlSocket, birdInstanceName} from '../../source/render/bird.js';
import {networkStep} from '../../source/steps/network.js';
import {routingStep} from '../../source/steps/routing.js';
import {inventoryFromYaml} from '../render/fixtures.js';
import {createLab} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {need} from '../support/need.js';

const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');

test('the routing step applied twice changes nothing the second time, and its inverses restore what was found', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'sysctl', 'bird', 'birdc', 'update-rc.d', 'start-stop-daemon'], t)) return;
	const inventory = inventoryFromYaml(seedYaml.replace('  nat: true\n', '  nat: true\n  routing: ospf\n'));
	const lab = await createLab({hostname: inventory.node.hostname});
	t.after(() => lab.destroy());
	await lab.addPeer('outside', {labInterface: 'eth0', labAddress: '198.51.100.20/24', peerAddress: '198.51.100.1/24'});
	await planAndApply(lab, networkStep, inventory);
	// What undo must come back to: the bridge as the network step left it.
	await lab.run(['sysctl', '-q', '-w', 'net.ipv4.conf.br0.proxy_arp=0']);

	const first = await planAndApply(lab, routingStep, inventory);
	const outcome = (applied: typeof first.applied, id: string) => applied.find(entry => entry.id === id)?.outcome;
	assert.equal(outcome(first.applied, 'routing.proxy-arp'), 'ran');
	assert.equal(outcome(first.applied, 'routing.bird'), 'started');
	assert.equal(outcome(first.applied, 'routing.route.rodo1.osm'), 'ran');
	assert.equal((await lab.run(['ip', '-4', 'route', 'show', '10.10.1.50/32'])).trim(), '10.10.1.50 dev br0 proto 203 scope link');
	assert.match(await lab.run(['birdc', '-s', birdControlSocket, 'show', 'protocols']), /nodes\s+OSPF\s+master4\s+up/);
	assert.match(await lab.run(['ls', '/etc/rc2.d']), new RegExp(`S\\d\\d${birdInstanceName}`));

	const second = await planAndApply(lab, routingStep, inventory);
	for (const entry of second.applied) {
		// The service is reloaded by lab-apply on every run (the runner reloads only after a change).
		if (entry.id === 'routing.bird') continue;
		assert.ok(entry.outcome === 'satisfied' || entry.outcome === 'unchanged', `${entry.id}: ${entry.outcome} on the second run`);
	}
	assert.equal((await lab.run(['ip', '-4', 'route', 'show', '10.10.1.50/32'])).trim().split('\n').length, 1, 'one route after two runs');

	// Undo: the service stopped (it was not running before), then every inverse, newest first.
	await lab.run(['service', birdInstanceName, 'stop']);
	const inverses = first.actions.flatMap((action: Action) => (action.kind === 'command' && action.inverse ? [action.inverse] : [])).reverse();
	for (const inverse of inverses) await lab.run(inverse);
	assert.equal((await lab.run(['ip', '-4', 'route', 'show', '10.10.1.50/32'])).trim(), '');
	assert.equal((await lab.run(['sysctl', '-n', 'net.ipv4.conf.br0.proxy_arp'])).trim(), '0', 'proxy ARP as found');
	assert.doesNotMatch(await lab.run(['ls', '/etc/rc2.d']), new RegExp(birdInstanceName));
	assert.notEqual((await lab.exec(['birdc', '-s', birdControlSocket, 'show', 'status'])).exitCode, 0, 'the wizard\'s bird is stopped');
});
