// The line of keys at the bottom of every screen.
import {Text} from 'ink';

export type KeyHint = [key: string, what: string];

export function KeyHelp({keys}: {keys: KeyHint[]}) {
	return (
		<Text wrap="truncate-end">
			{keys.map(([key, what], index) => (
				<Text key={key}>
					{index > 0 ? <Text dimColor> · </Text> : null}
					<Text bold>{key}</Text>
					<Text dimColor> {what}</Text>
				</Text>
			))}
		</Text>
	);
}

export const quitKeys: KeyHint[] = [
	['?', 'help'],
	['q', 'quit (resume later)'],
];

/** On screens that take text, q and ? are letters: only Ctrl-C leaves. */
export const textQuitKeys: KeyHint[] = [['Ctrl-C', 'quit (resume later)']];
