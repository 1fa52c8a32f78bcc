// The operator's turn (an OS install over VNC): where the console is, the
// password file, a tunnel command ready to copy, and "it is finished" / later.
import {Box, Text} from 'ink';
import type {CheckpointAction} from '../../actions/action.js';
import {KeyHelp, quitKeys} from '../components/KeyHelp.js';
import {Select} from '../components/Select.js';
import {tunnelCommand} from '../tunnel.js';

export type CheckpointChoice = 'done' | 'wait';

type Props = {
	action: CheckpointAction;
	sshTarget?: string;
	mode: 'real' | 'rehearsal';
	onChoose: (choice: CheckpointChoice) => void;
};

export function CheckpointScreen({action, sshTarget, mode, onChoose}: Props) {
	const tunnel = tunnelCommand(action, sshTarget);
	const shown = action.details.filter(detail => detail.value !== tunnel);
	const width = Math.max(0, ...shown.map(detail => detail.label.length));
	return (
		<Box flexDirection="column">
			<Text color="yellow" bold>
				◆ Your turn: {action.title}
			</Text>
			<Text>{action.instructions}</Text>
			<Box flexDirection="column" marginTop={1}>
				{shown.map(detail => (
					// Two columns: a long value wraps under itself, not under the labels.
					<Box key={detail.label}>
						<Box width={width + 1} flexShrink={0}>
							<Text dimColor>{detail.label}</Text>
						</Box>
						<Text>{detail.value}</Text>
					</Box>
				))}
			</Box>
			{tunnel ? (
				<Box flexDirection="column" marginTop={1}>
					<Text dimColor>On your own machine, open the tunnel, then point a VNC viewer at localhost:5900:</Text>
					{/* Alone on its line, no border: a mouse selection copies exactly the command. */}
					<Text>{tunnel}</Text>
				</Box>
			) : null}
			{/* Short enough for one line of 80 columns: the screen fits 80x24 with the strip of steps above it. */}
			{mode === 'rehearsal' ? <Text dimColor>Rehearsal: there is no VM to install; confirming records your turn here.</Text> : null}
			<Box>
				<Select<CheckpointChoice>
					items={[
						{value: 'done', label: 'The install has finished', hint: 'go on with the next actions'},
						{value: 'wait', label: 'Not yet: quit', hint: 'the next start comes back to this checkpoint'},
					]}
					onSelect={onChoose}
				/>
			</Box>
			<KeyHelp keys={[['↑↓', 'move'], ['Enter', 'choose'], ...quitKeys]} />
		</Box>
	);
}
