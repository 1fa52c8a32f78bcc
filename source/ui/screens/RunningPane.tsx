// While a step applies: the running action, a spinner with the elapsed time,
// and the last lines of its output in a box of fixed height. Reads the run
// store, whose clock hands React one snapshot per frame (four a second): the
// spinner, elapsed time and output tail are drawn together from it.
import {memo, useSyncExternalStore} from 'react';
import {Box, Text} from 'ink';
import {KeyHelp} from '../components/KeyHelp.js';
import {Spinner} from '../components/Spinner.js';
import type {RunStore} from '../run-store.js';
import {clip, isPlainAscii, oneLine, quoteArgv} from '../text.js';

type Props = {
	store: RunStore;
	/** Output lines the pane shows (its height less the border). */
	lines: number;
	/** Columns available for one output line. */
	width: number;
};

const keys: Array<[string, string]> = [
	['Ctrl-C', 'stop (the next start resumes)'],
	['?', 'help'],
];
const Keys = memo(() => <KeyHelp keys={keys} />);

/**
 * The output lines, cut to `width` columns. Plain ASCII lines (the usual case)
 * fill one text node, and the marks of cut lines a one-column node beside it:
 * the text stays ASCII, whose width Ink reads from its length, nothing wraps,
 * and Ink lays out two nodes a frame instead of one per line. A line with other
 * characters (wide ones among them) is cut by Ink itself.
 */
function OutputTail({lines, width}: {lines: string[]; width: number}) {
	if (lines.length === 0) return <Text dimColor>(no output yet)</Text>;
	if (lines.every(isPlainAscii)) {
		const room = width - 1;
		return (
			<Box>
				<Box width={room}>
					<Text>{lines.map(line => line.slice(0, room)).join('\n')}</Text>
				</Box>
				<Text>{lines.map(line => (line.length > room ? '…' : ' ')).join('\n')}</Text>
			</Box>
		);
	}
	return lines.map((line, index) => (
		<Text key={index} wrap="truncate-end">
			{clip(line, width) || ' '}
		</Text>
	));
}

export function RunningPane({store, lines, width}: Props) {
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const running = snapshot.running;
	const tail = snapshot.tail(lines);
	const action = running?.action;
	const command = action?.kind === 'command' ? `$ ${oneLine(quoteArgv(action.argv))}` : action?.kind === 'service' ? `service ${action.service} ${action.operation}` : action?.kind === 'file' ? `writing ${action.path}` : '';
	return (
		<Box flexDirection="column">
			{running ? <Spinner at={snapshot.at} step={snapshot.version} since={running.startedAt} label={action!.title} /> : <Spinner at={snapshot.at} step={snapshot.version} label="working…" />}
			<Text color="cyan" wrap="truncate-end">
				{command || ' '}
			</Text>
			<Box flexDirection="column" borderStyle="single" borderDimColor width={width} height={lines + 2}>
				<OutputTail lines={tail} width={width - 4} />
			</Box>
			<Text dimColor>
				{snapshot.totalLines > tail.length ? `${snapshot.totalLines - tail.length} earlier lines in the transcript · ` : ''}
				{snapshot.totalLines} line{snapshot.totalLines === 1 ? '' : 's'}
			</Text>
			<Keys />
		</Box>
	);
}
