// Plain mode, for serial consoles, screen readers and dumb terminals: the same
// questions and decisions as the TUI, asked with inquirer prompts, and progress
// as one line per status change. Never mounts Ink (the two cannot share stdin).
import {Writable} from 'node:stream';
import {Chalk, type ChalkInstance} from 'chalk';
import wrapAnsi from 'wrap-ansi';
import type {CheckpointAction} from '../actions/action.js';
import {nothingDetected, type Detected} from '../host/detect.js';
import type {Recipe} from '../recipe/schema.js';
import type {Decisions, Failure, PlannedStep, RunEvent} from '../runner/events.js';
import {closing, wizardPlace} from './closing.js';
import type {WizardExit, WizardOptions} from './contract.js';
import {checkDraft, draftFromRecipe, type Draft} from './draft.js';
import {recipeToSave} from './save.js';
import {loadDiff, planLines} from './plan-lines.js';
import {contextFor, judge, lookUp, newWizard, noDisk, playAnswers, questionText, visibleQuestions, type Question, type Wizard} from './questions.js';
import {isHandover, resumeChoices, resumeView, siteFinished} from './resume-view.js';
import {tunnelCommand} from './tunnel.js';
import {KeyFeed} from './key-feed.js';
import {lineReporter} from './lines.js';
import {summaryLines} from './summary-lines.js';
import {cleanLine, oneLine, quoteArgv} from './text.js';

export type PlainStreams = {input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream};

type Choice<V extends string> = {value: V; name: string; description?: string};

/** The two kinds of prompt plain mode needs; inquirer provides them. */
export type Prompter = {
	text: (message: string, options: {default?: string; validate?: (value: string) => true | string | Promise<true | string>}) => Promise<string>;
	select: <V extends string>(message: string, choices: Array<Choice<V>>, initial?: V) => Promise<V>;
};

/** Whether escape codes may be written to this stream. */
export function colourAllowed(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
	const noColour = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
	return !noColour && Boolean((stream as NodeJS.WriteStream).isTTY) && env['TERM'] !== 'dumb';
}

/**
 * Line-mode prompts on `streams` (default stdin and stdout), with line editing
 * on every terminal: plain mode's, and any command's that asks a question or two.
 * Ctrl-C inside a prompt rejects with inquirer's ExitPromptError.
 */
export async function plainPrompter(streams: PlainStreams = {}, help?: string[]): Promise<Prompter> {
	const output = streams.output ?? process.stdout;
	const input = streams.input ?? process.stdin;
	const {createPromptModule} = await import('inquirer');
	// One reader of the input for every prompt: keys typed ahead of a prompt's end reach the next one.
	const keys = new KeyFeed(input);
	// Each prompt ends the stream it writes to when it closes: give each one a
	// fresh stand-in that forwards to the real output and never ends it.
	const ask = async <T>(question: Record<string, unknown>, validate?: (value: string) => true | string | Promise<true | string>): Promise<T> => {
		for (;;) {
			// A ? on its own stops the prompt, shows the help, and asks the same again.
			const helped = new AbortController();
			try {
				return await askOnce<T>(question, validate, help ? () => helped.abort() : undefined, helped.signal);
			} catch (error) {
				if (!helped.signal.aborted) throw error;
			}
			for (const line of help ?? []) output.write(`${wrapTo(output, line)}\n`);
		}
	};
	const askOnce = async <T>(question: Record<string, unknown>, validate: ((value: string) => true | string | Promise<true | string>) | undefined, onHelp: (() => void) | undefined, signal: AbortSignal): Promise<T> => {
		const stand = new Writable({write: (chunk, encoding, done) => void output.write(chunk, encoding, done)});
		Object.assign(stand, {isTTY: (output as NodeJS.WriteStream).isTTY, columns: (output as NodeJS.WriteStream).columns, rows: (output as NodeJS.WriteStream).rows});
		const fed = keys.open();
		fed.onHelp = onHelp;
		try {
			const prompt = createPromptModule({input: fed.stream, output: stand, signal} as never);
			for (const [type, make] of Object.entries(prompt.prompts)) prompt.registerPrompt(type, withLineEditing(make as never) as never);
			const closed = new Promise(resolve => stand.once('finish', resolve));
			// Keys wait while an answer is checked (the prompt ignores them meanwhile), and
			// until the prompt has acted on the verdict: a slow check's answer ends the
			// prompt a moment after it, and a key fed in between was lost.
			const checked = validate
				? {
						validate: (value: string) => {
							const verdict = Promise.resolve(validate(value));
							void fed.busy(verdict.then(async result => (result === true ? closed : new Promise(resolve => setImmediate(resolve)))));
							// A refusal wraps between words too; inquirer prints it after "> ", and the terminal would cut a word.
							return verdict.then(result => refusalWrapped(output, result));
						},
					}
				: {};
			const answer = (await (prompt([{...question, ...checked, name: 'value'}] as never) as Promise<{value: T}>)).value;
			// The prompt's last words (its answer line, the cursor) come before the next line of ours.
			await Promise.race([closed, new Promise(resolve => setTimeout(resolve, 200))]);
			return answer;
		} finally {
			fed.close();
		}
	};
	return {
		text: (message, {default: initial, validate}) => ask<string>({type: 'input', message, default: initial}, validate),
		select: (message, choices, initial) => ask({type: 'select', message, choices, default: initial, pageSize: 12}),
	};
}

/** What `?` shows in line mode, before the question is asked again. */
export function plainHelp(mode: 'real' | 'rehearsal'): string[] {
	return [
		'',
		'Help',
		`The wizard asks what it cannot detect, shows each step's plan (files as diffs, commands as they will run) and applies it only when you say so.${mode === 'rehearsal' ? ' This is a rehearsal: files go under a folder and commands are only recorded.' : ''}`,
		'The line above each question says what its value is for. Enter accepts the value shown (a default in brackets); in a list, ↑ ↓ move and Enter chooses.',
		'In a field: Backspace or Ctrl-H a character, Ctrl-W a word, Ctrl-U all before the cursor.',
		'This help comes with ? at every question (no value the wizard asks for holds a ?).',
		'Ctrl-C quit at any time; the next start resumes where you left, and progress is saved after every change.',
		'Every command and its output also go to the transcript beside the saved progress.',
		'',
	];
}

/**
 * `line` wrapped between words at the width of `output` when it is a
 * terminal (as is, elsewhere). A line that gives a command to copy (in
 * backquotes) stays one line: the terminal's own wrap keeps it whole to copy.
 */
/** A validation's answer for inquirer: a refusal wrapped to the terminal less inquirer's "> " prefix; true as is. */
function refusalWrapped(output: NodeJS.WritableStream, verdict: true | string): true | string {
	const columns = (output as NodeJS.WriteStream).isTTY ? (output as NodeJS.WriteStream).columns : undefined;
	return typeof verdict === 'string' && columns && columns > 20 ? wrapAnsi(verdict, columns - 2, {hard: true, trim: false}) : verdict;
}

function wrapTo(output: NodeJS.WritableStream, line: string): string {
	const columns = (output as NodeJS.WriteStream).isTTY ? (output as NodeJS.WriteStream).columns : undefined;
	return columns && !/`[^`]+`/.test(line) ? wrapAnsi(line, columns, {hard: true, trim: false}) : line;
}

export async function startPlain(options: WizardOptions, streams: PlainStreams = {}): Promise<WizardExit> {
	const output = streams.output ?? process.stdout;
	const prompter = await plainPrompter(streams, plainHelp(options.mode));
	try {
		// Our lines wrap between words: the terminal would cut a word at its edge.
		return await plainWizard(options, prompter, line => output.write(`${wrapTo(output, line)}\n`), colourAllowed(output));
	} catch (error) {
		// Ctrl-C inside a prompt: inquirer rejects with ExitPromptError.
		if ((error as Error).name === 'ExitPromptError') return {outcome: 'quit', message: [`Stopped. Run \`${options.resumeCommand ?? 'ganeti-wizard'}\` again to resume.`]};
		throw error;
	}
}

/**
 * A prompt maker whose prompts edit the line on every terminal. Node's readline
 * drops its line editor when TERM is "dumb" as an interface is made
 * (lib/readline.js: it then only appends what arrives), so Backspace, Ctrl-H,
 * Ctrl-U and Ctrl-W became part of the answer on a serial console. The prompts
 * mute readline's own echo and draw the line themselves, so its editor is safe
 * there too: the interface is made (synchronously, inside `make`) with TERM
 * unset, and TERM is back before anything else runs.
 */
export function withLineEditing<Args extends unknown[], Result>(make: (...args: Args) => Result): (...args: Args) => Result {
	return (...args) => {
		const term = process.env['TERM'];
		if (term !== 'dumb') return make(...args);
		delete process.env['TERM'];
		try {
			return make(...args);
		} finally {
			process.env['TERM'] = term;
		}
	};
}

/** The whole plain-mode conversation over any prompter (tests drive it without a terminal). */
export async function plainWizard(options: WizardOptions, prompter: Prompter, write: (line: string) => void, colour: boolean): Promise<WizardExit> {
	const paint = new Chalk({level: colour ? 1 : 0});
	const resume = options.resumeCommand ?? 'ganeti-wizard';
	const quit: WizardExit = {outcome: 'quit', message: [`Stopped. Run \`${resume}\` again to resume where you left off.`]};
	let mode = options.mode;
	let root = options.root;

	if (options.realProblem && mode === 'real') {
		write(paint.yellow(`This host cannot be set up for real: ${options.realProblem}`));
		const choice = await prompter.select('Rehearse instead (files under a folder, commands listed, nothing run)?', [
			{value: 'rehearse', name: 'Rehearse'},
			{value: 'quit', name: 'Quit'},
		]);
		if (choice === 'quit' || !options.rehearse) return quit;
		({root} = await options.rehearse());
		mode = 'rehearsal';
	}
	write(mode === 'rehearsal' ? `Rehearsal under ${root}: nothing on this host changes.` : 'Acting on this host, one confirmed step at a time.');

	const detectedPromise = options.detect().catch(() => nothingDetected);
	let prefill: Draft | null = options.recipe ? draftFromRecipe(options.recipe) : null;
	let startOver = false;
	let goStraight: Recipe | null = null;
	let review = false;
	// Stopped in the middle of the questions (nothing run yet): ask the rest, from where it stopped.
	const resumeAt = !options.progress?.recipe ? options.progress?.nextQuestion : undefined;
	if (options.progress && resumeAt) {
		write(paint.bold(`Saved answers: the questions go on from where they stopped.`));
		prefill = (options.progress.answers as Draft | undefined) ?? prefill;
	} else if (options.progress) {
		const view = resumeView(options.progress.steps);
		write(paint.bold('Saved progress'));
		write(`Done: ${view.done.length ? view.done.map(step => step.title).join(', ') : 'nothing yet'}`);
		write(`Interrupted: ${view.interrupted ? `${view.interrupted.step.title}: ${view.interrupted.title} (${view.interrupted.status})` : 'nothing'}`);
		write(`Next: ${view.next ? `${view.next.step.title}: ${view.next.title}` : 'nothing left'}`);
		const finished = siteFinished(options.progress);
		if (finished) write(paint.bold('The site is set up. What next?'));
		const choice = await prompter.select(
			'What now?',
			resumeChoices(finished).map(item => ({value: item.value, name: item.label, ...(item.hint ? {description: item.hint} : {})})),
		);
		if (choice === 'quit') return quit;
		// Handed to the line-mode command once the wizard is gone ("add a VM" asks its questions there).
		if (isHandover(choice)) return {outcome: 'quit', message: [], then: choice};
		const saved = options.progress.recipe ? draftFromRecipe(options.progress.recipe) : ((options.progress.answers as Draft | undefined) ?? null);
		if (choice === 'start-over') startOver = true;
		else prefill = saved ?? prefill;
		if (choice === 'continue' && options.progress.recipe) goStraight = options.progress.recipe;
		review = choice === 'review' || (choice === 'continue' && !goStraight);
	}

	const detected: Detected = await detectedPromise;
	let wizard = newWizard(prefill, detected);
	let savedRecipe: string | undefined;

	if (!goStraight && !review) wizard = await askAll(wizard, prompter, write, paint, options, resumeAt);
	for (;;) {
		let recipe = goStraight;
		goStraight = null;
		while (!recipe) {
			const draft = playAnswers(wizard);
			const {recipe: checked, problems} = checkDraft(draft);
			write('');
			write(paint.bold('Your site'));
			for (const [label, value] of summaryLines(draft)) write(`  ${label.padEnd(9)} ${value}`);
			for (const problem of problems) write(paint.red(`  problem: ${problem}`));
			const choice = await prompter.select('Next?', [
				...(checked ? [{value: 'start' as const, name: 'Start', description: "show each step's plan, then apply it"}] : []),
				{value: 'save' as const, name: 'Save as recipe'},
				{value: 'edit' as const, name: 'Change an answer'},
				{value: 'quit' as const, name: 'Quit'},
			]);
			if (choice === 'quit') return {...quit, ...(savedRecipe ? {savedRecipe} : {})};
			if (choice === 'start') recipe = checked;
			if (choice === 'save') {
				const path = (await prompter.text('Save the answers as a recipe file:', {default: options.recipePath ?? 'site.yaml'})).trim();
				const {text, replay} = recipeToSave(options, draft, path, new Date());
				await options.saveRecipe(path, text);
				savedRecipe = path;
				write(paint.green(`Saved to ${path}: replay it with \`${replay}\``));
			}
			if (choice === 'edit') {
				const visible = visibleQuestions(draft);
				const id = await prompter.select('Which answer?', visible.map(question => ({value: question.id, name: question.title})));
				wizard = await askOne(wizard, visible.find(question => question.id === id)!, prompter, write, paint);
				options.keepAnswers?.(playAnswers(wizard));
			}
		}

		let backToAnswers = false;
		const decisions: Decisions = {
			beforeStep: async step => {
				showPlan(step, write, paint, await loadDiff());
				const choice = await prompter.select(`Apply "${step.title}"?`, [
					{value: 'apply', name: 'Apply'},
					{value: 'skip', name: 'Skip this step'},
					{value: 'back', name: 'Back to the answers'},
					{value: 'quit', name: 'Quit (resume later)'},
				]);
				if (choice === 'back') backToAnswers = true;
				return choice === 'back' ? 'quit' : choice;
			},
			onFailure: async failure => {
				showFailure(failure, write, paint);
				const choice = await prompter.select('What now?', [
					{value: 'retry', name: 'Retry'},
					...(failure.skippable ? [{value: 'skip' as const, name: 'Skip', description: 'later steps do not need it'}] : []),
					{value: 'edit', name: 'Edit answers'},
					{value: 'quit', name: 'Quit (resume later)'},
				]);
				if (choice === 'edit') backToAnswers = true;
				return choice === 'edit' ? 'quit' : choice;
			},
			atCheckpoint: async action => {
				showCheckpoint(action, options.sshTarget ?? `root@${recipe.host.public_address ?? recipe.host.hostname}`, write, paint);
				return prompter.select('Has the install finished?', [
					{value: 'done', name: 'Yes, it has finished'},
					{value: 'wait', name: 'Not yet: quit', description: 'the next start comes back here'},
				]);
			},
		};
		const controller = new AbortController();
		const result = await options.run(recipe, {onEvent: lineReporter(write, paint), decisions, signal: controller.signal, startOver});
		if (backToAnswers) {
			wizard = newWizard(draftFromRecipe(recipe), detected, {});
			continue;
		}
		// The caller prints the closing lines (as after the TUI): written here too, they came twice.
		return {...closing(result, resume, wizardPlace({...options, mode, root}, savedRecipe)), ...(savedRecipe ? {savedRecipe} : {})};
	}
}

/** Asks every question in turn, from the first or from `from` (a question id: where an earlier run stopped). */
async function askAll(start: Wizard, prompter: Prompter, write: (line: string) => void, paint: ChalkInstance, options: WizardOptions, from?: string): Promise<Wizard> {
	let wizard = start;
	const first = from ? visibleQuestions(playAnswers(wizard)).findIndex(question => question.id === from) : 0;
	for (let index = Math.max(0, first); ; index++) {
		const visible = visibleQuestions(playAnswers(wizard));
		const question = visible[index];
		if (!question) return wizard;
		wizard = await askOne(wizard, question, prompter, write, paint, `(${index + 1}/${visible.length}) `);
		// Where a restart resumes: the question after this one, none after the last.
		options.keepAnswers?.(playAnswers(wizard), visibleQuestions(playAnswers(wizard))[index + 1]?.id);
	}
}

async function askOne(wizard: Wizard, question: Question, prompter: Prompter, write: (line: string) => void, paint: ChalkInstance, prefix = ''): Promise<Wizard> {
	const context = contextFor(wizard, question);
	const current = questionText(wizard, question);
	const message = `${prefix}${question.title}`;
	write(paint.dim(question.help));
	// The host is asked first about any file the answer names (an ISO), then the answer is judged.
	const validate = async (value: string): Promise<true | string> => {
		await lookUp(wizard, question, value.trim());
		return judge(wizard, question, value.trim()).refusal ?? true;
	};
	const choices = question.choices?.(context) ?? [];
	let answer: string;
	if (choices.length > (question.kind === 'disk' ? 1 : 0)) {
		const listed = choices.map(choice => ({value: choice.value, name: choice.label, ...(choice.hint ? {description: choice.hint} : {})}));
		if (current && !listed.some(choice => choice.value === current)) listed.unshift({value: current, name: current, description: 'from the recipe'});
		for (;;) {
			answer = await prompter.select(message, listed, current);
			const disk = context.detected.disks.find(candidate => candidate.path === answer);
			if (disk?.inUse && answer !== noDisk) {
				write(paint.red(`${disk.path} is in use (${disk.inUse}). Partitioning it destroys everything on it.`));
				const typed = await prompter.text(`Type ${disk.name} to use it anyway (empty: choose again)`, {});
				if (typed.trim() !== disk.name && typed.trim() !== disk.path) continue;
			}
			const refusal = await validate(answer);
			if (refusal === true) break;
			write(paint.red(refusal));
		}
	} else {
		answer = (await prompter.text(message, {default: current, validate})).trim();
	}
	const remark = judge(wizard, question, answer).remark;
	if (remark) write(paint.yellow(`note: ${remark}`));
	return {...wizard, answers: {...wizard.answers, [question.id]: answer}};
}

function showPlan(step: PlannedStep, write: (line: string) => void, paint: ChalkInstance, diff: Awaited<ReturnType<typeof loadDiff>>): void {
	write('');
	write(paint.bold(`Plan: ${step.title}`));
	for (const line of planLines(step, diff)) {
		const painted = line.color === 'green' ? paint.green(line.text) : line.color === 'red' ? paint.red(line.text) : line.color === 'cyan' ? paint.cyan(line.text) : line.color === 'yellow' ? paint.yellow(line.text) : line.dim ? paint.dim(line.text) : line.text;
		write(painted);
	}
}

function showFailure(failure: Failure, write: (line: string) => void, paint: ChalkInstance): void {
	const {action} = failure;
	write(paint.red(`Failed: ${action.title}`));
	if (action.kind === 'command') write(`  command: ${oneLine(quoteArgv(action.argv))}`);
	write(`  exit code: ${failure.exitCode ?? 'none'}; ${failure.message}`);
	for (const line of failure.outputTail.slice(-15)) write(`  | ${cleanLine(line)}`);
	if (failure.hint) write(paint.yellow(`  hint: ${failure.hint}`));
}

function showCheckpoint(action: CheckpointAction, sshTarget: string, write: (line: string) => void, paint: ChalkInstance): void {
	write(paint.yellow(`Your turn: ${action.title}`));
	write(action.instructions);
	const tunnel = tunnelCommand(action, sshTarget);
	for (const detail of action.details) if (detail.value !== tunnel) write(`  ${detail.label}: ${detail.value}`);
	if (tunnel) {
		write('On your own machine, open the tunnel, then point a VNC viewer at localhost:5900:');
		write(tunnel);
	}
}
