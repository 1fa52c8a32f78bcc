// A KVM cluster made before VNC consoles moved to the loopback keeps the
// master's private address as its vnc_bind_address (and ISO installs as their
// own): the cluster and instances steps plan the modify back to 127.0.0.1,
// journalled with an inverse that puts the old value back; with a cluster as
// init now leaves it, or none at all, nothing changes. The config.data is
// written by Ganeti's own objects and serializer, and read as a run reads it.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import type {Action, CommandAction} from '../../source/actions/action.js';
import {ganetiConfigPath, parseGanetiConfig, probeFacts} from '../../source/host/facts.js';
import {RehearsalHost} from '../../source/host/rehearsal.js';
import {Transcript} from '../../source/host/transcript.js';
import {clusterStep} from '../../source/steps/cluster.js';
import {instancesStep} from '../../source/steps/instances.js';
import {bareFacts} from '../../source/steps/step.js';
import {ganetiConfig, ganetiConfigRequirements} from '../support/ganeti-config.js';
import {need} from '../support/need.js';
import {seedInventory} from '../render/fixtures.js';

const seed = seedInventory();
const rodo1 = seed.instances[0]!;
/** What the earlier version set: the master's private address, cluster-wide and for the ISO install. */
const old = seed.master.address;

const command = (actions: Action[], id: string): CommandAction | undefined => actions.find((action): action is CommandAction => action.id === id && action.kind === 'command');
const changes = (actions: Action[]) => actions.filter(action => !(action.kind === 'command' && action.readOnly)).map(action => action.id);

/** The seed's cluster as config.data holds it, with these VNC addresses. */
function seedCluster(cluster: string, instance?: string) {
	const config = ganetiConfig(seed.cluster.fqdn, {}, [rodo1.fqdn], {
		hvparams: {kvm: {kernel_path: '', initrd_path: '', vnc_bind_address: cluster}},
		...(instance === undefined ? {} : {instanceHvparams: {[rodo1.fqdn]: {boot_order: 'disk', vnc_bind_address: instance}}}),
	});
	const parsed = parseGanetiConfig(config);
	assert.ok(parsed, 'config.data parses');
	return {config, facts: bareFacts({cluster: parsed})};
}

test("config.data's hypervisor parameters: the cluster's filled with Ganeti's defaults, each instance's own only", t => {
	if (!need(ganetiConfigRequirements, t)) return;
	const {facts} = seedCluster(old, old);
	assert.equal(facts.cluster?.hypervisorParameters?.['kvm']?.['vnc_bind_address'], old);
	// A default init did not name, as text.
	assert.equal(facts.cluster?.hypervisorParameters?.['kvm']?.['acpi'], 'true');
	assert.deepEqual(facts.cluster?.instanceHypervisorParameters, {[rodo1.fqdn]: {boot_order: 'disk', vnc_bind_address: old}});
});

test('an old cluster: gnt-cluster modify to 127.0.0.1 before verify, its inverse the old address; the ISO install too, from its next restart', t => {
	if (!need(ganetiConfigRequirements, t)) return;
	const {facts} = seedCluster(old, old);
	const cluster = clusterStep.plan(seed, facts);
	const modify = command(cluster, 'cluster.vnc-bind-address');
	assert.ok(modify, 'the cluster step plans the modify');
	assert.deepEqual(modify.argv, ['gnt-cluster', 'modify', '-H', 'kvm:vnc_bind_address=127.0.0.1']);
	assert.deepEqual(modify.inverse, ['gnt-cluster', 'modify', '-H', `kvm:vnc_bind_address=${old}`]);
	assert.match(modify.title, /127\.0\.0\.1, not 10\.10\.0\.20.*next restart/);
	// gnt-cluster info's line, whole: 127.0.0.10 is another address.
	assert.equal((modify.satisfiedWhen as {stdoutIncludes: string}).stdoutIncludes, 'vnc_bind_address: 127.0.0.1\n');
	const ids = cluster.map(action => action.id);
	assert.equal(ids.indexOf('cluster.vnc-bind-address'), ids.indexOf('cluster.verify') - 1, 'right before verify, with the daemons up');

	const instances = instancesStep.plan(seed, facts);
	const own = command(instances, `instances.${rodo1.name}.vnc-bind-address`);
	assert.ok(own, 'the instances step plans the instance modify');
	assert.deepEqual(own.argv, ['gnt-instance', 'modify', '-H', 'vnc_bind_address=127.0.0.1', rodo1.fqdn]);
	assert.deepEqual(own.inverse, ['gnt-instance', 'modify', '-H', `vnc_bind_address=${old}`, rodo1.fqdn]);
	assert.match(own.title, /next restart/);
	assert.deepEqual((own.satisfiedWhen as {argv: string[]}).argv.slice(-1)[0], `name == "${rodo1.fqdn}" and hv/vnc_bind_address == "127.0.0.1"`);
	// After its add, before the restart from its disk that picks it up.
	const order = instances.map(action => action.id);
	assert.ok(order.indexOf(`instances.${rodo1.name}.add`) < order.indexOf(`instances.${rodo1.name}.vnc-bind-address`));
	assert.ok(order.indexOf(`instances.${rodo1.name}.vnc-bind-address`) < order.indexOf(`instances.${rodo1.name}.restart`));
});

test('a cluster as init leaves it now, and a fresh install: no modify, the plans as before', t => {
	if (!need(ganetiConfigRequirements, t)) return;
	const fresh = {cluster: changes(clusterStep.plan(seed, bareFacts())), instances: changes(instancesStep.plan(seed, bareFacts()))};
	assert.ok(!fresh.cluster.includes('cluster.vnc-bind-address') && !fresh.instances.some(id => id.endsWith('.vnc-bind-address')));
	for (const [cluster, instance] of [['127.0.0.1', '127.0.0.1'], ['127.0.0.1', undefined]] as const) {
		const {facts} = seedCluster(cluster, instance);
		assert.deepEqual({cluster: changes(clusterStep.plan(seed, facts)), instances: changes(instancesStep.plan(seed, facts))}, fresh, `cluster ${cluster}, instance ${instance ?? 'inheriting'}`);
	}
});

test("an instance's own address that is no node's, or the recipe's own choice, is left as it is", t => {
	if (!need(ganetiConfigRequirements, t)) return;
	// Someone chose another loopback-like address for this instance: not the earlier version's.
	assert.equal(command(instancesStep.plan(seed, seedCluster('127.0.0.1', '127.0.0.2').facts), `instances.${rodo1.name}.vnc-bind-address`), undefined);
	// A one-node recipe may name its node's private address itself: that is what it wants.
	const chosen = {...seed, recipe: {...seed.recipe, cluster: {...seed.recipe.cluster, hypervisor_parameters: {vnc_bind_address: old}}}, instances: [{...rodo1, hypervisor_parameters: {vnc_bind_address: old}}]};
	const {facts} = seedCluster(old, old);
	assert.equal(command(clusterStep.plan(chosen, facts), 'cluster.vnc-bind-address'), undefined);
	assert.equal(command(instancesStep.plan(chosen, facts), `instances.${rodo1.name}.vnc-bind-address`), undefined);
});

test('a run reads the cluster from config.data for the cluster and instances steps; a host without one plans no modify', async t => {
	if (!need(ganetiConfigRequirements, t)) return;
	const root = await mkdtemp(join(tmpdir(), 'vnc-bind-'));
	try {
		const host = new RehearsalHost('node', root, join(root, '.state'), new Transcript(undefined));
		const without = await probeFacts(host, seed, clusterStep, {});
		assert.equal(without.cluster, null);
		const path = join(root, ganetiConfigPath);
		await mkdir(dirname(path), {recursive: true});
		await writeFile(path, seedCluster(old, old).config);
		for (const step of [clusterStep, instancesStep]) {
			const facts = await probeFacts(host, seed, step, {});
			assert.equal(facts.cluster?.hypervisorParameters?.['kvm']?.['vnc_bind_address'], old, step.id);
		}
		const facts = await probeFacts(host, seed, clusterStep, {});
		assert.ok(command(clusterStep.plan(seed, facts), 'cluster.vnc-bind-address'));
	} finally {
		await rm(root, {recursive: true, force: true});
	}
});
