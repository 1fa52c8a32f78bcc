// The running pane: output arrives in batches, the pane keeps its height and
// shows the last lines, and React redraws on a timer, not per line.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import type {CommandAction} from '../../source/actions/action.js';
import {RunStore} from '../../source/ui/run-store.js';
import {RunningPane} from '../../source/ui/screens/RunningPane.js';
import {StepList} from '../../source/ui/screens/StepList.js';
import {tick, waitFor} from './support/ink.js';

const apt: CommandAction = {kind: 'command', id: 'host.packages', title: 'install Ganeti and its tools', argv: ['apt-get', 'install', '-y', 'ganeti', 'drbd-utils']};

test('batches of output: the pane shows the last lines in a fixed height, with the command, spinner and count', async () => {
	const store = new RunStore([], {intervalMs: 30});
	const screen = render(<RunningPane store={store} lines={8} width={80} />);
	store.handle({type: 'step', stepId: 'host', status: 'running'});
	store.handle({type: 'action', stepId: 'host', action: apt, status: 'running'});
	let frame = await waitFor(screen.lastFrame, 'install Ganeti and its tools');
	assert.match(frame, /\$ apt-get install -y ganeti drbd-utils/);
	assert.match(frame, /\(no output yet\)/);
	const heights = new Set<number>();
	for (let batch = 0; batch < 50; batch++) {
		// Each batch held 2,000 lines; its last 200 are handed on.
		store.handle({type: 'output', actionId: apt.id, lines: Array.from({length: 200}, (_, index) => `Unpacking package-${batch * 2000 + 1800 + index} (1.0) ...`), printed: 2000});
		if (batch % 10 === 0) {
			await tick(40);
			heights.add(screen.lastFrame()!.split('\n').length);
		}
	}
	frame = await waitFor(screen.lastFrame, 'package-99999 ');
	assert.equal(heights.size, 1, `the frame height never changes (${[...heights]})`);
	const shown = frame.split('\n').filter(line => line.includes('Unpacking'));
	assert.equal(shown.length, 8);
	assert.match(shown[0]!, /package-99992 /);
	assert.match(frame, /99992 earlier lines in the transcript · 100000 lines/);
	// Far fewer frames than batches, and never one per line.
	assert.ok(screen.frames.length < 60, `${screen.frames.length} frames for 100,000 lines`);
	screen.unmount();
	store.dispose();
});

/** A 40-column pane of 3 lines once `apt` printed `lines`; `shown` is the frame once it shows `until`. */
async function paneShowing(lines: string[], until: string) {
	const store = new RunStore([], {intervalMs: 0});
	const screen = render(<RunningPane store={store} lines={3} width={40} />);
	store.handle({type: 'action', stepId: 'host', action: apt, status: 'running'});
	store.handle({type: 'output', actionId: apt.id, lines});
	store.flush();
	const shown = await waitFor(screen.lastFrame, until);
	screen.unmount();
	store.dispose();
	return shown;
}

test('long lines are cut to the pane, escape codes and progress bars cleaned', async () => {
	const frame = await paneShowing(['x'.repeat(500), '\u001B[32mgreen\u001B[0m text', '10%\r50%\r100%'], '100%');
	assert.ok(frame.includes('green text'));
	assert.ok(!frame.includes('50%'));
	assert.ok(frame.split('\n').every(line => line.length <= 100), 'no line wider than the terminal');
	// 40 columns: 36 inside the border and its margin, the last one for the cut mark.
	assert.ok(frame.includes(`│${'x'.repeat(35)}…`), frame);
	assert.ok(!frame.includes('x'.repeat(36)));
});

test('the spinner and the elapsed time move with the store\'s clock', async () => {
	let clock = 1_000_000;
	const store = new RunStore([], {intervalMs: 20, now: () => clock});
	const screen = render(<RunningPane store={store} lines={3} width={60} />);
	store.handle({type: 'action', stepId: 'host', action: apt, status: 'running'});
	store.flush();
	const first = await waitFor(screen.lastFrame, /install Ganeti and its tools 0s/);
	clock += 75_000;
	store.handle({type: 'output', actionId: apt.id, lines: ['Setting up ganeti (3.0.2-3) ...']});
	store.startHeartbeat();
	const later = await waitFor(screen.lastFrame, /install Ganeti and its tools 1m15s/);
	assert.match(later, /Setting up ganeti/);
	assert.notEqual(later.split('\n')[0]!.charAt(0), first.split('\n')[0]!.charAt(0), 'the spinner moved');
	screen.unmount();
	store.dispose();
});

test('lines with wide characters are cut by the terminal width, beside plain ones', async () => {
	const frame = await paneShowing(['plain', '漢字'.repeat(50), 'café ok'], 'café ok');
	const wide = frame.split('\n').find(line => line.includes('漢'))!;
	// 38 columns inside the border: about 19 wide characters, then the cut mark (Ink's truncation may overhang by one column).
	assert.ok([...wide].filter(character => character === '漢' || character === '字').length <= 19, wide);
	assert.ok(wide.includes('…'));
	assert.match(frame, /│plain +│/);
});

test('the step list shows each status with its symbol, and the running step its progress', async () => {
	const store = new RunStore(
		[
			{id: 'preflight', title: 'Preflight checks', status: 'satisfied', actions: []},
			{id: 'host', title: 'Host preparation', status: 'pending', actions: [{action: apt, status: 'pending'}, {action: {...apt, id: 'host.vg', title: 'create VG'}, status: 'pending'}]},
			{id: 'network', title: 'Network', status: 'failed', actions: []},
			{id: 'dns', title: 'DNS', status: 'skipped', actions: []},
			{id: 'instances', title: 'Instances', status: 'waiting', actions: []},
			{id: 'cluster', title: 'Cluster', status: 'done', actions: []},
			{id: 'dhcp', title: 'DHCP', status: 'pending', actions: []},
		],
		{intervalMs: 0},
	);
	store.handle({type: 'action', stepId: 'host', action: apt, status: 'done'});
	store.flush();
	const screen = render(<StepList steps={store.getSnapshot().steps} />);
	const frame = await waitFor(screen.lastFrame, 'Preflight');
	assert.match(frame, /= Preflight checks/);
	assert.match(frame, /▸ Host preparation 1\/2/);
	assert.match(frame, /✗ Network/);
	assert.match(frame, /- DNS/);
	assert.match(frame, /… Instances/);
	assert.match(frame, /✓ Cluster/);
	assert.match(frame, /· DHCP/);
	screen.unmount();
	store.dispose();
});
