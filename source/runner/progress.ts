// Progress: what the journal says about every step and action, replayed once
// when a site is opened and then kept in memory. Recording an action appends
// one journal line; nothing rereads or rewrites the whole state, so the cost
// of a record does not grow with the site. Small settings (recipe, answers,
// generated values, serials) live in the site's settings beside it.
import {createHash, randomBytes} from 'node:crypto';
import {join} from 'node:path';
import {RecipeError} from '../errors.js';
import type {Action, ActionStatus} from '../actions/action.js';
import type {Generated} from '../inventory/inventory.js';
import {Journal, journalBytes, journalName, readJournal, type Change, type Inverse, type JournalRecord} from '../site/journal.js';
import {metered} from '../site/bookkeeping.js';
import {undoneBy} from '../site/changes.js';
import {SiteSettings, type SavedRecipe} from '../site/settings.js';

export type ActionRecord = {
	status: ActionStatus;
	/** Hash of the action's definition: a changed action is a new one. */
	fingerprint: string;
	startedAt?: string;
	finishedAt?: string;
	/** When the action last changed the host (not when it was found satisfied). */
	appliedAt?: string;
	/** Order of that change among all changes: "changed after X" compares these. */
	appliedSeq?: number;
	/** The last change of any action made before this one last ran to completion. */
	ranAtSeq?: number;
	/** The same, when it last started (an interrupted action has only this). */
	startedAtSeq?: number;
	message?: string;
	/** While it runs (or was interrupted): what its begin record said it changes. */
	change?: Change;
};

export type StepRecord = {status: ActionStatus; startedAt?: string; finishedAt?: string};

type RunRecord = {startedAt: string; finishedAt?: string; outcome?: string; mode: string};

export type ProgressOptions = {
	/** The node whose actions this progress records (journal records name it). */
	node?: string;
};

export class Progress {
	readonly settings: SiteSettings;
	readonly node: string;
	private readonly journal: Journal | undefined;
	private readonly actions = new Map<string, ActionRecord>();
	private readonly steps = new Map<string, StepRecord>();
	private readonly confirmed = new Set<string>();
	private readonly runs: RunRecord[] = [];
	/** Last serial written per zone: the saved settings' (older sites), then the journal's. */
	private readonly zoneSerials: Record<string, number>;
	private sequence = 0;
	private runId: string | undefined;

	/** Progress to record into (the state directory is created by the first record). */
	constructor(
		readonly directory: string,
		options: ProgressOptions & {readOnly?: boolean} = {},
	) {
		this.node = options.node ?? 'local';
		this.settings = options.readOnly ? SiteSettings.read(directory) : SiteSettings.open(directory);
		this.journal = options.readOnly ? undefined : new Journal(directory);
		this.zoneSerials = {...this.settings.serials};
		const records = readJournal(directory);
		// A site is saved with the first record: a journal beside it that yields none was cut or overwritten.
		if (records.length === 0 && this.settings.recipe && journalBytes(directory) > 0) {
			throw new RecipeError(['holds no record the wizard can read, though a site is saved beside it: it is damaged; restore it from a backup (progress, changes and undo depend on it)'], join(directory, journalName));
		}
		for (const record of records) this.replay(record);
	}

	/** Progress to look at: plan, status and the wizard's screens before a confirmation. Writes nothing. */
	static read(directory: string, options: ProgressOptions = {}): Progress {
		return new Progress(directory, {...options, readOnly: true});
	}

	get readOnly(): boolean {
		return this.journal === undefined;
	}

	/** The journal's path (it may not exist yet). */
	get path(): string {
		return new Journal(this.directory).path;
	}

	/** True when an earlier run left anything behind. */
	get started(): boolean {
		return this.actions.size > 0;
	}

	get recipe(): SavedRecipe | undefined {
		return this.settings.recipe;
	}

	setRecipe(path: string, text: string): void {
		this.settings.setRecipe(path, text);
	}

	get answers(): Record<string, unknown> {
		return this.settings.answers;
	}

	setAnswers(answers: Record<string, unknown>, nextQuestion?: string): void {
		this.settings.setAnswers(answers, nextQuestion);
	}

	get generated(): Generated {
		return this.settings.generated;
	}

	keepGenerated(generated: Generated): void {
		this.settings.keepGenerated(generated);
	}

	get removals(): string[] {
		return this.settings.removals;
	}

	setRemovals(fqdns: string[]): void {
		this.settings.setRemovals(fqdns);
	}

	/** Last serial written per zone: keeps serials rising even if a zone file is lost. */
	get serials(): Record<string, number> {
		// A copy: facts planned from it must not change as later records come in.
		return {...this.zoneSerials};
	}

	action(id: string): ActionRecord | undefined {
		return this.actions.get(this.key(id));
	}

	step(id: string): StepRecord | undefined {
		return this.steps.get(this.key(id));
	}

	/** Journals that the action starts, with what it will change and how to reverse it. */
	startAction(action: Action, stepId = action.id.split('.')[0]!, detail: {change?: Change; inverse?: Inverse} = {}): void {
		this.append(() => ({type: 'action', phase: 'begin', node: this.node, step: stepId, id: action.id, title: action.title, fingerprint: fingerprint(action), seq: this.sequence, ...detail, ...this.stamp()}));
	}

	/**
	 * Journals how the action ended. A zone file in place (written, or found
	 * so) records its serial in the same line: one append, where saving it in
	 * the settings would rewrite them whole, and their size grows with the
	 * site. Only a serial the zone's file carries is recorded: a write cut
	 * short leaves none, so its rerun picks the same serial again.
	 */
	finishAction(action: Action, status: ActionStatus, options: {applied?: boolean; message?: string; stepId?: string} = {}): void {
		const applied = Boolean(options.applied);
		const serial = action.kind === 'file' && (status === 'done' || status === 'satisfied') ? action.serial : undefined;
		this.append(() => ({
			type: 'action',
			phase: 'end',
			node: this.node,
			step: options.stepId ?? action.id.split('.')[0]!,
			id: action.id,
			fingerprint: fingerprint(action),
			status,
			applied,
			seq: applied ? this.sequence + 1 : this.sequence,
			...(options.message ? {message: options.message} : {}),
			...(serial ? {serial} : {}),
			...this.stamp(),
		}));
	}

	setStep(id: string, status: ActionStatus): void {
		this.append(() => ({type: 'step', node: this.node, step: id, status, ...this.stamp()}));
	}

	isConfirmed(checkpointId: string): boolean {
		return this.confirmed.has(this.key(checkpointId));
	}

	confirm(checkpointId: string): void {
		if (!this.isConfirmed(checkpointId)) this.append(() => ({type: 'confirm', node: this.node, id: checkpointId, ...this.stamp()}));
	}

	/** When the last run finished (or started, if it never finished), ISO 8601. */
	get lastRunAt(): string | undefined {
		const last = this.runs.at(-1);
		return last?.finishedAt ?? last?.startedAt;
	}

	/**
	 * Journals that a run starts (`mode`: the host's kind, for people).
	 * `durable`: whether the host fsyncs its changes; the journal syncs its
	 * write-ahead records only then (see Journal.durable).
	 */
	startRun(mode: string, durable = true): void {
		if (this.journal) this.journal.durable = durable;
		this.runId = undefined;
		this.append(() => ({type: 'run', phase: 'start', mode, ...this.stamp()}));
	}

	finishRun(outcome: string): void {
		this.append(() => ({type: 'run', phase: 'end', outcome, ...this.stamp()}));
		metered(() => this.journal?.close());
	}

	/**
	 * Start over: statuses, confirmations and answers begin afresh. The journal
	 * keeps every record (it is append-only); generated values stay (a MAC never
	 * changes) and so do the kept file versions.
	 */
	startOver(): string {
		this.append(() => ({type: 'start-over', ...this.stamp()}));
		this.settings.setAnswers({});
		return this.path;
	}

	/** Journals that an undo finished (`kept`: files left as someone else changed them). */
	markUndone(kept: string[], only: {node?: string; ids?: string[]} = {}): void {
		this.append(() => ({type: 'undone', kept, ...only, ...this.stamp()}));
	}

	private key(id: string): string {
		return `${this.node}:${id}`;
	}

	private stamp(): {run: string; at: string} {
		this.runId ??= `${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
		return {run: this.runId, at: new Date().toISOString()};
	}

	/** Builds a record, appends it and follows it in memory: all of it bookkeeping. */
	private append(build: () => JournalRecord): void {
		const journal = this.journal;
		if (!journal) throw new Error(`the progress in ${this.directory} was opened read-only`);
		metered(() => {
			const record = build();
			journal.append(record);
			this.replay(record);
		});
	}

	/** Applies one record to the in-memory view: the same code reads the journal and follows a run. */
	private replay(record: JournalRecord): void {
		switch (record.type) {
			case 'run':
				if (record.phase === 'start') this.runs.push({startedAt: record.at, mode: record.mode});
				else if (this.runs.length > 0) Object.assign(this.runs.at(-1)!, {finishedAt: record.at, outcome: record.outcome});
				return;
			case 'start-over':
				this.actions.clear();
				this.steps.clear();
				this.confirmed.clear();
				return;
			case 'undone':
				// Keys are "node:id": an undo of one node (or of some actions) forgets only those.
				for (const map of [this.actions, this.steps]) {
					for (const key of map.keys()) if (undoneBy(record, key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1))) map.delete(key);
				}
				for (const key of this.confirmed) if (undoneBy(record, key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1))) this.confirmed.delete(key);
				return;
			case 'confirm':
				this.confirmed.add(`${record.node}:${record.id}`);
				return;
			case 'step': {
				const key = `${record.node}:${record.step}`;
				const previous = this.steps.get(key);
				this.steps.set(key, record.status === 'running' ? {status: 'running', startedAt: record.at} : {status: record.status, ...(previous?.startedAt ? {startedAt: previous.startedAt} : {}), finishedAt: record.at});
				return;
			}
			case 'action': {
				const key = `${record.node}:${record.id}`;
				const previous = this.actions.get(key);
				if (record.phase === 'begin') {
					const {finishedAt: _finished, message: _message, ...kept} = previous ?? ({} as Partial<ActionRecord>);
					const {change: _change, ...rest} = kept;
					this.actions.set(key, {...rest, status: 'running', fingerprint: record.fingerprint, startedAt: record.at, startedAtSeq: record.seq, ...(record.change ? {change: record.change} : {})});
					return;
				}
				if (record.applied) this.sequence = Math.max(this.sequence, record.seq);
				// Serials only rise: neither a start over nor an undo takes them back.
				if (record.serial) this.zoneSerials[record.serial.zone] = Math.max(this.zoneSerials[record.serial.zone] ?? 0, record.serial.value);
				const completed = record.status === 'done' || record.status === 'satisfied';
				const {change: _change, ...before} = previous ?? ({} as Partial<ActionRecord>);
				const next: ActionRecord = {...before, status: record.status, fingerprint: record.fingerprint, finishedAt: record.at};
				if (record.applied) Object.assign(next, {appliedAt: record.at, appliedSeq: record.seq});
				if (completed) next.ranAtSeq = record.seq;
				if (record.message) next.message = record.message;
				else delete next.message;
				this.actions.set(key, next);
			}
		}
	}
}

const fingerprints = new WeakMap<Action, string>();

/**
 * Hash of an action's definition (16 hex digits), less how it is reversed
 * (read from the host before the change, it is no part of what the action
 * does). An action's begin and end records share one: it is hashed once.
 */
export function fingerprint(action: Action): string {
	let known = fingerprints.get(action);
	if (known === undefined) {
		const {inverse: _inverse, inverseNote: _note, ...defining} = action as Action & {inverse?: unknown; inverseNote?: unknown};
		known = createHash('sha256').update(JSON.stringify(defining)).digest('hex').slice(0, 16);
		fingerprints.set(action, known);
	}
	return known;
}
