// Under 100 columns the steps are a strip above the pane: every step's
// symbol, and the current step's whole name (a sidebar would cut it).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import type {StepView} from '../../source/ui/run-store.js';
import {StepStrip} from '../../source/ui/screens/StepList.js';

const step = (id: string, title: string, status: StepView['status']): StepView => ({id, title, status, actions: []});
const steps = [
	step('preflight', 'Preflight checks', 'unchecked'),
	step('host', 'Packages, LVM volume group and DRBD hand-over', 'done'),
	step('network', 'Private network, bridge and NAT', 'running'),
	step('dns', 'Private DNS (bind9)', 'pending'),
];

test('the strip names the running step whole, or the one asked about, or the last when all are done', () => {
	const running = render(<StepStrip steps={steps} />);
	assert.match(running.lastFrame()!, /Steps \? ✓ \S ·\s+3 of 4: Private network, bridge and NAT/);
	running.unmount();
	const asked = render(<StepStrip steps={steps} current="host" />);
	assert.match(asked.lastFrame()!.replace(/\s+/g, ' '), /2 of 4: Packages, LVM volume group and DRBD hand-over/);
	asked.unmount();
	const finished = render(<StepStrip steps={steps.map(entry => ({...entry, status: 'done' as const}))} />);
	assert.match(finished.lastFrame()!, /4 of 4: Private DNS \(bind9\)/);
	finished.unmount();
});
