// The wizard on a shared machine, rehearsed: a bind, a dhcpd and a resolver
// someone else set up keep working after `apply` of the seed recipe. Each
// field case (test/fixtures/cases/NAME/root) is laid over a rehearsal root that
// holds Debian 12's stock /etc/bind, /usr/share/dns, /etc/dhcp and
// /etc/default/isc-dhcp-server, as a machine with bind9 and isc-dhcp-server
// installed has them; then the files the daemons read are checked with the
// daemons' own checkers.
//
// The cases, as reported:
// - existing-bind: "This bind already answers for example.org on 127.0.0.1 and
//   the public address, with recursion no. Apply replaces named.conf.local and
//   listen-on, and example.org is gone." Expected: "example.org keeps answering
//   as before, on the same addresses and with the same recursion policy. The
//   private zones answer on the private addresses. Otherwise the wizard stops
//   before any change and says why."
// - existing-dhcpd: "This dhcpd serves 192.168.50.0/24 on eth1 and has a host
//   entry printer1. Apply rewrites dhcpd.conf with only the VM subnet, sets
//   INTERFACESv4="br0", and commits remove printer1 ...". Expected: "The
//   printer's subnet, its host entry and eth1 stay. The VM subnet and hosts are
//   added, and so is br0."
// - resolved-stub: "/etc/resolv.conf is a symlink to systemd-resolved's stub,
//   and the upstream 192.0.2.53 is in run/systemd/resolve/resolv.conf. bind
//   gets no forwarders, and the symlink becomes a plain file." Expected: "The
//   symlink stays, and bind forwards to 192.0.2.53. Only the private domains
//   are routed to the private server."
import assert from 'node:assert/strict';
import {cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {parseDhcpHosts, parseDhcpInterfaces} from '../../source/render/dhcpd.js';
import {checkDhcpdTree} from '../render/checkers.js';
import {exec} from '../steps/apply.js';
import {runCli, seedRecipe} from '../support/cli.js';
import {need} from '../support/need.js';

const work = mkdtempSync(join(tmpdir(), 'gw-neighbours-'));
after(() => rmSync(work, {recursive: true, force: true}));
const requirements = ['named-checkconf', 'named-checkzone', 'dhcpd', 'python3'];
const cases = new URL('../fixtures/cases/', import.meta.url).pathname;
const caseFile = (name: string, path: string): string => readFileSync(join(cases, name, 'root', path), 'utf8');
let count = 0;

/** A rehearsal root with Debian's stock daemons' files and the case's files over them. */
function rootWith(caseName: string | null): {root: string; state: string} {
	const base = join(work, `${caseName ?? 'stock'}-${count++}`);
	const root = join(base, 'root');
	const noGit = (source: string): boolean => !source.includes('/.git');
	cpSync('/etc/bind', join(root, 'etc/bind'), {recursive: true, filter: noGit});
	cpSync('/usr/share/dns', join(root, 'usr/share/dns'), {recursive: true});
	cpSync('/etc/dhcp', join(root, 'etc/dhcp'), {recursive: true, filter: noGit});
	if (existsSync('/etc/default/isc-dhcp-server')) cpSync('/etc/default/isc-dhcp-server', join(root, 'etc/default/isc-dhcp-server'));
	mkdirSync(join(root, 'var/cache/bind'), {recursive: true});
	// Links stay links, pointing where the case says (a relative target stays relative).
	if (caseName) cpSync(join(cases, caseName, 'root'), root, {recursive: true, verbatimSymlinks: true});
	return {root, state: join(base, 'state')};
}

const hostFile = (root: string, path: string): string => readFileSync(join(root, path), 'utf8');

async function apply(root: string, state: string) {
	return runCli(['apply', '--recipe', seedRecipe, '--root', root, '--state-dir', state, '--yes']);
}

/** `named-checkconf -z` on a configuration of the root, chrooted there: the zones it loads. */
async function loadedZones(root: string, conf: string): Promise<string[]> {
	const result = await exec(['named-checkconf', '-t', root, '-z', conf]);
	assert.equal(result.exitCode, 0, result.stdout + result.stderr);
	return [...result.stdout.matchAll(/^zone (\S+)\/IN: loaded serial/gm)].map(match => match[1]!);
}

/** The commit messages recorded for a directory's git, in order. */
function commits(state: string, directory: string): string[] {
	const record = readFileSync(join(state, 'commands.sh'), 'utf8');
	return [...record.matchAll(/^git -C (\S+) .* commit -q -m (?:'([^']*)'|\$'([^']*)')$/gm)].filter(match => match[1] === directory).map(match => (match[2] ?? match[3]!).split('\\n')[0]!);
}

const need4 = (t: Parameters<typeof need>[1]): boolean => need(requirements, t) && existsSync('/etc/bind/named.conf') && existsSync('/etc/dhcp/dhcpd.conf');

test('existing-bind: example.org, its listen addresses and recursion policy stay; the private zones get a named of their own', async t => {
	if (!need4(t)) return;
	const {root, state} = rootWith('existing-bind');
	const result = await apply(root, state);
	assert.equal(result.code, 0, result.stderr);
	// The whole configuration of the second named was loaded before anything was installed.
	assert.match(result.stdout, /^\s+= satisfied check the new bind configuration and its zones together$/m);
	// Their files, byte for byte.
	for (const path of ['etc/bind/named.conf.local', 'etc/bind/named.conf.options', 'etc/bind/db.example.org']) assert.equal(hostFile(root, path), caseFile('existing-bind', path), path);
	// Their named loads example.org, and none of the private zones.
	const theirs = await loadedZones(root, '/etc/bind/named.conf');
	assert.ok(theirs.includes('example.org'), theirs.join(' '));
	assert.ok(!theirs.includes('farm'), 'the private zone is not served on their addresses');
	// The second named: the private zones, on the private addresses only, recursion for private clients only.
	mkdirSync(join(root, 'var/cache/bind/ganeti-wizard'), {recursive: true});
	assert.deepEqual((await loadedZones(root, '/etc/bind/ganeti-wizard/named.conf')).filter(zone => zone === 'farm' || zone.endsWith('.10.10.in-addr.arpa')), ['farm', '0.10.10.in-addr.arpa', '1.10.10.in-addr.arpa']);
	const own = hostFile(root, 'etc/bind/ganeti-wizard/named.conf');
	assert.match(own, /^\tlisten-on port 53 \{ 10\.10\.0\.20; 10\.10\.1\.1; \};$/m);
	assert.match(own, /^\tallow-recursion \{ localhost; 10\.10\.0\.0\/16; \};$/m);
	assert.match(own, /^controls \{ \};$/m);
	assert.doesNotMatch(own, /example\.org/);
	// Started as a service of its own, at boot too; their named is not touched.
	const record = readFileSync(join(state, 'commands.sh'), 'utf8');
	assert.match(record, /^service ganeti-wizard-named start$/m);
	assert.match(record, /^update-rc\.d ganeti-wizard-named defaults$/m);
	assert.doesNotMatch(record, /^service named /m);
	assert.equal((await exec(['sh', '-n', join(root, 'etc/init.d/ganeti-wizard-named')])).exitCode, 0);
	// /etc/bind's history: their files first, on their own, then the wizard's change.
	assert.deepEqual(commits(state, '/etc/bind'), ['changes made outside ganeti-wizard', '6 changes: add ns.farm 10.10.0.20, add gcc20.node.farm 10.10.0.20, ...']);
	// A second apply changes nothing of bind's.
	const again = await apply(root, state);
	assert.equal(again.code, 0, again.stderr);
	assert.deepEqual(commits(state, '/etc/bind').length, 2);
});

test('existing-bind: a named listening on every address, or on a private one, stops apply before any change with one line', async t => {
	if (!need4(t)) return;
	const options = caseFile('existing-bind', 'etc/bind/named.conf.options');
	const variants: Array<[string, string, RegExp]> = [
		['no listen-on', options.replace(/^\s*listen-on \{.*\n/m, ''), /no listen-on, so it listens on every IPv4 address/],
		['listen-on any', options.replace(/listen-on \{[^}]*\}/, 'listen-on { any; }'), /its listen-on says any/],
		['localnets', options.replace(/listen-on \{[^}]*\}/, 'listen-on { 127.0.0.1; localnets; }'), /its listen-on holds "localnets"/],
		['a private address', options.replace(/listen-on \{[^}]*\}/, 'listen-on { 127.0.0.1; 10.10.0.20; }'), /already listens on the private address 10\.10\.0\.20: remove it from listen-on/],
	];
	for (const [name, text, reason] of variants) {
		assert.notEqual(text, options, name);
		const {root, state} = rootWith('existing-bind');
		writeFileSync(join(root, 'etc/bind/named.conf.options'), text);
		const result = await apply(root, state);
		assert.equal(result.code, 2, `${name}: ${result.stdout}${result.stderr}`);
		const lines = result.stderr.trim().split('\n');
		assert.equal(lines.length, 1, `${name}: ${result.stderr}`);
		assert.match(lines[0]!, /\/etc\/bind\/named\.conf\.options: /, name);
		assert.match(lines[0]!, reason, name);
		// Nothing changed: no interfaces file, no second named, nothing recorded to run.
		assert.ok(!existsSync(join(root, 'etc/network/interfaces.d/ganeti-wizard')), name);
		assert.ok(!existsSync(join(root, 'etc/bind/ganeti-wizard')), name);
		assert.ok(!existsSync(join(state, 'commands.sh')), name);
		assert.equal(hostFile(root, 'etc/bind/named.conf.options'), text, name);
	}
});

test('the stock bind of the seed: the wizard owns named.conf.options and named.conf.local, as before; no second named', async t => {
	if (!need4(t)) return;
	const {root, state} = rootWith(null);
	const result = await apply(root, state);
	assert.equal(result.code, 0, result.stderr);
	assert.ok(!existsSync(join(root, 'etc/bind/ganeti-wizard')));
	assert.ok(!existsSync(join(root, 'etc/init.d/ganeti-wizard-named')));
	assert.match(hostFile(root, 'etc/bind/named.conf.options'), /^\tlisten-on port 53 \{ 10\.10\.0\.20; 10\.10\.1\.1; \};$/m);
	assert.deepEqual((await loadedZones(root, '/etc/bind/named.conf')).filter(zone => zone === 'farm' || zone.endsWith('.10.10.in-addr.arpa')), ['farm', '0.10.10.in-addr.arpa', '1.10.10.in-addr.arpa']);
	assert.match(readFileSync(join(state, 'commands.sh'), 'utf8'), /^service named start$/m);
});

test('existing-dhcpd: the printer\'s subnet, host entry and eth1 stay; the VM subnet comes in through one include line, and br0 is added', async t => {
	if (!need4(t)) return;
	const {root, state} = rootWith('existing-dhcpd');
	const result = await apply(root, state);
	assert.equal(result.code, 0, result.stderr);
	assert.match(result.stdout, /^\s+= satisfied check the new dhcpd configuration with its include$/m, 'dhcpd -t passed on the whole before anything was installed');
	const theirs = caseFile('existing-dhcpd', 'etc/dhcp/dhcpd.conf');
	const conf = hostFile(root, 'etc/dhcp/dhcpd.conf');
	assert.ok(conf.startsWith(theirs), 'their dhcpd.conf is kept whole');
	assert.deepEqual(conf.slice(theirs.length).split('\n').filter(line => line.trim() !== '' && !line.startsWith('#')), ['include "/etc/dhcp/dhcpd.d/ganeti-wizard.conf";']);
	// dhcpd reads the whole, include resolved, and accepts it; both subnets and every host are in it.
	const tree = {'/etc/dhcp/dhcpd.conf': conf, '/etc/dhcp/dhcpd.d/ganeti-wizard.conf': hostFile(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf')};
	const checked = await checkDhcpdTree(tree);
	assert.equal(checked.exitCode, 0, checked.output);
	const whole = conf + tree['/etc/dhcp/dhcpd.d/ganeti-wizard.conf'];
	assert.match(whole, /^subnet 192\.168\.50\.0 netmask 255\.255\.255\.0 \{$/m);
	assert.match(whole, /^subnet 10\.10\.1\.0 netmask 255\.255\.255\.0 \{$/m);
	assert.deepEqual(parseDhcpHosts(whole).map(host => `${host.name} ${host.mac} ${host.address}`), ['printer1 00:11:22:33:44:55 192.168.50.10', 'rodo1.osm.vm.farm 52:54:5a:8d:77:8e 10.10.1.50']);
	assert.deepEqual(parseDhcpInterfaces(hostFile(root, 'etc/default/isc-dhcp-server')), ['eth1', 'br0']);
	assert.match(hostFile(root, 'etc/default/isc-dhcp-server'), /^INTERFACESv6=""$/m);
	// /etc/dhcp's history: their file first, then the wizard's change, which removes nothing.
	const history = commits(state, '/etc/dhcp');
	assert.deepEqual(history, ['changes made outside ganeti-wizard', 'add rodo1.osm.vm.farm 52:54:5a:8d:77:8e 10.10.1.50, include dhcpd.d/ganeti-wizard.conf']);
	// A second apply adds nothing.
	assert.equal((await apply(root, state)).code, 0);
	assert.equal(hostFile(root, 'etc/dhcp/dhcpd.conf'), conf);
	assert.deepEqual(parseDhcpInterfaces(hostFile(root, 'etc/default/isc-dhcp-server')), ['eth1', 'br0']);
	assert.equal(commits(state, '/etc/dhcp').length, 2);
});

test('resolved-stub: the link stays, bind forwards to resolved\'s upstream, and only the private zones are routed to the private server', async t => {
	if (!need4(t)) return;
	const {root, state} = rootWith('resolved-stub');
	const link = readlinkSync(join(cases, 'resolved-stub/root/etc/resolv.conf'));
	const result = await apply(root, state);
	assert.equal(result.code, 0, result.stderr);
	assert.ok(lstatSync(join(root, 'etc/resolv.conf')).isSymbolicLink(), '/etc/resolv.conf is still a link');
	assert.equal(readlinkSync(join(root, 'etc/resolv.conf')), link);
	assert.equal(hostFile(root, 'run/systemd/resolve/stub-resolv.conf'), caseFile('resolved-stub', 'run/systemd/resolve/stub-resolv.conf'));
	assert.match(hostFile(root, 'etc/bind/named.conf.options'), /^\tforwarders \{ 192\.0\.2\.53; \};$/m);
	assert.equal(
		hostFile(root, 'etc/systemd/resolved.conf.d/ganeti-wizard.conf').split('\n').filter(line => line !== '' && !line.startsWith('#')).join('\n'),
		['[Resolve]', 'DNS=10.10.0.20', 'Domains=~farm ~0.10.10.in-addr.arpa ~1.10.10.in-addr.arpa'].join('\n'),
	);
	assert.match(readFileSync(join(state, 'commands.sh'), 'utf8'), /^service systemd-resolved (start|restart)$/m);
	// The drop-in's directory is kept under git like /etc/bind and /etc/dhcp: hand changes first, then the wizard's.
	const dropIns = '/etc/systemd/resolved.conf.d';
	assert.match(readFileSync(join(state, 'commands.sh'), 'utf8'), new RegExp(`^git init -q ${dropIns}$`, 'm'));
	const history = ['changes made outside ganeti-wizard', 'route ~farm ~0.10.10.in-addr.arpa ~1.10.10.in-addr.arpa to 10.10.0.20'];
	assert.deepEqual(commits(state, dropIns), history);
	// A second apply has nothing to commit there.
	const again = await apply(root, state);
	assert.equal(again.code, 0, again.stderr);
	assert.deepEqual(commits(state, dropIns), history);
});

test('a resolv.conf linked to a file another program writes stops apply before any change with one line', async t => {
	if (!need4(t)) return;
	const {root, state} = rootWith(null);
	mkdirSync(join(root, 'run/resolvconf'), {recursive: true});
	writeFileSync(join(root, 'run/resolvconf/resolv.conf'), 'nameserver 192.0.2.53\n');
	symlinkSync('../run/resolvconf/resolv.conf', join(root, 'etc/resolv.conf'));
	const result = await apply(root, state);
	assert.equal(result.code, 2, result.stdout + result.stderr);
	assert.match(result.stderr.trim(), /^ganeti-wizard: \/etc\/resolv\.conf: is a link to \.\.\/run\/resolvconf\/resolv\.conf, which another program writes.*make \/etc\/resolv\.conf a plain file/);
	assert.equal(result.stderr.trim().split('\n').length, 1);
	assert.ok(!existsSync(join(state, 'commands.sh')));
	assert.ok(lstatSync(join(root, 'etc/resolv.conf')).isSymbolicLink());
});
