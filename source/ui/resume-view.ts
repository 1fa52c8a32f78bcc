// What saved progress says: what was done, what was interrupted, what is next.
import type {ActionStatus} from '../actions/action.js';
import type {PlannedStep} from '../runner/events.js';

const finished: ActionStatus[] = ['done', 'satisfied', 'skipped', 'unchecked'];
const stopped: ActionStatus[] = ['running', 'failed', 'waiting'];

export type ResumeView = {
	done: PlannedStep[];
	interrupted: {step: PlannedStep; title: string; status: ActionStatus} | null;
	next: {step: PlannedStep; title: string} | null;
};

export function resumeView(steps: PlannedStep[]): ResumeView {
	const done = steps.filter(step => finished.includes(step.status));
	const stoppedStep = steps.find(step => stopped.includes(step.status) || step.actions.some(entry => stopped.includes(entry.status)));
	const stoppedAction = stoppedStep?.actions.find(entry => stopped.includes(entry.status));
	const interrupted = stoppedStep ? {step: stoppedStep, title: stoppedAction?.action.title ?? stoppedStep.title, status: stoppedAction?.status ?? stoppedStep.status} : null;
	const nextStep = steps.find(step => !finished.includes(step.status));
	const nextAction = nextStep?.actions.find(entry => !finished.includes(entry.status));
	const next = nextStep ? {step: nextStep, title: nextAction?.action.title ?? nextStep.title} : null;
	return {done, interrupted, next};
}

export type ResumeChoice = 'vm-add' | 'vm-list' | 'vm-remove' | 'doctor' | 'continue' | 'review' | 'start-over' | 'changes' | 'undo' | 'quit';

/** What the resume menu hands to a command once the wizard is gone (the rest it handles itself). */
export type Handover = Extract<ResumeChoice, 'vm-add' | 'vm-list' | 'vm-remove' | 'doctor' | 'changes' | 'undo'>;

const handovers: readonly ResumeChoice[] = ['vm-add', 'vm-list', 'vm-remove', 'doctor', 'changes', 'undo'];

/** Whether the choice leaves the wizard for a command (vm, doctor, changes, undo). */
export function isHandover(choice: ResumeChoice): choice is Handover {
	return handovers.includes(choice);
}

/**
 * The resume menu, for both faces (the TUI's list, plain mode's select). On a
 * finished site (`finished`: saved, every step done) it opens on "what next":
 * the VMs' life and a check for drift come first.
 */
export function resumeChoices(finished: boolean): Array<{value: ResumeChoice; label: string; hint?: string}> {
	return [
		...(finished
			? ([
					{value: 'vm-add', label: 'Add a VM', hint: 'its name, size and install medium, then the plan to apply'},
					{value: 'vm-list', label: 'List VMs', hint: "address, MAC, Ganeti's state, whether DNS and DHCP agree"},
					{value: 'vm-remove', label: 'Remove a VM', hint: 'choose one, then type its name to confirm'},
					{value: 'doctor', label: 'Check for drift', hint: 'Ganeti, the zones and the DHCP entries compared'},
				] as const)
			: []),
		{value: 'continue', label: 'Continue', hint: finished ? 'check every step, redo what drifted' : 'where it stopped, with the saved answers'},
		{value: 'review', label: 'Review answers', hint: 'see and change them, then continue'},
		{value: 'start-over', label: 'Start over', hint: 'answer again from detected defaults (the journal and backups stay)'},
		{value: 'changes', label: 'See the changes', hint: 'everything the wizard changed here, files as diffs'},
		{value: 'undo', label: 'Undo', hint: 'reverse those changes (its plan first, then "undo" typed to confirm)'},
		{value: 'quit', label: 'Quit'},
	];
}

/** Whether saved progress is a finished site: its answers saved and every step done. */
export function siteFinished(progress: {recipe: unknown; steps: PlannedStep[]} | null | undefined): boolean {
	return Boolean(progress?.recipe) && progress!.steps.length > 0 && resumeView(progress!.steps).next === null;
}
