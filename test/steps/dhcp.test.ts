import assert from 'node:assert/strict';
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import type {Action, CommandAction, FileAction} from '../../source/actions/action.js';
import {dhcpStep} from '../../source/steps/dhcp.js';
import {bareFacts} from '../../source/steps/step.js';
import {need} from '../support/need.js';
import {runCheckArgv} from '../render/checkers.js';
import {inventoryFromYaml, seedInventory} from '../render/fixtures.js';
import {applyMapped, exec, readMapped} from './apply.js';

const seed = seedInventory();
const seedYaml = readFileSync(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');

const files = (actions: Action[]): FileAction[] => actions.filter((action): action is FileAction => action.kind === 'file');
const command = (actions: Action[], id: string): CommandAction => actions.find((action): action is CommandAction => action.kind === 'command' && action.id === id)!;

test('the seed\'s DHCP plan: history, the whole check, the VM file and the include line, their commit, the defaults, the restart', () => {
	const actions = dhcpStep.plan(seed, bareFacts());
	assert.deepEqual(
		actions.map(action => action.id),
		['dhcp.git.init', 'dhcp.git.unstage', 'dhcp.git.outside.stage', 'dhcp.git.outside.commit', 'dhcp.check', 'dhcp.vms', 'dhcp.conf', 'dhcp.git.stage', 'dhcp.git.commit', 'dhcp.defaults', 'dhcp.dhcpd'],
	);
	const [vms, conf, defaults] = files(actions);
	assert.equal(vms!.path, '/etc/dhcp/dhcpd.d/ganeti-wizard.conf');
	assert.deepEqual(vms!.check, {argv: ['dhcpd', '-t', '-q', '-cf', '{}']});
	assert.equal(conf!.path, '/etc/dhcp/dhcpd.conf');
	assert.match(conf!.content, /^include "\/etc\/dhcp\/dhcpd\.d\/ganeti-wizard\.conf";$/m);
	// dhcpd.conf is checked with its include, on a stage, before either file is installed.
	const check = command(actions, 'dhcp.check');
	assert.equal(check.readOnly, true);
	assert.deepEqual(check.argv.slice(-2), ['{stage}', '/etc/dhcp/dhcpd.conf']);
	assert.deepEqual(check.stage, {copy: ['/etc/dhcp'], files: [vms!, conf!].map(({path, content}) => ({path, content})), needs: '/etc/dhcp/dhcpd.conf'});
	assert.equal(defaults!.path, '/etc/default/isc-dhcp-server');
	assert.match(defaults!.content, /^INTERFACESv4="br0"$/m);
	assert.equal(command(actions, 'dhcp.git.commit').argv.at(-1), 'add rodo1.osm.vm.farm 52:54:5a:8d:77:8e 10.10.1.50, include dhcpd.d/ganeti-wizard.conf');
	assert.deepEqual(actions.at(-1), {kind: 'service', id: 'dhcp.dhcpd', title: 'restart dhcpd (isc-dhcp-server)', service: 'isc-dhcp-server', operation: 'restart', after: ['dhcp.vms', 'dhcp.conf', 'dhcp.defaults']});
	assert.deepEqual(dhcpStep.reads!(seed), ['/etc/dhcp/dhcpd.conf', '/etc/dhcp/dhcpd.d/ganeti-wizard.conf', '/etc/default/isc-dhcp-server']);
	assert.deepEqual(dhcpStep.readsCommitted!(seed), ['/etc/dhcp/dhcpd.conf', '/etc/dhcp/dhcpd.d/ganeti-wizard.conf']);
});

test('the whole-configuration check runs dhcpd on dhcpd.conf with the staged include, and refuses a broken one', async t => {
	if (!need(['dhcpd', 'python3'], t)) return;
	const theirs = readFileSync(new URL('../fixtures/cases/existing-dhcpd/root/etc/dhcp/dhcpd.conf', import.meta.url), 'utf8');
	const actions = dhcpStep.plan(seed, bareFacts({files: {'/etc/dhcp/dhcpd.conf': theirs}}));
	const check = command(actions, 'dhcp.check');
	const stage = mkdtempSync(join(tmpdir(), 'gw-dhcp-stage-'));
	try {
		for (const file of check.stage!.files) {
			mkdirSync(dirname(join(stage, file.path)), {recursive: true});
			writeFileSync(join(stage, file.path), file.content);
		}
		// No bytecode beside the source programs (check-programs.test.ts keeps the tree clean).
		const run = () => exec(check.argv.map(part => part.replace('{stage}', stage)), {PYTHONDONTWRITEBYTECODE: '1'});
		const good = await run();
		assert.equal(good.exitCode, 0, good.stdout + good.stderr);
		// The included file really is read: broken in the stage, the whole is refused.
		const included = join(stage, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf');
		writeFileSync(included, readFileSync(included, 'utf8').replace('fixed-address 10.10.1.50;', 'fixed-address 10.10.1.50'));
		const broken = await run();
		assert.equal(broken.exitCode, 1);
		assert.match(broken.stdout, /^dhcpd rejects the configuration: /);
	} finally {
		rmSync(stage, {recursive: true, force: true});
	}
});

test('DHCP turned off in the recipe plans nothing', () => {
	const off = inventoryFromYaml(seedYaml.replace(/^dhcp:\n  enabled: true/m, 'dhcp:\n  enabled: false'));
	assert.equal(off.recipe.dhcp.enabled, false);
	assert.deepEqual(dhcpStep.plan(off, bareFacts()), []);
});

test('the check argv of each file accepts it and refuses it broken', async t => {
	if (!need(['dhcpd', 'sh'], t)) return;
	for (const file of files(dhcpStep.plan(seed, bareFacts())).filter(entry => entry.check)) {
		assert.equal((await runCheckArgv(file.check!.argv, file.content)).exitCode, 0, file.id);
		const broken = file.content.replace('fixed-address 10.10.1.50;', 'fixed-address 10.10.1.50').replace('INTERFACESv4="br0"', 'INTERFACESv4="br0');
		assert.notEqual((await runCheckArgv(file.check!.argv, broken)).exitCode, 0, `${file.id} broken but accepted`);
	}
});

test('idempotence: planning against what was written plans the same files and a commit with nothing to do', () => {
	const first = dhcpStep.plan(seed, bareFacts());
	const written = Object.fromEntries(files(first).map(file => [file.path, file.content]));
	const second = dhcpStep.plan(seed, bareFacts({files: written, committed: written}));
	assert.deepEqual(files(second), files(first));
	assert.ok(!second.some(action => action.id.startsWith('dhcp.git.hand-edit')));
});

test('git history of /etc/dhcp for real: Debian\'s files first, then the wizard\'s host entry', async t => {
	if (!need(['git'], t)) return;
	const root = mkdtempSync(join(tmpdir(), 'gw-dhcp-'));
	try {
		cpSync('/etc/dhcp', join(root, 'dhcp'), {recursive: true, filter: source => !source.includes('/.git')});
		const mapping = {from: '/etc/dhcp', to: join(root, 'dhcp')};
		const facts = bareFacts({files: {'/etc/dhcp/dhcpd.conf': readMapped(mapping, '/etc/dhcp/dhcpd.conf')}});
		await applyMapped(dhcpStep.plan(seed, facts), mapping);
		const history = await exec(['git', '-C', mapping.to, 'log', '--format=%s']);
		assert.deepEqual(history.stdout.trim().split('\n'), ['add rodo1.osm.vm.farm 52:54:5a:8d:77:8e 10.10.1.50, include dhcpd.d/ganeti-wizard.conf', 'changes made outside ganeti-wizard']);
		const debianConf = await exec(['git', '-C', mapping.to, 'show', 'HEAD~1:dhcpd.conf']);
		assert.equal(debianConf.stdout, readFileSync('/etc/dhcp/dhcpd.conf', 'utf8'), 'Debian\'s dhcpd.conf is kept in the history');
		// ... and in dhcpd.conf itself, which only gained the include line.
		assert.ok(readMapped(mapping, '/etc/dhcp/dhcpd.conf')!.startsWith(readFileSync('/etc/dhcp/dhcpd.conf', 'utf8')));
	} finally {
		rmSync(root, {recursive: true, force: true});
	}
});
