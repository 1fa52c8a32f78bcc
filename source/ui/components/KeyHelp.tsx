// The line of keys at the bottom of every screen. On a narrow terminal it
// goes on to the next line between keys, never inside one: the keys to quit
// and for help stay visible and whole.
import {Box, Text} from 'ink';

export type KeyHint = [key: string, what: string];

export function KeyHelp({keys}: {keys: KeyHint[]}) {
	return (
		<Box flexWrap="wrap">
			{keys.map(([key, what], index) => (
				<Box key={key}>
					<Text>
						<Text bold>{key}</Text>
						<Text dimColor> {what}</Text>
						{index < keys.length - 1 ? <Text dimColor> · </Text> : null}
					</Text>
				</Box>
			))}
		</Box>
	);
}

/**
 * How many lines `KeyHelp` takes `width` columns wide: keys are laid whole,
 * left to right, a new line when the next one does not fit (as flex-wrap does).
 */
export function keyHelpLines(keys: KeyHint[], width: number): number {
	let lines = 1;
	let used = 0;
	keys.forEach(([key, what], index) => {
		const size = [...`${key} ${what}${index < keys.length - 1 ? ' · ' : ''}`].length;
		if (used > 0 && used + size > width) {
			lines += 1;
			used = 0;
		}
		used += size;
	});
	return lines;
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
