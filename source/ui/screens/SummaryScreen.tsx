// The end of the questions: the answers at a glance, any problem left, and the
// choice to start, save the answers as a recipe file, or change an answer.
import {useState} from 'react';
import {Box, Text} from 'ink';
import {KeyHelp, quitKeys, textQuitKeys} from '../components/KeyHelp.js';
import {useKeys} from '../components/keys.js';
import {Select} from '../components/Select.js';
import {TextInput} from '../components/TextInput.js';
import {checkDraft, getPath, type Draft} from '../draft.js';
import {visibleQuestions, type Question} from '../questions.js';
import {summaryLines} from '../summary-lines.js';

export type SummaryChoice = 'start' | 'save' | 'edit' | 'quit';

type Props = {
	draft: Draft;
	/** Where the recipe is saved unless the operator types another path. */
	savePath: string;
	onStart: () => void;
	/** Saves the answers at `path`; resolves to the command that replays them (default: apply --recipe PATH --yes). */
	onSave: (path: string) => Promise<string | void>;
	onEdit: (question: Question) => void;
	onQuit: () => void;
	mode: 'real' | 'rehearsal';
	root: string;
};

export function SummaryScreen({draft, savePath, onStart, onSave, onEdit, onQuit, mode, root}: Props) {
	const [stage, setStage] = useState<'menu' | 'save' | 'edit'>('menu');
	const [path, setPath] = useState(savePath);
	const [saved, setSaved] = useState<{path: string; replay: string} | null>(null);
	const [saveError, setSaveError] = useState<string | null>(null);
	const {problems} = checkDraft(draft);
	useKeys((_input, key) => {
		if (key.escape) setStage('menu');
	}, stage !== 'menu');

	return (
		<Box flexDirection="column">
			<Text bold>Your site</Text>
			{summaryLines(draft).map(([label, value], index) => (
				// A value wider than the screen goes on under itself, between words: nothing is cut.
				<Box key={index}>
					<Box width={10} flexShrink={0}>
						<Text color="cyan">{label}</Text>
					</Box>
					<Text wrap="wrap">{value}</Text>
				</Box>
			))}
			<Text dimColor>{mode === 'rehearsal' ? `Rehearsal: files go under ${root}, commands are only recorded.` : 'This host will be changed, one confirmed step at a time.'}</Text>
			{problems.length > 0 ? (
				<Box flexDirection="column" marginTop={1}>
					<Text color="red" bold>
						{problems.length} problem{problems.length > 1 ? 's' : ''} to fix before starting:
					</Text>
					{problems.slice(0, 5).map(problem => (
						<Text key={problem} color="red">
							✗ {problem}
						</Text>
					))}
				</Box>
			) : null}
			{saved ? (
				<Text color="green">
					✓ Saved to {saved.path}: replay it with `{saved.replay}`
				</Text>
			) : null}
			{saveError ? <Text color="red">✗ {saveError}</Text> : null}
			<Box marginTop={1} flexDirection="column">
				{stage === 'menu' ? (
					<>
						<Select<SummaryChoice>
							items={[
								{value: 'start', label: 'Start', hint: "show each step's plan, then apply it", disabled: problems.length > 0},
								{value: 'save', label: 'Save as recipe…', hint: 'to replay unattended later'},
								{value: 'edit', label: 'Change an answer…'},
								{value: 'quit', label: 'Quit'},
							]}
							initial={problems.length > 0 ? 'edit' : 'start'}
							onSelect={choice => {
								if (choice === 'start') onStart();
								else if (choice === 'quit') onQuit();
								else setStage(choice);
							}}
						/>
						<Box marginTop={1}>
							<KeyHelp keys={[['↑↓', 'move'], ['Enter', 'choose'], ...quitKeys]} />
						</Box>
					</>
				) : stage === 'save' ? (
					<>
						<Text>Save the answers as a recipe file:</Text>
						<Box>
							<Text color="cyan">❯ </Text>
							<TextInput
								value={path}
								onChange={setPath}
								onSubmit={value => {
									const target = value.trim();
									if (!target) return;
									onSave(target).then(
										replay => {
											setSaved({path: target, replay: replay || `ganeti-wizard apply --recipe ${target} --yes`});
											setSaveError(null);
											setStage('menu');
										},
										(error: Error) => setSaveError(`${target} could not be written: ${error.message}`),
									);
								}}
							/>
						</Box>
						<Box marginTop={1}>
							<KeyHelp keys={[['Enter', 'save'], ['Esc', 'cancel'], ...textQuitKeys]} />
						</Box>
					</>
				) : (
					<>
						<Text>Which answer?</Text>
						<Select
							items={visibleQuestions(draft).map(question => ({value: question.id, label: question.title, hint: answerOf(draft, question)}))}
							onSelect={id => onEdit(visibleQuestions(draft).find(question => question.id === id)!)}
							visible={8}
						/>
						<Box marginTop={1}>
							<KeyHelp keys={[['↑↓', 'move'], ['Enter', 'change'], ['Esc', 'cancel'], ...quitKeys]} />
						</Box>
					</>
				)}
			</Box>
		</Box>
	);
}

function answerOf(draft: Draft, question: Question): string {
	if (question.id === 'storage.disk') return String(getPath(draft, ['storage', 'disk']) ?? 'none');
	if (question.id === 'vm') return Array.isArray(draft.instances) && draft.instances.length > 0 ? 'yes' : 'no';
	if (question.id === 'vm.install') return getPath(draft, ['instances', 0, 'install', 'os']) ? 'OS definition' : 'ISO image';
	const value = question.path ? getPath(draft, question.path) : undefined;
	return Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
}
