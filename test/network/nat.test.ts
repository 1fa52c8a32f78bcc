// NAT proven end to end: a VM behind the bridge pings a host on the public side,
// which has no route back to the private range, so the reply can only come when
// the network step's MASQUERADE rule rewrites the source address. The rule is
// there exactly once however often the step (or ifup) runs, and goes when
// the recipe turns NAT off.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {networkStep} from '../../source/steps/network.js';
import {masqueradeRule} from '../../source/render/interfaces.js';
import {seedInventory} from '../render/fixtures.js';
import {createLab} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {need} from '../support/need.js';

const requirements = ['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'busybox', 'sysctl'];

test('a VM reaches the outside only through the MASQUERADE rule, which is installed once', async t => {
	if (!need(requirements, t)) return;
	const inventory = seedInventory();
	const {recipe} = inventory;
	const bridge = recipe.network.bridge;
	const lab = await createLab({hostname: inventory.node.hostname});
	t.after(() => lab.destroy());
	// The internet side: the node's public interface and a host beyond it that
	// knows nothing of the private range.
	const outsideAddress = '198.51.100.1';
	const outside = await lab.addPeer('outside', {labInterface: recipe.host.public_interface, labAddress: `${recipe.host.public_address}/24`, peerAddress: `${outsideAddress}/24`});
	assert.doesNotMatch(await outside.run(['ip', 'route', 'show']), /^default|10\./m, 'the outside host has no way back to the private range');

	const first = await planAndApply(lab, networkStep, inventory);
	const vm = await lab.addPeer('vm', {mac: inventory.instances[0]!.mac, bridge: bridge.name, peerAddress: `${inventory.instances[0]!.address}/24`, peerGateway: bridge.address});

	const rule = masqueradeRule(inventory);
	const masquerades = async (): Promise<number> => (await lab.run(['iptables', '-t', 'nat', '-S', 'POSTROUTING'])).split('\n').filter(line => line === `-A ${rule.join(' ')}`).length;
	const ping = async (): Promise<boolean> => (await vm.exec(['busybox', 'ping', '-c', '1', '-W', '2', outsideAddress])).exitCode === 0;

	assert.equal(await masquerades(), 1, `after the first run: ${first.applied.map(entry => `${entry.id} ${entry.outcome}`).join(', ')}`);
	assert.equal((await lab.run(['sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '1');
	assert.equal(await ping(), true, 'the VM reaches the outside host through NAT');

	// The same network, forwarding on, without the rule: the outside host's replies have nowhere to go.
	await lab.run(['iptables', '-t', 'nat', '-D', ...rule]);
	assert.equal(await masquerades(), 0);
	assert.equal((await lab.run(['sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '1');
	assert.equal(await ping(), false, 'without MASQUERADE the ping must fail');

	// The step puts it back, and running it again adds nothing.
	const second = await planAndApply(lab, networkStep, inventory);
	assert.deepEqual(second.applied.find(entry => entry.id === 'network.nat'), {id: 'network.nat', outcome: 'ran'});
	const third = await planAndApply(lab, networkStep, inventory);
	assert.deepEqual(third.applied.find(entry => entry.id === 'network.nat'), {id: 'network.nat', outcome: 'satisfied'});
	assert.equal(await masquerades(), 1, 'one rule after the step ran three times');
	assert.equal(await ping(), true, 'NAT works again');

	// The bridge's own up/down lines keep it single too (a reboot, an ifdown/ifup by hand).
	await lab.run(['ifdown', bridge.name]);
	assert.equal(await masquerades(), 0, 'ifdown takes the rule away with the bridge');
	await lab.run(['ifup', bridge.name]);
	await lab.run(['ifup', '--force', bridge.name]);
	assert.equal(await masquerades(), 1, 'one rule after ifup twice');

	// NAT turned off in the recipe: the live rule goes as well as the configuration, and the VM is cut off from the outside.
	const withoutNat = {...inventory, recipe: {...recipe, network: {...recipe.network, nat: false}}};
	const off = await planAndApply(lab, networkStep, withoutNat);
	assert.deepEqual(off.applied.find(entry => entry.id === 'network.nat-off'), {id: 'network.nat-off', outcome: 'ran'});
	assert.equal(await masquerades(), 0, 'no rule once NAT is off');
	assert.doesNotMatch((await lab.readFile('/etc/network/interfaces.d/ganeti-wizard'))!, /MASQUERADE/);
	assert.equal(await ping(), false, 'without NAT the ping fails');
	const offAgain = await planAndApply(lab, networkStep, withoutNat);
	assert.equal(offAgain.applied.find(entry => entry.id === 'network.nat-off'), undefined, 'nothing left to take away');
});
