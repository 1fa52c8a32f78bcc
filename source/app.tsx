// The Ink root: which screen is in front, and the keys that work everywhere
// (? help, q quit to resume later, Ctrl-C). Screens only show and ask; the
// host, the journal and the runner are reached through WizardOptions.
import {useEffect, useMemo, useRef, useState} from 'react';
import {Box, Text, useApp} from 'ink';
import {nothingDetected, type Detected} from './host/detect.js';
import type {Recipe} from './recipe/schema.js';
import type {PlannedStep} from './runner/events.js';
import {closing, wizardPlace} from './ui/closing.js';
import {KeyHelp} from './ui/components/KeyHelp.js';
import {KeysActive, QuitHandler, TextEntry, useHoldKeys, useKeys} from './ui/components/keys.js';
import {Spinner} from './ui/components/Spinner.js';
import type {WizardExit, WizardOptions} from './ui/contract.js';
import {checkDraft, draftFromRecipe, type Draft} from './ui/draft.js';
import {recipeToSave} from './ui/save.js';
import {newWizard, playAnswers, questions, visibleQuestions, type Wizard} from './ui/questions.js';
import {HelpOverlay} from './ui/screens/HelpOverlay.js';
import {QuestionScreen} from './ui/screens/QuestionScreen.js';
import {RehearsalOffer} from './ui/screens/RehearsalOffer.js';
import {ResumeScreen} from './ui/screens/ResumeScreen.js';
import {RunPhase, type RunEnd} from './ui/screens/RunPhase.js';
import {SummaryScreen} from './ui/screens/SummaryScreen.js';
import {VmAddScreen} from './ui/screens/VmAddScreen.js';
import {isHandover, siteFinished} from './ui/resume-view.js';

type Screen =
	| {name: 'offer'}
	| {name: 'resume'}
	| {name: 'vm-add'}
	| {name: 'question'; id: string; thenSummary: boolean}
	| {name: 'summary'}
	| {name: 'run'; recipe: Recipe; startOver: boolean; steps: PlannedStep[]; attempt: number}
	| {name: 'finished'; exit: WizardExit};

type Props = {
	options: WizardOptions;
	onExit: (exit: WizardExit) => void;
	/** Run store flush interval (tests). */
	flushMs?: number;
};

export function App({options: given, onExit, flushMs}: Props) {
	const {exit} = useApp();
	const [options, setOptions] = useState(given);
	const [detected, setDetected] = useState<Detected | null>(null);
	const [prefill, setPrefill] = useState<Draft | null>(() => prefillOf(given));
	const [wizard, setWizard] = useState<Wizard | null>(null);
	const [screen, setScreen] = useState<Screen>(() => firstScreen(given));
	const [help, setHelp] = useState(false);
	const [savedRecipe, setSavedRecipe] = useState<string | undefined>();
	const startOver = useRef(false);
	const textEntry = useRef(false);
	const textEntryContext = useMemo(() => ({set: (taking: boolean) => (textEntry.current = taking)}), []);
	const quitHandler = useMemo<{current: (() => void) | undefined}>(() => ({current: undefined}), []);
	const resume = options.resumeCommand ?? 'ganeti-wizard';

	useEffect(() => {
		options.detect().then(setDetected, () => setDetected(nothingDetected));
	}, []);

	// The answers start from what was saved, or from --recipe, once detection is in.
	useEffect(() => {
		if (detected && !wizard) setWizard(newWizard(prefill, detected));
	}, [detected, wizard, prefill]);

	// Leaving draws an empty frame first: the terminal keeps the closing message, not the last screen.
	const [leaving, setLeaving] = useState<WizardExit | null>(null);
	const leave = (result: WizardExit) => setLeaving({...result, ...(savedRecipe ? {savedRecipe} : {})});
	useEffect(() => {
		if (!leaving) return;
		onExit(leaving);
		exit();
	}, [leaving]);
	const quitToResume = () => leave({outcome: 'quit', message: [`Stopped. Run \`${resume}\` again to resume where you left off.`]});
	// Add a VM saves nothing until vm add's plan is confirmed: leaving its questions changes nothing, and nothing resumes them.
	const quit = () => (screen.name === 'vm-add' ? leave({outcome: 'quit', message: ['Stopped: nothing changed.']}) : quitToResume());

	useKeys((input, key) => {
		if (key.ctrl && input === 'c') {
			if (quitHandler.current) quitHandler.current();
			else quit();
			return;
		}
		if (help) {
			if (input === '?' || input === 'q' || key.escape || key.return) setHelp(false);
			return;
		}
		// ? is help on every screen, text fields included.
		if (input === '?') return setHelp(true);
		// The closing screen handles its own keys.
		if (screen.name === 'finished') return;
		// Text fields take q as a letter.
		if (textEntry.current) return;
		if (input === 'q') {
			if (quitHandler.current) quitHandler.current();
			else quit();
		}
	});

	const keepAnswers = (next: Wizard, nextQuestion?: string) => options.keepAnswers?.(playAnswers(next), nextQuestion);
	const draft = useMemo(() => (wizard ? playAnswers(wizard) : null), [wizard]);

	const startRun = (recipe: Recipe) =>
		setScreen(previous => ({name: 'run', recipe, startOver: startOver.current, steps: options.progress?.steps ?? [], attempt: previous.name === 'run' ? previous.attempt + 1 : 0}));

	const onRunEnd = (end: RunEnd) => {
		if ('interrupted' in end) return leave({outcome: 'quit', message: [`Stopped during ${end.interrupted}. Run \`${resume}\` again to resume; it checks what is already done.`]});
		if ('error' in end) return setScreen({name: 'finished', exit: {outcome: 'failed', message: [`The run stopped on an error: ${end.error.message}`]}});
		if (end.then === 'answers') return setScreen({name: 'summary'});
		const exitInfo = closing(end.result, resume, wizardPlace(options, savedRecipe));
		if (end.result.outcome === 'done') setScreen({name: 'finished', exit: exitInfo});
		else leave(exitInfo);
	};

	if (leaving) return null;
	let body;
	if (screen.name === 'offer') {
		body = (
			<RehearsalOffer
				problem={options.realProblem ?? ''}
				onChoose={async choice => {
					if (choice === 'quit' || !options.rehearse) return quitToResume();
					const {root} = await options.rehearse();
					setOptions({...options, mode: 'rehearsal', root, realProblem: undefined});
					setScreen(afterOffer(options));
				}}
			/>
		);
	} else if (screen.name === 'resume') {
		body = (
			<ResumeScreen
				steps={options.progress?.steps ?? []}
				updatedAt={options.progress?.updatedAt}
				finished={siteFinished(options.progress)}
				onChoose={choice => {
					if (choice === 'quit') return quitToResume();
					// "Add a VM" asks its questions here; the plan and the rest go to vm add once the screen is gone.
					if (choice === 'vm-add' && options.vmSite) return setScreen({name: 'vm-add'});
					// Handed to the line-mode command once the screen is gone.
					if (isHandover(choice)) return leave({outcome: 'quit', message: [], then: choice});
					if (choice === 'continue' && options.progress?.recipe) return startRun(options.progress.recipe);
					if (choice === 'start-over') {
						// Fresh answers from detected defaults (and --recipe); the journal and backups stay.
						startOver.current = true;
						setPrefill(options.recipe ? draftFromRecipe(options.recipe) : null);
						setWizard(null);
						return setScreen({name: 'question', id: firstQuestion, thenSummary: false});
					}
					setScreen({name: 'summary'});
				}}
			/>
		);
	} else if (screen.name === 'vm-add') {
		body = <VmAddScreen site={options.vmSite ?? (() => Promise.reject(new Error('not offered here')))} onDone={vm => leave({outcome: 'quit', message: [], then: 'vm-add', vm})} onBack={() => setScreen({name: 'resume'})} />;
	} else if (!wizard || !draft) {
		body = <Loading label="Looking at this host (interfaces, disks, resolvers)…" />;
	} else if (screen.name === 'question') {
		const visible = visibleQuestions(draft);
		const index = Math.max(0, visible.findIndex(question => question.id === screen.id));
		const question = visible[index]!;
		body = (
			<QuestionScreen
				key={question.id}
				wizard={wizard}
				question={question}
				position={index + 1}
				total={visible.length}
				onAnswer={text => {
					const next: Wizard = {...wizard, answers: {...wizard.answers, [question.id]: text}};
					setWizard(next);
					const after = visibleQuestions(playAnswers(next));
					const following = after[after.findIndex(entry => entry.id === question.id) + 1];
					// Where a restart resumes the questions: the next one, none once they lead to the summary.
					keepAnswers(next, screen.thenSummary ? undefined : following?.id);
					setScreen(screen.thenSummary || !following ? {name: 'summary'} : {name: 'question', id: following.id, thenSummary: false});
				}}
				onBack={index > 0 ? () => setScreen({name: 'question', id: visible[index - 1]!.id, thenSummary: false}) : undefined}
			/>
		);
	} else if (screen.name === 'summary') {
		body = (
			<SummaryScreen
				draft={draft}
				mode={options.mode}
				root={options.root}
				savePath={options.recipePath ?? 'site.yaml'}
				onStart={() => {
					const {recipe} = checkDraft(draft);
					if (recipe) startRun(recipe);
				}}
				onSave={async path => {
					const {text, replay} = recipeToSave(options, draft, path, new Date());
					await options.saveRecipe(path, text);
					setSavedRecipe(path);
					return replay;
				}}
				onEdit={question => setScreen({name: 'question', id: question.id, thenSummary: true})}
				onQuit={quitToResume}
			/>
		);
	} else if (screen.name === 'run') {
		body = <RunPhase key={screen.attempt} options={options} recipe={screen.recipe} startOver={screen.startOver} initialSteps={screen.steps} onEnd={onRunEnd} flushMs={flushMs} />;
	} else {
		body = <Finished exit={screen.exit} onLeave={() => leave(screen.exit)} />;
	}

	return (
		<TextEntry.Provider value={textEntryContext}>
			<QuitHandler.Provider value={quitHandler}>
				<Box flexDirection="column">
					<Text>
						<Text bold color="cyan">
							ganeti-wizard
						</Text>
						<Text dimColor>{options.mode === 'rehearsal' ? ` · rehearsal under ${options.root} (nothing on this host changes)` : ' · acting on this host'}</Text>
					</Text>
					{help ? <HelpOverlay mode={options.mode} /> : null}
					<KeysActive.Provider value={!help}>
						<Box display={help ? 'none' : 'flex'} flexDirection="column">
							{body}
						</Box>
					</KeysActive.Provider>
				</Box>
			</QuitHandler.Provider>
		</TextEntry.Provider>
	);
}

/** A spinner while nothing can be answered yet: keys typed meanwhile go to the first screen that asks. */
function Loading({label}: {label: string}) {
	useHoldKeys();
	return <Spinner label={label} />;
}

function Finished({exit, onLeave}: {exit: WizardExit; onLeave: () => void}) {
	useKeys((input, key) => {
		if (key.return || input === 'q' || key.escape) onLeave();
	});
	// The lines say what happened and what comes next: wrapped between words, never cut.
	return (
		<Box flexDirection="column">
			{exit.message.map((line, index) => (
				<Text key={index} wrap="wrap" color={index === 0 ? (exit.outcome === 'done' ? 'green' : 'red') : undefined}>
					{line}
				</Text>
			))}
			<KeyHelp keys={[['Enter', 'leave'], ['?', 'help']]} />
		</Box>
	);
}

function firstScreen(options: WizardOptions): Screen {
	if (options.realProblem && options.mode === 'real') return {name: 'offer'};
	return afterOffer(options);
}

const firstQuestion = questions[0]!.id;

function afterOffer(options: WizardOptions): Screen {
	// Stopped in the middle of the questions (nothing run yet): ask the rest, from where it stopped.
	const stoppedAt = options.progress?.nextQuestion;
	if (stoppedAt && questions.some(question => question.id === stoppedAt)) return {name: 'question', id: stoppedAt, thenSummary: false};
	return options.progress ? {name: 'resume'} : {name: 'question', id: firstQuestion, thenSummary: false};
}

function prefillOf(options: WizardOptions): Draft | null {
	const saved = options.progress;
	if (saved?.recipe) return draftFromRecipe(saved.recipe);
	if (saved?.answers && Object.keys(saved.answers).length > 0) return saved.answers as Draft;
	return options.recipe ? draftFromRecipe(options.recipe) : null;
}
