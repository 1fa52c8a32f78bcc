// Unattended output (apply --yes): one line per finished action, the tail of a
// failing command, and what to do at a checkpoint. No questions, no Ink.
import chalk from 'chalk';
import type {ActionStatus} from '../actions/action.js';
import type {RunEvent, RunResult} from '../runner/events.js';
import {styleStatus, statusSymbol} from './status-style.js';

export type LineWriter = (line: string) => void;

export function unattendedReporter(write: LineWriter): (event: RunEvent) => void {
	const tails = new Map<string, string[]>();
	return event => {
		if (event.type === 'output') {
			const tail = [...(tails.get(event.actionId) ?? []), ...event.lines].slice(-15);
			tails.set(event.actionId, tail);
			return;
		}
		if (event.type === 'step') {
			if (event.status === 'running') write(chalk.bold(`» ${event.stepId}`));
			return;
		}
		if (event.status === 'running') return;
		write(`  ${statusLabel(event.status)} ${event.action.title}${event.note ? chalk.dim(` (${event.note})`) : ''}`);
		if (event.status === 'failed') for (const line of tails.get(event.action.id) ?? []) write(chalk.dim(`      | ${line}`));
	};
}

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
			return [chalk.red(`Failed: ${result.stoppedAt?.action.title}: ${result.stoppedAt?.message}`), `Fix the cause, then continue with: ${continueCommand}`];
		case 'waiting': {
			const action = result.stoppedAt?.action;
			const lines = [chalk.yellow(`Waiting for the operator: ${action?.title}`), result.stoppedAt?.message ?? ''];
			if (action?.kind === 'checkpoint') for (const detail of action.details) lines.push(`  ${detail.label}: ${detail.value}`);
			lines.push(`When it is done, continue with: ${continueCommand} --confirm ${action?.id}`);
			return lines;
		}
	}
}
