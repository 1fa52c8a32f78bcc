// Applying the plan: starts the run once, turns the runner's questions
// (Decisions) into screens, and shows the step list beside whichever pane is
// current: the plan preview, the running command, a failure or a checkpoint.
import {useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore} from 'react';
import {Box} from 'ink';
import type {CheckpointAction} from '../../actions/action.js';
import type {Recipe} from '../../recipe/schema.js';
import type {Decisions, Failure, PlannedStep, RunResult} from '../../runner/events.js';
import type {WizardOptions} from '../contract.js';
import {QuitHandler} from '../components/keys.js';
import {useTerminalSize} from '../components/useTerminalSize.js';
import {RunStore} from '../run-store.js';
import {CheckpointScreen} from './CheckpointScreen.js';
import {FailureScreen} from './FailureScreen.js';
import {PlanPreview} from './PlanPreview.js';
import {RunningPane} from './RunningPane.js';
import {StepList, StepStrip} from './StepList.js';

type Prompt =
	| {kind: 'preview'; step: PlannedStep; resolve: (decision: 'apply' | 'skip' | 'quit') => void}
	| {kind: 'failure'; failure: Failure; resolve: (decision: 'retry' | 'skip' | 'quit') => void}
	| {kind: 'checkpoint'; action: CheckpointAction; resolve: (decision: 'done' | 'wait') => void};

export type RunEnd =
	| {result: RunResult; then: 'exit' | 'answers'}
	| {error: Error}
	/** Quit while a command ran: the run was told to stop; the journal resumes it. */
	| {interrupted: string};

type Props = {
	options: WizardOptions;
	recipe: Recipe;
	startOver: boolean;
	/** Steps as known before the run (the journal's view), for the sidebar. */
	initialSteps: PlannedStep[];
	onEnd: (end: RunEnd) => void;
	/** Output lines kept for the pane; the store's flush interval. Tests shorten these. */
	flushMs?: number;
};

export function RunPhase({options, recipe, startOver, initialSteps, onEnd, flushMs}: Props) {
	const store = useMemo(() => new RunStore(initialSteps, flushMs === undefined ? {} : {intervalMs: flushMs}), []);
	const [prompt, setPrompt] = useState<Prompt | null>(null);
	const then = useRef<'exit' | 'answers'>('exit');
	const abort = useMemo(() => new AbortController(), []);
	// Only the steps: output-only snapshots redraw the running pane, not this screen.
	const steps = useSyncExternalStore(store.subscribe, store.getSteps);
	const {rows, columns} = useTerminalSize();
	const quit = useContext(QuitHandler);

	useEffect(() => {
		const ask = <T,>(make: (resolve: (value: T) => void) => Prompt) =>
			new Promise<T>(resolve => {
				store.flush();
				setPrompt(
					make(value => {
						setPrompt(null);
						resolve(value);
					}),
				);
			});
		const decisions: Decisions = {
			beforeStep: step => {
				store.updateStep(step);
				return ask(resolve => ({kind: 'preview', step, resolve}));
			},
			onFailure: failure => ask(resolve => ({kind: 'failure', failure, resolve})),
			atCheckpoint: action => ask(resolve => ({kind: 'checkpoint', action, resolve})),
		};
		const known = options.steps ? options.steps(recipe).catch(() => null) : Promise.resolve(null);
		known
			.then(steps => {
				// The journal's view fills the sidebar; events arriving later update it.
				if (steps) store.setPlan(steps);
				return options.run(recipe, {onEvent: store.handle, decisions, signal: abort.signal, startOver});
			})
			.then(
			result => {
				store.flush();
				if (!abort.signal.aborted) onEnd({result, then: then.current});
			},
			(error: Error) => {
				if (!abort.signal.aborted) onEnd({error});
			},
		);
		return () => store.dispose();
	}, []);

	// The store's clock drives the running pane; a question stops it.
	useEffect(() => {
		if (prompt) return;
		store.startHeartbeat();
		return () => store.stopHeartbeat();
	}, [prompt]);

	// q / Ctrl-C: answer a pending question with "quit", or stop the running command.
	useEffect(() => {
		quit.current = () => {
			if (!prompt) {
				const running = store.getSnapshot().running;
				abort.abort();
				onEnd({interrupted: running ? running.action.title : 'the run'});
			} else if (prompt.kind === 'checkpoint') {
				prompt.resolve('wait');
			} else {
				prompt.resolve('quit');
			}
		};
		return () => {
			quit.current = undefined;
		};
	}, [prompt]);

	// Under 100 columns a sidebar would cut the steps' names: a strip above the pane instead.
	const narrow = columns < 100;
	const sidebar = narrow ? 0 : Math.min(36, Math.max(22, Math.floor(columns * 0.28)));
	const paneWidth = narrow ? columns : columns - sidebar - 1;
	// Header line, and one spare: a frame as tall as the terminal scrolls on some terminals (and the strip's two lines).
	const height = rows - 2 - (narrow ? 2 : 0);

	let pane;
	if (prompt?.kind === 'preview') {
		pane = <PlanPreview key={prompt.step.id} step={prompt.step} height={height - 3} width={paneWidth} onChoose={choice => {
			if (choice === 'back') then.current = 'answers';
			prompt.resolve(choice === 'back' ? 'quit' : choice);
		}} />;
	} else if (prompt?.kind === 'failure') {
		pane = (
			<FailureScreen
				failure={prompt.failure}
				lines={Math.max(3, Math.min(12, height - 16))}
				width={paneWidth}
				onChoose={choice => {
					if (choice === 'edit') then.current = 'answers';
					prompt.resolve(choice === 'edit' ? 'quit' : choice);
				}}
			/>
		);
	} else if (prompt?.kind === 'checkpoint') {
		pane = <CheckpointScreen action={prompt.action} sshTarget={options.sshTarget ?? sshTargetOf(recipe)} mode={options.mode} onChoose={prompt.resolve} />;
	} else {
		pane = <RunningPane store={store} lines={Math.max(3, Math.min(15, height - 6))} width={paneWidth} />;
	}

	if (narrow) {
		const current = prompt?.kind === 'preview' ? prompt.step.id : undefined;
		return (
			<Box flexDirection="column" width={columns}>
				<StepStrip steps={steps} current={current} />
				<Box flexDirection="column" width={paneWidth}>
					{pane}
				</Box>
			</Box>
		);
	}
	return (
		<Box>
			<StepList steps={steps} width={sidebar} />
			<Box flexDirection="column" width={paneWidth}>
				{pane}
			</Box>
		</Box>
	);
}

function sshTargetOf(recipe: Recipe): string {
	return `root@${recipe.host.public_address ?? recipe.host.hostname}`;
}
