// A bind and a dhcpd someone else runs on the machine keep serving as before
// after the wizard's DNS and DHCP steps, proven with the real daemons inside a
// lab host. The field cases' files (test/fixtures/cases/, see
// test/engine/neighbours.test.ts for what each case reported) are put in place
// and their daemon started before the wizard's steps run:
// - existing-bind: named answers for example.org on 127.0.0.1 and the public
//   address with `recursion no`; afterwards it answers the same there, still
//   refuses recursion, and the private zone answers on the private addresses
//   (a second named of the wizard's own), which a VM on the bridge asks for an
//   outside name: it forwards to the host's resolver, the outside host, whose
//   named stands in for public DNS (a root zone of its own, signed, whose key
//   the lab's bind.keys trusts, so DNSSEC validation works as it does on the
//   Internet, and no query leaves the lab).
// - existing-dhcpd: dhcpd serves 192.168.50.0/24 on eth1 with a host entry
//   printer1; afterwards the printer still gets 192.168.50.10 on eth1, and a VM
//   on the bridge gets its instance's address.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {readlink} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {probeResolver} from '../../source/host/facts.js';
import {dhcpStep} from '../../source/steps/dhcp.js';
import {dnsStep} from '../../source/steps/dns.js';
import {networkStep} from '../../source/steps/network.js';
import {seedInventory} from '../render/fixtures.js';
import {createLab, type NamespaceHost} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {need} from '../support/need.js';
import {assertAnswers} from './dns-answers.js';
import {udhcpc} from './dhcp-client.js';

const cases = new URL('../fixtures/cases/', import.meta.url).pathname;
const caseFile = (name: string, path: string): string => readFileSync(join(cases, name, 'root', path), 'utf8');

/** dig's answer lines and status for one question, recursion asked or not. */
async function dig(host: NamespaceHost, server: string, name: string, recurse: boolean): Promise<{status: string; answers: string[]; recursionAvailable: boolean}> {
	const result = await host.exec(['dig', `@${server}`, recurse ? '+recurse' : '+norecurse', '+time=2', '+tries=1', name, 'A'], {timeoutMs: 15_000});
	const section = /;; ANSWER SECTION:\n([\s\S]*?)\n\n/.exec(result.stdout)?.[1] ?? '';
	return {
		status: /status: (\w+)/.exec(result.stdout)?.[1] ?? `no answer (dig exit ${result.exitCode})`,
		answers: section.split('\n').filter(Boolean).map(line => line.trim().split(/\s+/).filter((_, index) => index !== 1).join(' ')),
		recursionAvailable: /;; flags:[^;]*\bra\b/.test(result.stdout),
	};
}

/** A name public DNS has, as the stand-in serves it. */
const outsideName = {name: 'www.example.net', address: '192.0.2.80'};

/**
 * Runs a named on `peer` (at `address`) that stands in for public DNS: the
 * root zone, signed with a key made here, holding `outsideName`, without
 * recursion, as root servers answer. Returns the bind.keys text that makes a
 * named trust that key instead of the real root's (bind.keys overrides
 * named's built-in trust anchor, `dnssec-validation auto`).
 */
async function standInPublicDns(peer: NamespaceHost, address: string): Promise<string> {
	const zone = [
		'$TTL 3600',
		'. IN SOA a.root-servers.lab. hostmaster.lab. 1 3600 600 86400 3600',
		'. IN NS a.root-servers.lab.',
		`a.root-servers.lab. IN A ${address}`,
		`${outsideName.name}. IN A ${outsideName.address}`,
		'',
	].join('\n');
	await peer.writeFile('/etc/outside/db.root', zone);
	await peer.writeFile(
		'/etc/outside/named.conf',
		`options { directory "/etc/outside"; pid-file "/run/outside-named.pid"; listen-on { ${address}; }; listen-on-v6 { none; }; recursion no; dnssec-validation no; };\nzone "." { type primary; file "/etc/outside/db.root.signed"; };\n`,
	);
	const ksk = (await peer.run(['sh', '-e', '-c', 'cd /etc/outside; ksk=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK -n ZONE .); zsk=$(dnssec-keygen -q -a ECDSAP256SHA256 -n ZONE .); cat $ksk.key $zsk.key >> db.root; dnssec-signzone -q -o . -f db.root.signed db.root $ksk $zsk >/dev/null; grep -v "^;" $ksk.key'])).trim();
	const [, , , flags, protocol, algorithm, ...key] = ksk.split(/\s+/);
	const named = await peer.spawnDaemon(['named', '-g', '-u', 'root', '-c', '/etc/outside/named.conf']);
	for (let tries = 0; !named.output().stderr.includes('running'); tries++) {
		assert.ok(tries < 200, `the stand-in for public DNS started: ${JSON.stringify(named.output())}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	return `trust-anchors {\n\t. initial-key ${flags} ${protocol} ${algorithm} "${key.join('')}";\n};\n`;
}

test('existing-bind: example.org answers as before on its own addresses and still refuses recursion; the private zone answers on the private addresses; a VM resolves an outside name through the private server', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'named', 'named-checkconf', 'named-checkzone', 'dig', 'dnssec-keygen', 'dnssec-signzone', 'git', 'update-rc.d', 'start-stop-daemon'], t)) return;
	const inventory = seedInventory();
	const lab = await createLab({hostname: inventory.node.hostname});
	t.after(() => lab.destroy());
	const publicAddress = inventory.recipe.host.public_address!;
	const outside = await lab.addPeer('outside', {labInterface: inventory.recipe.host.public_interface, labAddress: `${publicAddress}/24`, peerAddress: '198.51.100.1/24'});
	// The host's resolver is the outside host's stand-in for public DNS.
	await lab.writeFile('/etc/bind/bind.keys', await standInPublicDns(outside, '198.51.100.1'));
	await lab.exec(['rm', '-f', '/etc/resolv.conf']);
	await lab.writeFile('/etc/resolv.conf', 'nameserver 198.51.100.1\n');
	for (const path of ['etc/bind/named.conf.local', 'etc/bind/named.conf.options', 'etc/bind/db.example.org']) await lab.writeFile(`/${path}`, caseFile('existing-bind', path));
	await lab.run(['service', 'named', 'start']);

	const ask = async (): Promise<Record<string, unknown>> => ({
		local: await dig(lab, '127.0.0.1', 'www.example.org', false),
		public: await dig(lab, publicAddress, 'www.example.org', false),
		outside: await dig(outside, publicAddress, 'www.example.org', false),
		recursion: await dig(outside, publicAddress, 'www.example.net', true),
	});
	const before = await ask();
	assert.deepEqual((before.public as {answers: string[]}).answers, ['www.example.org. IN A 198.51.100.20'], 'their named serves example.org before the wizard');
	assert.equal((before.recursion as {status: string}).status, 'REFUSED', 'and refuses recursion');

	await planAndApply(lab, networkStep, inventory);
	// The upstream the wizard forwards to, as it reads the lab's resolv.conf.
	const {upstream} = await probeResolver({readFile: path => lab.readFile(path), readLink: path => readlink(lab.path(path)).catch(() => null)});
	assert.deepEqual(upstream, ['198.51.100.1']);
	const {applied} = await planAndApply(lab, dnsStep, inventory, {facts: {resolvers: upstream}});
	assert.deepEqual(applied.find(entry => entry.id === 'dns.named'), {id: 'dns.named', outcome: 'started'}, 'the private named is started');

	// Their named: the same answers, on the same addresses, the same recursion policy.
	assert.deepEqual(await ask(), before);
	// The private zones on the private addresses, from the wizard's named.
	await assertAnswers(lab, inventory.node.address, inventory, 'the private named, node address');
	await assertAnswers(lab, inventory.recipe.network.bridge.address, inventory, 'the private named, bridge address');
	// Not on the public address: their named knows nothing of it and does not recurse.
	const privateOnPublic = await dig(outside, publicAddress, inventory.node.fqdn, true);
	assert.deepEqual(privateOnPublic.answers, [], JSON.stringify(privateOnPublic));
	// A VM on the bridge asks the private server for an outside name: it recurses for the VM, through the host's resolver.
	const instance = inventory.instances[0]!;
	const vm = await lab.addPeer('vm0', {mac: instance.mac, bridge: inventory.recipe.network.bridge.name, peerAddress: `${instance.address}/24`});
	const outsideAnswer = await dig(vm, inventory.recipe.network.bridge.address, outsideName.name, true);
	assert.deepEqual([outsideAnswer.status, outsideAnswer.answers], ['NOERROR', [`${outsideName.name}. IN A ${outsideName.address}`]], JSON.stringify(outsideAnswer));
	// Two named processes, each with its own configuration.
	const processes = (await lab.run(['ps', '-e', '-o', 'args='])).split('\n').filter(line => line.startsWith('/usr/sbin/named'));
	assert.equal(processes.length, 2, processes.join('\n'));
	assert.ok(processes.some(line => line.includes('-c /etc/bind/ganeti-wizard/named.conf')), processes.join('\n'));

	// A second run changes nothing, and a reload keeps both answering.
	const again = await planAndApply(lab, dnsStep, inventory, {facts: {resolvers: upstream}});
	assert.deepEqual(again.applied.filter(entry => entry.outcome === 'wrote' || entry.outcome === 'ran'), []);
	assert.equal((await lab.exec(['service', 'ganeti-wizard-named', 'reload'])).exitCode, 0);
	await assertAnswers(lab, inventory.node.address, inventory, 'the private named after a reload');
	assert.deepEqual(await ask(), before);
});

test('existing-dhcpd: the printer on eth1 still gets 192.168.50.10, and a VM on the bridge gets its address', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ifup', 'brctl', 'iptables', 'dhcpd', 'busybox', 'git', 'python3'], t)) return;
	const inventory = seedInventory();
	const lab = await createLab({hostname: inventory.node.hostname});
	t.after(() => lab.destroy());
	for (const path of ['etc/dhcp/dhcpd.conf', 'etc/default/isc-dhcp-server']) await lab.writeFile(`/${path}`, caseFile('existing-dhcpd', path));
	const printer = await lab.addPeer('printer', {mac: '00:11:22:33:44:55', labInterface: 'eth1', labAddress: '192.168.50.1/24'});

	await planAndApply(lab, networkStep, inventory);
	const {applied} = await planAndApply(lab, dhcpStep, inventory);
	assert.ok(applied.some(entry => entry.id === 'dhcp.check' && entry.outcome === 'checked'), 'dhcpd -t passed on the whole configuration');
	const commandLine = (await lab.run(['ps', '-o', 'args=', '-C', 'dhcpd'])).trim();
	assert.match(commandLine, / eth1 br0$/, 'dhcpd serves eth1 and the bridge');

	const lease = await udhcpc(printer);
	assert.equal(lease.address, '192.168.50.10/24', lease.output);
	assert.equal(lease.gateway, '192.168.50.1', lease.output);
	const instance = inventory.instances[0]!;
	const vm = await lab.addPeer('vm0', {mac: instance.mac, bridge: inventory.recipe.network.bridge.name});
	const vmLease = await udhcpc(vm);
	assert.equal(vmLease.address, `${instance.address}/24`, vmLease.output);
	assert.equal(vmLease.gateway, inventory.recipe.network.bridge.address, vmLease.output);
});
