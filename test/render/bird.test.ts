import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {birdConfPath, birdControlSocket, birdKernelMetric, birdPasswordName, birdPasswordPath, birdPidPath, renderBirdConf, renderBirdInitScript, renderBirdPassword, vmRouteProtocol, type BirdSettings} from '../../source/render/bird.js';
import {routingStep} from '../../source/steps/routing.js';
import {bareFacts} from '../../source/steps/step.js';
import {need} from '../support/need.js';
import {arbitraryRecipe} from '../support/random-recipe.js';
import {checkBirdConf, inParallel, runCheckArgv} from './checkers.js';
import {inventoryFromObject} from './fixtures.js';

const seedSettings: BirdSettings = {routerId: '10.10.0.20', ospfInterface: 'eth0', bridge: 'br0', privateAddress: '10.10.0.20', acceptedNetworks: ['10.10.1.0/24', '10.10.0.0/24'], cluster: {address: '10.10.0.10', netdev: 'br0'}};
const other: BirdSettings = {routerId: '172.16.5.3', ospfInterface: 'enp3s0f1', bridge: 'vmbr7', privateAddress: '172.16.5.3', acceptedNetworks: ['172.16.8.0/22'], cluster: {address: '172.16.5.1', netdev: 'vmbr7'}};

/** The body of the block that starts with `head` (braces balanced). */
function block(text: string, head: string): string {
	const start = text.indexOf(head);
	assert.ok(start >= 0, `no "${head}" in:\n${text}`);
	let depth = 0;
	for (let index = text.indexOf('{', start); index < text.length; index++) {
		if (text[index] === '{') depth++;
		if (text[index] === '}' && --depth === 0) return text.slice(start, index + 1);
	}
	throw new Error(`unbalanced block ${head}`);
}

test('router id, kernel learning of the wizard\'s /32s on the bridge, OSPF routes (external type 2 too) exported to the kernel', () => {
	const text = renderBirdConf(seedSettings);
	assert.match(text, /^router id 10\.10\.0\.20;$/m);
	const kernel = block(text, 'protocol kernel vm_routes');
	assert.match(kernel, new RegExp(`if krt_source = ${vmRouteProtocol} && net\\.len = 32 && ifname = "br0" then accept;`));
	assert.match(kernel, /export filter \{\n\t\t\tif source ~ \[RTS_OSPF, RTS_OSPF_EXT1, RTS_OSPF_EXT2\] then \{\n\t\t\t\tkrt_prefsrc = 10\.10\.0\.20;\n\t\t\t\taccept;\n\t\t\t\}\n\t\t\treject;/);
	assert.match(kernel, /^\tlearn;$/m);
	assert.match(kernel, new RegExp(`^\\tmetric ${birdKernelMetric};$`, 'm'));
	assert.match(block(text, 'protocol direct private_address'), /import where net = 10\.10\.0\.20\/32;/);
});

test('OSPF runs on the node-to-node interface only, never on the bridge, and accepts only /32s of the site\'s networks', () => {
	const text = renderBirdConf(seedSettings);
	const ospf = block(text, 'protocol ospf v2 nodes');
	assert.deepEqual([...ospf.matchAll(/interface "([^"]+)"/g)].map(match => match[1]), ['eth0']);
	assert.doesNotMatch(ospf, /br0/);
	assert.match(ospf, /import where net ~ \[ 10\.10\.1\.0\/24\{32,32\}, 10\.10\.0\.0\/24\{32,32\} \];/);
	assert.match(ospf, /export where proto = "vm_routes" \|\| proto = "private_address" \|\| proto = "cluster_address";/);
	// The cluster address is announced from the master netdev, only as its own /32.
	const cluster = block(text, 'protocol direct cluster_address');
	assert.match(cluster, /import where net = 10\.10\.0\.10\/32;/);
	assert.match(cluster, /interface "br0";/);
	assert.throws(() => renderBirdConf({...seedSettings, ospfInterface: 'br0'}), /OSPF must not run on the VM bridge br0/);
});

const password = 'c0ffee'.repeat(10) + '0123';

test('OSPF packets are signed with HMAC-SHA-256 under the site\'s password, kept in its own file beside bird.conf', () => {
	const text = renderBirdConf(seedSettings);
	const eth0 = block(block(text, 'protocol ospf v2 nodes'), 'interface "eth0"');
	assert.match(eth0, new RegExp(`^\\t\\t\\tinclude "${birdPasswordName}";$`, 'm'), 'the password file is included in the interface block, by a path relative to bird.conf');
	assert.equal(birdPasswordPath, `${birdConfPath.slice(0, birdConfPath.lastIndexOf('/'))}/${birdPasswordName}`);
	// Hellos of 5 s or more: bird's cryptographic sequence number counts seconds.
	assert.match(eth0, /^\t\t\thello 5;$/m);
	const file = renderBirdPassword(password);
	assert.match(file, /^authentication cryptographic;$/m);
	assert.match(file, new RegExp(`^password "${password}" \\{\n\tid 1;\n\talgorithm hmac sha256;\n\};$`, 'm'));
	assert.ok(!text.includes(password), 'bird.conf, which plans show, holds no password');
	for (const bad of ['', 'c0ffee', `${password}0`, `${password.slice(1)}"`, password.toUpperCase()]) assert.throws(() => renderBirdPassword(bad), /64 hexadecimal digits/, JSON.stringify(bad));
});

test('bird -p reads the password file the configuration includes: without it, or with an unknown algorithm, it refuses', async t => {
	if (!need(['bird'], t)) return;
	const text = renderBirdConf(seedSettings);
	const accepted = await checkBirdConf(text, {[birdPasswordName]: renderBirdPassword(password)});
	assert.equal(accepted.exitCode, 0, accepted.output);
	// bird warns when hellos under 5 s weaken the signatures: not here; it does with hello 1.
	assert.doesNotMatch(accepted.output, /replay/);
	assert.match((await checkBirdConf(text.replace('hello 5;', 'hello 1;').replace('dead 20;', 'dead 4;'), {[birdPasswordName]: renderBirdPassword(password)})).output, /replay attacks/);
	const missing = await checkBirdConf(text, {});
	assert.notEqual(missing.exitCode, 0);
	assert.match(missing.output, new RegExp(birdPasswordName.replace('.', '\\.')));
	const unknown = await checkBirdConf(text, {[birdPasswordName]: renderBirdPassword(password).replace('hmac sha256', 'hmac sha257')});
	assert.notEqual(unknown.exitCode, 0, unknown.output);
});

test('bird -p accepts the configuration; it rejects the same with wait 1, so the check can fail', async t => {
	if (!need(['bird'], t)) return;
	for (const settings of [seedSettings, other]) {
		const result = await checkBirdConf(renderBirdConf(settings));
		assert.equal(result.exitCode, 0, result.output);
	}
	const rejected = await checkBirdConf(renderBirdConf(seedSettings).replace('wait 2;', 'wait 1;'));
	assert.notEqual(rejected.exitCode, 0);
	assert.match(rejected.output, /[Ww]ait/);
});

test('the init script runs the wizard\'s bird on its own configuration, socket and pid file; sh -n accepts it', async t => {
	const script = renderBirdInitScript();
	assert.match(script, /^CONF=\/etc\/bird\/ganeti-wizard\/bird\.conf$/m);
	assert.ok(script.includes(`-- -c "$CONF" -s "$SOCKET" -P "$PIDFILE"`));
	for (const [name, value] of [['CONF', birdConfPath], ['SOCKET', birdControlSocket], ['PIDFILE', birdPidPath]] as const) assert.ok(script.includes(`\n${name}=${value}\n`));
	assert.doesNotMatch(script, /\/etc\/bird\/bird\.conf|\/run\/bird\//, 'never the packaged bird\'s files');
	if (!need(['sh'], t)) return;
	const result = await runCheckArgv(['sh', '-n', '{}'], script);
	assert.equal(result.exitCode, 0, result.output);
});

test('random routed sites: bird -p accepts every bird.conf and sh -n every route hook the routing step plans', async t => {
	if (!need(['bird', 'sh'], t)) return;
	const runs = Number(process.env.RANDOM_SITES ?? 20);
	const sites = fc.sample(
		fc.tuple(arbitraryRecipe({maxInstances: 12}), fc.integer({min: 1, max: 2 ** 31 - 1})).map(([recipe, seed]) => {
			const network = recipe.network as Record<string, unknown>;
			return inventoryFromObject({...recipe, network: {...network, routing: 'ospf'}}, seed);
		}),
		{numRuns: runs, seed: 14},
	);
	const files = sites.flatMap(inventory => {
		const planned = routingStep.plan(inventory, bareFacts()).filter(action => action.kind === 'file');
		const passwordFile = planned.find(action => action.id === 'routing.bird-password')!;
		// One hook text per site: the six paths hold the same script.
		return planned.filter(action => action.id === 'routing.bird-config' || action.id === 'routing.hook.instance-start').map(action => ({inventory, action, beside: {[birdPasswordName]: passwordFile.content}}));
	});
	assert.equal(files.length, runs * 2);
	const results = await inParallel(files, 4, ({action, beside}) => runCheckArgv(action.check!.argv, action.content, beside));
	results.forEach((result, index) => {
		const {inventory, action} = files[index]!;
		assert.equal(result.exitCode, 0, `${action.id} of ${inventory.node.fqdn}: ${result.output}\n${action.content}`);
		if (action.id === 'routing.bird-config') assert.ok(action.content.includes(`interface "${inventory.recipe.host.public_interface}"`));
	});
});
