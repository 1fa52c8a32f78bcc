// node add, node remove, plan and undo --node on a rehearsed two-node site,
// through the built CLI: bad input is one line naming the flag and writes
// nothing; the preview writes nothing; the added node is rehearsed in a folder
// of its own (its files, its recorded commands), the master gains its names
// and joins it; a second node add changes nothing; undo --node leaves the
// node's folder as it was and the site without it.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {runCli} from '../support/cli.js';
import {treeDigest} from '../support/tree.js';

const work = await mkdtemp(join(tmpdir(), 'gw-nodes-'));
after(() => rm(work, {recursive: true, force: true}));
const recipe = new URL('../../recipes/lab-two-nodes.yaml', import.meta.url).pathname;
const root = join(work, 'root');
const state = join(work, 'state');
// Where a rehearsal keeps gcc21: a folder beside the master's, its commands beside the site's.
const nodeRoot = join(work, 'root-gcc21');
const nodeCommands = join(state, 'nodes', 'gcc21', 'commands.sh');
const at = (...args: string[]) => runCli([...args, '--root', root, '--state-dir', state]);
const digest = async () => [await treeDigest(root), await treeDigest(state), await treeDigest(nodeRoot)];
const add = ['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.0.21'];
/** The OSPF password the site generated and keeps (64 hex digits). */
const sitePassword = async (): Promise<string> => {
	const password = (JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {generated: {ospfPassword?: string}}).generated.ospfPassword;
	assert.match(password ?? '', /^[0-9a-f]{64}$/);
	return password!;
};
const savedText = async () => (JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {recipe: {text: string}}).recipe.text;

test('nodes of a rehearsed site', async t => {
	assert.equal((await runCli(['apply', '--recipe', recipe, '--root', root, '--state-dir', state, '--yes'])).code, 0);
	await mkdir(nodeRoot);
	const nodeRootAsFound = await treeDigest(nodeRoot);

	await t.test('bad input: one line naming the flag or the node, exit 2, nothing written', async () => {
		const before = await digest();
		const cases: Array<[string[], RegExp]> = [
			[['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--yes'], /^ganeti-wizard: node add needs --private-address IP/],
			[['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.0.20', '--yes'], /^ganeti-wizard: --private-address: "10\.10\.0\.20" is also/],
			[['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.9.21', '--yes'], /^ganeti-wizard: --private-address: "10\.10\.9\.21" is not inside network\.nodes_subnet/],
			[['node', 'add', 'gcc21', '--public-address', '198.51.100', '--private-address', '10.10.0.21', '--yes'], /^ganeti-wizard: --public-address: "198\.51\.100" is not an IPv4 address/],
			[['node', 'add', 'gcc21', '--private-address', '10.10.0.21', '--role', 'boss', '--yes'], /^ganeti-wizard: --role: "boss" is not a role for an added node; give candidate/],
			[['node', 'add', 'gcc21.invalid', '--private-address', '10.10.0.21', '--yes'], /^ganeti-wizard: NAME: "gcc21\.invalid" does not resolve to an IPv4 address here; give the node's address with --public-address IP$/m],
			[['node', 'add', 'gcc20', '--private-address', '10.10.0.21', '--yes'], /^ganeti-wizard: NAME: "gcc20" is the site's master/],
			[['node', 'add', 'cluster', '--public-address', '198.51.100.21', '--private-address', '10.10.0.21', '--yes'], /^ganeti-wizard: NAME: "cluster" makes the name "cluster\.node\.farm", which is the cluster's name \(cluster\.name\); choose another name for the node\n$/],
			[['node', 'remove', 'gcc29', '--yes'], /^ganeti-wizard: NAME: "gcc29" is not a node of the site/],
			[['node', 'remove', 'gcc20', '--yes'], /^ganeti-wizard: NAME: "gcc20" is the site's master/],
			[['node', 'join'], /^ganeti-wizard: unknown node subcommand "join"/],
			[['vm', 'migrate', 'rodo1'], /^ganeti-wizard: NAME: "rodo1" is not a VM of the site/],
			[['undo', '--node', 'gcc29', '--yes'], /^ganeti-wizard: --node: "gcc29" is not a node of the site/],
			[['node', 'add', 'gcc21', '--private-address', 'abc', '--yes'], /^ganeti-wizard: --private-address: "abc" is not an IPv4 address/],
			[['node', 'add', 'gcc21', '--public-address', '127.0.0.1', '--private-address', '10.10.0.21', '--yes'], /^ganeti-wizard: --public-address: "127\.0\.0\.1" is a loopback address/],
			[['node', 'add', 'gcc21', '--public-address', '198.51.100.21', '--private-address', '10.10.0.10', '--yes'], /^ganeti-wizard: --private-address: cluster\.address: "10\.10\.0\.10" is already used/],
			// A flag named as it is typed, not as the parser defines it (--privateAddress).
			[['node', 'add', 'gcc21', '--private-address', '10.10.0.21', '--private-address', '10.10.0.22'], /^ganeti-wizard: The flag --private-address can only be set once/],
			[[...add, '--yes', '--dry-run'], /^ganeti-wizard: --dry-run is not an option of ganeti-wizard node add \(only of ganeti-wizard undo\)/],
			[['vm', 'failover', 'rodo1', '--shutdown-timeout', '99999999'], /^ganeti-wizard: --shutdown-timeout: "99999999" is not a whole number of seconds up to 3600/],
		];
		for (const [args, expected] of cases) {
			const run = await at(...args);
			assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
			assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
			assert.match(run.stderr, expected);
		}
		assert.deepEqual(await digest(), before);
		// gcc21's folder says it belongs to another cluster: refused before any change, naming the file.
		await mkdir(join(nodeRoot, 'var/lib/ganeti'), {recursive: true});
		await writeFile(join(nodeRoot, 'var/lib/ganeti/ssconf_cluster_name'), 'cluster.example.org\n');
		const elsewhere = await at(...add, '--yes');
		assert.equal(elsewhere.code, 2, elsewhere.stdout);
		assert.match(elsewhere.stderr, /^ganeti-wizard: gcc21: already belongs to the Ganeti cluster cluster\.example\.org \(\/var\/lib\/ganeti\/ssconf_cluster_name\); remove it there first/);
		assert.equal(elsewhere.stderr.trim().split('\n').length, 1);
		await rm(join(nodeRoot, 'var'), {recursive: true});
		assert.deepEqual(await digest(), before);
	});

	await t.test('the preview and plan write nothing', async () => {
		const before = await digest();
		const preview = await at(...add);
		assert.equal(preview.code, 0, preview.stderr);
		assert.match(preview.stdout, /^\s+\+ node gcc21 \(10\.10\.0\.21\)$/m);
		assert.match(preview.stdout, /^Node gcc21 \(candidate, rehearsed under .*root-gcc21\):$/m);
		assert.match(preview.stdout, /^Node gcc20 \(master, rehearsed under .*root\):$/m);
		assert.match(preview.stdout, /\$ gnt-node add gcc21\.node\.farm$/m);
		// gcc21 gets the site's OSPF password, which the preview names and never shows.
		assert.match(preview.stdout, /the site's OSPF password, the same on every node \(\/etc\/bird\/ganeti-wizard\/ospf-password\.conf, root's only\)\n\s+new file, mode 0600\n\s+a private key or a password: its content is not shown\n/);
		assert.ok(!preview.stdout.includes(await sitePassword()), 'the password is not in the preview');
		assert.deepEqual(await digest(), before);
	});

	await t.test('node add --yes: gcc21 prepared in its own folder, named and joined by the master', async () => {
		const added = await at(...add, '--yes');
		assert.equal(added.code, 0, added.stdout + added.stderr);
		assert.match(await savedText(), /^nodes:\n {2}- name: gcc20\n[\s\S]*- name: gcc21\n/m);
		// gcc21's own files: its private address on lo:1, its daemons bound to it, the site's zones.
		assert.match(await readFile(join(nodeRoot, 'etc/network/interfaces.d/ganeti-wizard'), 'utf8'), /address 10\.10\.0\.21\/32/);
		assert.match(await readFile(join(nodeRoot, 'etc/default/ganeti'), 'utf8'), /10\.10\.0\.21/);
		assert.match(await readFile(join(nodeRoot, 'etc/bind/db.farm'), 'utf8'), /^gcc21\.node\s.*10\.10\.0\.21$/m);
		// Ganeti's commands are the master's only.
		const commands = await readFile(nodeCommands, 'utf8');
		assert.doesNotMatch(commands, /gnt-cluster init|gnt-node add/);
		const masterCommands = await readFile(join(state, 'commands.sh'), 'utf8');
		assert.match(masterCommands, /^gnt-node add gcc21\.node\.farm$/m);
		assert.match(await readFile(join(root, 'etc/bind/db.farm'), 'utf8'), /^gcc21\.node\s.*10\.10\.0\.21$/m);
		// Both birds sign with the one password the site generated and keeps.
		const password = await sitePassword();
		const passwordFile = 'etc/bird/ganeti-wizard/ospf-password.conf';
		assert.match(await readFile(join(root, passwordFile), 'utf8'), new RegExp(`^password "${password}" \\{$`, 'm'));
		assert.equal(await readFile(join(nodeRoot, passwordFile), 'utf8'), await readFile(join(root, passwordFile), 'utf8'));
		assert.equal((await stat(join(nodeRoot, passwordFile))).mode & 0o777, 0o600);
		const changes = await at('changes', '--node', 'gcc21');
		assert.equal(changes.code, 0, changes.stderr);
		assert.match(changes.stdout, /created \/etc\/bird\/ganeti-wizard\/ospf-password\.conf\n\s+a private key or a password: its content is not shown\n/);
		assert.ok(!changes.stdout.includes(password) && !(await at('changes', '--json')).stdout.includes(password), '`changes` never shows it');
	});

	await t.test('a second node add and a plan of both nodes change nothing', async () => {
		const again = await at(...add, '--yes');
		assert.equal(again.code, 0, again.stderr);
		assert.match(again.stdout, / 0 changes made/);
		const plan = await at('plan', '--detailed-exitcode');
		assert.equal(plan.code, 0, plan.stdout);
		const json = JSON.parse((await at('plan', '--json')).stdout) as {nodes: Array<{node: string}>};
		assert.deepEqual(json.nodes.map(entry => entry.node), ['gcc21', 'gcc20']);
		const status = await at('status');
		assert.match(status.stdout, /^Node gcc21 \(candidate\)$/m);
	});

	await t.test('previews, changes and doctor go node by node', async () => {
		const preview = await at('vm', 'add', 'web1', '--os', 'noop+default', '--disk-template', 'sharedfile');
		assert.equal(preview.code, 0, preview.stderr);
		assert.match(preview.stdout, /^Node gcc21 \(candidate, rehearsed under .*\):$/m, 'the other node serves the new VM\'s name and lease too');
		const listed = await at('changes');
		assert.match(listed.stdout, /^On gcc20:$/m);
		assert.match(listed.stdout, /^On gcc21:$/m);
		const one = JSON.parse((await at('changes', '--json', '--node', 'gcc21')).stdout) as {nodes: Array<{node: string; files: Array<{path: string}>}>};
		assert.deepEqual(one.nodes.map(entry => entry.node), ['gcc21']);
		assert.ok(one.nodes[0]!.files.some(file => file.path === '/etc/default/ganeti'));
		// A lease gcc21 no longer serves is drift, named with its node.
		assert.equal((await at('vm', 'add', 'web1', '--os', 'noop+default', '--disk-template', 'sharedfile', '--yes')).code, 0);
		const conf = join(nodeRoot, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf');
		const text = await readFile(conf, 'utf8');
		assert.match(text, /host web1/);
		await writeFile(conf, text.replace(/\thost web1[^}]*}\n/, '').replace(/host web1[^}]*}\n/, ''));
		const doctor = await at('doctor');
		assert.equal(doctor.code, 1, doctor.stdout);
		assert.match(doctor.stdout, /web1\.vm\.farm on gcc21/);
		await writeFile(conf, text);
		assert.equal((await at('doctor')).code, 0);
	});

	await t.test('undo --node gcc21: its folder as it was, the site without it', async () => {
		const undone = await at('undo', '--node', 'gcc21', '--yes');
		assert.equal(undone.code, 0, undone.stdout + undone.stderr);
		assert.deepEqual(await treeDigest(nodeRoot), nodeRootAsFound);
		assert.doesNotMatch(await savedText(), /name: gcc21/);
		assert.doesNotMatch(await readFile(join(root, 'etc/bind/db.farm'), 'utf8'), /gcc21/);
		assert.match(await readFile(join(state, 'commands.sh'), 'utf8'), /^gnt-node remove gcc21\.node\.farm$/m);
		const plan = await at('plan', '--detailed-exitcode');
		assert.equal(plan.code, 0, plan.stdout);
	});

	await t.test('undo of the whole site reverses every node, the master first', async () => {
		assert.equal((await at(...add, '--yes')).code, 0);
		const undone = await at('undo', '--yes');
		assert.equal(undone.code, 0, undone.stdout + undone.stderr);
		assert.match(undone.stdout, /^On gcc20:$[\s\S]*^On gcc21:$/m);
		assert.deepEqual(await treeDigest(nodeRoot), nodeRootAsFound, "gcc21's folder is as it was found");
		assert.match((await at('undo', '--yes')).stdout, /Nothing to undo/);
	});
});

test('a node removed, added back and removed again, then undone with undo --node', async t => {
	// A site of its own: the records of the first test's node must not count here.
	const root = join(work, 'again');
	const state = join(work, 'again-state');
	const nodeRoot = join(work, 'again-gcc21');
	const at = (...args: string[]) => runCli([...args, '--root', root, '--state-dir', state]);
	const savedText = async () => (JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {recipe: {text: string}}).recipe.text;
	const ok = async (...args: string[]) => {
		const run = await at(...args);
		assert.equal(run.code, 0, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
		return run.stdout;
	};
	await ok('apply', '--recipe', recipe, '--yes');
	await mkdir(nodeRoot);
	const nodeRootAsFound = await treeDigest(nodeRoot);
	await ok(...add, '--yes');

	await t.test('a recipe that leaves the node out is refused with one line, before any change', async () => {
		const before = [await treeDigest(root), await treeDigest(state), await treeDigest(nodeRoot)];
		const run = await at('apply', '--recipe', recipe, '--yes');
		assert.equal(run.code, 2, run.stdout + run.stderr);
		assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
		assert.match(run.stderr, /nodes: gcc21 is a node of the site but not of this recipe; take it out of the cluster with ganeti-wizard node remove gcc21 /);
		assert.deepEqual([await treeDigest(root), await treeDigest(state), await treeDigest(nodeRoot)], before);
	});

	await t.test('a second node remove has nothing left to do', async () => {
		await ok('node', 'remove', 'gcc21', '--yes');
		const again = await ok('node', 'remove', 'gcc21', '--yes');
		assert.match(again, /^Node gcc21 has left the site already/m);
		assert.match(again, / 0 changes made/);
		// Never in the site: still one line, exit 2.
		const unknown = await at('node', 'remove', 'gcc29', '--yes');
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /^ganeti-wizard: NAME: "gcc29" is not a node of the site \(its nodes: gcc20\)\n$/);
	});

	await t.test('added back: joined again, its zone change committed, no hand edit staged after', async () => {
		const added = await ok(...add, '--yes');
		assert.match(added, /✓ done join gcc21\.node\.farm/);
		assert.match(added, /✓ done commit in \/etc\/bind: add gcc21\.node\.farm 10\.10\.0\.21/);
		assert.doesNotMatch(added, /remove node gcc21/, 'a node added back is no removal');
		const vm = await ok('vm', 'add', 'web1', '--os', 'noop+default', '--disk-template', 'sharedfile', '--yes');
		assert.doesNotMatch(vm, /hand edit|✓ done (stage|commit) changes made by hand/);
		const removed = await ok('node', 'remove', 'gcc21', '--yes');
		assert.match(removed, /✓ done move the instances running on gcc21\.node\.farm/);
		assert.match(removed, /✓ done remove node gcc21\.node\.farm from the cluster/);
	});

	await t.test('undo --node after node remove: the node as found, the site as it is', async () => {
		const site = await savedText();
		const dry = await ok('undo', '--node', 'gcc21', '--dry-run');
		assert.match(dry, /^Undo of node gcc21, which left the cluster with node remove/m);
		const undone = await ok('undo', '--node', 'gcc21', '--yes');
		assert.match(undone, /^Undone: gcc21 /m);
		assert.deepEqual(await treeDigest(nodeRoot), nodeRootAsFound);
		assert.equal(await savedText(), site);
		assert.match(await ok('undo', '--node', 'gcc21', '--yes'), /^Nothing to undo on gcc21/m);
		assert.equal((await at('plan', '--detailed-exitcode')).code, 0);
	});

	await t.test('undo of the whole site after node remove reverses the node that left too', async () => {
		await ok(...add, '--yes');
		await ok('node', 'remove', 'gcc21', '--yes');
		const undone = await ok('undo', '--yes');
		assert.match(undone, /^On gcc20:$[\s\S]*^On gcc21:$/m);
		assert.deepEqual(await treeDigest(nodeRoot), nodeRootAsFound);
		assert.match(await ok('undo', '--yes'), /Nothing to undo/);
	});
});
