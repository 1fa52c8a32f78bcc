import assert from 'node:assert/strict';
import {test} from 'node:test';
import {renderRouteHook, routeHookName, routeHookPath, routeHookPaths} from '../../source/render/ganeti-hooks.js';
import {need} from '../support/need.js';
import {runCheckArgv} from './checkers.js';

const settings = {nodeName: 'gcc20.node.farm', bridge: 'br0', addresses: {'rodo1.vm.farm': '10.10.1.50', 'web1.vm.farm': '10.10.1.51'}};

test('the hook goes in the post phase of the operations that place or take off an instance, under a name Ganeti runs', () => {
	// Ganeti runs only files named ^[a-zA-Z0-9_-]+$ (no extension).
	assert.match(routeHookName, /^[a-zA-Z0-9_-]+$/);
	assert.deepEqual(
		routeHookPaths.map(routeHookPath),
		['add', 'start', 'migrate', 'failover', 'stop', 'remove'].map(operation => `/etc/ganeti/hooks/instance-${operation}-post.d/ganeti-wizard-vm-route`),
	);
});

test('the script knows its node, bridge and the site\'s addresses; sh -n accepts it', async t => {
	const script = renderRouteHook(settings);
	assert.match(script, /^NODE=gcc20\.node\.farm$/m);
	assert.match(script, /^BRIDGE=br0$/m);
	assert.match(script, /^PROTO=203$/m);
	assert.match(script, /^\trodo1\.vm\.farm\) echo 10\.10\.1\.50 ;;$/m);
	assert.match(script, /^\tweb1\.vm\.farm\) echo 10\.10\.1\.51 ;;$/m);
	if (!need(['sh'], t)) return;
	for (const text of [script, renderRouteHook({...settings, addresses: {}})]) {
		const result = await runCheckArgv(['sh', '-n', '{}'], text);
		assert.equal(result.exitCode, 0, result.output);
	}
	const broken = await runCheckArgv(['sh', '-n', '{}'], script.replace('esac\n}', '}'));
	assert.notEqual(broken.exitCode, 0, 'sh -n can fail');
});
