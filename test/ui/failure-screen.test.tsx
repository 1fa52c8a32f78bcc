// The failure screen: what failed, its exit code and last lines, the hint, and
// only the choices that are safe.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import type {Failure} from '../../source/runner/events.js';
import {FailureScreen, type FailureChoice} from '../../source/ui/screens/FailureScreen.js';
import {keys, nextCall, press, waitFor} from './support/ink.js';

const failure: Failure = {
	stepId: 'cluster',
	action: {kind: 'command', id: 'cluster.init', title: 'initialise the cluster', argv: ['gnt-cluster', 'init', '--no-etc-hosts', '--master-netdev', 'br0', 'cluster.node.farm']},
	message: 'gnt-cluster exited with code 1',
	exitCode: 1,
	outputTail: [...Array.from({length: 30}, (_, index) => `line ${index}`), 'Failure: prerequisites not met for this operation:', "error type: wrong_input, error details:\nInconsistency: this host's name resolves to 127.0.1.1"],
	hint: 'gcc20.node.farm resolves to 127.0.1.1 (Debian\'s /etc/hosts line); the private DNS must answer for it first.',
	skippable: false,
};

test('failure: command, exit code, last lines, hint; retry with Enter; no skip when unsafe', async () => {
	const chosen = nextCall<FailureChoice>();
	const screen = render(<FailureScreen failure={failure} lines={6} width={100} onChoose={chosen.callback} />);
	const frame = await waitFor(screen.lastFrame, 'Retry');
	assert.match(frame, /✗ initialise the cluster failed/);
	assert.match(frame, /command +gnt-cluster init --no-etc-hosts --master-netdev br0 cluster\.node\.farm/);
	assert.match(frame, /exit code 1 · gnt-cluster exited with code 1/);
	assert.match(frame, /Failure: prerequisites not met/);
	assert.ok(!frame.includes('line 25'), 'only the last lines');
	assert.match(frame, /Hint: gcc20\.node\.farm resolves to 127\.0\.1\.1/);
	assert.ok(!/Skip/.test(frame), 'skip is not offered when later steps need the action');
	assert.match(frame, /Edit answers/);
	await press(screen.stdin, keys.enter);
	assert.equal(await chosen.value, 'retry');
	screen.unmount();
});

test('failure: skip offered when safe; e edits the answers', async () => {
	const skip = nextCall<FailureChoice>();
	const first = render(<FailureScreen failure={{...failure, skippable: true}} lines={6} width={100} onChoose={skip.callback} />);
	await waitFor(first.lastFrame, 'Skip');
	await press(first.stdin, keys.down, keys.enter);
	assert.equal(await skip.value, 'skip');
	first.unmount();
	const edit = nextCall<FailureChoice>();
	const second = render(<FailureScreen failure={failure} lines={6} width={100} onChoose={edit.callback} />);
	await waitFor(second.lastFrame, 'Retry');
	await press(second.stdin, 's', 'e');
	assert.deepEqual(edit.calls, ['edit'], 's does nothing where skipping is unsafe');
	second.unmount();
});
