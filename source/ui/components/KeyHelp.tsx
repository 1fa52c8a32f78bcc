// The line of keys at the bottom of every screen. It wraps (between keys)
// rather than being cut: on a narrow terminal the keys to quit and for help
// stay visible.
import {Text} from 'ink';

export type KeyHint = [key: string, what: string];

export function KeyHelp({keys}: {keys: KeyHint[]}) {
	return (
		<Text wrap="wrap">
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

/** On screens that take text, q is a letter: Ctrl-C leaves. ? stays help (no recipe value holds one). */
export const textQuitKeys: KeyHint[] = [
	['?', 'help'],
	['Ctrl-C', 'quit (resume later)'],
];
