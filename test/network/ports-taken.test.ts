// A port the wizard's daemons need, held by another program, is refused
// before any change, naming the program: in a lab host, a program listens on
// every address on port 53 (UDP and TCP, as dnsmasq does) and on UDP 67 (its
// DHCP server), the way a dnsmasq that was there first would, and on the
// node's private address on TCP 1811, ganeti-noded's port. plan and apply
// each exit 2 with one line per port, and nothing is written; once it is
// stopped, plan goes ahead. The facts are what ss shows in that namespace.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseListeningSockets} from '../../source/host/facts.js';
import {cliPath} from '../support/cli.js';
import {createLab} from '../support/lab.js';
import {need} from '../support/need.js';

const recipe = new URL('../../recipes/lab.yaml', import.meta.url).pathname;
const stateDir = '/var/lib/ganeti-wizard';

/** Holds 0.0.0.0:53 (UDP and TCP), every address's UDP 67 and 10.10.0.20:1811 (TCP), until killed. */
const listener = `import socket, time
held = []
for family, kind, address, port in [(socket.AF_INET, socket.SOCK_DGRAM, '0.0.0.0', 53), (socket.AF_INET, socket.SOCK_STREAM, '0.0.0.0', 53), (socket.AF_INET6, socket.SOCK_DGRAM, '::', 67), (socket.AF_INET, socket.SOCK_STREAM, '10.10.0.20', 1811)]:
    held.append(socket.socket(family, kind))
    held[-1].bind((address, port))
    if kind == socket.SOCK_STREAM:
        held[-1].listen()
print('listening', flush=True)
time.sleep(600)
`;

test('another program on port 53, UDP 67 and ganeti-noded\'s TCP 1811: plan and apply refuse before any change, naming it; once it is gone, plan goes ahead', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ss', 'python3'], t)) return;
	const lab = await createLab({hostname: 'gcc20'});
	t.after(() => lab.destroy());
	await lab.addPeer('outside', {labInterface: 'eth0', labAddress: '198.51.100.20/24', peerAddress: '198.51.100.1/24'});
	// The node's private address, as lo:1 carries it on a rerun: the listener binds 1811 there.
	await lab.run(['ip', 'address', 'add', '10.10.0.20/32', 'dev', 'lo']);
	await lab.writeFile('/root/listen.py', listener);
	const daemon = await lab.spawnDaemon(['python3', '/root/listen.py']);
	for (let tries = 0; !daemon.output().stdout.includes('listening'); tries++) {
		assert.ok(tries < 100, `the listener started: ${JSON.stringify(daemon.output())}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}

	const sockets = parseListeningSockets(await lab.run(['ss', '-H', '-l', '-n', '-t', '-u', '-p']));
	assert.deepEqual(
		sockets.map(({protocol, address, port, process}) => `${protocol} ${address}:${port} ${process}`).sort(),
		['tcp 0.0.0.0:53 python3', 'tcp 10.10.0.20:1811 python3', 'udp *:67 python3', 'udp 0.0.0.0:53 python3'],
		'ss as parsed: the program and its sockets',
	);

	const cli = (command: string[]) => lab.exec([process.execPath, cliPath, ...command, '--recipe', recipe, '--root', '/', '--state-dir', stateDir], {timeoutMs: 120_000});
	for (const command of [['plan'], ['apply', '--yes']]) {
		const run = await cli(command);
		assert.equal(run.exitCode, 2, `${command[0]} exits 2\n${run.stdout}${run.stderr}`);
		assert.equal(run.stdout, '');
		assert.equal(
			run.stderr,
			[
				`ganeti-wizard: ${recipe}: host.private_address: "10.10.0.20" needs port 53 for the private name server (named), which python3 already holds (UDP 0.0.0.0:53, TCP 0.0.0.0:53); stop python3, or make it listen on its own addresses only (dnsmasq: bind-interfaces with listen-address), then run again`,
				`ganeti-wizard: ${recipe}: dhcp.enabled: true needs port 67 for dhcpd, which python3 already holds (UDP *:67); stop the DHCP server of python3 (dnsmasq: remove its dhcp-range lines), or set dhcp.enabled: false, then run again`,
				`ganeti-wizard: ${recipe}: host.private_address: "10.10.0.20" needs port 1811 for Ganeti's ganeti-noded, which python3 already holds (TCP 10.10.0.20:1811); stop python3, or make it listen on other addresses or another port, then run again`,
				'',
			].join('\n'),
		);
		assert.equal(await lab.readFile(`${stateDir}/journal.jsonl`), null, `${command[0]}: nothing recorded`);
	}

	await daemon.stop();
	const plan = await cli(['plan']);
	assert.equal(plan.exitCode, 0, `plan goes ahead once the program is gone\n${plan.stderr}`);
});
