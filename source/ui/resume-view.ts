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
