// Plans and progress for people and scripts: plan --json / status --json, and
// the text plan (changes and checks listed apart; files as coloured diffs,
// commands as the argv they will run, checks by their title only).
import chalk from 'chalk';
import type {Action} from '../actions/action.js';
import type {PlannedStep} from '../runner/events.js';
import {isChange, isCheck, loadDiff, planLines, wrapPlanLines, type PlanLine} from '../ui/plan-lines.js';
import {statusLabel} from '../ui/unattended.js';

/** How many changes and checks a plan holds. */
export function planCounts(steps: PlannedStep[]): {changes: number; checks: number} {
	const entries = steps.flatMap(step => step.actions);
	return {changes: entries.filter(isChange).length, checks: entries.filter(entry => isCheck(entry.action)).length};
}

export function planJson(steps: PlannedStep[], node?: string): string {
	return JSON.stringify(
		{
			...planCounts(steps),
			steps: steps.map(step => ({
				id: step.id,
				title: step.title,
				status: step.status,
				actions: step.actions.map(entry => {
					const {action, status, note} = entry;
					return {id: action.id, ...(node ? {node} : {}), kind: action.kind, title: action.title, status, change: isChange(entry), check: isCheck(action), ...actionTarget(action), ...(note ? {note} : {})};
				}),
			})),
		},
		null,
		2,
	);
}

/** plan --json / status --json of a site of several nodes: totals, every node's steps (each naming its node), then each node's plan as planJson gives it. */
export function nodesPlanJson(plans: Array<{node: string; steps: PlannedStep[]}>): string {
	const all = plans.flatMap(plan => plan.steps);
	const nodes = plans.map(plan => ({node: plan.node, ...(JSON.parse(planJson(plan.steps, plan.node)) as {steps: object[]})}));
	// `steps` as a one-node site has it (each step and action naming its node), so scripts keep working.
	return JSON.stringify({...planCounts(all), steps: nodes.flatMap(entry => entry.steps.map(step => ({node: entry.node, ...step}))), nodes}, null, 2);
}

function actionTarget(action: Action): Record<string, unknown> {
	switch (action.kind) {
		case 'file':
			return {path: action.path, mode: `0${action.mode.toString(8)}`};
		case 'remove':
			return {path: action.path, remove: true};
		case 'command':
			// A check's program stays in the transcript.
			return action.readOnly ? {} : {argv: action.argv};
		case 'service':
			return {service: action.service, operation: action.operation};
		case 'checkpoint':
			return {instructions: action.instructions};
	}
}

/** The lines `plan` prints: changes step by step with their diffs and argv, then the checks. */
export async function planText(steps: PlannedStep[]): Promise<string[]> {
	const diff = await loadDiff();
	const {changes, checks} = planCounts(steps);
	if (changes === 0) return [chalk.green(`No changes: the site matches its recipe (${checks} check${checks === 1 ? '' : 's'} will run)`)];
	const lines: string[] = [chalk.bold(`${changes} change${changes === 1 ? '' : 's'}, ${checks} check${checks === 1 ? '' : 's'}`)];
	for (const step of steps) {
		const changing = step.actions.filter(isChange);
		if (changing.length === 0) continue;
		lines.push('', chalk.bold(`${step.title} (${step.id})`));
		// The terminal's width, or 120 when piped: no line longer than a person reads at once.
		const width = Math.min(process.stdout.columns ?? 120, 200) - 2;
		lines.push(...wrapPlanLines(planLines({...step, actions: changing}, diff), width).map(paint));
	}
	lines.push('', chalk.bold('Checks (they change nothing)'));
	for (const step of steps) for (const entry of step.actions) if (isCheck(entry.action)) lines.push(`  ${chalk.dim('?')} ${entry.action.title}${entry.note ? chalk.dim(` (${entry.note})`) : ''}`);
	return lines;
}

/** Statuses as recorded, one line per action (status): checks by title, never their program. */
export function statusText(steps: PlannedStep[]): string[] {
	const lines: string[] = [];
	for (const step of steps) {
		lines.push(chalk.bold(`${statusLabel(step.status)} ${step.title}`));
		for (const {action, status, note} of step.actions) lines.push(`    ${statusLabel(status)} ${action.title}${note ? chalk.dim(` (${note})`) : ''}`);
	}
	return lines;
}

function paint(line: PlanLine): string {
	let text = `  ${line.text}`;
	if (line.color === 'green') text = chalk.green(text);
	else if (line.color === 'red') text = chalk.red(text);
	else if (line.color === 'cyan') text = chalk.cyan(text);
	else if (line.color === 'yellow') text = chalk.yellow(text);
	if (line.bold) text = chalk.bold(text);
	if (line.dim) text = chalk.dim(text);
	return text;
}
