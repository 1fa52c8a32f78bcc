// Plans and progress as JSON (plan --json, status --json) and as text.
import chalk from 'chalk';
import type {Action} from '../actions/action.js';
import {quoteArgv} from '../host/quote.js';
import type {PlannedStep} from '../runner/events.js';
import {statusLabel} from '../ui/unattended.js';

export function planJson(steps: PlannedStep[]): string {
	return JSON.stringify(
		{
			steps: steps.map(step => ({
				id: step.id,
				title: step.title,
				status: step.status,
				actions: step.actions.map(({action, status, note}) => ({id: action.id, kind: action.kind, title: action.title, status, ...actionTarget(action), ...(note ? {note} : {})})),
			})),
		},
		null,
		2,
	);
}

function actionTarget(action: Action): Record<string, unknown> {
	switch (action.kind) {
		case 'file':
			return {path: action.path, mode: `0${action.mode.toString(8)}`};
		case 'command':
			return {argv: action.argv};
		case 'service':
			return {service: action.service, operation: action.operation};
		case 'checkpoint':
			return {instructions: action.instructions};
	}
}

export function planText(steps: PlannedStep[]): string[] {
	const lines: string[] = [];
	for (const step of steps) {
		lines.push(chalk.bold(`${statusLabel(step.status)} ${step.title}`));
		for (const {action, status, current, note} of step.actions) {
			lines.push(`    ${statusLabel(status)} ${describe(action, current)}${note ? chalk.dim(` (${note})`) : ''}`);
		}
	}
	return lines;
}

function describe(action: Action, current: string | null | undefined): string {
	switch (action.kind) {
		case 'file': {
			const change = current === undefined ? '' : current === null ? ' (new file)' : current === action.content ? '' : ' (changed)';
			return `write ${action.path}${change}`;
		}
		case 'command':
			return `run ${quoteArgv(action.argv)}`;
		case 'service':
			return `${action.operation} service ${action.service}`;
		case 'checkpoint':
			return `operator: ${action.title}`;
	}
}
