// Life after the site is applied, for real in one lab host: `vm add` twice
// gives two instances with their own addresses and MACs, whose A and PTR
// records named answers and whose DHCP entries agree with Ganeti's NICs;
// `vm list --json` shows every VM consistent and `doctor` finds no drift.
// A DHCP host entry deleted by hand is then exactly the drift doctor names,
// with the command that fixes it; once run, doctor finds nothing again.
// Bad flags are one line naming the flag, and nothing is written. vm remove
// takes the instance out of Ganeti before its DNS and DHCP entries go, and
// the next apply (whose preflight knows the removal was meant) changes nothing.
// vm add killed after its DNS commit, during gnt-instance add or after it, and
// run again, finishes the VM with one instance, one A, PTR and DHCP entry.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {VmRow} from '../../source/drift/compare.js';
import {instanceListArgv, parseInstanceList} from '../../source/drift/facts.js';
import {buildInventory, type Inventory} from '../../source/inventory/inventory.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {assertAnswers} from '../network/dns-answers.js';
import {createLabHost, doneLines, labHostRequirements, stateDir, type CliRun, type LabHost} from '../support/lab-host.js';
import {need} from '../support/need.js';
import {checksums, configurationChanges, snapshot} from './snapshot.js';

/** The inventory of the site as saved in the lab (its recipe text and generated values). */
async function savedInventory(host: LabHost): Promise<Inventory> {
	const site = JSON.parse((await host.lab.readFile(`${stateDir}/site.json`)) ?? '{}') as {recipe: {text: string}; generated: Parameters<typeof buildInventory>[1]};
	const unsaved = () => {
		throw new Error('the site needs a generated value it has not saved');
	};
	return buildInventory(parseRecipe(site.recipe.text, 'site.json'), site.generated, unsaved).inventory;
}

test('vm add twice, vm list, doctor, and a DHCP entry deleted by hand, in one lab host', async t => {
	if (!need(labHostRequirements, t)) return;
	const host = await createLabHost();
	const {lab} = host;
	const cli = (...args: string[]) => host.cli([...args, '--root', '/']);
	const show = async (run: CliRun) => `\n${await host.diagnostics(run)}`;
	try {
		const first = await host.apply();
		if (first.code !== 0) assert.fail(`apply --yes of the lab site exited ${first.code ?? first.signal}${await show(first)}`);

		await t.test('vm add with a bad flag: one line naming the flag, exit 2, nothing written', async () => {
			const trees = ['/etc', '/var', '/srv'];
			const before = await snapshot(lab, trees);
			const instancesBefore = await lab.run(instanceListArgv);
			for (const [name, args, flag] of [
				['web9', ['--iso', '/srv/missing.iso'], '--iso'],
				['rodo1.osm', ['--os', 'noop+default'], 'NAME'],
				['web9', ['--os', 'noop+default', '--address', '10.10.1.50'], '--address'],
				['web9', ['--os', 'noop+default', '--memory', 'lots'], '--memory'],
				// The cluster's instance policy, read from Ganeti, and the volume group's free space.
				['web9', ['--os', 'noop+default', '--vcpus', '16'], '--vcpus'],
				['web9', ['--os', 'noop+default', '--memory', '64G'], '--memory'],
				['web9', ['--os', 'noop+default', '--disk-template', 'plain', '--disk', '2T'], '--disk'],
				['web9', ['--os', 'noop+default', '--disk-template', 'plain', '--disk', '30G'], '--disk'],
			] as const) {
				const bad = await cli('vm', 'add', name, ...args, '--yes');
				assert.equal(bad.code, 2, `vm add ${args.join(' ')}${await show(bad)}`);
				assert.equal(bad.stderr.trim().split('\n').length, 1, `one line: ${bad.stderr}`);
				assert.ok(bad.stderr.startsWith(`ganeti-wizard: ${flag}: `), `the line names ${flag}: ${bad.stderr}`);
			}
			assert.deepEqual(configurationChanges(before, await snapshot(lab, trees)), [], 'no file changed');
			assert.equal(await lab.run(instanceListArgv), instancesBefore, 'gnt-instance list is the same');
		});

		const added: CliRun[] = [];
		for (const [name, extra] of [
			['web1', ['--disk', '1G', '--memory', '256M']],
			['web2', ['--disk', '1G', '--memory', '256M', '--vcpus', '2', '--extra-disk', '1G']],
		] as const) {
			const run = await cli('vm', 'add', name, '--os', 'noop+default', '--disk-template', 'file', ...extra, '--yes');
			console.log(`# vm add ${name}: exit ${run.code ?? run.signal} in ${(run.ms / 1000).toFixed(1)} s, ${doneLines(run.stdout).length} changes`);
			if (run.code !== 0) assert.fail(`vm add ${name} exited ${run.code ?? run.signal}${await show(run)}`);
			added.push(run);
		}
		const inventory = await savedInventory(host);
		const [web1, web2] = ['web1', 'web2'].map(name => inventory.instances.find(instance => instance.name === name)!);

		await t.test('each vm add committed and reloaded the zones and dhcpd.conf before gnt-instance add', () => {
			for (const [index, run] of added.entries()) {
				const fqdn = [web1, web2][index]!.fqdn;
				const done = doneLines(run.stdout).map(line => line.replace(/^\s+✓ done /, ''));
				const at = (pattern: RegExp) => done.findIndex(title => pattern.test(title));
				const create = at(new RegExp(`^create ${fqdn.replaceAll('.', '\\.')} `));
				assert.ok(create > 0, `the instance was created:\n${done.join('\n')}`);
				for (const pattern of [/^write zone farm /, /^commit in \/etc\/bind: /, /^reload bind/, /^write the VM subnet and its hosts/, /^commit in \/etc\/dhcp: /, /^restart dhcpd/]) {
					const index = at(pattern);
					assert.ok(index >= 0 && index < create, `${pattern} happened before the instance was created:\n${done.join('\n')}`);
				}
			}
		});

		await t.test('the two VMs have their own addresses and MACs, and Ganeti has them with those MACs', async () => {
			assert.equal(inventory.instances.length, 3);
			assert.equal(new Set(inventory.instances.map(instance => instance.address)).size, 3, inventory.instances.map(instance => instance.address).join(' '));
			assert.equal(new Set(inventory.instances.map(instance => instance.mac)).size, 3, inventory.instances.map(instance => instance.mac).join(' '));
			const listed = await lab.run(instanceListArgv);
			console.log(`# ${instanceListArgv.join(' ')}\n${listed.trimEnd().replace(/^/gm, '# | ')}`);
			const instances = parseInstanceList(listed);
			for (const instance of inventory.instances) {
				const found = instances.find(entry => entry.name === instance.fqdn);
				assert.ok(found, `${instance.fqdn} is in gnt-instance list:\n${listed}`);
				assert.deepEqual(found.macs, [instance.mac]);
			}
			assert.deepEqual(instances.find(entry => entry.name === web2!.fqdn)!.diskSizesMiB, [1024, 1024]);
			assert.equal(instances.find(entry => entry.name === web2!.fqdn)!.vcpus, 2);
		});

		await t.test('named answers the A and PTR records of every VM (dig)', async () => {
			await assertAnswers(lab, inventory.node.address, inventory, 'after vm add');
			for (const instance of [web1!, web2!]) {
				assert.equal((await lab.run(['dig', '+short', `@${inventory.node.address}`, instance.fqdn, 'A'])).trim(), instance.address);
				assert.equal((await lab.run(['dig', '+short', `@${inventory.node.address}`, '-x', instance.address])).trim(), `${instance.fqdn}.`);
			}
		});

		await t.test('vm list --json shows every VM consistent, and writes nothing', async () => {
			const before = await snapshot(lab, ['/etc', '/var']);
			const list = await cli('vm', 'list', '--json');
			assert.equal(list.code, 0, await show(list));
			const {vms} = JSON.parse(list.stdout) as {vms: VmRow[]};
			assert.deepEqual(vms.map(vm => vm.fqdn), inventory.instances.map(instance => instance.fqdn));
			for (const vm of vms) {
				const instance = inventory.instances.find(entry => entry.fqdn === vm.fqdn)!;
				assert.deepEqual([vm.address, vm.mac, vm.ganeti?.mac, vm.ganeti?.adminState, vm.a, vm.ptr, vm.dhcp, vm.consistent], [instance.address, instance.mac, instance.mac, 'up', 'ok', 'ok', 'ok', true], JSON.stringify(vm));
			}
			const text = await cli('vm', 'list');
			assert.equal(text.code, 0, await show(text));
			console.log(text.stdout.trimEnd().replace(/^/gm, '# '));
			assert.deepEqual(configurationChanges(before, await snapshot(lab, ['/etc', '/var'])), [], 'vm list changed no file');
		});

		await t.test('doctor: no drift, exit 0', async () => {
			const doctor = await cli('doctor');
			assert.equal(doctor.code, 0, await show(doctor));
			assert.match(doctor.stdout, /^No drift: Ganeti's 3 instances, /);
		});

		await t.test('a DHCP host entry deleted by hand: doctor exits 1 and names exactly that drift and its fix, which works', async () => {
			const conf = (await lab.readFile('/etc/dhcp/dhcpd.d/ganeti-wizard.conf'))!;
			const entry = new RegExp(`\\nhost ${web2!.fqdn.replaceAll('.', '\\.')} \\{[^}]*\\}\\n`);
			assert.match(conf, entry);
			await lab.writeFile('/etc/dhcp/dhcpd.d/ganeti-wizard.conf', conf.replace(entry, '\n'));
			const sums = await checksums(lab, ['/etc/dhcp/dhcpd.d/ganeti-wizard.conf', `${stateDir}/site.json`, `${stateDir}/journal.jsonl`]);

			const doctor = await cli('doctor', '--json');
			assert.equal(doctor.code, 1, await show(doctor));
			const {drift} = JSON.parse(doctor.stdout) as {drift: Array<{kind: string; subject: string; problem: string; fix: string}>};
			assert.deepEqual(
				drift.map(({kind, subject, fix}) => ({kind, subject, fix})),
				[{kind: 'no-dhcp', subject: web2!.fqdn, fix: 'ganeti-wizard apply --yes --root /'}],
			);
			assert.match(drift[0]!.problem, new RegExp(`has no host entry for ${web2!.fqdn.replaceAll('.', '\\.')} \\(MAC ${web2!.mac}, ${web2!.address.replaceAll('.', '\\.')}\\)`));
			const text = await cli('doctor');
			assert.equal(text.code, 1);
			console.log(text.stdout.trimEnd().replace(/^/gm, '# '));
			assert.deepEqual(await checksums(lab, ['/etc/dhcp/dhcpd.d/ganeti-wizard.conf', `${stateDir}/site.json`, `${stateDir}/journal.jsonl`]), sums, 'doctor wrote nothing');

			const fix = await host.cli(drift[0]!.fix.split(' ').slice(1));
			assert.equal(fix.code, 0, await show(fix));
			assert.match((await lab.readFile('/etc/dhcp/dhcpd.d/ganeti-wizard.conf'))!, entry, 'the entry is back');
			const again = await cli('doctor');
			assert.equal(again.code, 0, `after the fix:${await show(again)}`);
		});

		await t.test('vm remove: gnt-instance remove first, then the zones and dhcpd.conf without it; the next apply changes nothing', async () => {
			const removed = await cli('vm', 'remove', web1!.name, '--yes');
			if (removed.code !== 0) assert.fail(`vm remove exited ${removed.code ?? removed.signal}${await show(removed)}`);
			assert.match(removed.stdout, /^\s+- instance web1$/m);
			const done = doneLines(removed.stdout).map(line => line.replace(/^\s+✓ done /, ''));
			const removal = done.findIndex(title => title.startsWith(`remove instance ${web1!.fqdn} `));
			const zone = done.findIndex(title => title.startsWith('write zone farm '));
			const dhcp = done.findIndex(title => title.startsWith('write the VM subnet and its hosts'));
			assert.ok(removal >= 0 && removal < zone && removal < dhcp, `removed before the zone and dhcpd.conf lost it:\n${done.join('\n')}`);
			const names = parseInstanceList(await lab.run(instanceListArgv)).map(instance => instance.name);
			assert.deepEqual(names.sort(), [inventory.instances[0]!.fqdn, web2!.fqdn].sort());
			assert.equal((await lab.run(['dig', '+short', `@${inventory.node.address}`, web1!.fqdn, 'A'])).trim(), '', 'no A record left');
			assert.equal((await lab.run(['dig', '+short', `@${inventory.node.address}`, '-x', web1!.address])).trim(), '', 'no PTR left');
			assert.doesNotMatch((await lab.readFile('/etc/dhcp/dhcpd.d/ganeti-wizard.conf'))!, new RegExp(`host ${web1!.fqdn.replaceAll('.', '\\.')} `));
			await assertAnswers(lab, inventory.node.address, await savedInventory(host), 'after vm remove');
			const doctor = await cli('doctor');
			assert.equal(doctor.code, 0, await show(doctor));
			const next = await cli('apply', '--yes');
			assert.equal(next.code, 0, `preflight knows the removal was meant:${await show(next)}`);
			assert.deepEqual(doneLines(next.stdout), [], 'the next apply changes nothing');
		});

		await t.test('vm add killed after the DNS commit, during gnt-instance add, or after it, then run again: one instance, one A, one PTR, one DHCP entry each', async () => {
			const add = (name: string, failpoint?: string) => host.cli(['vm', 'add', name, '--os', 'noop+default', '--disk-template', 'file', '--disk', '1G', '--memory', '128M', '--yes', '--root', '/'], failpoint ? {env: {GANETI_WIZARD_FAILPOINT: failpoint}} : {});
			for (const [name, kills] of [
				['web3', [['after-effect@dns.git.commit', /▸ running commit in \/etc\/bind: add web3\.vm\.farm /], ['command-running@instances.web3.add', /▸ running create web3\.vm\.farm /]]],
				['web4', [['after-effect@instances.web4.add', /▸ running create web4\.vm\.farm /]]],
			] as const) {
				for (const [failpoint, where] of kills) {
					const killed = await add(name, failpoint);
					if (killed.signal !== 'SIGKILL') assert.fail(`vm add ${name} with ${failpoint} was not killed (exit ${killed.code})${await show(killed)}`);
					const last = killed.stdout.trimEnd().split('\n').at(-1) ?? '';
					assert.match(last, where, `vm add ${name} killed at ${failpoint}`);
					console.log(`# vm add ${name} killed (${failpoint}) in ${(killed.ms / 1000).toFixed(1)} s`);
				}
				const again = await add(name);
				console.log(`# vm add ${name} again: exit ${again.code ?? again.signal} in ${(again.ms / 1000).toFixed(1)} s, ${doneLines(again.stdout).length} changes`);
				if (again.code !== 0) assert.fail(`vm add ${name} run again exited ${again.code ?? again.signal}${await show(again)}`);
				assert.match(again.stdout, new RegExp(`^${name}\\.vm\\.farm is in the site as these flags describe it: finishing it\\.$`, 'm'));
			}
			const site = await savedInventory(host);
			const names = parseInstanceList(await lab.run(instanceListArgv)).map(instance => instance.name);
			const zone = (await lab.readFile('/etc/bind/db.farm'))!;
			const dhcpd = (await lab.readFile('/etc/dhcp/dhcpd.d/ganeti-wizard.conf'))!;
			for (const name of ['web3', 'web4']) {
				const instance = site.instances.find(entry => entry.name === name)!;
				const fqdn = instance.fqdn.replaceAll('.', '\\.');
				assert.equal(names.filter(listed => listed === instance.fqdn).length, 1, `${instance.fqdn} once in Ganeti: ${names.join(' ')}`);
				assert.equal(zone.match(new RegExp(`^${name}\\.vm\\tIN\\tA\\t`, 'gm'))?.length, 1, `one A record for ${name}:\n${zone}`);
				assert.equal(dhcpd.match(new RegExp(`^host ${fqdn} \\{$`, 'gm'))?.length, 1, `one DHCP host entry for ${name}`);
				assert.equal((await lab.run(['dig', '+short', `@${site.node.address}`, instance.fqdn, 'A'])).trim(), instance.address);
				assert.equal((await lab.run(['dig', '+short', `@${site.node.address}`, '-x', instance.address])).trim(), `${instance.fqdn}.`);
			}
			await assertAnswers(lab, site.node.address, site, 'after the killed vm adds');
			const doctor = await cli('doctor');
			assert.equal(doctor.code, 0, await show(doctor));
		});
	} finally {
		await host.destroy();
	}
});
