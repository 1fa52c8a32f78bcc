// "Add a VM" in the full-screen wizard: vm add's questions in order, each
// answer judged by the site's checks (a refusal shown as its line, the
// question kept), Esc back, and the answers handed on as vm add's values.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import {VmAddScreen} from '../../source/ui/screens/VmAddScreen.js';
import type {VmSite, VmValues} from '../../source/ui/vm-flow.js';
import {keys, nextCall, press, tick, type, waitFor} from './support/ink.js';

/** A site with one VM (web1) whose checks refuse it again and memory above 32G, as vm add's do. */
function site(): VmSite & {asked: Array<[string, VmValues]>} {
	const asked: Array<[string, VmValues]> = [];
	return {
		domain: 'vm.farm',
		diskTemplates: ['file', 'plain'],
		names: ['web1'],
		asked,
		refusals: async (name, values) => {
			asked.push([name, values]);
			const lines: string[] = [];
			if (name === 'web1') lines.push('NAME: "web1" is already a VM of the site (web1.vm.farm); choose another name');
			if (values.memory === '64G') lines.push('--memory: "64G" (65536 MiB) is above the cluster\'s instance policy maximum of 32G');
			return lines;
		},
	};
}

test('add a VM: the questions in order, a name in use and a memory above the policy refused at their questions, Esc back, the values handed on', async () => {
	const done = nextCall<{name: string; values: VmValues}>();
	const fake = site();
	const screen = render(<VmAddScreen site={async () => fake} onDone={done.callback} onBack={() => assert.fail('not back to the menu')} />);
	let frame = await waitFor(screen.lastFrame, 'question 1 of 8 · VM name');
	assert.match(frame, /web1 becomes web1\.vm\.farm/);
	assert.match(frame, /❯ vm2/, 'the first free name is proposed');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'web1');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '✗ NAME: "web1" is already a VM of the site');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'web2');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, 'question 2 of 8 · Install medium');
	await press(screen.stdin, keys.down, keys.enter);
	frame = await waitFor(screen.lastFrame, '· OS definition');
	assert.match(frame, /❯ debootstrap\+default/);
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Memory');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, '64G');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, "✗ --memory: \"64G\" (65536 MiB) is above the cluster's instance policy maximum of 32G");
	// Esc: the question before, its answer to give again.
	await press(screen.stdin, keys.escape);
	await waitFor(screen.lastFrame, '· OS definition');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Memory');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, '1G');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· vcpus');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Disk size');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Disk template');
	await press(screen.stdin, keys.down, keys.enter);
	await waitFor(screen.lastFrame, '· Extra disks');
	await type(screen.stdin, '2G, 3G');
	await press(screen.stdin, keys.enter);
	assert.deepEqual(await done.value, {name: 'web2', values: {os: 'debootstrap+default', iso: undefined, memory: '1G', vcpus: '1', disk: '10G', diskTemplate: 'plain', extraDisk: ['2G', '3G']}});
	// Judged with the answers so far: the name at its question, the memory with the OS chosen.
	assert.ok(fake.asked.some(([name, values]) => name === 'web2' && values.memory === '64G' && values.os === 'debootstrap+default'));
	screen.unmount();
});

test('add a VM: Esc at the first question goes back to the menu', async () => {
	const back = nextCall<void>();
	const screen = render(<VmAddScreen site={async () => site()} onDone={() => assert.fail('nothing asked yet')} onBack={back.callback} />);
	await waitFor(screen.lastFrame, 'VM name');
	await press(screen.stdin, keys.escape);
	await back.value;
	screen.unmount();
});

test('add a VM: "ISO image" is taken at the install medium, the ISO path judged at its own question', async () => {
	const done = nextCall<{name: string; values: VmValues}>();
	const fake = site();
	const refusals = fake.refusals;
	// As vm add's: an ISO that is not on the host is refused, naming --iso.
	fake.refusals = async (name, values) => [...(await refusals(name, values)), ...(values.iso !== undefined && values.iso !== '/srv/isos/debian.iso' ? [`--iso: "${values.iso}" does not exist on this host`] : [])];
	const screen = render(<VmAddScreen site={async () => fake} onDone={done.callback} onBack={() => assert.fail('not back to the menu')} />);
	await waitFor(screen.lastFrame, 'question 1 of 8 · VM name');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Install medium');
	await press(screen.stdin, keys.enter);
	let frame = await waitFor(screen.lastFrame, '· Installer ISO');
	assert.doesNotMatch(frame, /✗/);
	await press(screen.stdin, keys.enter);
	frame = await waitFor(screen.lastFrame, '✗ --iso: "/srv/ganeti/debian.iso" does not exist on this host');
	assert.match(frame, /· Installer ISO/);
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, '/srv/isos/debian.iso');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Memory');
	screen.unmount();
});

test('add a VM: keys typed ahead while answers are checked (slowly, as vm add does) answer one question each, none lost', async () => {
	const done = nextCall<{name: string; values: VmValues}>();
	const fake = site();
	const refusals = fake.refusals;
	fake.refusals = async (name, values) => {
		await new Promise(resolve => setTimeout(resolve, 60));
		return refusals(name, values);
	};
	const screen = render(<VmAddScreen site={async () => fake} onDone={done.callback} onBack={() => assert.fail('not back to the menu')} />);
	await waitFor(screen.lastFrame, 'question 1 of 8 · VM name');
	await tick(30);
	// The name, OS definition (Down on the install medium), its default, then memory, vcpus, disk, the template's list and no extra disk.
	screen.stdin.write(`\u0015web7\r${keys.down}\r\r\r\r\r\r\r`);
	assert.deepEqual(await done.value, {name: 'web7', values: {os: 'debootstrap+default', iso: undefined, memory: '512M', vcpus: '1', disk: '10G', diskTemplate: 'file', extraDisk: []}});
	screen.unmount();
});

test('add a VM: Esc back to the first question shows the answers given, and forward again too', async () => {
	const fake = site();
	const screen = render(<VmAddScreen site={async () => fake} onDone={() => {}} onBack={() => assert.fail('not back to the menu')} />);
	await waitFor(screen.lastFrame, 'question 1 of 8 · VM name');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'web2');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Install medium');
	await press(screen.stdin, keys.down, keys.enter);
	await waitFor(screen.lastFrame, '· OS definition');
	await press(screen.stdin, keys.clear);
	await type(screen.stdin, 'noop+default');
	await press(screen.stdin, keys.enter);
	await waitFor(screen.lastFrame, '· Memory');
	await press(screen.stdin, keys.escape);
	let frame = await waitFor(screen.lastFrame, '· OS definition');
	assert.match(frame, /❯ noop\+default/);
	await press(screen.stdin, keys.escape);
	frame = await waitFor(screen.lastFrame, '· Install medium');
	assert.match(frame, /❯ OS definition/);
	await press(screen.stdin, keys.escape);
	frame = await waitFor(screen.lastFrame, 'question 1 of 8 · VM name');
	assert.match(frame, /❯ web2/);
	await press(screen.stdin, keys.enter);
	frame = await waitFor(screen.lastFrame, '· Install medium');
	assert.match(frame, /❯ OS definition/);
	assert.match(frame, /Ctrl-C quit: nothing changed|q quit: nothing changed/);
	screen.unmount();
});
