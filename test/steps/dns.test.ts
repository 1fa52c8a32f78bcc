import assert from 'node:assert/strict';
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import type {Action, CommandAction, FileAction} from '../../source/actions/action.js';
import type {Inventory} from '../../source/inventory/inventory.js';
import {findSerial} from '../../source/render/serial.js';
import {dnsStep} from '../../source/steps/dns.js';
import {bareFacts, type Facts} from '../../source/steps/step.js';
import {need} from '../support/need.js';
import {checkBindTree, runCheckArgv} from '../render/checkers.js';
import {inventoryFromYaml, seedInventory} from '../render/fixtures.js';
import {applyMapped, exec, readMapped, type Mapping} from './apply.js';

const seed = seedInventory();
const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');
const withWeb = inventoryFromYaml(seedYaml.replace('extra_disks: [500G]', 'extra_disks: [500G]\n  - name: web\n    disk_template: plain\n    disk_size: 10G\n    memory: 1G\n    vcpus: 1\n    install: {os: debootstrap+default}\n    mac: "52:54:00:12:34:56"\n    address: 10.10.1.51'));

const files = (actions: Action[]): FileAction[] => actions.filter((action): action is FileAction => action.kind === 'file');
const command = (actions: Action[], id: string): CommandAction => actions.find((action): action is CommandAction => action.kind === 'command' && action.id === id)!;
const ids = (actions: Action[]): string[] => actions.map(action => action.id);

/** Facts of a host whose files are what `actions` wrote (the state after an uninterrupted run). */
function factsAfter(actions: Action[], overrides: Partial<Facts> = {}): Facts {
	const written = Object.fromEntries(files(actions).map(file => [file.path, file.content]));
	const serials = Object.fromEntries(files(actions).flatMap(file => (file.serial ? [[file.serial.zone, file.serial.value]] : [])));
	return bareFacts({files: written, committed: written, serials, ...overrides});
}

test('the seed\'s DNS plan: history first, the whole check of the candidates, then zones, zone list, options, the commit, the reload, resolv.conf', () => {
	const actions = dnsStep.plan(seed, bareFacts({resolvers: ['192.0.2.53']}));
	assert.deepEqual(ids(actions), [
		'dns.git.init',
		'dns.git.unstage',
		'dns.git.outside.stage',
		'dns.git.outside.commit',
		'dns.checkconf',
		'dns.zone.farm',
		'dns.zone.0.10.10.in-addr.arpa',
		'dns.zone.1.10.10.in-addr.arpa',
		'dns.local',
		'dns.options',
		'dns.git.stage',
		'dns.git.commit',
		'dns.named',
		'dns.resolv',
	]);
	const fileIds = files(actions).filter(file => file.path.startsWith('/etc/bind/')).map(file => file.id);
	// The whole configuration is checked before anything is installed, on a staged copy.
	const bindFiles = files(actions).filter(file => file.path.startsWith('/etc/bind/'));
	assert.deepEqual(command(actions, 'dns.checkconf'), {
		kind: 'command',
		id: 'dns.checkconf',
		title: 'check the new bind configuration and its zones together',
		argv: ['named-checkconf', '-t', '{stage}', '-z', '/etc/bind/named.conf'],
		readOnly: true,
		idempotent: true,
		stage: {copy: ['/etc/bind', '/usr/share/dns'], files: bindFiles.map(({path, content}) => ({path, content})), needs: '/etc/bind/named.conf', emptyDirectories: ['/var/cache/bind']},
	});
	assert.deepEqual(actions.find(action => action.id === 'dns.named'), {kind: 'service', id: 'dns.named', title: 'reload bind (named)', service: 'named', operation: 'reload', after: fileIds});
	const init = command(actions, 'dns.git.init');
	assert.deepEqual(init.argv, ['git', 'init', '-q', '/etc/bind']);
	assert.deepEqual(init.satisfiedWhen, {exists: '/etc/bind/.git'});
	const message = [
		'7 changes: add ns.farm 10.10.0.20, add gcc20.node.farm 10.10.0.20, ...',
		'',
		'add ns.farm 10.10.0.20',
		'add gcc20.node.farm 10.10.0.20',
		'add cluster.node.farm 10.10.0.10',
		'add gw.vm.farm 10.10.1.1',
		'add rodo1.osm.vm.farm 10.10.1.50',
		'update named.conf.local',
		'update named.conf.options',
	].join('\n');
	const identity = ['-c', 'user.name=ganeti-wizard', '-c', 'user.email=root@localhost', '-c', 'commit.gpgsign=false'];
	assert.deepEqual(command(actions, 'dns.git.commit').argv, ['git', '-C', '/etc/bind', ...identity, 'commit', '-q', '-m', message]);
	assert.deepEqual(command(actions, 'dns.git.outside.commit').argv, ['git', '-C', '/etc/bind', ...identity, 'commit', '-q', '-m', 'changes made outside ganeti-wizard']);
	assert.deepEqual(command(actions, 'dns.git.commit').satisfiedWhen, {argv: ['git', '-C', '/etc/bind', 'diff', '--cached', '--quiet']});
	for (const file of files(actions).filter(entry => entry.path.startsWith('/etc/bind/'))) {
		assert.deepEqual(file.owner, {user: 'root', group: 'bind'});
		assert.equal(file.mode, 0o644);
	}
	const bindPaths = ['/etc/bind/db.farm', '/etc/bind/db.10.10.0', '/etc/bind/db.10.10.1', '/etc/bind/named.conf.local', '/etc/bind/named.conf.options', '/etc/bind/ganeti-wizard/named.conf'];
	assert.deepEqual(dnsStep.reads!(seed), [...bindPaths, '/etc/resolv.conf', '/etc/systemd/resolved.conf.d/ganeti-wizard.conf']);
	// The resolved drop-in's directory is under git too.
	assert.deepEqual(dnsStep.readsCommitted!(seed), [...bindPaths, '/etc/systemd/resolved.conf.d/ganeti-wizard.conf']);
});

test('every file\'s own check argv accepts it, and refuses it broken', async t => {
	if (!need(['named-checkzone', 'named-checkconf'], t)) return;
	for (const file of files(dnsStep.plan(seed, bareFacts({resolvers: ['192.0.2.53']})))) {
		if (!file.check) continue;
		const good = await runCheckArgv(file.check.argv, file.content);
		assert.equal(good.exitCode, 0, `${file.id}: ${good.output}`);
		const broken = file.content.replace(/\tIN\tSOA\t/, '\tIN\tSOAP\t').replace('{\n\ttype master;', '{\n\ttype mister;').replace('listen-on-v6 { none; }', 'listen-on-v6 { none }');
		assert.notEqual(broken, file.content, file.id);
		assert.notEqual((await runCheckArgv(file.check.argv, broken)).exitCode, 0, `${file.id} broken but accepted`);
	}
});

test('the planned files load together through Debian\'s named.conf (named-checkconf -z)', async t => {
	if (!need(['named-checkconf'], t)) return;
	const bindFiles = files(dnsStep.plan(seed, bareFacts())).filter(file => file.path.startsWith('/etc/bind/'));
	const result = await checkBindTree(bindFiles);
	assert.equal(result.exitCode, 0, result.output);
});

test('idempotence: planning against what the previous plan wrote gives the same contents and serials, any day', () => {
	const first = dnsStep.plan(seed, bareFacts({resolvers: ['192.0.2.53']}));
	for (const now of ['2026-01-01T12:00:00Z', '2026-06-01T00:00:00Z', '2024-01-01T00:00:00Z']) {
		const second = dnsStep.plan(seed, factsAfter(first, {resolvers: ['192.0.2.53'], now: new Date(now)}));
		assert.deepEqual(files(second), files(first));
	}
	// The serial the file carries is the one recorded for progress.
	for (const file of files(first).filter(entry => entry.serial)) assert.equal(findSerial(file.content)?.serial, file.serial!.value);
});

test('a new instance bumps the serial of the zones it changes only, and the commit says what changed', () => {
	const first = dnsStep.plan(seed, bareFacts());
	const second = dnsStep.plan(withWeb, factsAfter(first));
	const serial = (actions: Action[], id: string) => files(actions).find(file => file.id === id)!.serial!.value;
	assert.equal(serial(second, 'dns.zone.farm'), serial(first, 'dns.zone.farm') + 1);
	assert.equal(serial(second, 'dns.zone.1.10.10.in-addr.arpa'), serial(first, 'dns.zone.1.10.10.in-addr.arpa') + 1);
	assert.equal(serial(second, 'dns.zone.0.10.10.in-addr.arpa'), serial(first, 'dns.zone.0.10.10.in-addr.arpa'));
	assert.equal(command(second, 'dns.git.commit').argv.at(-1), 'add web.vm.farm 10.10.1.51');
	// Killed after writing the files, before committing: the message still compares with the commit.
	const resumed = dnsStep.plan(withWeb, {...factsAfter(second), committed: factsAfter(first).files});
	assert.equal(command(resumed, 'dns.git.commit').argv.at(-1), 'add web.vm.farm 10.10.1.51');
	assert.ok(!ids(resumed).some(id => id.startsWith('dns.git.hand-edit')), 'the wizard\'s own files are not hand edits');
});

test('a zone edited by hand is staged on its own before the wizard replaces it', () => {
	const first = dnsStep.plan(seed, bareFacts());
	const after = factsAfter(first);
	const edited = `${after.files['/etc/bind/db.farm']}www\tIN\tA\t10.10.1.99\n`;
	const plan = dnsStep.plan(seed, {...after, files: {...after.files, '/etc/bind/db.farm': edited}});
	const order = ids(plan);
	assert.ok(order.indexOf('dns.git.hand-edit.db.farm') < order.indexOf('dns.git.outside.commit'));
	assert.ok(order.indexOf('dns.git.outside.commit') < order.indexOf('dns.zone.farm'));
	assert.equal(command(plan, 'dns.git.commit').argv.at(-1), 'remove www.farm 10.10.1.99');
	// The edited file changed, so the zone gets a new serial although the inventory did not change.
	assert.ok(files(plan)[0]!.serial!.value > files(first)[0]!.serial!.value);
});

test('forwarders follow the host\'s resolvers, resolv.conf puts the private server first', () => {
	const actions = dnsStep.plan(seed, bareFacts({resolvers: ['198.51.100.53'], files: {'/etc/resolv.conf': 'nameserver 198.51.100.53\n'}}));
	assert.match(files(actions).find(file => file.id === 'dns.options')!.content, /forwarders \{ 198\.51\.100\.53; \};/);
	const resolv = files(actions).find(file => file.id === 'dns.resolv')!;
	assert.equal(resolv.path, '/etc/resolv.conf');
	assert.match(resolv.content, /^nameserver 10\.10\.0\.20\nnameserver 198\.51\.100\.53\n$/m);
});

/** A copy of Debian's /etc/bind in a folder, the step's git and file actions applied there for real. */
async function withBindCopy(use: (mapping: Mapping) => Promise<void>): Promise<void> {
	const root = mkdtempSync(join(tmpdir(), 'gw-bind-'));
	try {
		cpSync('/etc/bind', join(root, 'bind'), {recursive: true, filter: source => !source.includes('/.git')});
		await use({from: '/etc/bind', to: join(root, 'bind')});
	} finally {
		rmSync(root, {recursive: true, force: true});
	}
}

async function factsFrom(mapping: Mapping, inventory: Inventory): Promise<Facts> {
	const files: Record<string, string | null> = {};
	for (const path of dnsStep.reads!(inventory)) files[path] = readMapped(mapping, path);
	const committed: Record<string, string | null> = {};
	for (const path of dnsStep.readsCommitted!(inventory)) {
		const result = await exec(['git', '-C', mapping.to, 'show', `HEAD:./${path.slice(path.lastIndexOf('/') + 1)}`]);
		committed[path] = result.exitCode === 0 ? result.stdout : null;
	}
	return bareFacts({files, committed});
}

async function log(mapping: Mapping): Promise<Array<{subject: string; files: string[]}>> {
	const result = await exec(['git', '-C', mapping.to, 'log', '--format=%x00%s', '--name-only']);
	return result.stdout
		.split('\0')
		.filter(Boolean)
		.map(entry => {
			const [subject, ...names] = entry.trim().split('\n');
			return {subject: subject!, files: names.filter(Boolean).sort()};
		});
}

test('git history for real: hand changes first, then one commit of the wizard\'s; a second run commits nothing', async t => {
	if (!need(['git'], t)) return;
	await withBindCopy(async mapping => {
		writeFileSync(join(mapping.to, 'named.conf.options'), readFileSync(join(mapping.to, 'named.conf.options'), 'utf8') + '// tuned by hand\n');
		const first = await applyMapped(dnsStep.plan(seed, await factsFrom(mapping, seed)), mapping);
		assert.ok(first.some(entry => entry.id === 'dns.git.commit' && entry.outcome === 'ran'));
		let history = await log(mapping);
		assert.deepEqual(history.map(entry => entry.subject), ['7 changes: add ns.farm 10.10.0.20, add gcc20.node.farm 10.10.0.20, ...', 'changes made outside ganeti-wizard']);
		assert.deepEqual(history[0]!.files, ['db.10.10.0', 'db.10.10.1', 'db.farm', 'named.conf.local', 'named.conf.options']);
		// The hand-tuned options went into the first commit, as they were.
		const firstOptions = await exec(['git', '-C', mapping.to, 'show', 'HEAD~1:named.conf.options']);
		assert.match(firstOptions.stdout, /\/\/ tuned by hand/);

		const second = await applyMapped(dnsStep.plan(seed, await factsFrom(mapping, seed)), mapping);
		assert.deepEqual(second.filter(entry => entry.outcome !== 'satisfied' && entry.outcome !== 'recorded'), []);
		assert.equal((await log(mapping)).length, 2);

		// A hand edit elsewhere and a new instance: two commits, never mixed.
		writeFileSync(join(mapping.to, 'db.local'), readFileSync(join(mapping.to, 'db.local'), 'utf8') + '; hand\n');
		await applyMapped(dnsStep.plan(withWeb, await factsFrom(mapping, withWeb)), mapping);
		history = await log(mapping);
		assert.deepEqual(history.slice(0, 2), [
			{subject: 'add web.vm.farm 10.10.1.51', files: ['db.10.10.1', 'db.farm']},
			{subject: 'changes made outside ganeti-wizard', files: ['db.local']},
		]);
		assert.equal((await exec(['git', '-C', mapping.to, 'status', '--porcelain'])).stdout, '');
	});
});

test('git history for real: a run killed between staging and committing resumes without mislabelling', async t => {
	if (!need(['git'], t)) return;
	await withBindCopy(async mapping => {
		await applyMapped(dnsStep.plan(seed, await factsFrom(mapping, seed)), mapping);
		// Killed right after `git add -A` of the wizard's own change, with a stray candidate file left behind.
		await applyMapped(dnsStep.plan(withWeb, await factsFrom(mapping, withWeb)), mapping, {stopAfter: 'dns.git.stage'});
		writeFileSync(join(mapping.to, '.db.farm.ganeti-wizard-new'), 'half written');
		const resumed = await applyMapped(dnsStep.plan(withWeb, await factsFrom(mapping, withWeb)), mapping);
		assert.ok(resumed.some(entry => entry.id === 'dns.git.unstage' && entry.outcome === 'ran'));
		const history = await log(mapping);
		assert.deepEqual(history.slice(0, 2).map(entry => entry.subject), ['add web.vm.farm 10.10.1.51', '7 changes: add ns.farm 10.10.0.20, add gcc20.node.farm 10.10.0.20, ...']);
		assert.ok(!history.some(entry => entry.files.some(name => name.includes('ganeti-wizard-new'))));
	});
});

test('beside someone else\'s bind: their files are not planned; a second named gets its configuration, init script, directory and boot links', () => {
	const theirs = {stock: false, listen: {addresses: ['127.0.0.1', '198.51.100.20']}};
	const actions = dnsStep.plan(seed, bareFacts({resolvers: ['192.0.2.53'], bind: theirs}));
	const paths = files(actions).map(file => file.path);
	assert.ok(!paths.includes('/etc/bind/named.conf.options') && !paths.includes('/etc/bind/named.conf.local'), paths.join(' '));
	assert.ok(paths.includes('/etc/bind/ganeti-wizard/named.conf') && paths.includes('/etc/init.d/ganeti-wizard-named'), paths.join(' '));
	assert.deepEqual(command(actions, 'dns.checkconf').argv, ['named-checkconf', '-t', '{stage}', '-z', '/etc/bind/ganeti-wizard/named.conf']);
	const service = actions.find(action => action.id === 'dns.named');
	assert.ok(service?.kind === 'service' && service.service === 'ganeti-wizard-named' && service.operation === 'reload');
	assert.ok(ids(actions).indexOf('dns.instance-boot') < ids(actions).indexOf('dns.named'));
	// Their named listening everywhere, or on a private address: planning stops.
	assert.throws(() => dnsStep.plan(seed, bareFacts({bind: {stock: false, listen: {everywhere: 'its listen-on says any'}}})), /named\.conf\.options: .*its listen-on says any/);
	assert.throws(() => dnsStep.plan(seed, bareFacts({bind: {stock: false, listen: {addresses: ['10.10.1.1']}}})), /already listens on the private address 10\.10\.1\.1/);
	// Debian's stock bind: the seed's files, as before.
	assert.ok(files(dnsStep.plan(seed, bareFacts({bind: {stock: true, listen: {everywhere: 'no listen-on'}}}))).some(file => file.path === '/etc/bind/named.conf.options'));
});

test('with systemd-resolved: resolv.conf is left alone and a drop-in routes only the private zones', () => {
	const actions = dnsStep.plan(seed, bareFacts({resolvers: ['192.0.2.53'], resolver: {manager: 'systemd-resolved', link: '../run/systemd/resolve/stub-resolv.conf'}}));
	assert.ok(!files(actions).some(file => file.path === '/etc/resolv.conf'));
	const dropIn = files(actions).find(file => file.id === 'dns.resolved')!;
	assert.equal(dropIn.path, '/etc/systemd/resolved.conf.d/ganeti-wizard.conf');
	assert.match(dropIn.content, /^DNS=10\.10\.0\.20\nDomains=~farm ~0\.10\.10\.in-addr\.arpa ~1\.10\.10\.in-addr\.arpa$/m);
	assert.deepEqual(actions.at(-1), {kind: 'service', id: 'dns.resolved-restart', title: 'restart systemd-resolved', service: 'systemd-resolved', operation: 'restart', after: ['dns.resolved']});
	assert.throws(() => dnsStep.plan(seed, bareFacts({resolver: {manager: 'other-link', link: '/run/resolvconf/resolv.conf'}})), /\/etc\/resolv\.conf: is a link to \/run\/resolvconf\/resolv\.conf/);
});
