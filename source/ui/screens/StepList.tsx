// The sidebar: every step with its status, and how far the running one got.
// Memoised: while a command prints, only the pane beside it changes.
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {StepView} from '../run-store.js';
import {statusColor, statusMark} from '../status.js';

export const StepList = memo(function StepList({steps, width = 30}: {steps: StepView[]; width?: number}) {
	return (
		<Box flexDirection="column" width={width} paddingRight={1}>
			<Text bold>Steps</Text>
			{steps.map(step => {
				const finished = step.actions.filter(action => action.status !== 'pending' && action.status !== 'running').length;
				const progress = step.status === 'running' && step.actions.length > 0 ? ` ${finished}/${step.actions.length}` : '';
				return (
					<Text key={step.id} wrap="truncate-end" color={statusColor[step.status]} dimColor={step.status === 'pending'} bold={step.status === 'running'}>
						{statusMark(step.status)} {step.title}
						{progress}
					</Text>
				);
			})}
		</Box>
	);
});
