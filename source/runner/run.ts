// The runner: plans each step against freshly probed facts, tells whether each
// action is already satisfied, applies the rest through the host adapter and
// records progress before and after every change, so any interruption resumes.
import type {Action, ActionStatus, CheckpointAction, FileAction, RemoveAction, ServiceAction} from '../actions/action.js';
import {CheckFailedError} from '../host/filesystem.js';
import type {Host, RunResult as CommandResult} from '../host/host.js';
import {probeFacts} from '../host/facts.js';
import type {Change, FileVersion, Inverse} from '../site/journal.js';
import {sha256} from '../site/settings.js';
import type {Inventory} from '../inventory/inventory.js';
import type {StepDefinition} from '../steps/step.js';
import type {Decisions, Failure, PlannedAction, PlannedStep, RunEvent, RunResult} from './events.js';
import {failpoint} from './failpoints.js';
import {fingerprint, type Progress} from './progress.js';

export type RunContext = {
	host: Host;
	progress: Progress;
	inventory: Inventory;
	steps: StepDefinition[];
	/** What the wizard knows about a failure's usual cause. */
	hint?: (action: Action, output: string) => string | undefined;
	now?: () => Date;
	/** The operator quit (Ctrl-C): the running command is stopped, the run ends resumable. */
	signal?: AbortSignal;
	/**
	 * Called once, before the run's first record: the operator has confirmed a
	 * step (or the run is unattended). Until then a run only looks: the session
	 * saves the site it imports, and keeps the transcript, from here on.
	 */
	begin?: () => void;
};

type Assessment = {status: ActionStatus; note?: string; current?: string | null};

/** Every step's actions with their status now, changing nothing. */
export async function planAll(context: RunContext): Promise<PlannedStep[]> {
	const planned: PlannedStep[] = [];
	for (const step of context.steps) {
		const actions = await planStep(context, step);
		const assessed: PlannedAction[] = [];
		for (const action of actions) assessed.push({action, ...(await assess(context, action))});
		planned.push({id: step.id, title: step.title, status: stepStatus(assessed.map(entry => entry.status)), actions: assessed});
	}
	return planned;
}

/** Statuses as the journal has them, without probing the host. */
export async function journalView(context: RunContext): Promise<PlannedStep[]> {
	const planned: PlannedStep[] = [];
	for (const step of context.steps) {
		const actions = (await planStep(context, step)).map(action => {
			const record = context.progress.action(action.id);
			const status: ActionStatus = record && record.fingerprint === fingerprint(action) ? record.status : 'pending';
			return {action, status, ...(record?.message ? {note: record.message} : {})};
		});
		const recorded = context.progress.step(step.id)?.status;
		planned.push({id: step.id, title: step.title, status: recorded ?? stepStatus(actions.map(entry => entry.status)), actions});
	}
	return planned;
}

export async function runPlan(context: RunContext, emit: (event: RunEvent) => void, decisions: Decisions = {}): Promise<RunResult> {
	const {progress} = context;
	// Nothing is written until the first step is decided: looking at a plan and quitting leaves no trace.
	let begun = false;
	const begin = () => {
		if (begun) return;
		begun = true;
		context.begin?.();
		progress.startRun(context.host.kind, context.host.durable);
	};
	const reports: PlannedStep[] = [];
	const finish = (result: Omit<RunResult, 'steps'>): RunResult => {
		if (begun) progress.finishRun(result.outcome);
		return {...result, steps: reports};
	};

	for (const step of context.steps) {
		const blocker = step.requires.find(id => !['done', 'satisfied', 'unchecked'].includes(progress.step(id)?.status ?? ''));
		if (blocker) {
			const action = {kind: 'checkpoint', id: `${step.id}.requires`, title: `needs step ${blocker}`, instructions: '', details: []} as CheckpointAction;
			return finish({outcome: 'failed', stoppedAt: {stepId: step.id, action, message: `step "${step.id}" needs step "${blocker}", which is not finished`}});
		}
		const actions = await planStep(context, step);
		const planned: PlannedAction[] = [];
		for (const action of actions) planned.push({action, ...(await assess(context, action))});
		const report: PlannedStep = {id: step.id, title: step.title, status: stepStatus(planned.map(entry => entry.status)), actions: planned};
		reports.push(report);

		if (planned.some(entry => entry.status !== 'satisfied')) {
			const decision = (await decisions.beforeStep?.(report)) ?? 'apply';
			if (decision === 'quit') return finish({outcome: 'quit'});
			begin();
			if (decision === 'skip') {
				report.status = 'skipped';
				progress.setStep(step.id, 'skipped');
				emit({type: 'step', stepId: step.id, status: 'skipped'});
				continue;
			}
		}

		begin();
		progress.setStep(step.id, 'running');
		emit({type: 'step', stepId: step.id, status: 'running'});
		for (const entry of planned) {
			const outcome = await applyWithDecisions(context, step.id, entry, emit, decisions);
			if (outcome.stop) {
				report.status = outcome.stop.outcome === 'waiting' ? 'waiting' : outcome.stop.outcome === 'failed' ? 'failed' : report.status;
				progress.setStep(step.id, report.status);
				emit({type: 'step', stepId: step.id, status: report.status});
				return finish(outcome.stop);
			}
		}
		report.status = stepStatus(planned.map(entry => entry.status));
		progress.setStep(step.id, report.status);
		emit({type: 'step', stepId: step.id, status: report.status});
	}
	return finish({outcome: 'done'});
}

async function planStep(context: RunContext, step: StepDefinition): Promise<Action[]> {
	const now = context.now?.() ?? new Date();
	const facts = await probeFacts(context.host, context.inventory, step, context.progress.serials, now);
	return step.plan(context.inventory, facts);
}

type ApplyOutcome = {stop?: Omit<RunResult, 'steps'>};

async function applyWithDecisions(context: RunContext, stepId: string, entry: PlannedAction, emit: (event: RunEvent) => void, decisions: Decisions): Promise<ApplyOutcome> {
	const {action} = entry;
	for (;;) {
		// Assess again right before acting: earlier actions of the step may have changed things.
		const assessment = await assess(context, action);
		Object.assign(entry, assessment);
		if (assessment.status === 'satisfied') {
			// Interrupted while applying and now in place: this run's change, as far as
			// anything that depends on it (a reload after a config write) can tell.
			const record = context.progress.action(action.id);
			const interrupted = record?.status === 'running';
			// Found in place as recorded: nothing to journal (the probe says it again next time).
			const known = record && record.fingerprint === fingerprint(action) && (record.status === 'done' || record.status === 'satisfied');
			if (!known || interrupted) context.progress.finishAction(action, 'satisfied', {stepId, applied: interrupted, ...(assessment.note ? {message: assessment.note} : {})});
			emit({type: 'action', stepId, action, status: 'satisfied', ...(assessment.note ? {note: assessment.note} : {})});
			return {};
		}
		if (action.kind === 'checkpoint') return checkpoint(context, stepId, entry, action, emit, decisions);

		if (context.signal?.aborted) return {stop: {outcome: 'quit'}};
		const isCheck = action.kind === 'command' && Boolean(action.readOnly);
		// A check changes nothing: only its verdict is journalled.
		if (!isCheck) context.progress.startAction(action, stepId, await journalDetail(context, action, assessment));
		emit({type: 'action', stepId, action, status: 'running'});
		const outcome = await apply(context, stepId, action, emit);
		// Stopped by the operator: the action stays "running", so the next run looks again.
		if (context.signal?.aborted) return {stop: {outcome: 'quit'}};
		if (outcome.unchecked !== undefined) {
			context.progress.finishAction(action, 'unchecked', {stepId, message: outcome.unchecked});
			Object.assign(entry, {status: 'unchecked', note: outcome.unchecked});
			emit({type: 'action', stepId, action, status: 'unchecked', note: outcome.unchecked});
			return {};
		}
		const failure = outcome.failure;
		if (!failure) {
			failpoint('after-effect', action.id);
			// A passing check changed nothing: it is "satisfied", and triggers nothing.
			const status = isCheck ? 'satisfied' : 'done';
			context.progress.finishAction(action, status, {stepId, applied: !isCheck});
			entry.status = status;
			emit({type: 'action', stepId, action, status});
			failpoint('after-action', action.id);
			return {};
		}

		// Failed, yet what it was for is in place now (another process got there first, as
		// Ganeti's daemons do with the master IP when they start): the state is as wanted.
		if (action.kind === 'command' && !action.readOnly && action.satisfiedWhen && (await context.host.holds(action.satisfiedWhen, {actionId: action.id, argv: action.argv}))) {
			const note = `${failure.message}, but its effect is in place`;
			// A change made and not yet recorded, like any other: the kill point for the resume tests.
			failpoint('after-effect', action.id);
			context.progress.finishAction(action, 'satisfied', {stepId, applied: true, message: note});
			Object.assign(entry, {status: 'satisfied', note});
			emit({type: 'action', stepId, action, status: 'satisfied', note});
			return {};
		}
		context.progress.finishAction(action, 'failed', {stepId, message: failure.message});
		entry.status = 'failed';
		entry.note = failure.message;
		emit({type: 'action', stepId, action, status: 'failed', note: failure.message});
		const decision = (await decisions.onFailure?.(failure)) ?? 'quit';
		if (decision === 'retry') continue;
		if (decision === 'skip' && failure.skippable) {
			context.progress.finishAction(action, 'skipped', {stepId, message: failure.message});
			entry.status = 'skipped';
			emit({type: 'action', stepId, action, status: 'skipped'});
			return {};
		}
		return {stop: {outcome: 'failed', stoppedAt: {stepId, action, message: failure.message, ...(failure.hint ? {hint: failure.hint} : {})}}};
	}
}

async function checkpoint(context: RunContext, stepId: string, entry: PlannedAction, action: CheckpointAction, emit: (event: RunEvent) => void, decisions: Decisions): Promise<ApplyOutcome> {
	const {progress, host} = context;
	progress.finishAction(action, 'waiting', {stepId});
	entry.status = 'waiting';
	// Shown with what only the host knows now (the VNC port Ganeti gave the
	// instance); recorded as planned, so the journal still recognises it.
	const shown = await withLiveDetails(host, action);
	emit({type: 'action', stepId, action: shown, status: 'waiting'});
	const decision = (await decisions.atCheckpoint?.(shown)) ?? 'wait';
	if (decision === 'done') {
		progress.confirm(action.id);
		progress.finishAction(action, 'done', {stepId, applied: true, message: 'confirmed by the operator'});
		entry.status = 'done';
		emit({type: 'action', stepId, action, status: 'done'});
		return {};
	}
	if (decision === 'pass') {
		// Nobody can do this here (a rehearsal has no VM to install): say so, claim nothing, go on.
		const note = 'not done (rehearsal): a real run waits here for the operator';
		progress.finishAction(action, 'unchecked', {stepId, message: note});
		Object.assign(entry, {status: 'unchecked', note});
		emit({type: 'action', stepId, action, status: 'unchecked', note});
		return {};
	}
	return {stop: {outcome: 'waiting', stoppedAt: {stepId, action: shown, message: action.instructions}}};
}

/** The checkpoint with every `live` detail answered by the host, where it can. */
async function withLiveDetails(host: Host, action: CheckpointAction): Promise<CheckpointAction> {
	const details = [];
	for (const detail of action.details) {
		const result = detail.live ? await host.probe(detail.live.argv) : null;
		const answer = result?.exitCode === 0 ? result.stdout.trim() : '';
		details.push(answer ? {label: detail.label, value: detail.live!.template.replaceAll('{}', answer)} : detail);
	}
	return {...action, details};
}

/** Whether the action is already satisfied, without changing anything. */
async function assess(context: RunContext, action: Action): Promise<Assessment> {
	const {host, progress} = context;
	const record = progress.action(action.id);
	switch (action.kind) {
		case 'file': {
			const current = await host.readFile(action.path);
			return current === action.content ? {status: 'satisfied', current} : {status: 'pending', current};
		}
		case 'remove': {
			const current = await host.readFile(action.path);
			const leftover = await emptyDirectories(host, action.directories ?? []);
			return current === null && leftover.length === 0 ? {status: 'satisfied', current} : {status: 'pending', current};
		}
		case 'command': {
			// A check always runs: it is listed apart from the changes.
			if (action.readOnly) return {status: 'pending'};
			if (staleAfter(context, action.id, action.rerunAfter)) return {status: 'pending', note: 'runs again: something it depends on changed'};
			if (action.satisfiedWhen) return (await host.holds(action.satisfiedWhen, {actionId: action.id, argv: action.argv})) ? {status: 'satisfied'} : {status: 'pending'};
			// Without a probe the journal knows, or the host's own record; an interrupted run may not have finished it.
			const doneBefore = record && record.fingerprint === fingerprint(action) && (record.status === 'done' || record.status === 'satisfied');
			if (doneBefore) return {status: 'satisfied', note: 'ran in an earlier run'};
			return (await host.recorded({actionId: action.id, argv: action.argv})) ? {status: 'satisfied', note: 'recorded in an earlier run'} : {status: 'pending'};
		}
		case 'service': {
			if (staleAfter(context, action.id, action.after)) return {status: 'pending', note: `${action.operation}: its configuration changed`};
			const running = await host.serviceRunning(action.service, {actionId: action.id, argv: serviceArgv(action, 'start')});
			// Interrupted: a start that brought the service up is done; a reload or restart of a running one may not be.
			const interrupted = record?.status === 'running' ? record.change : undefined;
			if (interrupted && !(interrupted.kind === 'service' && !interrupted.wasRunning && running)) return {status: 'pending', note: 'interrupted last time'};
			return running === (action.operation !== 'stopped') ? {status: 'satisfied'} : {status: 'pending'};
		}
		case 'checkpoint': {
			if (progress.isConfirmed(action.id)) return {status: 'satisfied', note: 'confirmed by the operator'};
			if (action.satisfiedWhen && (await host.holds(action.satisfiedWhen, {actionId: action.id, argv: []}))) return {status: 'satisfied'};
			// Passed by a rehearsal (nobody installs an OS into a folder): it stays so, and is no pending change.
			if (record?.status === 'unchecked' && record.fingerprint === fingerprint(action)) return {status: 'unchecked', ...(record.message ? {note: record.message} : {})};
			return {status: record?.status === 'waiting' ? 'waiting' : 'pending'};
		}
	}
}

/**
 * True when one of `triggers` changed the host after this action last ran (or,
 * when it was interrupted, after it last started: that attempt saw the change).
 */
function staleAfter(context: RunContext, actionId: string, triggers: string[] | undefined): boolean {
	if (!triggers?.length) return false;
	const record = context.progress.action(actionId);
	const own = (record?.status === 'running' ? record.startedAtSeq : record?.ranAtSeq) ?? 0;
	return triggers.some(id => (context.progress.action(id)?.appliedSeq ?? 0) > own);
}

function serviceArgv(action: ServiceAction, operation: string): string[] {
	return ['service', action.service, operation];
}

/**
 * What the journal says before a change: what it changes and what reverses it.
 * A file's earlier content is kept (once per content) so undo can restore it.
 */
async function journalDetail(context: RunContext, action: Exclude<Action, CheckpointAction>, assessment: Assessment): Promise<{change: Change; inverse: Inverse}> {
	const {progress, host} = context;
	switch (action.kind) {
		case 'file': {
			const current = assessment.current !== undefined ? assessment.current : await host.readFile(action.path);
			const before: FileVersion = current === null ? {absent: true} : progress.settings.keepBlob(current, host.durable);
			const after = progress.settings.keepBlob(action.content, host.durable);
			const created = current === null ? await missingDirectories(host, action.path) : [];
			return {change: {kind: 'file', path: action.path, before, after, ...(created.length > 0 ? {createdDirectories: created} : {}), ...(action.secret ? {secret: true as const} : {})}, inverse: {restore: action.path, to: before}};
		}
		case 'remove': {
			const current = assessment.current !== undefined ? assessment.current : await host.readFile(action.path);
			const before: FileVersion = current === null ? {absent: true} : progress.settings.keepBlob(current, host.durable);
			return {change: {kind: 'file', path: action.path, before, after: {absent: true}}, inverse: {restore: action.path, to: before}};
		}
		case 'command':
			return {
				change: {kind: 'command', argv: action.argv, ...(action.satisfiedWhen ? {probe: action.satisfiedWhen} : {})},
				inverse: action.inverse ? {argv: action.inverse} : {note: action.inverseNote ?? 'no command reverses this one'},
			};
		case 'service': {
			const running = await host.serviceRunning(action.service, {actionId: action.id, argv: serviceArgv(action, 'start')});
			const inverse: Inverse = running ? {note: `${action.service} was running already`} : action.operation === 'stopped' ? {argv: serviceArgv(action, 'start')} : {argv: serviceArgv(action, 'stop')};
			return {change: {kind: 'service', service: action.service, operation: action.operation, wasRunning: running}, inverse};
		}
	}
}

type Applied = {failure?: Failure; unchecked?: string};

/** Applies one action: a failure, a check that could not run here, or nothing (success). */
async function apply(context: RunContext, stepId: string, action: Exclude<Action, CheckpointAction>, emit: (event: RunEvent) => void): Promise<Applied> {
	const {host} = context;
	if (action.kind === 'file') {
		const failure = await writeFile(context, stepId, action);
		return failure ? {failure} : {};
	}
	if (action.kind === 'remove') {
		const failure = await removeFile(context, stepId, action);
		return failure ? {failure} : {};
	}

	let argv: string[];
	if (action.kind === 'service') {
		const running = await host.serviceRunning(action.service, {actionId: action.id, argv: serviceArgv(action, 'start')});
		const operation = action.operation === 'stopped' ? 'stop' : running && action.operation !== 'running' ? action.operation : 'start';
		argv = serviceArgv(action, operation);
	} else {
		argv = action.argv;
	}

	const tail: string[] = [];
	const onLines = (lines: string[], printed: number) => {
		tail.push(...lines);
		if (tail.length > 200) tail.splice(0, tail.length - 200);
		emit({type: 'output', actionId: action.id, lines, printed});
	};
	const options = {onLines, actionId: action.id, ...(context.signal ? {signal: context.signal} : {}), ...(action.kind === 'command' && action.timeoutMs ? {timeoutMs: action.timeoutMs} : {}), ...(action.kind === 'command' && action.env ? {env: action.env} : {})};
	let result: CommandResult | null;
	if (action.kind === 'command' && action.readOnly) {
		const checked = await host.check(argv, action.stage);
		if ('unchecked' in checked) return {unchecked: checked.unchecked};
		result = checked.ran;
		if (result.exitCode === 0) return {};
		if (tail.length === 0) {
			// host.check hands no lines on as they come: pass on the failed check's
			// own words (what is wrong, and the fix), or an unattended run never shows them.
			const lines = (result.stdout + result.stderr).split('\n').filter(Boolean).slice(-20);
			tail.push(...lines);
			if (lines.length > 0) emit({type: 'output', actionId: action.id, lines});
		}
	} else {
		result = await host.run(argv, options);
	}
	if (result.exitCode === 0) return {};
	const output = result.stdout + result.stderr;
	const hint = context.hint?.(action, output);
	return {failure: {
		stepId,
		action,
		message: `${argv[0]} exited with code ${result.exitCode}`,
		exitCode: result.exitCode,
		outputTail: tail.slice(-20),
		...(hint ? {hint} : {}),
		skippable: action.kind === 'command' && Boolean(action.skippable),
	}};
}

async function writeFile(context: RunContext, stepId: string, action: FileAction): Promise<Failure | undefined> {
	try {
		await context.host.writeFile(action.path, action.content, {
			mode: action.mode,
			...(action.owner ? {owner: action.owner} : {}),
			...(action.check ? {check: action.check.argv} : {}),
		});
		return undefined;
	} catch (error) {
		if (error instanceof CheckFailedError) {
			const lines = (error.result.stdout + error.result.stderr).split('\n').filter(Boolean);
			return {stepId, action, message: error.message, exitCode: error.result.exitCode, outputTail: lines.slice(-20), skippable: false};
		}
		return {stepId, action, message: `${action.path} could not be written: ${(error as Error).message}`, outputTail: [], skippable: false};
	}
}

async function removeFile(context: RunContext, stepId: string, action: RemoveAction): Promise<Failure | undefined> {
	try {
		await context.host.remove(action.path, action.directories ?? []);
		return undefined;
	} catch (error) {
		return {stepId, action, message: `${action.path} could not be removed: ${(error as Error).message}`, outputTail: [], skippable: false};
	}
}

/** The directories above `path` that do not exist yet (a write makes them), deepest first. */
async function missingDirectories(host: Host, path: string): Promise<string[]> {
	const missing: string[] = [];
	for (let directory = path.slice(0, path.lastIndexOf('/')); directory !== '' && (await host.stat(directory)) === null; directory = directory.slice(0, directory.lastIndexOf('/'))) missing.push(directory);
	return missing;
}

/** Those of `directories` that exist and are empty. */
async function emptyDirectories(host: Host, directories: string[]): Promise<string[]> {
	const empty: string[] = [];
	for (const directory of directories) if ((await host.stat(directory)) !== null && (await host.list(directory)).length === 0) empty.push(directory);
	return empty;
}

export function stepStatus(all: ActionStatus[]): ActionStatus {
	// A check that could not run claims nothing: the step is what its other actions are.
	const statuses = all.filter(status => status !== 'unchecked');
	if (statuses.length === 0) return all.length === 0 ? 'satisfied' : 'unchecked';
	for (const status of ['failed', 'waiting', 'running'] as const) if (statuses.includes(status)) return status;
	if (statuses.every(status => status === 'satisfied')) return 'satisfied';
	if (statuses.every(status => ['satisfied', 'done', 'skipped'].includes(status))) return 'done';
	return 'pending';
}
