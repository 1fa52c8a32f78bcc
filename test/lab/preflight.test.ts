// Preflight failures reproduced on a lab host, one after the other in the same
// lab, each as an operator meets it: a volume group that does not exist (refused before any change), the
// files of another cluster in /var/lib/ganeti, Debian's "127.0.1.1 gcc20" line
// in /etc/hosts (with /etc/hosts left to the operator), and the cluster
// address already up on the host. Each apply must stop with exit code 1 at the
// wizard's own check, print its one-line message naming the fix, never start
// `gnt-cluster init` (so Ganeti's own refusal never shows), and run nothing
// after it. Once the operator has removed each cause, the same apply finishes.
// Then, on the live cluster, sites it cannot hold are refused before any change
// (exit 2, one line): its own instance policy, the free space of the volume
// group, a volume group under 20 GiB.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseGanetiConfig} from '../../source/host/facts.js';
import {hintFor} from '../../source/steps/hints.js';
import {initialInstancePolicy} from '../../source/steps/refusals.js';
import {allSteps} from '../../source/steps/index.js';
import {bareFacts} from '../../source/steps/step.js';
import {createLabHost, labHostRequirements, labRecipe, stateDir, transcriptPath, writeRecipeVariant, type CliRun, type LabHost} from '../support/lab-host.js';
import {need} from '../support/need.js';

/** A command the runner started, as the transcript records it. */
const initStarted = /^\S+ \$ gnt-cluster init .*# started$/m;

type Expected = {
	/** The check that must stop the run. */
	actionId: string;
	/** Its one output line: what is wrong and how to fix it. */
	message: string;
	/** What Ganeti itself would have said, had the wizard let it try. */
	ganeti: RegExp;
};

/** The action's title as the wizard plans it for this recipe (what the failure line names). */
async function planned(host: LabHost, recipe: string, actionId: string): Promise<{stepId: string; title: string; ids: string[]}> {
	const inventory = await host.inventory(recipe);
	const actions = allSteps.flatMap(step => step.plan(inventory, bareFacts()).map(action => ({stepId: step.id, action})));
	const found = actions.find(({action}) => action.id === actionId);
	if (!found) throw new Error(`no step plans ${actionId} for ${recipe}`);
	return {stepId: found.stepId, title: found.action.title, ids: actions.map(({action}) => action.id)};
}

async function applyAndExpectFailure(host: LabHost, recipe: string, expected: Expected, label: string): Promise<CliRun> {
	const run = await host.apply(recipe);
	console.log(`# ${label}: exit ${run.code ?? run.signal} in ${(run.ms / 1000).toFixed(1)} s`);
	const diagnostics = async () => `\n${await host.diagnostics(run)}`;
	assert.equal(run.code, 1, `${label}: apply --yes exits 1${await diagnostics()}`);
	const {stepId, title, ids} = await planned(host, recipe, expected.actionId);

	// The journal says which check failed, and that it is the one expected (of this recipe's actions:
	// an earlier recipe's failed check stays recorded as it was).
	// The last verdict the journal gives each action (its records are replayed in order).
	const verdicts = new Map<string, string>();
	for (const line of ((await host.lab.readFile(`${stateDir}/journal.jsonl`)) ?? '').split('\n').filter(Boolean)) {
		const record = JSON.parse(line) as {type: string; phase?: string; id?: string; status?: string};
		if (record.type === 'start-over') verdicts.clear();
		if (record.type === 'action' && record.phase === 'end') verdicts.set(record.id!, record.status!);
	}
	const failed = [...verdicts].filter(([id, status]) => ids.includes(id) && status === 'failed').map(([id]) => id);
	assert.deepEqual(failed, [expected.actionId], `${label}: the journal records only ${expected.actionId} as failed${await diagnostics()}`);

	// The unattended lines: the failed check, its one output line, the summary; nothing ran after it.
	const lines = run.stdout.trimEnd().split('\n');
	const failedAt = lines.indexOf(`  ✗ failed ${title} (python3 exited with code 1)`);
	assert.ok(failedAt >= 0, `${label}: a "✗ failed ${title}" line${await diagnostics()}`);
	// The wizard knows this failure: its hint is in the summary (and on the TUI's and plain mode's failure screens).
	const hint = hintFor(expected.actionId, expected.message);
	assert.ok(hint, `${label}: the wizard has a hint for "${expected.message}"`);
	assert.deepEqual(
		lines.slice(failedAt + 1),
		[`      | ${expected.message}`, `step ${stepId}: ✗ failed`, `Failed: ${title}: python3 exited with code 1`, `Hint: ${hint}`, `Fix the cause, then continue with: ganeti-wizard apply --recipe ${recipe} --root / --yes`],
		`${label}: the check's own message, then the summary with the hint, and no other action after it${await diagnostics()}`,
	);
	assert.equal(run.stderr.trim(), '', `${label}: nothing on stderr`);

	// Ganeti never got to see the problem.
	const transcript = (await host.lab.readFile(transcriptPath)) ?? '';
	assert.doesNotMatch(transcript, initStarted, `${label}: gnt-cluster init was never started`);
	assert.doesNotMatch(`${run.stdout}\n${run.stderr}\n${transcript}`, expected.ganeti, `${label}: none of Ganeti's own words`);
	return run;
}

/** Our cluster's state in the lab: absent until an init runs. */
async function ganetiConfig(host: LabHost): Promise<string | null> {
	return host.lab.readFile('/var/lib/ganeti/config.data');
}

test('each preflight failure stops apply at the wizard check, with its message and fix, before gnt-cluster init; fixed, apply finishes', async t => {
	if (!need(labHostRequirements, t)) return;
	const started = Date.now();
	const host = await createLabHost();
	console.log(`# lab host ready in ${((Date.now() - started) / 1000).toFixed(1)} s (machine lock included)`);
	const {lab} = host;
	try {
		await t.test('a volume group that does not exist, with nothing to make it on: refused before any change, naming storage.vg and the groups the host has', async () => {
			// No loop device to make one on: the recipe names a group that must exist already.
			const recipe = await writeRecipeVariant(host, 'missing-vg', document => {
				delete document.storage.loop_file;
				delete document.storage.loop_size;
				document.storage.vg = 'nosuchvg';
			});
			const groups = (await lab.run(['vgs', '--noheadings', '-o', 'vg_name'])).split('\n').map(line => line.trim()).filter(Boolean).sort();
			const run = await host.apply(recipe);
			assert.equal(run.code, 2, `missing volume group: apply exits 2\n${await host.diagnostics(run)}`);
			assert.equal(run.stdout, '', 'nothing ran');
			assert.equal(
				run.stderr,
				`ganeti-wizard: ${recipe}: storage.vg: "nosuchvg" is not a volume group of this host (${groups.length ? `it has ${groups.join(', ')}` : 'it has none'}) and no storage.disk, storage.partition or storage.loop_file makes it; name an existing group (vgs lists them), or give a disk for the wizard to make it on\n`,
			);
			assert.equal(await lab.readFile(`${stateDir}/journal.jsonl`), null, 'no journal: nothing was recorded');
			assert.equal(await ganetiConfig(host), null, 'no cluster configuration');
		});

		await t.test("another cluster's files in /var/lib/ganeti: preflight stops, and once they are moved aside it passes", async () => {
			const leftover = {cluster: {cluster_name: 'old.example.org', master_node: 'a1b2'}, nodes: {a1b2: {name: 'oldnode.example.org'}}};
			await lab.writeFile('/var/lib/ganeti/config.data', JSON.stringify(leftover));
			await lab.writeFile('/var/lib/ganeti/ssconf_cluster_name', 'old.example.org\n');
			// The operator's fix, as the message says (afterwards, whatever the outcome, so the next cases start clean): move the files aside.
			const moveAside = () => lab.run(['sh', '-e', '-c', 'mkdir -p /root/old-cluster && mv /var/lib/ganeti/config.data /var/lib/ganeti/ssconf_cluster_name /root/old-cluster/']);
			const run = await applyAndExpectFailure(
				host,
				labRecipe,
				{
					actionId: 'preflight.leftovers',
					message:
						'/var/lib/ganeti holds files of the cluster old.example.org (master oldnode.example.org), e.g. /var/lib/ganeti/config.data, /var/lib/ganeti/ssconf_cluster_name: if it still runs, gnt-cluster destroy --yes-do-it; otherwise move those files aside',
					ganeti: /Cluster is already initialised|contains non-directory entries|Remove left-overs/i,
				},
				'leftover cluster',
			).finally(moveAside);
			assert.doesNotMatch(run.stdout, /^step host:/m, 'the host step never started');
		});

		// Debian's installer names the host on 127.0.1.1; the operator keeps /etc/hosts to themselves.
		const unmanagedHosts = await writeRecipeVariant(host, 'hosts-unmanaged', document => {
			document.host.manage_etc_hosts = false;
		});
		const debianHosts = '127.0.0.1\tlocalhost\n127.0.1.1\tgcc20.node.farm\tgcc20\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n';

		await t.test('the FQDN on 127.0.1.1: the node-name check stops the cluster step once host, network and DNS are set up', async () => {
			await lab.writeFile('/etc/hosts', debianHosts);
			let hostsAfter: string | null = null;
			const run = await applyAndExpectFailure(
				host,
				unmanagedHosts,
				{
					actionId: 'cluster.check.node-name',
					message: 'gcc20.node.farm resolves to 127.0.1.1, a loopback address (Debian\'s "127.0.1.1 gcc20" line in /etc/hosts), which Ganeti refuses: replace that line by "10.10.0.20 gcc20.node.farm gcc20"',
					ganeti: /resolves to a loopback address|Please fix DNS or \/etc\/hosts/i,
				},
				'FQDN on 127.0.1.1',
			).finally(async () => {
				hostsAfter = await lab.readFile('/etc/hosts');
				// The fix the message names.
				await lab.writeFile('/etc/hosts', debianHosts.replace('127.0.1.1\tgcc20.node.farm\tgcc20', '10.10.0.20 gcc20.node.farm gcc20'));
			});
			for (const step of ['preflight', 'host', 'network', 'dns', 'dhcp']) assert.match(run.stdout, new RegExp(`^step ${step}: (✓ done|= satisfied)$`, 'm'), `step ${step} finished before the cluster step`);
			assert.equal(hostsAfter, debianHosts, '/etc/hosts is left alone (host.manage_etc_hosts: false)');
			assert.equal(await ganetiConfig(host), null, 'no cluster configuration');
		});

		await t.test('the cluster address already up on the host: the cluster-address check stops the cluster step; removed, apply finishes', async () => {
			// An address left configured by hand (or by an earlier cluster that was not shut down cleanly).
			await lab.run(['ip', 'address', 'add', '10.10.0.10/32', 'dev', 'br0']);
			const removeAddress = () => lab.run(['ip', 'address', 'del', '10.10.0.10/32', 'dev', 'br0']);
			await applyAndExpectFailure(
				host,
				unmanagedHosts,
				{
					actionId: 'cluster.check.cluster-address',
					message: 'the cluster address 10.10.0.10 is already in use on this host (ip -4 addr shows it, or a route makes it local): remove it, or choose another cluster.address',
					ganeti: /Cluster IP already active|already in use by another/i,
				},
				'cluster IP in use',
			).finally(removeAddress);
			assert.equal(await ganetiConfig(host), null, 'no cluster configuration');

			const last = await host.apply(unmanagedHosts);
			console.log(`# after the fixes: exit ${last.code ?? last.signal} in ${(last.ms / 1000).toFixed(1)} s`);
			assert.equal(last.code, 0, `apply finishes once every cause is removed\n${await host.diagnostics(last)}`);
			assert.match(last.stdout, /All steps are done\./);
			const transcript = (await lab.readFile(transcriptPath)) ?? '';
			assert.equal(transcript.match(new RegExp(initStarted.source, 'gm'))?.length, 1, 'gnt-cluster init ran exactly once, in the last apply');
			assert.match(await lab.run(['gnt-cluster', 'getmaster']), /^gcc20\.node\.farm$/m);
			assert.match(await lab.run(['ip', '-4', '-o', 'address', 'show', 'dev', 'br0']), / 10\.10\.0\.10\//, 'Ganeti put the cluster address up itself');
		});

		await t.test("refused before any change on the live cluster: its own instance policy, the volume group's free space, a volume group under 20 GiB", async () => {
			// What gnt-cluster init wrote: the policy the wizard assumes before init, and the instance.
			const cluster = parseGanetiConfig((await ganetiConfig(host)) ?? '');
			const {name, policy, instances, drbdUsermodeHelper} = cluster ?? assert.fail('config.data names no cluster');
			assert.deepEqual({name, policy, instances, drbdUsermodeHelper}, {name: 'cluster.node.farm', policy: initialInstancePolicy(await host.inventory(unmanagedHosts).then(inventory => inventory.recipe)), instances: ['rodo1.osm.vm.farm'], drbdUsermodeHelper: null});

			const web1 = {name: 'web1.osm', disk_template: 'file', disk_size: '1G', memory: '512M', vcpus: 1, install: {os: 'noop+default'}};
			const freeMiB = Math.floor(Number((await lab.run(['vgs', '--noheadings', '--units', 'b', '--nosuffix', '-o', 'vg_free', 'all'])).trim()) / 2 ** 20);
			const variants: Array<{name: string; change: (document: Record<string, any>) => void; line: (recipe: string) => string; setUp?: () => Promise<void>}> = [
				{
					name: 'sixteen-vcpus',
					change: document => document.instances.push({...web1, vcpus: 16}),
					line: recipe => `${recipe}: instances[1].vcpus: 16 is above the cluster's instance policy maximum of 8; use at most 8, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`,
				},
				{
					name: 'disk-beyond-free-space',
					change: document => document.instances.push({...web1, disk_template: 'plain', disk_size: '30G'}),
					line: recipe =>
						`${recipe}: instances[1].disk_size: "30G" does not fit the free space of the volume group all (${freeMiB} MiB): the plain disks of the new instances up to this one need 30720 MiB; use smaller disks, extend the group (vgextend all DEVICE), or use file disks`,
				},
				{
					// A 10G group made by hand beside the wizard's: the size LVM reports decides, not the recipe.
					name: 'small-vg',
					setUp: () => lab.run(['sh', '-e', '-c', 'truncate -s 10G /root/small-vg.img; device=$(losetup --find --show /root/small-vg.img); LVM_SUPPRESS_FD_WARNINGS=1 pvcreate -q "$device"; LVM_SUPPRESS_FD_WARNINGS=1 vgcreate -q small "$device"']).then(() => {}),
					change: document => {
						delete document.storage.loop_file;
						delete document.storage.loop_size;
						document.storage.vg = 'small';
					},
					line: recipe => `${recipe}: storage.vg: "small" has 10236 MiB, under Ganeti's minimum of 20 GiB (20480 MiB) for plain and drbd disks; extend it (vgextend small DEVICE), name a group of 20 GiB or more, or use file disks`,
				},
			];
			const kept = async () => Promise.all([`${stateDir}/site.json`, `${stateDir}/journal.jsonl`, transcriptPath].map(path => lab.readFile(path)));
			try {
				for (const variant of variants) {
					await variant.setUp?.();
					const recipe = await writeRecipeVariant(host, variant.name, document => {
						document.host.manage_etc_hosts = false;
						variant.change(document);
					});
					const before = await kept();
					const run = await host.apply(recipe);
					assert.equal(run.code, 2, `${variant.name}: apply exits 2${`\n${await host.diagnostics(run)}`}`);
					assert.equal(run.stdout, '', `${variant.name}: nothing ran`);
					assert.equal(run.stderr, `ganeti-wizard: ${variant.line(recipe)}\n`, `${variant.name}: the one line`);
					assert.deepEqual(await kept(), before, `${variant.name}: the site, the journal and the transcript are unchanged`);
				}
			} finally {
				await lab.run(['sh', '-c', 'export LVM_SUPPRESS_FD_WARNINGS=1; vgremove -q -f small; for device in $(losetup -j /root/small-vg.img -n -O NAME); do pvremove -q "$device"; losetup -d "$device"; done; rm -f /root/small-vg.img; true']);
			}
		});
	} finally {
		// Also proves the machine is exactly as it was before the lab.
		await host.destroy();
	}
	console.log(`# whole test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
