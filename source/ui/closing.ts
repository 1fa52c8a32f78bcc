// The lines the wizard leaves on the terminal when it ends: what happened and how to go on.
import type {RunResult} from '../runner/events.js';
import type {WizardExit} from './contract.js';

export function closing(result: RunResult, resume: string): WizardExit {
	switch (result.outcome) {
		case 'done':
			return {outcome: 'done', message: ['Every step is done.', `Run \`${resume}\` again at any time: it shows what changed and applies only that.`]};
		case 'quit':
			return {outcome: 'quit', message: [`Stopped. Run \`${resume}\` again to resume where you left off.`]};
		case 'failed':
			return {
				outcome: 'failed',
				message: [`Stopped at a failure: ${result.stoppedAt?.action.title ?? 'an action'}: ${result.stoppedAt?.message ?? ''}`, `Fix the cause, then run \`${resume}\` again to retry from there.`],
			};
		case 'waiting':
			return {
				outcome: 'waiting',
				message: [`Waiting for you: ${result.stoppedAt?.action.title ?? 'a checkpoint'}.`, `When it is done, run \`${resume}\` again: it comes back to this checkpoint.`],
			};
	}
}
