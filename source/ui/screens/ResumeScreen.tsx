// The first screen when progress was saved: what was done, what was
// interrupted, what comes next; continue, review the answers, or start over.
import {Box, Text} from 'ink';
import type {ActionStatus} from '../../actions/action.js';
import type {PlannedStep} from '../../runner/events.js';
import {Select} from '../components/Select.js';
import {resumeView} from '../resume-view.js';

export type ResumeChoice = 'continue' | 'review' | 'start-over' | 'changes' | 'undo' | 'quit';

const how: Partial<Record<ActionStatus, string>> = {
	running: 'was running when the wizard stopped',
	failed: 'failed',
	waiting: 'waits for you',
};

type Props = {
	steps: PlannedStep[];
	updatedAt?: string;
	onChoose: (choice: ResumeChoice) => void;
};

export function ResumeScreen({steps, updatedAt, onChoose}: Props) {
	const view = resumeView(steps);
	return (
		<Box flexDirection="column">
			<Text bold>Saved progress{updatedAt ? <Text dimColor> (last run {updatedAt.replace('T', ' ').slice(0, 16)})</Text> : null}</Text>
			<Text wrap="truncate-end">
				<Text color="green">Done:        </Text>
				{view.done.length === 0 ? 'nothing yet' : `${view.done.map(step => step.title).join(', ')} (${view.done.length} of ${steps.length} steps)`}
			</Text>
			<Text wrap="truncate-end">
				<Text color="yellow">Interrupted: </Text>
				{view.interrupted ? `${view.interrupted.step.title}: ${view.interrupted.title} ${how[view.interrupted.status] ?? ''}` : 'nothing'}
			</Text>
			<Text wrap="truncate-end">
				<Text color="cyan">Next:        </Text>
				{view.next ? `${view.next.step.title}: ${view.next.title}` : 'nothing left: every step is done'}
			</Text>
			<Box marginTop={1}>
				<Select<ResumeChoice>
					items={[
						{value: 'continue', label: 'Continue', hint: 'where it stopped, with the saved answers'},
						{value: 'review', label: 'Review answers', hint: 'see and change them, then continue'},
						{value: 'start-over', label: 'Start over', hint: 'answer again from detected defaults (the journal and backups stay)'},
						{value: 'changes', label: 'See the changes', hint: 'everything the wizard changed here, files as diffs'},
						{value: 'undo', label: 'Undo', hint: 'reverse those changes (its plan first, then "undo" typed to confirm)'},
						{value: 'quit', label: 'Quit'},
					]}
					onSelect={onChoose}
				/>
			</Box>
		</Box>
	);
}
