// The sidebar: every step with its status, and how far the running one got.
// On a narrow terminal (under 100 columns) a sidebar would cut the steps'
// names: one strip above the pane shows every step's symbol and the current
// step's whole name instead. Memoised: while a command prints, only the pane
// beside it changes.
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {StepView} from '../run-store.js';
import {statusSymbol, statusTextProps} from '../status-style.js';

function progressOf(step: StepView): string {
	const finished = step.actions.filter(action => action.status !== 'pending' && action.status !== 'running').length;
	return step.status === 'running' && step.actions.length > 0 ? ` ${finished}/${step.actions.length}` : '';
}

/** One line (wrapped, never cut) for a narrow terminal: each step's symbol, then the current step's name. */
export const StepStrip = memo(function StepStrip({steps, current}: {steps: StepView[]; current?: string}) {
	// The step asked about, else the first one not finished (running, waiting, failed or next), else the last.
	const settled = ['done', 'satisfied', 'skipped', 'unchecked'];
	const open = steps.findIndex(step => !settled.includes(step.status));
	const index = current ? Math.max(0, steps.findIndex(step => step.id === current)) : open >= 0 ? open : steps.length - 1;
	const shown = steps[index];
	return (
		<Text wrap="wrap">
			<Text bold>Steps </Text>
			{steps.map((step, position) => (
				<Text key={step.id} {...statusTextProps(step.status)}>
					{position > 0 ? ' ' : ''}
					{statusSymbol[step.status]}
				</Text>
			))}
			{shown ? (
				<Text bold>
					{'  '}
					{index + 1} of {steps.length}: {shown.title}
					{progressOf(shown)}
				</Text>
			) : null}
		</Text>
	);
});

export const StepList = memo(function StepList({steps, width = 30}: {steps: StepView[]; width?: number}) {
	return (
		<Box flexDirection="column" width={width} paddingRight={1}>
			<Text bold>Steps</Text>
			{steps.map(step => {
				const progress = progressOf(step);
				return (
					<Text key={step.id} wrap="truncate-end" {...statusTextProps(step.status)} bold={step.status === 'running'}>
						{statusSymbol[step.status]} {step.title}
						{progress}
					</Text>
				);
			})}
		</Box>
	);
});
