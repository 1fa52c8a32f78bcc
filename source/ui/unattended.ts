// Unattended output (apply --yes) beyond the progress lines (lines.ts): the
// closing summary with what to do next, and status labels for plans.
import chalk from 'chalk';
import type {ActionStatus} from '../actions/action.js';
import type {RunResult} from '../runner/events.js';
import {styleStatus, statusSymbol} from './status-style.js';

export function statusLabel(status: ActionStatus): string {
	return styleStatus(status, `${statusSymbol[status]} ${status.padEnd(9)}`);
}

/** The closing lines: what happened and how to go on. */
export function summarize(result: RunResult, continueCommand: string): string[] {
	switch (result.outcome) {
		case 'done':
			return [chalk.green('All steps are done.')];
		case 'quit':
			return [`Stopped. Continue later with: ${continueCommand}`];
		case 'failed':
			return [
				chalk.red(`Failed: ${result.stoppedAt?.action.title}: ${result.stoppedAt?.message}`),
				...(result.stoppedAt?.hint ? [`Hint: ${result.stoppedAt.hint}`] : []),
				`Fix the cause, then continue with: ${continueCommand}`,
			];
		case 'waiting': {
			const action = result.stoppedAt?.action;
			const lines = [chalk.yellow(`Waiting for the operator: ${action?.title}`), result.stoppedAt?.message ?? ''];
			if (action?.kind === 'checkpoint') for (const detail of action.details) lines.push(`  ${detail.label}: ${detail.value}`);
			lines.push(`When it is done, continue with: ${continueCommand} --confirm ${action?.id}`);
			return lines;
		}
	}
}
