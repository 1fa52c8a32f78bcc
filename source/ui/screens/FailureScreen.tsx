// A failed action: the command, its exit code, its last lines, a hint where
// the cause is known, and retry / skip (only when safe) / edit answers / quit.
import {Box, Text} from 'ink';
import type {Failure} from '../../runner/events.js';
import {KeyHelp, quitKeys} from '../components/KeyHelp.js';
import {Select, type Item} from '../components/Select.js';
import {clip, cleanLine, oneLine, quoteArgv} from '../text.js';

export type FailureChoice = 'retry' | 'skip' | 'edit' | 'quit';

type Props = {
	failure: Failure;
	/** Output lines to show at most. */
	lines: number;
	width: number;
	onChoose: (choice: FailureChoice) => void;
};

export function FailureScreen({failure, lines, width, onChoose}: Props) {
	const {action} = failure;
	const command = action.kind === 'command' ? oneLine(quoteArgv(action.argv)) : action.kind === 'service' ? `service ${action.service} ${action.operation}` : action.kind === 'file' ? `write ${action.path}` : action.title;
	const items: Array<Item<FailureChoice>> = [
		{value: 'retry', label: 'Retry', hint: 'run it again (fix the cause first, e.g. in another terminal)'},
		...(failure.skippable ? [{value: 'skip' as const, label: 'Skip', hint: 'later steps do not need it'}] : []),
		{value: 'edit', label: 'Edit answers', hint: 'change what the plan was made from'},
		{value: 'quit', label: 'Quit', hint: 'resume later from here'},
	];
	const tail = failure.outputTail.slice(-lines).map(cleanLine);
	return (
		<Box flexDirection="column">
			<Text color="red" bold>
				✗ {action.title} failed
			</Text>
			<Text wrap="truncate-end">
				<Text dimColor>command   </Text>
				<Text color="cyan">{command}</Text>
			</Text>
			<Text>
				<Text dimColor>exit code </Text>
				{failure.exitCode ?? '—'}
				<Text dimColor> · </Text>
				{failure.message}
			</Text>
			{tail.length > 0 ? (
				<Box flexDirection="column" borderStyle="single" borderColor="red" paddingX={1}>
					{tail.map((line, index) => (
						<Text key={index}>{clip(line, width - 6) || ' '}</Text>
					))}
				</Box>
			) : null}
			{failure.hint ? (
				<Box borderStyle="round" borderColor="yellow" paddingX={1}>
					<Text color="yellow">Hint: {failure.hint}</Text>
				</Box>
			) : null}
			<Box marginTop={1}>
				<Select<FailureChoice> items={items} onSelect={onChoose} shortcuts={{r: 'retry', s: 'skip', e: 'edit'}} />
			</Box>
			<KeyHelp keys={[['↑↓', 'move'], ['Enter', 'choose'], ['r/s/e', 'retry/skip/edit'], ...quitKeys]} />
		</Box>
	);
}
