// Kill and resume on real daemons: in one lab host, apply is SIGKILLed (the
// runner's failpoints) at 15 points spread over every step, in a fresh state
// each time further on: after a check, after a command's effect before it is
// recorded, after an action is recorded, between a file's checked candidate
// and its rename, and while `gnt-cluster init` runs. The run after the last
// kill finishes; then the site must be what one uninterrupted run makes: a
// verified cluster initialised once, the instance once, no duplicated line in
// any configuration, one MASQUERADE rule, one commit per change, one loop device.
import assert from 'node:assert/strict';
import {readdir} from 'node:fs/promises';
import {test} from 'node:test';
import {createLabHost, doneLines, labHostRequirements, stateDir, transcriptPath, type CliRun, type LabHost} from '../support/lab-host.js';
import {isCheck, killAt, type Kill, type Landing} from './kill-points.js';
import {need} from '../support/need.js';
import {duplicateLines} from './duplicates.js';

/** What /var/lib/ganeti held when the test killed an init (with its wizard). */
type InitState = 'none' | 'incomplete' | 'complete';
type KilledInit = {files: string[]; state: InitState};
let initKilled: KilledInit | undefined;

/**
 * In order; each kill happens in the state the previous ones left. Targets are
 * action ids; the failpoint's count is worked out from `plan --json` just
 * before the run (the runner passes after-effect and after-action once per
 * action it applies, checks included, file-candidate once per file it writes).
 */
const kills: Kill[] = [
	{target: 'preflight.ssh-host-key', point: 'after-effect', why: 'between two preflight checks'},
	{target: 'host.loop-attach', point: 'after-effect', why: 'a loop device attached but not recorded: the rerun must not attach a second one'},
	{target: 'host.pv', point: 'after-action', why: 'the physical volume made and recorded, the volume group not yet'},
	{target: 'host.drbd-config', point: 'file-candidate', why: 'a file write between its candidate and the rename'},
	{target: 'network.interfaces', point: 'after-effect', why: 'the interfaces file written but not recorded'},
	{target: 'network.lo1', point: 'after-action', why: 'lo:1 up, br0 not yet'},
	{target: 'dns.zone.farm', point: 'file-candidate', why: 'a zone written as a candidate only'},
	{target: 'dns.git.commit', point: 'after-effect', why: 'committed but not recorded: the rerun must not commit again'},
	{target: 'dns.resolv', point: 'file-candidate', why: 'resolv.conf between candidate and rename'},
	{target: 'dhcp.git.commit', point: 'after-effect', why: 'dhcpd.conf committed but not recorded'},
	{target: 'dhcp.dhcpd', point: 'after-effect', why: 'dhcpd restarted but not recorded'},
	{target: 'cluster.hosts', point: 'after-effect', why: '/etc/hosts rewritten but not recorded'},
	{target: 'cluster.ssh-authorize', point: 'after-effect', why: "root's key authorised but not recorded: no second authorized_keys line"},
	{target: 'cluster.init', point: 'command-running', why: 'the session is lost a second into gnt-cluster init: init dies with the wizard', killInit: true},
	{target: 'cluster.clear-interrupted', point: 'after-action', why: "the killed init's files moved aside and recorded", when: () => initKilled?.state === 'incomplete'},
	{target: 'cluster.init', point: 'command-running', why: 'killed a second into gnt-cluster init, which goes on by itself'},
	{target: 'instances.rodo1.osm.add', point: 'after-effect', why: 'the instance added but not recorded: never added twice'},
];

/**
 * What an init left in a directory laid out like /var/lib/ganeti. Init's last
 * steps record the master's certificate digest in config.data and write
 * ssconf's copy: complete only once both are there, with the certificates
 * themselves (the criterion the cluster step documents).
 */
async function initState(read: (name: string) => Promise<string | null>): Promise<InitState> {
	const config = await read('config.data');
	if (config === null) return 'none';
	const certificates = Object.keys((JSON.parse(config) as {cluster: {candidate_certs?: object}}).cluster.candidate_certs ?? {}).length;
	const written = async (name: string) => Boolean(await read(name));
	const complete = certificates > 0 && (await written('server.pem')) && (await written('client.pem')) && (await written('ssconf_master_candidates_certs'));
	return complete ? 'complete' : 'incomplete';
}

/** Kills the `gnt-cluster init` a killed wizard left running, as a hang-up would; undefined if it had ended. */
async function killRunningInit(host: LabHost): Promise<KilledInit | undefined> {
	// Anchored: the pgrep's own wrapper (timeout ...) names init in its argv too.
	const found = await host.lab.exec(['pgrep', '-f', '^/usr/bin/python3 /usr/sbin/gnt-cluster init ']);
	const pid = found.stdout.trim().split('\n')[0];
	if (!pid) return undefined;
	await host.lab.run(['kill', '-STOP', pid]);
	const files = (await readdir(host.lab.path('/var/lib/ganeti'))).sort();
	const state = await initState(name => host.lab.readFile(`/var/lib/ganeti/${name}`));
	await host.lab.run(['kill', '-KILL', pid]);
	return {files, state};
}

test('apply killed at 15 or more points over every step resumes to one verified site', async t => {
	if (!need(labHostRequirements, t)) return;
	const host = await createLabHost();
	const {lab} = host;
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await host.diagnostics(run)}`);
	const landings: Landing[] = [];
	try {
		for (const [number, kill] of kills.entries()) {
			if (kill.when && !kill.when()) continue;
			// A lost SSH session hangs up the wizard and the init it runs alike.
			const killInit = async (running: Promise<unknown>) => {
				await running;
				initKilled = await killRunningInit(host);
			};
			landings.push(...(await killAt(host, kill, landings, `kill ${number + 1}`, kill.killInit ? killInit : undefined)));
		}
		console.log(`# ${landings.length} runs killed: ${landings.map(landing => `${landing.id} (${landing.point}:${landing.count}, ${(landing.ms / 1000).toFixed(1)} s)`).join('; ')}`);
		const distinct = new Set(landings.map(landing => `${landing.id} ${landing.point}`));
		assert.ok(distinct.size >= 10, `at least 10 different kill points (${distinct.size})`);
		const plannedSteps = (await host.plan()).steps.map(step => step.id);
		assert.deepEqual(plannedSteps.filter(step => !landings.some(landing => landing.step === step)), [], 'every step had a run killed in it');
		assert.ok(landings.some(landing => landing.point === 'file-candidate'), 'a run was killed during a file write');
		assert.ok(landings.some(landing => landing.point === 'command-running' && landing.id === 'cluster.init'), 'a run was killed while gnt-cluster init ran');

		const final = await host.apply();
		console.log(`# final run: exit ${final.code ?? final.signal} in ${(final.ms / 1000).toFixed(1)} s, ${doneLines(final.stdout).length} changes`);
		if (final.code !== 0) await failWith(`the run after the last kill exited ${final.code ?? final.signal}`, final);
		const inventory = await host.inventory();

		await t.test('the cluster is verified and was initialised once', async () => {
			const verify = await lab.exec(['gnt-cluster', 'verify', ...inventory.recipe.cluster.verify_ignore.flatMap(code => ['-I', code])], {timeoutMs: 300_000});
			assert.equal(verify.exitCode, 0, `gnt-cluster verify:\n${verify.stdout}${verify.stderr}`);
			assert.match(await lab.run(['gnt-cluster', 'info']), new RegExp(`Cluster name: ${inventory.cluster.fqdn}\\n`));
			// Every init the wizard started (its transcript) was started by a run
			// killed during it: the run after them found the cluster complete. An
			// init killed before it finished is moved aside whole, never a complete one.
			const transcript = (await lab.readFile(transcriptPath)) ?? '';
			const starts = transcript.split('\n').filter(line => / \$ gnt-cluster init .*# started$/.test(line)).map(line => Date.parse(line.slice(0, line.indexOf(' '))));
			const initRuns = landings.filter(landing => landing.id === 'cluster.init').length;
			const aside = (await readdir(lab.path(stateDir))).filter(name => name.startsWith('interrupted-init-'));
			console.log(`# gnt-cluster init started ${starts.length} time(s) in ${initRuns} killed run(s); killed with the wizard: ${initKilled ? `yes, with ${initKilled.files.length} files in /var/lib/ganeti, ${initKilled.state === 'none' ? 'no config.data yet' : initKilled.state}` : 'no (it had ended)'}; moved aside: ${aside.length}`);
			assert.equal(starts.length, initRuns, 'init started once in each run killed during it, and never after');
			assert.match(final.stdout, /= satisfied initialise the cluster/, 'the final run found the cluster initialised');
			assert.equal(aside.length, initKilled?.state === 'incomplete' ? 1 : 0, "the killed init's files were moved aside (if it had written its config.data but not finished)");
			for (const directory of aside) {
				assert.equal(await initState(name => lab.readFile(`${stateDir}/${directory}/${name}`)), 'incomplete', `${directory} holds the killed init's config.data, and not a complete cluster`);
			}
			// One cluster of one node, made by the last init started.
			const config = JSON.parse((await lab.readFile('/var/lib/ganeti/config.data'))!) as {cluster: {cluster_name: string; ctime: number}; nodes: Record<string, unknown>};
			assert.equal(config.cluster.cluster_name, inventory.cluster.fqdn);
			assert.equal(Object.keys(config.nodes).length, 1);
			assert.ok(config.cluster.ctime * 1000 >= Math.max(...starts) - 1000, 'the cluster was created by the last init started');
		});

		await t.test('the instance is there once, with its MAC and both disks', async () => {
			const listed = await lab.run(['gnt-instance', 'list', '--no-headers', '--separator=|', '-o', 'name,nic.mac/0,disk.count']);
			const expected = inventory.instances.map(instance => `${instance.fqdn}|${instance.mac}|${1 + instance.extra_disks.length}`);
			assert.deepEqual(listed.trim().split('\n'), expected);
		});

		await t.test('no configuration has a duplicated line, a leftover candidate, or an uncommitted change', async () => {
			const plan = await host.plan();
			const notSatisfied = plan.steps.flatMap(step => step.actions).filter(action => action.status !== 'satisfied' && !isCheck(action));
			assert.deepEqual(notSatisfied.map(action => action.id), [], 'every action of a new plan is satisfied: the files are what the wizard generates');
			const files = plan.steps.flatMap(step => step.actions).filter(action => action.kind === 'file').map(action => action.path!);
			const problems: string[] = [];
			for (const path of [...new Set([...files, '/etc/hosts', '/etc/resolv.conf', '/root/.ssh/authorized_keys'])]) {
				const content = await lab.readFile(path);
				if (content === null) problems.push(`${path} is missing`);
				else problems.push(...duplicateLines(path, content).map(line => `${path}: duplicated "${line}"`));
			}
			assert.deepEqual(problems, []);
			const candidates = await lab.run(['find', '/etc', '/root', '-name', '.*.ganeti-wizard-new']);
			assert.equal(candidates.trim(), '', 'no candidate file is left behind');
			for (const directory of ['/etc/bind', '/etc/dhcp']) {
				assert.equal(await lab.run(['git', '-C', directory, 'status', '--porcelain']), '', `${directory} has nothing uncommitted`);
				const subjects = (await lab.run(['git', '-C', directory, 'log', '--format=%s'])).trim().split('\n');
				assert.deepEqual(subjects, [...new Set(subjects)], `${directory}: no commit made twice`);
			}
		});

		await t.test('one MASQUERADE rule, one loop device, the daemons running once', async () => {
			const nat = (await lab.run(['iptables', '-t', 'nat', '-S'])).split('\n').filter(line => line.includes('MASQUERADE'));
			assert.equal(nat.length, 1, nat.join('\n'));
			const loops = await lab.run(['losetup', '--noheadings', '-O', 'NAME', '-j', inventory.recipe.storage.loop_file!]);
			assert.equal(loops.trim().split('\n').filter(Boolean).length, 1, `loop devices of the volume group's file:\n${loops}`);
			const processes = await lab.run(['ps', '-e', '-o', 'comm=']);
			// (ganeti-noded forks a child per request: not counted.)
			for (const daemon of ['named', 'dhcpd', 'ganeti-wconfd', 'ganeti-luxid']) {
				assert.equal(processes.split('\n').filter(name => name === daemon).length, 1, `one ${daemon}:\n${processes}`);
			}
		});
	} finally {
		// Also proves the machine is exactly as it was before the lab.
		await host.destroy();
	}
});
