// The lab host changes nothing outside itself: everything a test does inside
// (hostname, /etc, routes, firewall, daemons, peers) is invisible to the
// machine while the lab runs and gone without a trace once it is destroyed.
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {test} from 'node:test';
import {createLab} from '../support/lab.js';
import {takeMachineLock} from '../support/machine-lock.js';
import {machineState, processesIn} from '../support/machine-state.js';
import {missing, need} from '../support/need.js';

test('a lab host is isolated while it runs and leaves the machine untouched', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'busybox', 'flock'], t)) return;
	// The machine's state is compared as a whole: no lab host may change it meanwhile.
	const lock = await takeMachineLock();
	t.after(() => lock.release());
	const before = await machineState();
	const lab = await createLab({hostname: 'gcc20'});
	const namespaceIds = new Set<string>();
	let tempDirs: string[] = [];
	try {
		for (const id of Object.values(await lab.namespaces())) namespaceIds.add(id);
		assert.equal((await lab.run(['hostname'])).trim(), 'gcc20');
		assert.equal((await lab.run(['ls', '/sys/class/net'])).trim(), 'lo', 'a fresh sysfs shows only the lab\'s interfaces');
		assert.match(await lab.run(['ip', '-o', 'link', 'show', 'lo']), /UP/);
		// Its own PID namespace: only the holder and the command itself.
		assert.ok((await lab.run(['ps', '-e', '-o', 'pid='])).trim().split('\n').length <= 4);

		// Change in the lab everything a wizard would change on a real host.
		await lab.run(['sh', '-c', 'echo "10.10.0.20 gcc20.node.farm gcc20" >> /etc/hosts']);
		for (const tree of ['/etc', '/var', '/root', '/srv', '/run']) await lab.writeFile(`${tree}/lab-marker`, tree);
		await lab.run(['ip', 'link', 'add', 'br0', 'type', 'bridge']);
		await lab.run(['ip', 'address', 'add', '10.10.1.1/24', 'dev', 'br0']);
		await lab.run(['ip', 'link', 'set', 'br0', 'up']);
		await lab.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
		if (missing(['iptables']).length === 0) {
			await lab.run(['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE']);
		}
		const vm = await lab.addPeer('vm1', {mac: '52:54:00:00:00:01', bridge: 'br0', peerAddress: '10.10.1.50/24', peerGateway: '10.10.1.1'});
		const outside = await lab.addPeer('outside', {labInterface: 'eth0', labAddress: '198.51.100.20/24', peerAddress: '198.51.100.1/24'});
		for (const peer of [vm, outside]) for (const id of Object.values(await peer.namespaces())) namespaceIds.add(id);
		assert.equal(namespaceIds.size, 12, 'lab and peers each have their own net, mnt, pid and uts namespaces');
		assert.match(await vm.run(['ip', 'link', 'show', 'eth0']), /52:54:00:00:00:01/);
		assert.match(await vm.run(['busybox', 'ping', '-c1', '-W2', '10.10.1.1']), /1 packets received/);
		assert.match(await outside.run(['busybox', 'ping', '-c1', '-W2', '198.51.100.20']), /1 packets received/);
		assert.equal((await vm.run(['hostname'])).trim(), 'vm1');
		const daemon = await lab.spawnDaemon(['sleep', '600']);
		assert.ok(daemon.pid > 1);
		// A daemon that detaches from its parent, as named and dhcpd do.
		await lab.run(['sh', '-c', 'sleep 600 > /dev/null 2>&1 &']);
		assert.equal((await lab.run(['cat', '/etc/lab-marker'])), '/etc');
		tempDirs = [lab.tempDir];

		// While the lab runs the machine sees none of it.
		assert.deepEqual(await machineState(), before);
		for (const tree of ['/etc', '/var', '/root', '/srv', '/run']) assert.equal(existsSync(`${tree}/lab-marker`), false, `${tree} of the machine is untouched`);
		assert.ok((await processesIn(namespaceIds)).length >= 3, 'the scan finds the lab\'s processes while it runs');
	} finally {
		await lab.destroy();
	}
	await lab.destroy(); // idempotent

	assert.deepEqual(await machineState(), before);
	assert.deepEqual(await processesIn(namespaceIds), [], 'no process of the lab or its peers survives');
	for (const directory of tempDirs) assert.equal(existsSync(directory), false, `${directory} is removed`);
});

test('a command that runs too long is stopped and reported', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter'], t)) return;
	const lab = await createLab();
	t.after(() => lab.destroy());
	const started = Date.now();
	const result = await lab.exec(['sleep', '30'], {timeoutMs: 1000});
	assert.equal(result.timedOut, true);
	assert.ok(Date.now() - started < 5000);
	const echoed = await lab.exec(['cat'], {input: 'through stdin\n', env: {GREETING: 'hi'}});
	assert.deepEqual(echoed, {exitCode: 0, stdout: 'through stdin\n', stderr: '', timedOut: false});
	assert.equal(await lab.run(['sh', '-c', 'echo "$GREETING $HOME"'], {env: {GREETING: 'hi'}}), 'hi /root\n');
	await assert.rejects(lab.run(['false']), /false exited 1/);
});
