// While a step applies: the running action, a spinner with the elapsed time,
// and the last lines of its output in a box of fixed height. Reads the run
// store, which hands React a fresh snapshot at most every ~50 ms.
import {useSyncExternalStore} from 'react';
import {Box, Text} from 'ink';
import {KeyHelp} from '../components/KeyHelp.js';
import {Spinner} from '../components/Spinner.js';
import type {RunStore} from '../run-store.js';
import {clip, oneLine, quoteArgv} from '../text.js';

type Props = {
	store: RunStore;
	/** Output lines the pane shows (its height less the border). */
	lines: number;
	/** Columns available for one output line. */
	width: number;
};

export function RunningPane({store, lines, width}: Props) {
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const running = snapshot.running;
	const tail = snapshot.tail(lines);
	const action = running?.action;
	const command = action?.kind === 'command' ? `$ ${oneLine(quoteArgv(action.argv))}` : action?.kind === 'service' ? `service ${action.service} ${action.operation}` : action?.kind === 'file' ? `writing ${action.path}` : '';
	return (
		<Box flexDirection="column">
			{running ? <Spinner at={snapshot.at} since={running.startedAt} label={action!.title} /> : <Spinner at={snapshot.at} label="working…" />}
			<Text color="cyan" wrap="truncate-end">
				{command || ' '}
			</Text>
			<Box flexDirection="column" borderStyle="single" borderDimColor height={lines + 2} overflow="hidden">
				{tail.length === 0 ? <Text dimColor>(no output yet)</Text> : tail.map((line, index) => (
						<Text key={index} wrap="truncate-end">
							{clip(line, width - 4) || ' '}
						</Text>
					))}
			</Box>
			<Text dimColor>
				{snapshot.totalLines > tail.length ? `${snapshot.totalLines - tail.length} earlier lines in the transcript · ` : ''}
				{snapshot.totalLines} line{snapshot.totalLines === 1 ? '' : 's'}
			</Text>
			<KeyHelp keys={[['Ctrl-C', 'stop (the next start resumes)'], ['?', 'help']]} />
		</Box>
	);
}
