// The store between the runner and React: bounded memory whatever the output
// volume, and React told at most once per interval.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {CommandAction} from '../../source/actions/action.js';
import {LineRing} from '../../source/ui/ring.js';
import {RunStore, type RunSnapshot} from '../../source/ui/run-store.js';
import {cleanLine, clip, formatElapsed, quoteArgv} from '../../source/ui/text.js';

const command: CommandAction = {kind: 'command', id: 'host.apt', title: 'install packages', argv: ['apt-get', 'install', '-y', 'ganeti']};

test('the ring keeps the last lines in order, whatever the batch sizes', () => {
	const ring = new LineRing(5);
	ring.push(['1', '2']);
	assert.deepEqual(ring.tail(), ['1', '2']);
	ring.push(['3', '4', '5', '6']);
	assert.deepEqual(ring.tail(), ['2', '3', '4', '5', '6']);
	ring.push(Array.from({length: 1000}, (_, index) => String(index)));
	assert.deepEqual(ring.tail(3), ['997', '998', '999']);
	assert.equal(ring.total, 1006);
	// A batch's last lines stand for all it held: the count is the batch's.
	ring.push(['1199', '1200'], 194);
	assert.equal(ring.total, 1200);
	assert.deepEqual(ring.tail(2), ['1199', '1200']);
	ring.clear();
	assert.deepEqual(ring.tail(), []);
});

test('100,000 output lines: React hears of them a bounded number of times, the tail is the last lines', async () => {
	const store = new RunStore([], {intervalMs: 20, keepLines: 50});
	let notified = 0;
	store.subscribe(() => notified++);
	store.handle({type: 'step', stepId: 'host', status: 'running'});
	store.handle({type: 'action', stepId: 'host', action: command, status: 'running'});
	for (let batch = 0; batch < 1000; batch++) {
		store.handle({type: 'output', actionId: command.id, lines: Array.from({length: 100}, (_, index) => `line ${batch * 100 + index}`)});
	}
	// Everything above ran within one interval: at most the leading notification so far.
	assert.ok(notified <= 2, `notified ${notified} times`);
	await new Promise(resolve => setTimeout(resolve, 40));
	const snapshot = store.getSnapshot();
	assert.equal(snapshot.totalLines, 100_000);
	assert.deepEqual(snapshot.tail(3), ['line 99997', 'line 99998', 'line 99999']);
	assert.equal(snapshot.running?.action.id, 'host.apt');
	assert.equal(snapshot.steps[0]?.status, 'running');
	store.dispose();
});

test('one clock while a step runs: output waits for the tick, each tick publishes one snapshot with the time, and the steps stay the same array', async () => {
	let clock = 5_000;
	const store = new RunStore([], {intervalMs: 40, now: () => clock});
	store.handle({type: 'step', stepId: 'host', status: 'running'});
	store.handle({type: 'action', stepId: 'host', action: command, status: 'running'});
	store.flush();
	const seen: RunSnapshot[] = [];
	store.subscribe(() => seen.push(store.getSnapshot()));
	store.startHeartbeat();
	const started = Date.now();
	for (let batch = 0; batch < 40; batch++) {
		store.handle({type: 'output', actionId: command.id, lines: [`line ${batch}`]});
		clock += 5;
		await new Promise(resolve => setTimeout(resolve, 5));
	}
	await new Promise(resolve => setTimeout(resolve, 60));
	const ticks = Math.ceil((Date.now() - started) / 40);
	store.stopHeartbeat();
	assert.ok(seen.length >= 2 && seen.length <= ticks + 1, `${seen.length} snapshots for 40 batches in ${ticks} ticks`);
	assert.deepEqual(seen.at(-1)!.tail(2), ['line 38', 'line 39']);
	// Time moves with each snapshot (the spinner and elapsed time are drawn from it).
	assert.ok(seen.every((snapshot, index) => index === 0 || snapshot.at >= seen[index - 1]!.at));
	assert.ok(seen.at(-1)!.at > seen[0]!.at);
	// Output alone never changes the steps: a memoised step list is not redrawn for it.
	assert.ok(seen.every(snapshot => snapshot.steps === seen[0]!.steps && store.getSteps() === snapshot.steps));
	store.dispose();
});

test('status events update the step list; a finished action leaves the running slot', () => {
	const store = new RunStore([{id: 'host', title: 'Host preparation', status: 'pending', actions: [{action: command, status: 'pending'}]}], {intervalMs: 0});
	store.handle({type: 'action', stepId: 'host', action: command, status: 'running'});
	store.flush();
	assert.equal(store.getSnapshot().steps[0]!.status, 'running');
	store.handle({type: 'action', stepId: 'host', action: command, status: 'done'});
	store.handle({type: 'step', stepId: 'host', status: 'done'});
	store.flush();
	const snapshot = store.getSnapshot();
	assert.equal(snapshot.running, null);
	assert.deepEqual(snapshot.steps[0]!.actions, [{id: 'host.apt', title: 'install packages', status: 'done'}]);
	assert.equal(snapshot.steps[0]!.status, 'done');
	store.dispose();
});

test('output lines lose escape codes and carriage-return progress', () => {
	assert.equal(cleanLine('\u001B[1;31merror\u001B[0m: disk full'), 'error: disk full');
	assert.equal(cleanLine('Progress: 10%\rProgress: 55%\rProgress: 100%'), 'Progress: 100%');
	assert.equal(cleanLine('done\r'), 'done');
	assert.equal(cleanLine('a\tb\u0007'), 'a    b');
	assert.equal(cleanLine('\u001B]0;title\u0007text'), 'text');
	assert.equal(clip('abcdef', 4), 'abc…');
	assert.equal(clip('abc', 4), 'abc');
	assert.equal(formatElapsed(75_000), '1m15s');
	assert.equal(quoteArgv(['gnt-instance', 'add', '-B', 'memory=512M,vcpus=1', "it's here"]), `gnt-instance add -B memory=512M,vcpus=1 'it'\\''s here'`);
});
