// The sidebar: every step with its status, and how far the running one got.
// Memoised: while a command prints, only the pane beside it changes.
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {StepView} from '../run-store.js';
import {statusSymbol, statusTextProps} from '../status-style.js';

export const StepList = memo(function StepList({steps, width = 30}: {steps: StepView[]; width?: number}) {
	return (
		<Box flexDirection="column" width={width} paddingRight={1}>
			<Text bold>Steps</Text>
			{steps.map(step => {
				const finished = step.actions.filter(action => action.status !== 'pending' && action.status !== 'running').length;
				const progress = step.status === 'running' && step.actions.length > 0 ? ` ${finished}/${step.actions.length}` : '';
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
