// Every question, typed into as an operator would: a refused value shows the
// recipe rule's reason at once and Enter does not pass; a good value passes.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import {judge, newWizard, questions, type Wizard} from '../../source/ui/questions.js';
import {QuestionScreen} from '../../source/ui/screens/QuestionScreen.js';
import {detectedHost} from './support/detected.js';
import {keys, nextCall, press, tick, type, waitFor} from './support/ink.js';

// A volume group already there: the storage questions offer it.
const detected = detectedHost({volumeGroups: [{name: 'vg0', sizeBytes: 100e9, freeBytes: 50e9}]});

const question = (id: string) => questions.find(entry => entry.id === id)!;

function show(wizard: Wizard, id: string) {
	const answered = nextCall<string>();
	const back = nextCall<void>();
	const screen = render(<QuestionScreen wizard={wizard} question={question(id)} position={1} total={20} onAnswer={answered.callback} onBack={() => back.callback()} />);
	return {screen, answered, back};
}

// One value each rule refuses, and one it accepts, for every text question.
const textCases: Array<[id: string, bad: string, good: string]> = [
	['host.hostname', 'Gcc_20', 'gcc21'],
	['host.public_address', '198.51.100', '198.51.100.21'],
	['network.private_range', '10.10.0.1/16', '10.30.0.0/16'],
	['network.nodes_subnet', '10.10.0.0/33', '10.10.4.0/24'],
	['host.private_address', '10.10.0.256', '10.10.0.21'],
	['network.vms_subnet', '10.10.1.5/24', '10.10.2.0/24'],
	['network.bridge.name', 'a-bridge-name-far-too-long', 'vmbr0'],
	['network.bridge.address', '10.10.1', '10.10.1.254'],
	['dns.zone', 'Farm!', 'lab.farm'],
	['dns.forwarders', '192.0.2.1, nope', '192.0.2.1, 192.0.2.2'],
	['storage.vg', 'my vg', 'ganeti'],
	['cluster.name', 'my_cluster', 'cluster1'],
	['cluster.address', '10.10.0', '10.10.0.11'],
	['vm.name', 'Rodo1', 'rodo2.osm'],
	['vm.disk_size', '10 GB', '20G'],
	['vm.memory', '0.5G', '1G'],
	['vm.vcpus', '65', '2'],
	['vm.iso', 'debian.iso', '/srv/iso/debian-12.iso'],
];

for (const [id, bad, good] of textCases) {
	test(`question ${id}: "${bad}" is refused with the recipe's reason, "${good}" is accepted`, async () => {
		const wizard = newWizard(null, detected);
		const {screen, answered} = show(wizard, id);
		await waitFor(screen.lastFrame, '❯');
		await press(screen.stdin, keys.end, keys.clear);
		await type(screen.stdin, bad);
		const reason = judge(wizard, question(id), bad).refusal;
		assert.ok(reason, `${bad} should be refused for ${id}`);
		await waitFor(screen.lastFrame, `✗ ${reason}`);
		await press(screen.stdin, keys.enter);
		await tick(30);
		assert.equal(answered.calls.length, 0, 'Enter must not accept a refused value');
		await press(screen.stdin, keys.clear);
		await type(screen.stdin, good);
		await waitFor(screen.lastFrame, '✓ ok');
		await press(screen.stdin, keys.enter);
		assert.equal(await answered.value, good);
		screen.unmount();
	});
}

test('question network.bridge.name: the public interface\'s name is refused there with the recipe\'s one line; vmbr0 passes', async () => {
	const wizard = newWizard(null, detected, {'host.public_interface': 'eth0'});
	const {screen, answered} = show(wizard, 'network.bridge.name');
	await waitFor(screen.lastFrame, '❯');
	await press(screen.stdin, keys.end, keys.clear);
	await type(screen.stdin, 'eth0');
	const frame = await waitFor(screen.lastFrame, '✗ host.public_interface: "eth0" is also network.bridge.name, but the VM bridge must be an interface of its own; rename the bridge or correct the public interface');
	assert.equal(frame.split('\n').filter(line => line.includes('✗')).length, 1, 'one line');
	await press(screen.stdin, keys.enter);
	await tick(30);
	assert.equal(answered.calls.length, 0, 'Enter must not accept a refused value');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'vmbr0');
	await waitFor(screen.lastFrame, '✓ ok');
	await press(screen.stdin, keys.enter);
	assert.equal(await answered.value, 'vmbr0');
	screen.unmount();
});

test('question vm.os: a bad OS definition is refused, a good one accepted', async () => {
	const wizard = newWizard(null, detected, {'vm.install': 'os'});
	const {screen, answered} = show(wizard, 'vm.os');
	await waitFor(screen.lastFrame, '❯ debootstrap+default');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'Debian 12');
	await waitFor(screen.lastFrame, '✗ instances[0].install');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'debootstrap+bookworm');
	await waitFor(screen.lastFrame, '✓ ok');
	await press(screen.stdin, keys.enter);
	assert.equal(await answered.value, 'debootstrap+bookworm');
	screen.unmount();
});

test('the default is shown ready to accept, and ↑/↓ offers the detected free ranges', async () => {
	const {screen, answered} = show(newWizard(null, detected), 'network.private_range');
	await waitFor(screen.lastFrame, '❯ 10.10.0.0/16');
	await press(screen.stdin, keys.down);
	await waitFor(screen.lastFrame, '❯ 10.10.0.0/16');
	await press(screen.stdin, keys.down);
	await waitFor(screen.lastFrame, '❯ 10.20.0.0/16');
	await press(screen.stdin, keys.enter);
	assert.equal(await answered.value, '10.20.0.0/16');
	screen.unmount();
});

test('Esc goes back to the previous question', async () => {
	const {screen, back} = show(newWizard(null, detected), 'host.hostname');
	await waitFor(screen.lastFrame, '❯ gcc20');
	await press(screen.stdin, keys.escape);
	await back.value;
	screen.unmount();
});

test('question host.public_interface: detected interfaces to choose from, or another name typed and checked', async () => {
	const {screen, answered} = show(newWizard(null, detected), 'host.public_interface');
	let frame = await waitFor(screen.lastFrame, '❯ eno1');
	assert.match(frame, /198\.51\.100\.20\/24, default route/);
	assert.doesNotMatch(frame, /\blo\b/);
	await press(screen.stdin, keys.down, keys.down);
	await waitFor(screen.lastFrame, '❯ other…');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, /❯ eno1/);
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'eth 0');
	frame = await waitFor(screen.lastFrame, '✗ host.public_interface: "eth 0" is not a network interface name');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'bond0');
	await waitFor(screen.lastFrame, '✓ ok');
	await press(screen.stdin, keys.enter);
	assert.equal(await answered.value, 'bond0');
	screen.unmount();
});

test('question cluster.hypervisor: arrows and Enter choose', async () => {
	const {screen, answered} = show(newWizard(null, detected), 'cluster.hypervisor');
	await waitFor(screen.lastFrame, '❯ kvm');
	await press(screen.stdin, keys.down, keys.down, keys.down);
	await waitFor(screen.lastFrame, '❯ fake');
	await press(screen.stdin, keys.enter);
	assert.equal(await answered.value, 'fake');
	screen.unmount();
});

test('questions vm and vm.install: yes/no and ISO/OS lists', async () => {
	const first = show(newWizard(null, detected), 'vm');
	await waitFor(first.screen.lastFrame, '❯ yes');
	await press(first.screen.stdin, keys.down, keys.enter);
	assert.equal(await first.answered.value, 'no');
	first.screen.unmount();
	const second = show(newWizard(null, detected), 'vm.install');
	await waitFor(second.screen.lastFrame, '❯ ISO image');
	await press(second.screen.stdin, keys.down, keys.enter);
	assert.equal(await second.answered.value, 'os');
	second.screen.unmount();
});

test('question storage.disk: a free disk is chosen at once; a disk in use only after typing its name', async () => {
	const {screen, answered} = show(newWizard(null, detected), 'storage.disk');
	let frame = await waitFor(screen.lastFrame, '❯ /dev/sdb');
	assert.match(frame, /\/dev\/sda \(in use\).*500 GB|\/dev\/sda \(in use\).*466 GiB/);
	// Said once: the mount is in the description, not repeated as the reason.
	const sda = frame.split('\n').find(line => line.includes('/dev/sda '))!;
	assert.equal(sda.match(/ on \//g)?.length, 1, sda);
	assert.match(frame, /sda1 466 GiB ext4 on \//);
	assert.match(frame, /none.*existing volume group \(vg0\)/);
	await press(screen.stdin, keys.up);
	await waitFor(screen.lastFrame, '❯ /dev/sda (in use)');
	await press(screen.stdin, keys.enter);
	frame = await waitFor(screen.lastFrame, '/dev/sda is in use (mounted on /).');
	assert.match(frame, /type its name \(sda\)/);
	await type(screen.stdin, 'sdb');
	await press(screen.stdin, keys.enter);
	await tick(30);
	assert.equal(answered.calls.length, 0, 'the wrong name must not confirm');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'sda');
	await waitFor(screen.lastFrame, '✓ Enter: use /dev/sda');
	await press(screen.stdin, keys.enter);
	assert.equal(await answered.value, '/dev/sda');
	screen.unmount();
});

test('question storage.disk: Esc leaves the confirmation; the free disk needs none', async () => {
	const {screen, answered} = show(newWizard(null, detected), 'storage.disk');
	await waitFor(screen.lastFrame, '❯ /dev/sdb');
	await press(screen.stdin, keys.up, keys.enter);
	await waitFor(screen.lastFrame, 'is in use');
	await press(screen.stdin, keys.escape);
	await waitFor(screen.lastFrame, '❯ /dev/sda (in use)');
	await press(screen.stdin, keys.down, keys.enter);
	assert.equal(await answered.value, '/dev/sdb');
	screen.unmount();
});
