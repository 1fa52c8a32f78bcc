// `?`: what the wizard does and which keys work where.
import {Box, Text} from 'ink';

export function HelpOverlay({mode}: {mode: 'real' | 'rehearsal'}) {
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1}>
			<Text bold>Help</Text>
			<Text>
				The wizard asks what it cannot detect, shows each step's plan (files as diffs, commands as they will run) and applies it only when you say so.
				{mode === 'rehearsal' ? ' This is a rehearsal: files go under a folder and commands are only recorded.' : ''}
			</Text>
			<Text> </Text>
			<Text>
				<Text bold>↑ ↓</Text> move, scroll, or offer values · <Text bold>← →</Text> choose a button · <Text bold>Enter</Text> accept
			</Text>
			<Text>
				<Text bold>Esc</Text> back to the previous question · in a field: <Text bold>Backspace</Text>, <Text bold>Ctrl-W</Text> a word, <Text bold>Ctrl-U</Text> all before the cursor
			</Text>
			<Text>
				<Text bold>?</Text> this help, on every screen (no value the wizard asks for holds a ?)
			</Text>
			<Text>
				<Text bold>q</Text> quit; the next start resumes where you left (in text fields q is a letter: use <Text bold>Ctrl-C</Text>)
			</Text>
			<Text>
				<Text bold>Ctrl-C</Text> quit at any time; progress is saved after every change
			</Text>
			<Text> </Text>
			<Text dimColor>Every command and its output also go to the transcript beside the saved progress.</Text>
			<Text dimColor>Press ? or Esc to close.</Text>
		</Box>
	);
}
