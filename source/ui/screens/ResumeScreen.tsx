// The first screen when progress was saved: what was done, what was
// interrupted, what comes next; continue, review the answers, or start over.
// On a finished site it opens on what next: add, list or remove a VM, or
// check for drift (handed to those commands once the wizard is gone; adding
// asks its questions here first).
import {Box, Text} from 'ink';
import type {ActionStatus} from '../../actions/action.js';
import type {PlannedStep} from '../../runner/events.js';
import {Select} from '../components/Select.js';
import {resumeChoices, resumeView, type ResumeChoice} from '../resume-view.js';

export type {ResumeChoice} from '../resume-view.js';

const how: Partial<Record<ActionStatus, string>> = {
	running: 'was running when the wizard stopped',
	failed: 'failed',
	waiting: 'waits for you',
};

type Props = {
	steps: PlannedStep[];
	updatedAt?: string;
	/** The site is set up (every step done): the menu opens on what next. */
	finished?: boolean;
	onChoose: (choice: ResumeChoice) => void;
};

export function ResumeScreen({steps, updatedAt, finished = false, onChoose}: Props) {
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
			{finished ? (
				<Text bold color="green">
					The site is set up. What next?
				</Text>
			) : null}
			<Box marginTop={finished ? 0 : 1}>
				<Select<ResumeChoice>
					items={resumeChoices(finished)}
					onSelect={onChoose}
				/>
			</Box>
		</Box>
	);
}
