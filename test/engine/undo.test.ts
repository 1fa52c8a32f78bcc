// Undo in a rehearsal: the seed applied into a folder that looks like a Debian
// host, then undone, leaves the folder byte for byte (files, modes and
// directories) as it was; commands.sh records each inverse, newest change
// first; a second undo changes nothing; a kill mid-undo resumes to the same
// end; a file edited by hand after the wizard wrote it is kept and reported.
// `changes` and `undo --dry-run` write nothing.
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join, relative} from 'node:path';
import {after, test} from 'node:test';
import {readJournal} from '../../source/site/journal.js';
import {quoteArgv} from '../../source/host/quote.js';
import {runCli, seedRecipe} from '../support/cli.js';
import {treeDigest} from '../support/tree.js';

const work = await mkdtemp(join(tmpdir(), 'gw-undo-'));
after(() => rm(work, {recursive: true, force: true}));

/** What a Debian host has before the wizard: files it modifies, and some it does not touch. */
const debian: Record<string, string> = {
	'etc/hosts': '127.0.0.1\tlocalhost\n127.0.1.1\tgcc20.example.org gcc20\n',
	'etc/resolv.conf': 'nameserver 192.0.2.53\n',
	'etc/network/interfaces': 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n',
	// Debian's stock options: the wizard owns bind's configuration (else a named of its own serves beside it).
	'etc/bind/named.conf.options': 'options {\n\tdirectory "/var/cache/bind";\n\tdnssec-validation auto;\n\tlisten-on-v6 { any; };\n};\n',
	'etc/drbd.conf': 'include "drbd.d/global_common.conf";\n',
	'etc/motd': 'someone else\'s file\n',
	'proc/sys/net/ipv4/ip_forward': '0\n',
	'var/lib/dpkg/status': 'Package: git\nStatus: install ok installed\n\nPackage: bind9\nStatus: deinstall ok config-files\n',
};

async function site(name: string) {
	const root = join(work, name, 'root');
	const state = join(work, name, 'state');
	for (const [path, text] of Object.entries(debian)) {
		await mkdir(join(root, path, '..'), {recursive: true});
		await writeFile(join(root, path), text, {mode: path === 'etc/hosts' ? 0o640 : 0o644});
	}
	const at = (args: string[], options: {env?: Record<string, string>; input?: string} = {}) => runCli([...args, '--root', root, '--state-dir', state], options);
	return {root, state, at};
}

/** Every file's mode and sha256, and every directory, under a folder. */
async function snapshot(root: string): Promise<{files: Map<string, string>; directories: string[]}> {
	const directories: string[] = [];
	async function walk(directory: string): Promise<void> {
		for (const entry of await readdir(directory, {withFileTypes: true})) {
			if (!entry.isDirectory()) continue;
			const path = join(directory, entry.name);
			directories.push(`${relative(root, path)} ${((await stat(path)).mode & 0o7777).toString(8)}`);
			await walk(path);
		}
	}
	await walk(root);
	return {files: await treeDigest(root), directories: directories.sort()};
}

/** commands.sh's entries, as [action id, command] pairs. */
function entries(text: string): Array<[string, string]> {
	return [...text.matchAll(/^# action (\S+)\n(.*)\n/gm)].map(match => [match[1]!, match[2]!]);
}

/** The inverse each journalled change of the apply records, newest change first (as undo must run them). */
function expectedInverses(state: string): Array<[string, string]> {
	const last = new Map<string, {position: number; entry: [string, string]}>();
	readJournal(state).forEach((record, position) => {
		if (record.type !== 'action' || record.phase !== 'begin' || !record.change) return;
		if (record.change.kind === 'service' && !record.change.wasRunning) last.set(`service ${record.change.service}`, {position, entry: [`undo.service.${record.change.service}`, `service ${record.change.service} stop`]});
		// Packages stay unless --purge-packages.
		if (record.change.kind === 'command' && record.inverse && 'argv' in record.inverse && record.id !== 'host.packages') {
			last.set(record.id, {position, entry: [`undo.${record.id}`, quoteArgv(record.inverse.argv.map(part => part.replaceAll('{state}', state)))]});
		}
	});
	return [...last.values()].sort((a, b) => b.position - a.position).map(({entry}) => entry);
}

test('apply then undo: the folder is byte for byte as before, the inverses are recorded newest first, a second undo changes nothing', async () => {
	const {root, state, at} = await site('whole');
	const before = await snapshot(root);
	const applied = await at(['apply', '--recipe', seedRecipe, '--yes']);
	assert.equal(applied.code, 0, applied.stderr + applied.stdout);
	const built = await snapshot(root);
	assert.notDeepEqual(built, before, 'the apply changed the folder');
	const recordedByApply = await readFile(join(state, 'commands.sh'), 'utf8');

	// Read-only: changes and the dry run write nothing, not even in the state directory.
	const stateBefore = await treeDigest(state);
	const listed = await at(['changes', '--json']);
	assert.equal(listed.code, 0, listed.stderr);
	const changes = JSON.parse(listed.stdout) as {files: Array<{path: string; change: string; diff: string}>; packages: string[]; services: Array<{service: string}>; commands: Array<{category: string; argv: string[]}>};
	const files = new Map(changes.files.map(file => [file.path, file]));
	assert.equal(files.get('/etc/hosts')?.change, 'modified');
	assert.match(files.get('/etc/hosts')!.diff, /^-127\.0\.1\.1\tgcc20\.example\.org gcc20$/m, 'the diff is against the file as found');
	assert.equal(files.get('/etc/bind/db.farm')?.change, 'created');
	assert.ok(!files.has('/etc/motd'), 'a file the wizard never touched is not listed');
	assert.ok(changes.packages.includes('bind9') && changes.packages.includes('ganeti') && !changes.packages.includes('git'), `packages not there before, git was: ${changes.packages.join(' ')}`);
	assert.deepEqual(changes.services.map(service => service.service).sort(), ['isc-dhcp-server', 'named']);
	const categories = new Set(changes.commands.map(command => command.category));
	for (const category of ['firewall', 'sysctl', 'route', 'interface', 'storage', 'cluster', 'instance']) assert.ok(categories.has(category), `changes lists the ${category} changes`);
	const nat = changes.commands.find(command => command.category === 'firewall') as unknown as {argv: string[]; inverse: {argv: string[]}};
	assert.deepEqual([nat.argv[3], nat.inverse.argv[3]], ['-A', '-D'], 'the rule added, and its inverse');
	const text = await at(['changes']);
	assert.match(text.stdout, /undo: iptables -t nat -D POSTROUTING/);
	const dry = await at(['undo', '--dry-run']);
	assert.equal(dry.code, 0, dry.stderr);
	assert.match(dry.stdout, /gnt-instance remove -f --shutdown-timeout=0 rodo1\.osm\.vm\.farm/);
	const refused = await at(['undo'], {input: 'no\n'});
	assert.equal(refused.code, 1, refused.stderr);
	assert.match(refused.stdout, /Type "undo" to reverse these changes.*\n?.*Nothing was changed\./s);
	assert.deepEqual(await treeDigest(state), stateBefore, 'changes, undo --dry-run and a refused undo wrote nothing');

	const undone = await at(['undo', '--yes']);
	assert.equal(undone.code, 0, undone.stderr + undone.stdout);
	assert.deepEqual(await snapshot(root), before, 'the folder is as it was before the apply');
	const recorded = (await readFile(join(state, 'commands.sh'), 'utf8')).slice(recordedByApply.length);
	assert.deepEqual(entries(recorded), expectedInverses(state), 'commands.sh records every inverse once, newest change first');
	const order = entries(recorded).map(([id]) => id);
	assert.ok(order.indexOf('undo.instances.rodo1.osm.add') < order.indexOf('undo.cluster.init'), 'the instance goes before the cluster');
	assert.ok(order.includes('undo.network.forwarding') && recorded.includes('sysctl -q -w net.ipv4.ip_forward=0'), 'ip_forward goes back to 0, as read before');
	assert.ok(recorded.includes('archive-git.py /etc/bind'), "the repository the wizard made goes, its history archived");

	const again = await at(['undo', '--yes']);
	assert.equal(again.code, 0, again.stderr);
	assert.match(again.stdout, /Nothing to undo/);
	assert.equal((await readFile(join(state, 'commands.sh'), 'utf8')).slice(recordedByApply.length), recorded, 'a second undo records nothing');
	assert.deepEqual(await snapshot(root), before);
	assert.match((await at(['changes'])).stdout, /changed nothing here since the last undo/);

	// apply after undo builds the site again: the same files, and every command recorded again, MACs and addresses alike.
	const rebuilt = await at(['apply', '--yes']);
	assert.equal(rebuilt.code, 0, rebuilt.stderr + rebuilt.stdout);
	const afterUndo = (await readFile(join(state, 'commands.sh'), 'utf8')).slice(recordedByApply.length + recorded.length);
	// Packages stay without --purge-packages: installing them (and dpkg's repair before it) is not recorded again.
	const stayed = ['host.dpkg-configure', 'host.packages'];
	assert.deepEqual(entries(afterUndo), entries(recordedByApply).filter(([id]) => !stayed.includes(id)), 'the rebuild records what the first apply recorded, in order');
	// The same files, the zones but for their serial: a zone made again gets a higher one, as secondaries and caches need.
	const rebuiltFiles = (await snapshot(root)).files;
	assert.deepEqual([...rebuiltFiles.keys()], [...built.files.keys()], 'the same files as the first apply');
	for (const [path, digest] of built.files) if (!/^etc\/bind\/db\./.test(path)) assert.equal(rebuiltFiles.get(path), digest, path);
});

test('undo killed after a change and before its record, then run again: the same end, each inverse recorded once', async () => {
	const reference = await site('reference');
	assert.equal((await reference.at(['apply', '--recipe', seedRecipe, '--yes'])).code, 0);
	const applied = await readFile(join(reference.state, 'commands.sh'), 'utf8');
	assert.equal((await reference.at(['undo', '--yes'])).code, 0);
	const wanted = (await readFile(join(reference.state, 'commands.sh'), 'utf8')).slice(applied.length);
	const before = await snapshot((await site('pristine')).root);
	for (const count of [1, 4, 9, 15, 22]) {
		const {root, state, at} = await site(`killed-${count}`);
		assert.equal((await at(['apply', '--recipe', seedRecipe, '--yes'])).code, 0);
		const killed = await at(['undo', '--yes'], {env: {GANETI_WIZARD_FAILPOINT: `after-effect:${count}`}});
		assert.equal(killed.signal, 'SIGKILL', `${count}: the failpoint stops the undo (${killed.stderr})`);
		const resumed = await at(['undo', '--yes']);
		assert.equal(resumed.code, 0, `${count}: ${resumed.stderr}${resumed.stdout}`);
		assert.deepEqual(await snapshot(root), before, `${count}: the folder is as before`);
		assert.equal((await readFile(join(state, 'commands.sh'), 'utf8')).slice(applied.length), wanted.replaceAll(reference.state, state), `${count}: each inverse recorded once, in order`);
	}
});

test('apply, vm add, then undo: every directory the wizard made goes, even when the file that made it was rewritten last; a directory that was there, empty, stays', async () => {
	const {root, at} = await site('directories');
	// Debian ships these empty; the wizard writes into them.
	for (const directory of ['etc/network/interfaces.d', 'etc/default', 'srv']) await mkdir(join(root, directory), {recursive: true});
	const before = await snapshot(root);
	assert.equal((await at(['apply', '--recipe', seedRecipe, '--yes'])).code, 0);
	// Rewrites dhcpd.d/ganeti-wizard.conf (the file that made /etc/dhcp), not dhcpd.conf beside it.
	const added = await at(['vm', 'add', 'web1', '--os', 'debootstrap+default', '--yes']);
	assert.equal(added.code, 0, added.stderr + added.stdout);
	assert.ok(existsSync(join(root, 'etc/dhcp/dhcpd.conf')) && existsSync(join(root, 'etc/network/interfaces.d/ganeti-wizard')));
	const undone = await at(['undo', '--yes']);
	assert.equal(undone.code, 0, undone.stderr + undone.stdout);
	const after = await snapshot(root);
	assert.deepEqual(after.directories, before.directories, 'the directories the wizard made are gone, those that were there stay');
	assert.deepEqual(after, before, 'the folder is as it was before the apply');
});

test('a file edited by hand after the wizard wrote it is kept and reported (exit 5); everything else is undone', async () => {
	const {root, at} = await site('hand-edit');
	const before = await snapshot(root);
	assert.equal((await at(['apply', '--recipe', seedRecipe, '--yes'])).code, 0);
	await appendFile(join(root, 'etc/hosts'), '192.0.2.7\tprinter\n');
	const edited = await readFile(join(root, 'etc/hosts'), 'utf8');
	// Asked, and confirmed by typing the word: the same as --yes.
	const undone = await at(['undo'], {input: 'undo\n'});
	assert.equal(undone.code, 5, undone.stderr + undone.stdout);
	assert.match(undone.stdout, /^Kept \/etc\/hosts: changed by someone else after the wizard wrote it/m);
	assert.equal(await readFile(join(root, 'etc/hosts'), 'utf8'), edited, 'the hand edit is kept');
	const after = await snapshot(root);
	const others = (snapshot: {files: Map<string, string>}) => [...snapshot.files].filter(([path]) => path !== 'etc/hosts');
	assert.deepEqual(others(after), others(before), 'every other file is as before');
	assert.deepEqual(after.directories, before.directories);
	assert.ok(!existsSync(join(root, 'etc/bind/db.farm')));
	assert.match((await at(['changes'])).stdout, /The last undo kept \/etc\/hosts/);
});

test('packages go only with --purge-packages, and only those that were not installed; a repository that was there gets an undo commit', async () => {
	const {root, state, at} = await site('repository');
	// /etc/bind was already under git: its history stays, and records the undo.
	await mkdir(join(root, 'etc/bind/.git'));
	assert.equal((await at(['apply', '--recipe', seedRecipe, '--yes'])).code, 0);
	const kept = await at(['undo', '--dry-run']);
	assert.doesNotMatch(kept.stdout, /apt-get purge/, 'without --purge-packages the packages stay');
	const purged = await at(['undo', '--dry-run', '--purge-packages']);
	const purge = /\$ apt-get purge -y (.*)/.exec(purged.stdout)?.[1]?.split(' ') ?? [];
	assert.ok(purge.includes('bind9') && purge.includes('ganeti'), purged.stdout);
	assert.ok(!purge.includes('git'), 'git was installed before: it stays');

	const applied = await readFile(join(state, 'commands.sh'), 'utf8');
	assert.equal((await at(['undo', '--yes'])).code, 0);
	const recorded = entries((await readFile(join(state, 'commands.sh'), 'utf8')).slice(applied.length));
	const ids = recorded.map(([id]) => id);
	assert.ok(!recorded.some(([, command]) => command.includes('archive-git.py /etc/bind')), 'the history of /etc/bind is kept');
	assert.ok(recorded.some(([, command]) => command.includes('archive-git.py /etc/dhcp')), 'the repository the wizard made in /etc/dhcp goes');
	const commit = recorded.find(([, command]) => command.startsWith('git -C /etc/bind') && command.includes(' commit '));
	assert.match(commit?.[1] ?? '', /undo: the files as they were before ganeti-wizard/);
	// The undo commit comes once the files of /etc/bind are back: after the last inverse of a later step, before the network's.
	assert.ok(ids.indexOf(commit![0]) > ids.indexOf('undo.service.named') && ids.indexOf(commit![0]) < ids.indexOf('undo.network.bridge'), ids.join(' '));
	assert.ok(existsSync(join(root, 'etc/bind/.git')));
});
