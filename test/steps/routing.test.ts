import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Action, CommandAction, FileAction} from '../../source/actions/action.js';
import {birdPasswordName, renderBirdConf, renderBirdPassword} from '../../source/render/bird.js';
import {renderRouteHook} from '../../source/render/ganeti-hooks.js';
import {masqueradeRule, renderInterfaces} from '../../source/render/interfaces.js';
import {requiredPackages} from '../../source/steps/host.js';
import {allSteps, siteSteps} from '../../source/steps/index.js';
import {ipForwardPath} from '../../source/steps/network.js';
import {birdSettings, defaultProxyArpPath, proxyArpPath, routingStep} from '../../source/steps/routing.js';
import {bareFacts} from '../../source/steps/step.js';
import {need} from '../support/need.js';
import {checkInterfaces, runCheckArgv} from '../render/checkers.js';
import {inventoryFromYaml, seedInventory} from '../render/fixtures.js';

const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');
const withRouting = (yaml: string): string => yaml.replace('  nat: true\n', '  nat: true\n  routing: ospf\n');
const routed = inventoryFromYaml(withRouting(seedYaml));
const routedWithoutNat = inventoryFromYaml(withRouting(seedYaml).replace('nat: true', 'nat: false'));

const byId = (actions: Action[], id: string): Action => {
	const found = actions.find(action => action.id === id);
	assert.ok(found, `${id} is planned`);
	return found;
};
const command = (actions: Action[], id: string): CommandAction => byId(actions, id) as CommandAction;
const file = (actions: Action[], id: string): FileAction => byId(actions, id) as FileAction;

test('routing: none (the default) plans nothing and the site lists no routing step: every existing recipe stays as it was', () => {
	const seed = seedInventory();
	assert.equal(seed.recipe.network.routing, 'none');
	assert.deepEqual(routingStep.plan(seed, bareFacts()), []);
	assert.deepEqual(routingStep.reads!(seed), []);
	assert.ok(!siteSteps(seed).includes(routingStep));
	assert.ok(!requiredPackages(seed.recipe).includes('bird2'));
	assert.doesNotMatch(renderInterfaces(seed), /proxy_arp/);
	assert.throws(() => inventoryFromYaml(seedYaml.replace('  nat: true\n', '  nat: true\n  routing: bgp\n')), /network\.routing: "bgp" is not a routing mode \(none or ospf\)/);
});

test('routing: ospf comes right after the network step: proxy ARP, the wizard\'s bird, a /32 per instance, the hooks', () => {
	const steps = siteSteps(routed).map(step => step.id);
	assert.equal(steps[steps.indexOf('network') + 1], 'routing');
	assert.deepEqual(routingStep.requires, ['network']);
	assert.ok(requiredPackages(routed.recipe).includes('bird2'));
	const actions = routingStep.plan(routed, bareFacts());
	assert.deepEqual(actions.map(action => action.id), [
		'routing.proxy-arp',
		'routing.bird-password',
		'routing.bird-config',
		'routing.bird-script',
		'routing.bird-boot',
		'routing.bird',
		...routed.instances.map(instance => `routing.route.${instance.name}`),
		...['add', 'start', 'migrate', 'failover', 'stop', 'remove'].map(operation => `routing.hook.instance-${operation}`),
	]);
	const config = file(actions, 'routing.bird-config');
	assert.equal(config.path, '/etc/bird/ganeti-wizard/bird.conf');
	assert.deepEqual(config.check, {argv: ['bird', '-p', '-c', '{}']});
	assert.equal(config.content, renderBirdConf({routerId: '10.10.0.20', ospfInterface: 'eth0', bridge: 'br0', privateAddress: '10.10.0.20', acceptedNetworks: ['10.10.1.0/24', '10.10.0.0/24'], cluster: {address: '10.10.0.10', netdev: 'br0'}}));
	assert.deepEqual(birdSettings(routed).ospfInterface, routed.recipe.host.public_interface);
	assert.deepEqual(byId(actions, 'routing.bird'), {kind: 'service', id: 'routing.bird', title: 'start or reload the wizard\'s bird (ganeti-wizard-bird)', service: 'ganeti-wizard-bird', operation: 'reload', after: ['routing.bird-password', 'routing.bird-config', 'routing.bird-script']});
	// The site's password in a file of root's, never shown; bird.conf includes it and holds none.
	const password = file(actions, 'routing.bird-password');
	assert.deepEqual({path: password.path, mode: password.mode, secret: password.secret}, {path: '/etc/bird/ganeti-wizard/ospf-password.conf', mode: 0o600, secret: true});
	assert.match(routed.ospfPassword!, /^[0-9a-f]{64}$/);
	assert.equal(password.content, renderBirdPassword(routed.ospfPassword!));
	assert.ok(!config.content.includes(routed.ospfPassword!));
	assert.deepEqual(command(actions, 'routing.bird-boot').inverse, ['update-rc.d', 'ganeti-wizard-bird', 'remove']);

	const rodo1 = routed.instances[0]!;
	const route = command(actions, `routing.route.${rodo1.name}`);
	assert.deepEqual(route.argv, ['ip', 'route', 'add', `${rodo1.address}/32`, 'dev', 'br0', 'proto', '203']);
	assert.deepEqual(route.inverse, ['ip', 'route', 'del', `${rodo1.address}/32`, 'dev', 'br0', 'proto', '203']);
	assert.deepEqual(route.satisfiedWhen, {argv: ['ip', '-4', 'route', 'show', `${rodo1.address}/32`, 'dev', 'br0', 'proto', '203'], stdoutIncludes: rodo1.address});

	const hook = file(actions, 'routing.hook.instance-migrate');
	assert.equal(hook.path, '/etc/ganeti/hooks/instance-migrate-post.d/ganeti-wizard-vm-route');
	assert.equal(hook.mode, 0o755);
	assert.equal(hook.content, renderRouteHook({nodeName: 'gcc20.node.farm', bridge: 'br0', addresses: Object.fromEntries(routed.instances.map(instance => [instance.fqdn, instance.address]))}));
});

test('proxy ARP and forwarding go back to the values read before; with NAT the network step owns forwarding', () => {
	assert.deepEqual(routingStep.reads!(routed), [ipForwardPath, '/proc/sys/net/ipv4/conf/br0/proxy_arp', defaultProxyArpPath]);
	const onBridge = command(routingStep.plan(routed, bareFacts({files: {[proxyArpPath('br0')]: '0\n', [defaultProxyArpPath]: '1\n'}})), 'routing.proxy-arp');
	assert.deepEqual(onBridge.argv, ['sysctl', '-q', '-w', 'net.ipv4.conf.br0.proxy_arp=1']);
	assert.deepEqual(onBridge.inverse, ['sysctl', '-q', '-w', 'net.ipv4.conf.br0.proxy_arp=0']);
	// No bridge yet: it will start with the default's value.
	const fromDefault = command(routingStep.plan(routed, bareFacts({files: {[defaultProxyArpPath]: '0\n'}})), 'routing.proxy-arp');
	assert.deepEqual(fromDefault.inverse, ['sysctl', '-q', '-w', 'net.ipv4.conf.br0.proxy_arp=0']);
	assert.match(command(routingStep.plan(routed, bareFacts()), 'routing.proxy-arp').inverseNote!, /unknown/);

	assert.ok(!routingStep.plan(routed, bareFacts()).some(action => action.id === 'routing.forwarding'));
	const forwarding = command(routingStep.plan(routedWithoutNat, bareFacts({files: {[ipForwardPath]: '0\n'}})), 'routing.forwarding');
	assert.deepEqual(forwarding.inverse, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=0']);
});

test('NAT leaves traffic between private addresses alone when nodes route it to each other', () => {
	assert.deepEqual(masqueradeRule(seedInventory()), ['POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']);
	assert.deepEqual(masqueradeRule(routed), ['POSTROUTING', '-s', '10.10.0.0/16', '!', '-d', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']);
});

test('every command that changes the host says how it is reversed (all steps, routed site)', () => {
	for (const inventory of [routed, routedWithoutNat]) {
		const actions = allSteps.flatMap(step => step.plan(inventory, bareFacts({files: {[ipForwardPath]: '0\n'}})));
		for (const action of actions) {
			if (action.kind !== 'command' || action.readOnly) continue;
			assert.ok((action.inverse?.length ?? 0) > 0 !== ((action.inverseNote?.length ?? 0) > 0), `${action.id}: an inverse or a note`);
		}
	}
});

test('the bridge keeps forwarding and proxy ARP across a reboot (its post-up lines); ifup --no-act and the checkers accept every file', async t => {
	const text = renderInterfaces(routed);
	assert.match(text, /\tpost-up sysctl -q -w net\.ipv4\.conf\.br0\.proxy_arp=1\n/);
	assert.equal(text.split('net.ipv4.ip_forward=1').length - 1, 1, 'forwarding once, from NAT');
	assert.match(renderInterfaces(routedWithoutNat), /\tpost-up sysctl -q -w net\.ipv4\.ip_forward=1\n\tpost-up sysctl -q -w net\.ipv4\.conf\.br0\.proxy_arp=1\n/);
	if (!need(['ifup', 'bird', 'sh'], t)) return;
	for (const inventory of [routed, routedWithoutNat]) {
		const result = await checkInterfaces(renderInterfaces(inventory));
		assert.equal(result.exitCode, 0, result.output);
	}
	const planned = routingStep.plan(routed, bareFacts());
	const beside = {[birdPasswordName]: file(planned, 'routing.bird-password').content};
	for (const action of planned) {
		// The password file is checked with the bird.conf that includes it.
		if (action.kind !== 'file' || action.id === 'routing.bird-password') continue;
		const result = await runCheckArgv(action.check!.argv, action.content, beside);
		assert.equal(result.exitCode, 0, `${action.id}: ${result.output}`);
	}
});
