// The route hook run as Ganeti runs it (a clean environment with the GANETI_*
// variables of each operation's post phase) on a lab host whose bridge is the
// VMs' one: the instance's /32 appears where it runs and goes where it left,
// however often the hook runs, and no route of anybody else is touched.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {renderRouteHook} from '../../source/render/ganeti-hooks.js';
import {createLab, type Lab} from '../support/lab.js';
import {need} from '../support/need.js';

const here = 'gcc20.node.farm';
const there = 'gcc21.node.farm';
const scriptPath = '/etc/ganeti/hooks/instance-start-post.d/ganeti-wizard-vm-route';

/** The variables Ganeti 3.0 gives every instance hook (hooksmaster.py, cmdlib/instance_utils.py). */
function ganetiEnv(hpath: string, phase: 'pre' | 'post', primary: string, extra: Record<string, string> = {}): Record<string, string> {
	return {
		GANETI_HOOKS_VERSION: '2',
		GANETI_HOOKS_PHASE: phase,
		GANETI_HOOKS_PATH: hpath,
		GANETI_OBJECT_TYPE: 'INSTANCE',
		GANETI_INSTANCE_NAME: 'rodo1.vm.farm',
		GANETI_INSTANCE_PRIMARY: primary,
		GANETI_INSTANCE_NIC_COUNT: '1',
		GANETI_INSTANCE_NIC0_IP: '',
		GANETI_INSTANCE_NIC0_LINK: 'br0',
		GANETI_INSTANCE_NIC0_MODE: 'bridged',
		...extra,
	};
}

async function routes(lab: Lab): Promise<string[]> {
	return (await lab.run(['ip', '-4', 'route', 'show', 'table', 'main']))
		.split('\n')
		.map(line => line.trim())
		.filter(line => line.startsWith('10.10.1.5'));
}

test('the hook keeps the instance\'s /32 on the node that runs it, idempotently, and leaves other routes alone', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'sh'], t)) return;
	const lab = await createLab({hostname: 'gcc20'});
	t.after(() => lab.destroy());
	await lab.run(['ip', 'link', 'add', 'br0', 'type', 'bridge']);
	await lab.run(['ip', 'address', 'add', '10.10.1.1/24', 'dev', 'br0']);
	await lab.run(['ip', 'link', 'set', 'br0', 'up']);
	await lab.writeFile(scriptPath, renderRouteHook({nodeName: here, bridge: 'br0', addresses: {'rodo1.vm.farm': '10.10.1.50'}}), {mode: 0o755});
	const hook = async (env: Record<string, string>): Promise<void> => {
		// PATH as Ganeti sets it (constants.HOOKS_PATH); nothing else of ours leaks in.
		const result = await lab.exec(['env', '-i', 'PATH=/sbin:/bin:/usr/sbin:/usr/bin', ...Object.entries(env).map(([key, value]) => `${key}=${value}`), scriptPath]);
		assert.equal(result.exitCode, 0, `${env.GANETI_HOOKS_PATH}-${env.GANETI_HOOKS_PHASE}: ${result.stderr}`);
	};
	const ours = '10.10.1.50 dev br0 proto 203 scope link';

	await hook(ganetiEnv('instance-start', 'pre', here));
	assert.deepEqual(await routes(lab), [], 'the pre phase changes nothing');

	await hook(ganetiEnv('instance-start', 'post', here));
	assert.deepEqual(await routes(lab), [ours]);
	await hook(ganetiEnv('instance-start', 'post', here));
	assert.deepEqual(await routes(lab), [ours], 'a second run adds nothing');

	// What bird installs for the instance once it runs on the other node: never ours to delete.
	await lab.run(['ip', 'route', 'add', '10.10.1.50/32', 'dev', 'br0', 'proto', 'bird', 'metric', '203']);
	const moved = {GANETI_OLD_PRIMARY: here, GANETI_NEW_PRIMARY: there, GANETI_POST_INSTANCE_PRIMARY: there};
	await hook(ganetiEnv('instance-migrate', 'post', here, moved));
	assert.deepEqual(await routes(lab), ['10.10.1.50 dev br0 proto bird scope link metric 203'], 'the old primary drops its own route only');
	await hook(ganetiEnv('instance-migrate', 'post', here, moved));
	assert.deepEqual(await routes(lab), ['10.10.1.50 dev br0 proto bird scope link metric 203'], 'and again without an error');
	await lab.run(['ip', 'route', 'del', '10.10.1.50/32', 'dev', 'br0', 'proto', 'bird', 'metric', '203']);

	// Failed over back: the pre-operation primary is the other node, the new one is this node.
	await hook(ganetiEnv('instance-failover', 'post', there, {GANETI_OLD_PRIMARY: there, GANETI_NEW_PRIMARY: here}));
	assert.deepEqual(await routes(lab), [ours]);

	// On the master, which does not run the instance, an add elsewhere adds nothing here.
	await hook(ganetiEnv('instance-add', 'post', there, {GANETI_INSTANCE_NAME: 'web1.vm.farm', GANETI_INSTANCE_NIC0_IP: '10.10.1.55'}));
	assert.deepEqual(await routes(lab), [ours]);
	// An IP Ganeti knows for a NIC on the bridge comes first.
	await hook(ganetiEnv('instance-add', 'post', here, {GANETI_INSTANCE_NAME: 'web1.vm.farm', GANETI_INSTANCE_NIC0_IP: '10.10.1.55'}));
	assert.deepEqual(await routes(lab), [ours, '10.10.1.55 dev br0 proto 203 scope link']);

	await hook(ganetiEnv('instance-stop', 'post', here));
	assert.deepEqual(await routes(lab), ['10.10.1.55 dev br0 proto 203 scope link'], 'a stopped instance runs nowhere');
	await hook(ganetiEnv('instance-remove', 'post', here, {GANETI_INSTANCE_NAME: 'web1.vm.farm', GANETI_INSTANCE_NIC0_IP: '10.10.1.55'}));
	assert.deepEqual(await routes(lab), []);
});
