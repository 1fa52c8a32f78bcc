// vm list, vm add, vm remove and doctor on a rehearsed site, through the
// built CLI: bad flags are one line naming the flag and write nothing; list,
// doctor and the previews without --yes write nothing; an added VM gets the
// next free address and a MAC of its own in the saved recipe text, whose
// comments stay; a removal takes it out of the zones and dhcpd.conf.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import type {VmRow} from '../../source/drift/compare.js';
import {runCli} from '../support/cli.js';
import {iso9660Image} from '../support/iso-image.js';
import {treeDigest} from '../support/tree.js';

const work = await mkdtemp(join(tmpdir(), 'gw-vm-'));
after(() => rm(work, {recursive: true, force: true}));
const labRecipe = new URL('../../recipes/lab.yaml', import.meta.url).pathname;
const root = join(work, 'root');
const state = join(work, 'state');
const at = (...args: string[]) => runCli([...args, '--root', root, '--state-dir', state]);
const digest = async () => [await treeDigest(root), await treeDigest(state)];
const savedText = async () => (JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {recipe: {text: string}}).recipe.text;

test('vm commands on a rehearsed lab site', async t => {
	assert.equal((await runCli(['apply', '--recipe', labRecipe, '--root', root, '--state-dir', state, '--yes'])).code, 0);

	await t.test('bad input: one line naming the flag, exit 2, nothing written', async () => {
		await mkdir(join(root, 'srv/iso'), {recursive: true});
		await writeFile(join(root, 'srv/iso/text.iso'), 'not an image\n');
		await writeFile(join(root, 'srv/iso/empty.iso'), '');
		await writeFile(join(root, 'srv/iso/image.iso'), iso9660Image());
		const before = await digest();
		// An ISO 9660 image passes: the preview shows the plan.
		const image = await at('vm', 'add', 'web1', '--iso', '/srv/iso/image.iso');
		assert.equal(image.code, 0, image.stderr);
		assert.match(image.stdout, /boot web1\.vm\.farm from \/srv\/iso\/image\.iso/);
		const cases: Array<[string[], RegExp]> = [
			[['vm', 'add', 'web1'], /^ganeti-wizard: vm add needs an install medium: --iso PATH .* or --os NAME\+VARIANT/],
			[['vm', 'add', 'web1', '--iso', '/srv/none.iso', '--yes'], /^ganeti-wizard: --iso: "\/srv\/none\.iso" does not exist on this host/],
			[['vm', 'add', 'web1', '--iso', '/srv/iso/text.iso', '--yes'], /^ganeti-wizard: [^\n]*--iso: "\/srv\/iso\/text\.iso" is not an ISO 9660 image \(no "CD001" at byte 32769, ECMA-119\); give the path of an installer CD or DVD image \(\.iso\)/],
			[['vm', 'add', 'web1', '--iso', '/srv/iso/empty.iso'], /^ganeti-wizard: [^\n]*--iso: "\/srv\/iso\/empty\.iso" is not an ISO 9660 image/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--vcpus', 'two', '--yes'], /^ganeti-wizard: --vcpus: "two" is not a whole number/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--disk', '10 GB', '--yes'], /^ganeti-wizard: --disk: "10 GB" is not a size/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--mac', '52:54:5a:8d:77:8e', '--yes'], /^ganeti-wizard: --mac: "52:54:5a:8d:77:8e" is already used by instance rodo1\.osm/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--mac', '00:00:00:00:00:00', '--yes'], /^ganeti-wizard: [^\n]*--mac: "00:00:00:00:00:00" is the all-zero address, which no NIC may carry/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--mac', '01:00:5e:00:00:01', '--yes'], /^ganeti-wizard: [^\n]*--mac: "01:00:5e:00:00:01" is a multicast address/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--address', '10.10.0.20', '--yes'], /^ganeti-wizard: --address: "10\.10\.0\.20" is not inside network\.vms_subnet/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--address', '10.10.1.1', '--yes'], /^ganeti-wizard: --address: "10\.10\.1\.1" is already used by/],
			[['vm', 'add', 'rodo1.osm', '--os', 'noop+default', '--yes'], /^ganeti-wizard: NAME: "rodo1\.osm" is already a VM of the site/],
			[['vm', 'add', 'Web_1', '--os', 'noop+default', '--yes'], /^ganeti-wizard: NAME: "Web_1" is not a DNS name/],
			[['vm', 'add', 'web1', '--os', 'noop+default', '--disk-template', 'sharedfile', '--yes'], /^ganeti-wizard: --disk-template: "sharedfile" needs storage\.shared_file_storage_dir, .* which the site does not have;/],
			[['vm', 'remove', 'web9', '--yes'], /^ganeti-wizard: NAME: "web9" is not a VM of the site/],
			[['vm', 'start'], /^ganeti-wizard: unknown vm subcommand "start"/],
			// The refusals apply makes, named by the flag: the instance policy gnt-cluster init sets (at most 8 vcpus, 32G).
			[['vm', 'add', 'web9', '--os', 'noop+default', '--vcpus', '9', '--memory', '33G', '--yes'], /^ganeti-wizard: [^\n]*--vcpus: 9 is above the cluster's instance policy maximum of 8[^\n]*\nganeti-wizard: [^\n]*--memory: "33G"/],
			[['vm', 'add', 'web9', '--os', 'noop+default', '--vcpus', '9'], /--vcpus: 9 is above the cluster's instance policy maximum of 8/],
		];
		for (const [args, expected] of cases) {
			const run = await at(...args);
			assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
			// One line per problem: as many as the expected lines.
			assert.equal(run.stderr.trim().split('\n').length, 1 + (expected.source.match(/\\nganeti-wizard/g)?.length ?? 0), run.stderr);
			assert.match(run.stderr, expected);
		}
		assert.deepEqual(await digest(), before);
	});

	await t.test('vm list, doctor and the previews write nothing', async () => {
		const before = await digest();
		const list = await at('vm', 'list', '--json');
		assert.equal(list.code, 0, list.stderr);
		assert.deepEqual((JSON.parse(list.stdout) as {vms: VmRow[]}).vms.map(vm => [vm.fqdn, vm.address, vm.a, vm.ptr, vm.dhcp, vm.consistent]), [['rodo1.osm.vm.farm', '10.10.1.50', 'ok', 'ok', 'ok', null]]);
		// Ganeti unknown: AGREE says so (?), as doctor claims no drift, rather than NO.
		const text = await at('vm', 'list');
		assert.equal(text.code, 0, text.stderr);
		assert.deepEqual(text.stdout.trimEnd().split('\n').map(line => line.split(/\s+/).at(-1)), ['AGREE', '?']);
		// A rehearsal has no Ganeti to ask: what it can compare agrees, and one line says what it left out.
		const doctor = await at('doctor');
		assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
		assert.equal(doctor.stdout, "No drift: the site, the zones and dhcpd's host entries agree.\nNot checked in a rehearsal (no Ganeti daemons to ask): Ganeti's instances and their NICs against the site (an instance the site lacks, a VM Ganeti lacks, a NIC's MAC).\n");
		const doctorJson = await at('doctor', '--json');
		assert.equal(doctorJson.code, 0);
		assert.deepEqual(Object.keys(JSON.parse(doctorJson.stdout) as object), ['drift', 'unchecked']);
		assert.deepEqual((JSON.parse(doctorJson.stdout) as {drift: unknown[]}).drift, []);
		const preview = await at('vm', 'add', 'web1', '--os', 'noop+default');
		assert.equal(preview.code, 0, preview.stderr);
		assert.match(preview.stdout, /^\s+\+ instance web1 10\.10\.1\.2 52:54:00:[0-9a-f:]{8}$/m);
		assert.match(preview.stdout, /Nothing changed yet: run the same command with --yes/);
		assert.deepEqual(await digest(), before);
	});

	await t.test('doctor in a rehearsal still finds drift in the files: a DHCP host entry deleted by hand, exit 1 naming it and its fix', async () => {
		const path = join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf');
		const conf = await readFile(path, 'utf8');
		const entry = /^host rodo1\.osm\.vm\.farm \{\n(?:.*\n)*?\}\n/m.exec(conf);
		assert.ok(entry, conf);
		await writeFile(path, conf.replace(entry[0], ''));
		try {
			const doctor = await at('doctor', '--json');
			assert.equal(doctor.code, 1, doctor.stdout + doctor.stderr);
			const {drift} = JSON.parse(doctor.stdout) as {drift: Array<{kind: string; subject: string; fix: string}>};
			assert.deepEqual(drift.map(found => [found.kind, found.subject, found.fix]), [['no-dhcp', 'rodo1.osm.vm.farm', `ganeti-wizard apply --yes --root ${root} --state-dir ${state}`]]);
		} finally {
			await writeFile(path, conf);
		}
	});

	await t.test('vm add --yes: the saved text keeps its comments and gains the VM; plan then has nothing to do', async () => {
		const text = await savedText();
		const added = await at('vm', 'add', 'web1', '--os', 'noop+default', '--memory', '256M', '--extra-disk', '2G', '--extra-disk', '3G', '--yes');
		assert.equal(added.code, 0, added.stdout + added.stderr);
		const edited = await savedText();
		assert.ok(edited.startsWith(text.trimEnd()), 'the saved recipe is kept as written, the VM appended');
		assert.match(edited.slice(text.trimEnd().length), /- name: web1\n\s+disk_template: file\n\s+disk_size: 10G\n\s+memory: 256M\n\s+vcpus: 1\n\s+install:\n\s+os: noop\+default\n\s+extra_disks:\n\s+- 2G\n\s+- 3G\n$/);
		assert.match(await readFile(join(root, 'etc/bind/db.farm'), 'utf8'), /^web1\.vm\tIN\tA\t10\.10\.1\.2$/m);
		assert.match(await readFile(join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf'), 'utf8'), /^host web1\.vm\.farm \{$/m);
		const plan = await at('plan', '--detailed-exitcode');
		assert.equal(plan.code, 0, plan.stdout);
	});

	await t.test('the recipe file no longer replays the edited site: the closing lines say so, and recipe prints the site, which replays it', async () => {
		const added = await at('vm', 'add', 'web2', '--os', 'noop+default', '--yes');
		assert.equal(added.code, 0, added.stdout + added.stderr);
		assert.match(added.stdout, new RegExp(`the site now differs from ${labRecipe.replaceAll('.', '\\.')}; write it out with ganeti-wizard recipe --root ${root} --state-dir ${state} > site\\.yaml`));
		const before = await digest();
		const printed = await at('recipe');
		assert.equal(printed.code, 0, printed.stderr);
		assert.equal(printed.stdout, await savedText(), 'the saved site, comments and all');
		assert.deepEqual(await digest(), before, 'recipe writes nothing');
		const withRecipe = await at('recipe', '--recipe', labRecipe);
		assert.deepEqual([withRecipe.code, withRecipe.stderr], [2, "ganeti-wizard: recipe prints the saved site's recipe and takes no --recipe; give --root and --state-dir to name the site\n"]);
		const nowhere = await runCli(['recipe', '--root', root, '--state-dir', join(work, 'no-site')]);
		assert.equal(nowhere.code, 2);
		assert.match(nowhere.stderr, /^ganeti-wizard: no site is saved in .*no-site: import one with ganeti-wizard apply --recipe FILE\n$/);
		// Replayed into a fresh folder and site: the same VMs, their generated MACs and addresses alike.
		const file = join(work, 'site.yaml');
		await writeFile(file, printed.stdout);
		const replay = await runCli(['apply', '--recipe', file, '--root', join(work, 'replay'), '--state-dir', join(work, 'replay-state'), '--yes']);
		assert.equal(replay.code, 0, replay.stdout + replay.stderr);
		const include = 'etc/dhcp/dhcpd.d/ganeti-wizard.conf';
		assert.equal(await readFile(join(work, 'replay', include), 'utf8'), await readFile(join(root, include), 'utf8'));
	});

	await t.test('vm remove: without --yes (no terminal) nothing changes; with it the VM leaves the site, the zones and dhcpd.conf', async () => {
		const before = await digest();
		const preview = await at('vm', 'remove', 'web1');
		assert.equal(preview.code, 0, preview.stderr);
		assert.match(preview.stdout, /^\s+- instance web1$/m);
		assert.deepEqual(await digest(), before);
		const removed = await at('vm', 'remove', 'web1', '--yes');
		assert.equal(removed.code, 0, removed.stdout + removed.stderr);
		assert.match(removed.stdout, /✓ done remove instance web1\.vm\.farm and its disks \(gnt-instance remove\)/);
		assert.doesNotMatch(await readFile(join(root, 'etc/bind/db.farm'), 'utf8'), /web1/);
		assert.doesNotMatch(await readFile(join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf'), 'utf8'), /web1/);
		assert.doesNotMatch(await savedText(), /web1/);
		// Added back, it is no removal any more: apply must not take it out again.
		const back = await at('vm', 'add', 'web1', '--os', 'noop+default', '--yes');
		assert.equal(back.code, 0, back.stdout + back.stderr);
		assert.doesNotMatch(back.stdout, /remove instance web1/);
		assert.deepEqual((JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {removals: string[]}).removals, []);
		assert.match(await savedText(), /- name: web2\n/, 'web2, added before, stays');
	});

	await t.test('vm add killed (after the site is saved, after the DNS commit, after gnt-instance add) and run again with the same flags finishes the VM: one instance, one A, one PTR, one DHCP entry', async () => {
		const add = (env: Record<string, string> = {}) => runCli(['vm', 'add', 'web3', '--os', 'noop+default', '--memory', '256M', '--yes', '--root', root, '--state-dir', state], {env});
		// First killed at its first action: the edited site is saved by then. Then aimed by the saved site's plan.
		const first = await add({GANETI_WIZARD_FAILPOINT: 'after-effect:1'});
		assert.equal(first.signal, 'SIGKILL', first.stdout + first.stderr);
		assert.match(await savedText(), /- name: web3\n/, 'the killed vm add saved the edited site');
		for (const [target, dies] of [
			['dns.git.commit', /▸ running commit in \/etc\/bind: add web3\.vm\.farm /],
			['instances.web3.add', /▸ running create web3\.vm\.farm /],
		] as const) {
			const killed = await add({GANETI_WIZARD_FAILPOINT: `after-effect@${target}`});
			assert.equal(killed.signal, 'SIGKILL', `${target}: ${killed.stdout}${killed.stderr}`);
			assert.match(killed.stdout.trimEnd().split('\n').at(-1)!, dies, `${target}: where it died`);
		}
		const again = await add();
		assert.equal(again.code, 0, again.stdout + again.stderr);
		assert.match(again.stdout, /^web3\.vm\.farm is in the site as these flags describe it: finishing it\.$/m);
		assert.equal((await savedText()).match(/- name: web3\n/g)?.length, 1, 'the site lists it once');
		const zone = await readFile(join(root, 'etc/bind/db.farm'), 'utf8');
		assert.equal(zone.match(/^web3\.vm\tIN\tA\t/gm)?.length, 1, zone);
		const reverse = await readFile(join(root, 'etc/bind/db.10.10.1'), 'utf8');
		assert.equal(reverse.match(/\bPTR\tweb3\.vm\.farm\.$/gm)?.length, 1, reverse);
		assert.equal((await readFile(join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf'), 'utf8')).match(/^host web3\.vm\.farm \{$/gm)?.length, 1);
		const commands = await readFile(join(state, 'commands.sh'), 'utf8');
		assert.equal(commands.match(/^gnt-instance add .* web3\.vm\.farm$/gm)?.length, 1, 'gnt-instance add recorded once');
		assert.equal(commands.match(/^git -C \/etc\/bind .* commit .*add web3\.vm\.farm/gm)?.length, 1, 'the DNS change committed once');
		// The same sizes written in other units (256M as MiB, 10G as 10240M): the same VM, nothing left to change.
		const units = await at('vm', 'add', 'web3', '--os', 'noop+default', '--memory', '256M', '--disk', '10240M', '--yes');
		assert.equal(units.code, 0, units.stdout + units.stderr);
		assert.match(units.stdout, /^web3\.vm\.farm is in the site as these flags describe it: finishing it\.$/m);
		assert.equal((await readFile(join(state, 'commands.sh'), 'utf8')).match(/^gnt-instance add .* web3\.vm\.farm$/gm)?.length, 1, 'gnt-instance add still recorded once');
		// Other flags for a VM the site has: still refused, nothing changed.
		const other = await at('vm', 'add', 'web3', '--os', 'noop+default', '--memory', '1G', '--yes');
		assert.equal(other.code, 2);
		assert.match(other.stderr, /^ganeti-wizard: NAME: "web3" is already a VM of the site \(web3\.vm\.farm\); choose another name\n$/);
		assert.equal((await at('plan', '--detailed-exitcode')).code, 0, 'nothing left to do');
	});
});
