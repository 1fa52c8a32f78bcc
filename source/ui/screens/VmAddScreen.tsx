// "Add a VM" on a finished site: vm add's questions (defined once in
// vm-flow.ts, the same ones line mode asks), one at a time, each answer
// judged by vm add's own checks before the next. The answers go to vm add,
// which shows the plan and asks to apply it, once the wizard is gone.
import {useEffect, useState} from 'react';
import {Box, Text} from 'ink';
import {KeyHelp, quitKeys, textQuitKeys} from '../components/KeyHelp.js';
import {useKeys} from '../components/keys.js';
import {Select} from '../components/Select.js';
import {Spinner} from '../components/Spinner.js';
import {TextInput} from '../components/TextInput.js';
import {judgeVm, openQuestions, valuesOf, type VmAnswers, type VmQuestion, type VmSite, type VmValues} from '../vm-flow.js';

type Props = {
	/** Opens the saved site as the questions see it. */
	site: () => Promise<VmSite>;
	onDone: (vm: {name: string; values: VmValues}) => void;
	/** Esc at the first question: back to the menu. */
	onBack: () => void;
};

export function VmAddScreen({site: openSite, onDone, onBack}: Props) {
	const [site, setSite] = useState<VmSite | null>(null);
	const [problem, setProblem] = useState<string | null>(null);
	const [answers, setAnswers] = useState<VmAnswers>({});
	// The questions answered, in order: Esc goes back through them.
	const [asked, setAsked] = useState<Array<keyof VmAnswers>>([]);
	useEffect(() => {
		openSite().then(setSite, (error: Error) => setProblem(error.message));
	}, []);
	const open = openQuestions(answers);
	const question = open[0];
	useEffect(() => {
		if (site && !question) onDone({name: answers.name!, values: valuesOf(site, answers)});
	}, [site, question]);
	if (problem) return <Text color="red">The saved site cannot be opened: {problem}</Text>;
	if (!site) return <Spinner label="Opening the saved site…" />;
	if (!question) return <Spinner label="Checking the VM…" />;

	const back = () => {
		const previous = asked.at(-1);
		if (previous === undefined) return onBack();
		setAsked(asked.slice(0, -1));
		setAnswers(Object.fromEntries(Object.entries(answers).filter(([id]) => id !== previous)) as VmAnswers);
	};
	const answer = (text: string) => {
		setAnswers({...answers, [question.id]: text});
		setAsked([...asked, question.id]);
	};
	const total = asked.length + open.length;
	return (
		<Box flexDirection="column">
			<Text>
				<Text dimColor>
					Add a VM · question {asked.length + 1} of {total} ·{' '}
				</Text>
				<Text bold>{question.title}</Text>
			</Text>
			<Text dimColor>{question.help(site)}</Text>
			<Box marginTop={1} flexDirection="column">
				<VmQuestionInput key={question.id} site={site} answers={answers} question={question} last={open.length === 1} onAnswer={answer} onBack={back} />
			</Box>
		</Box>
	);
}

type InputProps = {site: VmSite; answers: VmAnswers; question: VmQuestion; last: boolean; onAnswer: (text: string) => void; onBack: () => void};

/** One question: a text field or a list; the answer is judged (vm add's checks) before it is taken. */
function VmQuestionInput({site, answers, question, last, onAnswer, onBack}: InputProps) {
	const [value, setValue] = useState(() => question.fallback(site));
	const [refusal, setRefusal] = useState<string | null>(null);
	const [checking, setChecking] = useState(false);
	useKeys((_input, key) => {
		if (key.escape && !checking) onBack();
	});
	const submit = (text: string) => {
		if (checking) return;
		setChecking(true);
		void judgeVm(site, answers.name ?? '', answers, question, text, last).then(verdict => {
			setChecking(false);
			setRefusal(verdict);
			if (verdict === null) onAnswer(text.trim());
		});
	};
	const choices = question.choices?.(site);
	return (
		<Box flexDirection="column">
			{choices ? (
				<Select items={choices} initial={question.fallback(site)} onSelect={submit} active={!checking} />
			) : (
				<Box>
					<Text color="cyan">❯ </Text>
					<TextInput
						value={value}
						onChange={next => {
							setValue(next);
							setRefusal(null);
						}}
						onSubmit={submit}
						active={!checking}
						placeholder={question.id === 'extraDisk' ? '(none)' : undefined}
					/>
				</Box>
			)}
			{checking ? <Text dimColor>checking…</Text> : refusal ? <Text color="red" wrap="wrap">✗ {refusal}</Text> : null}
			<Box marginTop={1}>
				<KeyHelp keys={[[choices ? '↑↓ Enter' : 'Enter', 'accept'], ['Esc', 'back'], ...(choices ? quitKeys : textQuitKeys)]} />
			</Box>
		</Box>
	);
}
