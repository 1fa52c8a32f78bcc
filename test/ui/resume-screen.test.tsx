// The resume screen: done, interrupted and next read from saved progress, and
// the operator's choice.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import type {Action, ActionStatus} from '../../source/actions/action.js';
import type {PlannedStep} from '../../source/runner/events.js';
import {resumeView} from '../../source/ui/resume-view.js';
import {ResumeScreen, type ResumeChoice} from '../../source/ui/screens/ResumeScreen.js';
import {keys, nextCall, press, waitFor} from './support/ink.js';

const command = (id: string, title: string): Action => ({kind: 'command', id, title, argv: ['true']});
const step = (id: string, title: string, status: ActionStatus, actions: Array<[string, ActionStatus]>): PlannedStep => ({
	id,
	title,
	status,
	actions: actions.map(([actionTitle, actionStatus], index) => ({action: command(`${id}.${index}`, actionTitle), status: actionStatus})),
});

const steps: PlannedStep[] = [
	step('preflight', 'Preflight checks', 'satisfied', [['FQDN resolves', 'satisfied']]),
	step('host', 'Host preparation', 'done', [['vgcreate all', 'done'], ['hand over DRBD', 'done']]),
	step('network', 'Network', 'running', [['write /etc/network/interfaces', 'done'], ['bring up br0', 'running'], ['enable NAT', 'pending']]),
	step('dns', 'DNS', 'pending', [['write zone farm', 'pending']]),
];

test('resume view: done steps, the action that was running, and what comes next', () => {
	const view = resumeView(steps);
	assert.deepEqual(view.done.map(entry => entry.id), ['preflight', 'host']);
	assert.equal(view.interrupted?.title, 'bring up br0');
	assert.equal(view.interrupted?.status, 'running');
	assert.equal(view.next?.step.id, 'network');
	assert.equal(view.next?.title, 'bring up br0');
	const waiting = resumeView([steps[0]!, step('instances', 'Instances', 'waiting', [['add rodo1', 'done'], ['install rodo1 over VNC', 'waiting']])]);
	assert.equal(waiting.interrupted?.title, 'install rodo1 over VNC');
	assert.equal(resumeView([steps[0]!, steps[1]!]).next, null);
});

test('resume screen shows the saved progress and offers continue, review, start over', async () => {
	const chosen = nextCall<ResumeChoice>();
	const screen = render(<ResumeScreen steps={steps} updatedAt="2026-11-24T09:15:00.000Z" onChoose={chosen.callback} />);
	const frame = await waitFor(screen.lastFrame, 'Continue');
	assert.match(frame, /Saved progress \(last run 2026-11-24 09:15\)/);
	assert.match(frame, /Done: +Preflight checks, Host preparation \(2 of 4 steps\)/);
	assert.match(frame, /Interrupted: Network: bring up br0 was running when the wizard stopped/);
	assert.match(frame, /Next: +Network: bring up br0/);
	assert.match(frame, /Start over.*the journal and backups stay/);
	await press(screen.stdin, keys.down, keys.down);
	await waitFor(screen.lastFrame, '❯ Start over');
	await press(screen.stdin, keys.enter);
	assert.equal(await chosen.value, 'start-over');
	screen.unmount();
});

test('resume screen: Enter continues', async () => {
	const chosen = nextCall<ResumeChoice>();
	const screen = render(<ResumeScreen steps={steps} onChoose={chosen.callback} />);
	await waitFor(screen.lastFrame, '❯ Continue');
	await press(screen.stdin, keys.enter);
	assert.equal(await chosen.value, 'continue');
	screen.unmount();
});

test('resume screen offers the changes and undo: each is handed back as the choice', async () => {
	for (const [downs, wanted] of [[3, 'changes'], [4, 'undo']] as const) {
		const chosen = nextCall<ResumeChoice>();
		const screen = render(<ResumeScreen steps={steps} onChoose={chosen.callback} />);
		const frame = await waitFor(screen.lastFrame, 'Continue');
		assert.match(frame, /See the changes.*files as diffs/);
		assert.match(frame, /Undo.*"undo" typed to confirm/);
		await press(screen.stdin, ...Array.from({length: downs}, () => keys.down));
		await waitFor(screen.lastFrame, wanted === 'undo' ? '❯ Undo' : '❯ See the changes');
		await press(screen.stdin, keys.enter);
		assert.equal(await chosen.value, wanted);
		screen.unmount();
	}
});

test('a finished site opens on what next: add, list or remove a VM, check for drift, then the rest; each handed back as the choice', async () => {
	const finished = [steps[0]!, steps[1]!];
	const wanted = ['vm-add', 'vm-list', 'vm-remove', 'doctor', 'continue', 'review', 'start-over', 'changes', 'undo', 'quit'] as const;
	for (const [downs, choice] of [[0, 'vm-add'], [1, 'vm-list'], [2, 'vm-remove'], [3, 'doctor'], [8, 'undo']] as const) {
		const chosen = nextCall<ResumeChoice>();
		const screen = render(<ResumeScreen steps={finished} finished onChoose={chosen.callback} />);
		const frame = await waitFor(screen.lastFrame, 'What next?');
		const labels = ['Add a VM', 'List VMs', 'Remove a VM', 'Check for drift', 'Continue', 'Review answers', 'Start over', 'See the changes', 'Undo', 'Quit'];
		assert.deepEqual(
			frame.split('\n').flatMap(line => labels.filter(label => new RegExp(`^[❯ ] ${label}\\b`).test(line))),
			labels,
			'every item, in order',
		);
		assert.match(frame, /Remove a VM +choose one, then type its name to confirm/);
		await press(screen.stdin, ...Array.from({length: downs}, () => keys.down), keys.enter);
		assert.equal(await chosen.value, choice);
		assert.equal(wanted.indexOf(choice), downs);
		screen.unmount();
	}
	// A site with steps left keeps the resume menu: no what next.
	const screen = render(<ResumeScreen steps={steps} onChoose={() => {}} />);
	const frame = await waitFor(screen.lastFrame, 'Continue');
	assert.doesNotMatch(frame, /What next|Add a VM/);
	screen.unmount();
});
