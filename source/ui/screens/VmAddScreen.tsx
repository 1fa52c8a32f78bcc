// "Add a VM" on a finished site: vm add's questions (defined once in
// vm-flow.ts, the same ones line mode asks), one at a time, each answer
// judged by vm add's own checks before the next. The answers go to vm add,
// which shows the plan and asks to apply it, once the wizard is gone.
import {useEffect, useState} from 'react';
import {Box, Text} from 'ink';
import {KeyHelp, type KeyHint} from '../components/KeyHelp.js';
import {useHoldKeys, useKeys} from '../components/keys.js';
import {Select} from '../components/Select.js';
import {Spinner} from '../components/Spinner.js';
import {TextInput} from '../components/TextInput.js';
import {judgeVm, valuesOf, vmQuestions, type VmAnswers, type VmQuestion, type VmSite, type VmValues} from '../vm-flow.js';

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
	// Every answer given, kept when Esc goes back past it: its question shows it again.
	const [answers, setAnswers] = useState<VmAnswers>({});
	// The questions answered, in order: Esc goes back through them.
	const [asked, setAsked] = useState<Array<keyof VmAnswers>>([]);
	useEffect(() => {
		openSite().then(setSite, (error: Error) => setProblem(error.message));
	}, []);
	// What the questions so far answered: those after the one asked count as not given yet.
	const sofar = Object.fromEntries(asked.map(id => [id, answers[id]])) as VmAnswers;
	const open = vmQuestions.filter(question => !asked.includes(question.id) && (!question.when || question.when(sofar)));
	const question = open[0];
	useEffect(() => {
		if (site && !question) onDone({name: sofar.name!, values: valuesOf(site, sofar)});
	}, [site, question]);
	if (problem) return <Text color="red">The saved site cannot be opened: {problem}</Text>;
	if (!site) return <Loading label="Opening the saved site…" />;
	if (!question) return <Loading label="Checking the VM…" />;

	const back = () => {
		if (asked.length === 0) return onBack();
		setAsked(asked.slice(0, -1));
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
				<VmQuestionInput key={question.id} site={site} answers={sofar} given={answers[question.id]} question={question} last={open.length === 1} onAnswer={answer} onBack={back} />
			</Box>
		</Box>
	);
}

/** Nothing to answer yet: keys typed meanwhile wait for the question after it. */
function Loading({label}: {label: string}) {
	useHoldKeys();
	return <Spinner label={label} />;
}

/** While an answer is checked: keys typed ahead wait, in order, for the question that follows (or this one again). */
function HoldKeys() {
	useHoldKeys();
	return null;
}

/**
 * The quit keys of this screen: nothing is saved while the VM's questions are
 * asked (vm add changes the site only after its plan is confirmed), so quitting
 * here changes nothing and the next start does not come back to them.
 */
export function vmQuitKeys(list: boolean): KeyHint[] {
	// In a field q is a letter: Ctrl-C leaves.
	return [
		['?', 'help'],
		[list ? 'q' : 'Ctrl-C', 'quit: nothing changed'],
	];
}

type InputProps = {site: VmSite; answers: VmAnswers; given: string | undefined; question: VmQuestion; last: boolean; onAnswer: (text: string) => void; onBack: () => void};

/** One question: a text field or a list; the answer is judged (vm add's checks) before it is taken. */
function VmQuestionInput({site, answers, given, question, last, onAnswer, onBack}: InputProps) {
	const [value, setValue] = useState(() => given ?? question.fallback(site));
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
				<Select items={choices} initial={given ?? question.fallback(site)} onSelect={submit} active={!checking} />
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
			{checking ? <HoldKeys /> : null}
			{checking ? <Text dimColor>checking…</Text> : refusal ? <Text color="red" wrap="wrap">✗ {refusal}</Text> : null}
			<Box marginTop={1}>
				<KeyHelp keys={[[choices ? '↑↓ Enter' : 'Enter', 'accept'], ['Esc', 'back'], ...vmQuitKeys(Boolean(choices))]} />
			</Box>
		</Box>
	);
}
