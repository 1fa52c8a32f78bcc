// One question, one field: a text field checked as you type, a list of
// detected choices, or the disk list (a disk in use needs its name typed).
import {useEffect, useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import type {DetectedDisk} from '../../host/detect.js';
import {KeyHelp, quitKeys, textQuitKeys} from '../components/KeyHelp.js';
import {useKeys} from '../components/keys.js';
import {Select, type Item} from '../components/Select.js';
import {TextInput} from '../components/TextInput.js';
import {contextFor, judge, lookUp, noDisk, questionText, type Question, type Wizard} from '../questions.js';

type Props = {
	wizard: Wizard;
	question: Question;
	/** 1-based position, and how many questions there are now. */
	position: number;
	total: number;
	onAnswer: (text: string) => void;
	/** Esc: the previous question (absent on the first). */
	onBack?: () => void;
};

export function QuestionScreen(props: Props) {
	const {question, position, total} = props;
	const context = useMemo(() => contextFor(props.wizard, question), [props.wizard, question]);
	const choices = question.choices?.(context) ?? [];
	const listed = (question.kind === 'choice' || question.kind === 'disk') && choices.length > (question.kind === 'disk' ? 1 : 0);
	return (
		<Box flexDirection="column">
			<Text>
				<Text dimColor>
					Question {position} of {total} ·{' '}
				</Text>
				<Text bold>{question.title}</Text>
			</Text>
			<Text dimColor>{question.help}</Text>
			<Box marginTop={1} flexDirection="column">
				{question.kind === 'disk' && listed ? (
					<DiskChoice {...props} disks={context.detected.disks} />
				) : listed ? (
					<ChoiceQuestion {...props} />
				) : (
					<TextQuestion {...props} />
				)}
			</Box>
		</Box>
	);
}

function Verdict({refusal, remark, tried}: {refusal: string | null; remark?: string; tried: boolean}) {
	return (
		<Box flexDirection="column">
			{refusal ? (
				<Text color="red" bold={tried} wrap="wrap">
					✗ {refusal}
				</Text>
			) : (
				<Text color="green">✓ ok</Text>
			)}
			{remark ? <Text color="yellow">! {remark}</Text> : null}
		</Box>
	);
}

function TextQuestion({wizard, question, onAnswer, onBack}: Props) {
	const [value, setValue] = useState(() => questionText(wizard, question));
	const [tried, setTried] = useState(false);
	// Bumped when the host was asked about a file the value names (an ISO): judged again with the answer.
	const [looked, setLooked] = useState(0);
	useEffect(() => {
		let current = true;
		void lookUp(wizard, question, value)?.then(() => current && setLooked(count => count + 1));
		return () => {
			current = false;
		};
	}, [wizard, question, value]);
	const verdict = useMemo(() => judge(wizard, question, value), [wizard, question, value, looked]);
	const suggestions = question.suggestions?.(contextFor(wizard, question)) ?? [];
	useKeys((_input, key) => {
		if (key.escape && onBack) onBack();
	});
	return (
		<Box flexDirection="column">
			<Box>
				<Text color="cyan">❯ </Text>
				<TextInput
					value={value}
					onChange={next => {
						setValue(next);
						setTried(false);
					}}
					onSubmit={submitted => {
						// Judge what was submitted: Enter can arrive before the last key's render (or the host's answer).
						const decide = () => {
							if (judge(wizard, question, submitted).refusal) setTried(true);
							else onAnswer(submitted.trim());
						};
						// At once when the host need not be asked: a key typed ahead goes to the next question.
						const asking = lookUp(wizard, question, submitted);
						if (asking) void asking.then(decide);
						else decide();
					}}
					suggestions={suggestions}
					placeholder={question.optional ? '(empty)' : undefined}
				/>
			</Box>
			<Verdict refusal={verdict.refusal} remark={verdict.remark} tried={tried} />
			<Box marginTop={1}>
				<KeyHelp keys={[['Enter', 'accept'], ...(suggestions.length ? [['↑↓', 'detected values'] as [string, string]] : []), ...(onBack ? [['Esc', 'back'] as [string, string]] : []), ...textQuitKeys]} />
			</Box>
		</Box>
	);
}

const other = '\u0000other';

function ChoiceQuestion({wizard, question, onAnswer, onBack}: Props) {
	const context = contextFor(wizard, question);
	const current = questionText(wizard, question);
	const choices = question.choices?.(context) ?? [];
	const [typing, setTyping] = useState(false);
	const [refusal, setRefusal] = useState<string | null>(null);
	useKeys((_input, key) => {
		if (key.escape && onBack) onBack();
	}, !typing);
	if (typing) return <TextQuestion wizard={wizard} question={question} position={0} total={0} onAnswer={onAnswer} onBack={() => setTyping(false)} />;
	// A recipe's value that detection did not find stays offered.
	const items: Array<Item<string>> = choices.some(choice => choice.value === current) || !current ? [...choices] : [{value: current, label: current, hint: 'from the recipe'}, ...choices];
	if (question.id === 'host.public_interface') items.push({value: other, label: 'other…', hint: 'type a name'});
	return (
		<Box flexDirection="column">
			<Select
				items={items}
				initial={current}
				onSelect={value => {
					if (value === other) return setTyping(true);
					const verdict = judge(wizard, question, value);
					if (verdict.refusal) setRefusal(verdict.refusal);
					else onAnswer(value);
				}}
			/>
			{refusal ? <Text color="red">✗ {refusal}</Text> : null}
			<Box marginTop={1}>
				<KeyHelp keys={[['↑↓', 'move'], ['Enter', 'choose'], ...(onBack ? [['Esc', 'back'] as [string, string]] : []), ...quitKeys]} />
			</Box>
		</Box>
	);
}

function DiskChoice({wizard, question, onAnswer, onBack, disks}: Props & {disks: DetectedDisk[]}) {
	const context = contextFor(wizard, question);
	const current = questionText(wizard, question);
	const [confirming, setConfirming] = useState<DetectedDisk | null>(null);
	// Back from a confirmation, the list shows the disk it was about.
	const [highlight, setHighlight] = useState(current);
	const [typed, setTyped] = useState('');
	const [refusal, setRefusal] = useState<string | null>(null);
	useKeys((_input, key) => {
		if (!key.escape) return;
		if (confirming) {
			setConfirming(null);
			setTyped('');
		} else if (onBack) {
			onBack();
		}
	});
	const choose = (value: string) => {
		const verdict = judge(wizard, question, value);
		if (verdict.refusal) return setRefusal(verdict.refusal);
		onAnswer(value);
	};
	if (confirming) {
		const matches = typed.trim() === confirming.name || typed.trim() === confirming.path;
		return (
			<Box flexDirection="column">
				<Text color="red" bold>
					{confirming.path} is in use ({confirming.inUse}).
				</Text>
				<Text>Partitioning it destroys everything on it. To use it anyway, type its name ({confirming.name}) and press Enter.</Text>
				<Box>
					<Text color="cyan">❯ </Text>
					<TextInput value={typed} onChange={setTyped} onSubmit={() => (matches ? choose(confirming.path) : undefined)} />
				</Box>
				<Text color={matches ? 'green' : 'yellow'}>{matches ? `✓ Enter: use ${confirming.path}` : `type ${confirming.name} to confirm`}</Text>
				<Box marginTop={1}>
					<KeyHelp keys={[['Enter', 'confirm'], ['Esc', 'choose another disk'], ...textQuitKeys]} />
				</Box>
			</Box>
		);
	}
	const choices = question.choices?.(context) ?? [];
	const items: Array<Item<string>> = choices.map(choice => {
		const disk = disks.find(candidate => candidate.path === choice.value);
		return {...choice, label: disk?.inUse ? `${choice.label} (in use)` : choice.label};
	});
	if (current && current !== noDisk && !items.some(item => item.value === current)) items.unshift({value: current, label: current, hint: 'from the recipe (not found on this host)'});
	return (
		<Box flexDirection="column">
			<Select
				items={items}
				initial={highlight}
				onSelect={value => {
					const disk = disks.find(candidate => candidate.path === value);
					setHighlight(value);
					if (disk?.inUse) {
						setConfirming(disk);
						setTyped('');
						return;
					}
					choose(value);
				}}
			/>
			{refusal ? <Text color="red">✗ {refusal}</Text> : null}
			<Box marginTop={1}>
				<KeyHelp keys={[['↑↓', 'move'], ['Enter', 'choose'], ...(onBack ? [['Esc', 'back'] as [string, string]] : []), ...quitKeys]} />
			</Box>
		</Box>
	);
}
