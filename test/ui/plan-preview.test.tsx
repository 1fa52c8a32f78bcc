// The plan preview: a file as a coloured unified diff against what is on disk,
// commands quoted as they will run, and apply / skip / back.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import chalk from 'chalk';
import {render} from 'ink-testing-library';
import type {PlannedStep} from '../../source/runner/events.js';
import {loadDiff, planLines, wrapPlanLines} from '../../source/ui/plan-lines.js';
import {PlanPreview, type PreviewChoice} from '../../source/ui/screens/PlanPreview.js';
import {keys, nextCall, press, waitFor} from './support/ink.js';

const before = 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n';
const after = 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n\nauto br0\niface br0 inet static\n\taddress 10.10.1.1/24\n';

const step: PlannedStep = {
	id: 'network',
	title: 'Network',
	status: 'pending',
	actions: [
		{action: {kind: 'file', id: 'network.interfaces', title: 'write /etc/network/interfaces', path: '/etc/network/interfaces', content: after, mode: 0o644, check: {argv: ['ifup', '--no-act', '-i', '{}', '-a']}}, status: 'pending', current: before},
		{action: {kind: 'file', id: 'network.sysctl', title: 'write /etc/sysctl.d/90-ganeti-wizard.conf', path: '/etc/sysctl.d/90-ganeti-wizard.conf', content: 'net.ipv4.ip_forward = 1\n', mode: 0o644}, status: 'pending', current: null},
		{action: {kind: 'command', id: 'network.masquerade', title: 'masquerade VM traffic out of eth0', argv: ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.10.1.0/24', '-o', 'eth0', '-j', 'MASQUERADE', '-m', 'comment', '--comment', 'ganeti wizard']}, status: 'pending'},
		{action: {kind: 'command', id: 'network.lo1', title: 'bring up lo:1', argv: ['ifup', 'lo:1']}, status: 'satisfied', note: 'recorded in an earlier rehearsal'},
		{action: {kind: 'command', id: 'network.check', title: 'check the bridge', argv: ['python3', '-c', 'import sys\nif not ok:\n\tsys.exit(1)', 'br0']}, status: 'pending'},
	],
};

test('plan lines: a diff against the file on disk, a new file against nothing, quoted commands, settled actions as such', async () => {
	const lines = planLines(step, await loadDiff()).map(line => line.text);
	const text = lines.join('\n');
	assert.match(text, /--- \/etc\/network\/interfaces\ton disk\n {4}\+\+\+ \/etc\/network\/interfaces\tplanned/);
	assert.match(text, /@@ -3,3 \+3,7 @@/);
	assert.ok(lines.includes('    +auto br0'));
	assert.ok(lines.includes('    +    address 10.10.1.1/24'), 'tabs expanded');
	assert.ok(lines.includes('     iface eth0 inet dhcp'));
	assert.match(text, /new file, mode 0644\n {4}--- \/dev\/null\t\(absent\)/);
	assert.ok(lines.includes('    +net.ipv4.ip_forward = 1'));
	assert.ok(lines.includes("    $ iptables -t nat -A POSTROUTING -s 10.10.1.0/24 -o eth0 -j MASQUERADE -m comment --comment 'ganeti wizard'"));
	assert.ok(lines.includes('= bring up lo:1 — already so (recorded in an earlier rehearsal)'));
	assert.ok(!text.includes('$ ifup lo:1'), 'nothing to run for a satisfied action');
	assert.match(text, /checked with ifup/);
	// A script argument keeps one terminal line per line, indented under its command.
	assert.ok(lines.includes("    $ python3 -c 'import sys"));
	assert.ok(lines.includes('      if not ok:'));
	assert.ok(lines.includes("          sys.exit(1)' br0"));
	assert.ok(lines.every(line => !line.includes('\n')));
});

test('preview: the diff is shown and coloured, Enter applies', async () => {
	const previous = chalk.level;
	chalk.level = 1;
	try {
		const chosen = nextCall<PreviewChoice>();
		const screen = render(<PlanPreview step={step} height={40} onChoose={chosen.callback} />);
		const frame = await waitFor(screen.lastFrame, '+auto br0');
		assert.match(frame, /Plan: Network.*4 changes, 1 already so/);
		// Added lines green, removed red: the escape codes are in the frame.
		assert.ok(frame.includes('\u001B[32m    +auto br0'), 'added line in green');
		assert.ok(frame.includes('\u001B[31m    --- /etc/network/interfaces'), 'old-file header in red');
		assert.match(frame, /Apply.*Skip this step.*Back to the answers/);
		await press(screen.stdin, keys.enter);
		assert.equal(await chosen.value, 'apply');
		screen.unmount();
	} finally {
		chalk.level = previous;
	}
});

test('preview: → and Enter skip; b goes back', async () => {
	const skip = nextCall<PreviewChoice>();
	const first = render(<PlanPreview step={step} height={40} onChoose={skip.callback} />);
	await waitFor(first.lastFrame, '+auto br0');
	await press(first.stdin, keys.right, keys.enter);
	assert.equal(await skip.value, 'skip');
	first.unmount();
	const back = nextCall<PreviewChoice>();
	const second = render(<PlanPreview step={step} height={40} onChoose={back.callback} />);
	await waitFor(second.lastFrame, '+auto br0');
	await press(second.stdin, 'b');
	assert.equal(await back.value, 'back');
	second.unmount();
});

test('preview: a long plan scrolls inside its height', async () => {
	const screen = render(<PlanPreview step={step} height={6} onChoose={() => {}} />);
	let frame = await waitFor(screen.lastFrame, 'lines 1-6 of');
	assert.ok(frame.includes('write /etc/network/interfaces'));
	assert.ok(!frame.includes('+auto br0'));
	await press(screen.stdin, keys.pageDown);
	frame = await waitFor(screen.lastFrame, 'lines 7-12 of');
	assert.ok(!frame.includes('write /etc/network/interfaces'));
	assert.ok(frame.split('\n').length <= 6 + 4, 'the frame keeps its height');
	await press(screen.stdin, keys.up);
	await waitFor(screen.lastFrame, 'lines 6-11 of');
	screen.unmount();
});

test('plan lines wider than the pane continue on the next lines: nothing is cut off', async () => {
	const long = {...step, actions: [{action: {kind: 'command' as const, id: 'x.long', title: 'a long command', argv: ['iptables', '-t', 'nat', '-C', 'POSTROUTING', '-s', '10.10.0.0/16', '-o', 'eth0', '-j', 'MASQUERADE', '-m', 'comment', '--comment', 'added by the wizard for the VMs']}, status: 'pending' as const}]};
	const lines = wrapPlanLines(planLines(long, await loadDiff()), 40);
	assert.ok(lines.every(line => [...line.text].length <= 40));
	// Every character is still there (the wrap only adds indentation).
	assert.ok(lines.map(line => line.text).join('').replaceAll(' ', '').includes("--comment'addedbythewizardfortheVMs'"));
	assert.ok(lines.length > 3);
	// Broken between words: every word of the argv is whole on one line.
	const words = new Set(lines.flatMap(line => line.text.trim().split(/\s+/)));
	for (const word of ['POSTROUTING', '10.10.0.0/16', 'MASQUERADE', '--comment', "'added", "VMs'"]) assert.ok(words.has(word), `${word} is whole in:\n${lines.map(line => line.text).join('\n')}`);
});

test('a word wider than the line (a long path) is the only thing broken inside, and no line grows past the width', () => {
	const path = `/srv/ganeti/${'very-long-directory-name/'.repeat(4)}disk0`;
	const lines = wrapPlanLines([{text: `    write ${path} now`}], 40);
	assert.ok(lines.every(line => [...line.text].length <= 40), lines.map(line => line.text).join('\n'));
	assert.equal(lines.map(line => line.text.trim()).join('').replaceAll(' ', ''), `write${path}now`, 'nothing lost but spaces');
	assert.equal(lines[0]!.text, '    write', 'the path starts on its own line rather than being split early');
});
