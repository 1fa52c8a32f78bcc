// Saved progress (conf, one JSON file, mode 0600, written atomically): the
// recipe, the operator's answers, values generated once and kept forever, and
// the status of every step and action. This is what makes a run resumable.
import {createHash} from 'node:crypto';
import {chmodSync, copyFileSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import Conf from 'conf';
import type {Action, ActionStatus} from '../actions/action.js';
import type {Generated} from '../inventory/inventory.js';

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
};

export type StepRecord = {status: ActionStatus; startedAt?: string; finishedAt?: string};

type ProgressData = {
	version: 1;
	recipe?: {path: string; sha256: string; text: string};
	answers: Record<string, unknown>;
	generated: Generated;
	/** Last serial written per zone: keeps serials rising even if a zone file is lost. */
	serials: Record<string, number>;
	steps: Record<string, StepRecord>;
	actions: Record<string, ActionRecord>;
	/** Checkpoints the operator confirmed (ids). */
	confirmed: string[];
	/** Last appliedSeq handed out. */
	sequence: number;
	runs: Array<{startedAt: string; finishedAt?: string; outcome?: string; mode: string}>;
};

const empty: ProgressData = {
	version: 1,
	answers: {},
	generated: {macs: {}, addresses: {}},
	serials: {},
	steps: {},
	actions: {},
	confirmed: [],
	sequence: 0,
	runs: [],
};

export class Progress {
	private readonly store: Conf<ProgressData>;

	constructor(readonly directory: string) {
		mkdirSync(directory, {recursive: true, mode: 0o700});
		this.store = new Conf<ProgressData>({
			cwd: directory,
			configName: 'progress',
			configFileMode: 0o600,
			defaults: empty,
			serialize: value => `${JSON.stringify(value, null, '\t')}\n`,
		});
	}

	get path(): string {
		return this.store.path;
	}

	/** True when an earlier run left anything behind. */
	get started(): boolean {
		return Object.keys(this.store.get('actions')).length > 0;
	}

	get recipe(): ProgressData['recipe'] {
		return this.store.get('recipe');
	}

	setRecipe(path: string, text: string): void {
		this.store.set('recipe', {path, text, sha256: createHash('sha256').update(text).digest('hex')});
	}

	get answers(): Record<string, unknown> {
		return this.store.get('answers');
	}

	setAnswers(answers: Record<string, unknown>): void {
		this.store.set('answers', answers);
	}

	get generated(): Generated {
		return this.store.get('generated');
	}

	/** Adds newly generated values; values already known are never replaced. */
	keepGenerated(generated: Generated): void {
		const known = this.generated;
		const merged: Generated = {
			macs: {...generated.macs, ...known.macs},
			addresses: {...generated.addresses, ...known.addresses},
		};
		if (JSON.stringify(merged) !== JSON.stringify(known)) this.store.set('generated', merged);
	}

	get serials(): Record<string, number> {
		return this.store.get('serials');
	}

	setSerial(zone: string, serial: number): void {
		this.store.set('serials', {...this.store.get('serials'), [zone]: serial});
	}

	action(id: string): ActionRecord | undefined {
		return this.store.get('actions')[id];
	}

	step(id: string): StepRecord | undefined {
		return this.store.get('steps')[id];
	}

	startAction(action: Action): void {
		const previous = this.action(action.id);
		this.updateAction(action.id, {...previous, status: 'running', fingerprint: fingerprint(action), startedAt: now(), startedAtSeq: this.store.get('sequence'), finishedAt: undefined, message: undefined});
	}

	finishAction(action: Action, status: ActionStatus, options: {applied?: boolean; message?: string} = {}): void {
		const previous = this.action(action.id);
		const sequence = options.applied ? this.store.get('sequence') + 1 : undefined;
		if (sequence) this.store.set('sequence', sequence);
		const completed = status === 'done' || status === 'satisfied';
		this.updateAction(action.id, {
			...previous,
			status,
			fingerprint: fingerprint(action),
			startedAt: previous?.startedAt,
			finishedAt: now(),
			appliedAt: options.applied ? now() : previous?.appliedAt,
			appliedSeq: sequence ?? previous?.appliedSeq,
			ranAtSeq: completed ? this.store.get('sequence') : previous?.ranAtSeq,
			message: options.message,
		});
	}

	setStep(id: string, status: ActionStatus): void {
		const previous = this.step(id);
		const record: StepRecord = status === 'running' ? {status, startedAt: now()} : {status, startedAt: previous?.startedAt, finishedAt: now()};
		this.store.set('steps', {...this.store.get('steps'), [id]: record});
	}

	isConfirmed(checkpointId: string): boolean {
		return this.store.get('confirmed').includes(checkpointId);
	}

	confirm(checkpointId: string): void {
		if (!this.isConfirmed(checkpointId)) this.store.set('confirmed', [...this.store.get('confirmed'), checkpointId]);
	}

	/** When the last run finished (or started, if it never finished), ISO 8601. */
	get lastRunAt(): string | undefined {
		const last = this.store.get('runs').at(-1);
		return last?.finishedAt ?? last?.startedAt;
	}

	startRun(mode: string): void {
		this.store.set('runs', [...this.store.get('runs'), {startedAt: now(), mode}]);
	}

	finishRun(outcome: string): void {
		const runs = this.store.get('runs');
		const last = runs.at(-1);
		if (last) this.store.set('runs', [...runs.slice(0, -1), {...last, finishedAt: now(), outcome}]);
	}

	/**
	 * Start over: the journal so far is archived beside the progress (never
	 * deleted), then statuses, confirmations and answers begin afresh. Generated
	 * values stay (a MAC never changes) and so do the backups.
	 */
	startOver(): string {
		const archive = join(this.directory, `progress-until-${new Date().toISOString().replaceAll(':', '')}.json`);
		copyFileSync(this.store.path, archive);
		chmodSync(archive, 0o600);
		this.store.set({steps: {}, actions: {}, confirmed: [], answers: {}});
		return archive;
	}

	private updateAction(id: string, record: ActionRecord): void {
		const clean = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as ActionRecord;
		this.store.set('actions', {...this.store.get('actions'), [id]: clean});
	}
}

export function fingerprint(action: Action): string {
	return createHash('sha256').update(JSON.stringify(action)).digest('hex').slice(0, 16);
}

function now(): string {
	return new Date().toISOString();
}
