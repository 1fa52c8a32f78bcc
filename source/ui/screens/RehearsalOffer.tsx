// Shown when this host cannot be set up for real (not root, no Ganeti ...):
// says why, and offers the rehearsal, which changes nothing here.
import {Box, Text} from 'ink';
import {KeyHelp, quitKeys} from '../components/KeyHelp.js';
import {Select} from '../components/Select.js';

export type OfferChoice = 'rehearse' | 'quit';

export function RehearsalOffer({problem, onChoose}: {problem: string; onChoose: (choice: OfferChoice) => void}) {
	return (
		<Box flexDirection="column">
			<Text color="yellow" bold>
				This host cannot be set up for real: {problem}
			</Text>
			<Text>A rehearsal goes through the same questions and plans: files are written under a local folder, commands are listed, nothing is run.</Text>
			<Box marginTop={1}>
				<Select<OfferChoice>
					items={[
						{value: 'rehearse', label: 'Rehearse', hint: 'nothing on this host changes'},
						{value: 'quit', label: 'Quit'},
					]}
					onSelect={onChoose}
				/>
			</Box>
			<KeyHelp keys={[['↑↓', 'move'], ['Enter', 'choose'], ...quitKeys]} />
		</Box>
	);
}
