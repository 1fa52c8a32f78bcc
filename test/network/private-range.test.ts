// The private range is blackholed on the host (lo:1's `up` line), so one that
// holds an address the host depends on is refused before any change. In a lab
// host, as `ip` and the files show them: an address on another interface of
// the host (an office network on eth1 inside 10.10.0.0/16), then the name
// server resolv.conf names. plan and apply each exit 2 with the one line
// naming network.private_range, and nothing of the lab changes; once the
// address is gone, plan goes ahead.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cliPath} from '../support/cli.js';
import {createLab} from '../support/lab.js';
import {differences, labState} from '../support/lab-snapshot.js';
import {need} from '../support/need.js';

const recipe = new URL('../../recipes/lab.yaml', import.meta.url).pathname;
const stateDir = '/var/lib/ganeti-wizard';
const cutOff = "and the blackhole route the wizard adds for the range would cut the host off from it; choose a range that holds none of the host's addresses";

test('a private range holding an address of another interface, or the resolver, of a lab host: plan and apply refuse naming network.private_range, with nothing written', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ss', 'iptables-save', 'losetup', 'vgs'], t)) return;
	const lab = await createLab({hostname: 'gcc20'});
	t.after(() => lab.destroy());
	await lab.addPeer('outside', {labInterface: 'eth0', labAddress: '198.51.100.20/24', peerAddress: '198.51.100.1/24'});
	await lab.exec(['rm', '-f', '/etc/resolv.conf']);
	await lab.writeFile('/etc/resolv.conf', 'nameserver 198.51.100.1\n');
	await lab.addPeer('office', {labInterface: 'eth1', labAddress: '10.10.7.4/24', peerAddress: '10.10.7.1/24'});

	const cli = (command: string[]) => lab.exec([process.execPath, cliPath, ...command, '--recipe', recipe, '--root', '/', '--state-dir', stateDir], {timeoutMs: 120_000});
	const assertRefused = async (line: RegExp, label: string) => {
		const before = await labState(lab);
		for (const command of [['plan'], ['apply', '--yes']]) {
			const run = await cli(command);
			assert.equal(run.exitCode, 2, `${label}: ${command[0]} exits 2\n${run.stdout}${run.stderr}`);
			assert.equal(run.stdout, '');
			assert.match(run.stderr, line, label);
			assert.equal(run.stderr.split('\n').length, 2, `${label}: one line\n${run.stderr}`);
			assert.equal(await lab.readFile(`${stateDir}/journal.jsonl`), null, `${label}: ${command[0]}: nothing recorded`);
			assert.deepEqual(differences(before, await labState(lab)), [], `${label}: ${command[0]}: nothing of the lab changed`);
		}
	};
	const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const refusal = (holds: string) => new RegExp(`^ganeti-wizard: ${escaped(recipe)}: network\\.private_range: "10\\.10\\.0\\.0/16" holds ${escaped(holds)}, ${escaped(cutOff)} \\(e\\.g\\. 10\\.\\d+\\.0\\.0/16\\)\\n$`);

	await assertRefused(refusal("10.10.7.4, an address of this host's interface eth1"), 'an interface address');
	await lab.run(['ip', 'address', 'del', '10.10.7.4/24', 'dev', 'eth1']);
	await lab.writeFile('/etc/resolv.conf', 'nameserver 10.10.255.53\n');
	await assertRefused(refusal('10.10.255.53, a name server of this host (/etc/resolv.conf)'), 'the resolver');

	await lab.writeFile('/etc/resolv.conf', 'nameserver 198.51.100.1\n');
	const plan = await cli(['plan']);
	assert.equal(plan.exitCode, 0, `plan goes ahead once the range holds none of them\n${plan.stderr}`);
});
