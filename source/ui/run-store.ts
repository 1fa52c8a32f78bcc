// What the running screens show, kept outside React: the runner's events land
// here at any rate, and React hears of them at most once per interval. While a
// step runs, one clock drives the whole running screen: each tick publishes one
// snapshot, and the spinner, the elapsed time, the output tail and the step list
// are drawn from it together. Output lines go into a fixed ring, so 100,000
// lines cost what 100 do.
import type {Action, ActionStatus} from '../actions/action.js';
import type {PlannedStep, RunEvent} from '../runner/events.js';
import {LineRing} from './ring.js';
import {cleanLine} from './text.js';

export type StepView = {
	id: string;
	title: string;
	status: ActionStatus;
	actions: Array<{id: string; title: string; status: ActionStatus}>;
};

export type RunningAction = {stepId: string; action: Action; startedAt: number};

export type RunSnapshot = {
	version: number;
	/** When it was taken (ms): the spinner and elapsed time are drawn from it. */
	at: number;
	steps: StepView[];
	running: RunningAction | null;
	/** Lines the running action printed so far. */
	totalLines: number;
	/** Its last `count` lines, cleaned of escape codes. */
	tail: (count: number) => string[];
};

export type RunStoreOptions = {
	/**
	 * Never tell React more often than this, and the clock's tick while a step
	 * runs (default 250 ms: four frames a second, as fast as anyone reads a
	 * scrolling log; the elapsed time shows whole seconds).
	 */
	intervalMs?: number;
	/** How many recent output lines to keep (default 200). */
	keepLines?: number;
	now?: () => number;
};

export class RunStore {
	private steps: StepView[] = [];
	private running: RunningAction | null = null;
	private readonly ring: LineRing;
	private readonly listeners = new Set<() => void>();
	private snapshot: RunSnapshot;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private heartbeat: ReturnType<typeof setInterval> | undefined;
	private lastFlush = 0;
	private version = 0;
	private readonly intervalMs: number;
	private readonly now: () => number;

	constructor(steps: ReadonlyArray<Pick<PlannedStep, 'id' | 'title' | 'status' | 'actions'>> = [], options: RunStoreOptions = {}) {
		this.intervalMs = options.intervalMs ?? 250;
		this.now = options.now ?? Date.now;
		this.ring = new LineRing(options.keepLines ?? 200);
		this.setPlan(steps);
		this.snapshot = this.makeSnapshot();
	}

	/** Steps as planned (or as the journal has them): replaces titles and statuses. */
	setPlan(steps: ReadonlyArray<Pick<PlannedStep, 'id' | 'title' | 'status' | 'actions'>>): void {
		this.steps = steps.map(step => ({
			id: step.id,
			title: step.title,
			status: step.status,
			actions: step.actions.map(entry => ({id: entry.action.id, title: entry.action.title, status: entry.status})),
		}));
		this.changed(true);
	}

	/** One step's fresh plan, as shown before it applies. */
	updateStep(step: PlannedStep): void {
		const view: StepView = {
			id: step.id,
			title: step.title,
			status: step.status,
			actions: step.actions.map(entry => ({id: entry.action.id, title: entry.action.title, status: entry.status})),
		};
		const index = this.steps.findIndex(existing => existing.id === step.id);
		if (index === -1) this.steps = [...this.steps, view];
		else this.steps = this.steps.map((existing, at) => (at === index ? view : existing));
		this.changed(true);
	}

	readonly handle = (event: RunEvent): void => {
		switch (event.type) {
			case 'output': {
				this.ring.push(event.lines, event.printed);
				this.changed(false);
				return;
			}
			case 'step': {
				this.patchStep(event.stepId, step => ({...step, status: event.status}));
				if (event.status !== 'running' && this.running?.stepId === event.stepId) this.running = null;
				this.changed(false);
				return;
			}
			case 'action': {
				this.patchStep(event.stepId, step => {
					const known = step.actions.some(action => action.id === event.action.id);
					const actions = known
						? step.actions.map(action => (action.id === event.action.id ? {...action, status: event.status} : action))
						: [...step.actions, {id: event.action.id, title: event.action.title, status: event.status}];
					// The step shows what its action is going through (a failure waits for a decision, a retry runs).
					const status = event.status === 'failed' || event.status === 'waiting' || event.status === 'running' ? event.status : step.status === 'pending' ? 'running' : step.status;
					return {...step, status, actions};
				});
				if (event.status === 'running') {
					this.running = {stepId: event.stepId, action: event.action, startedAt: this.now()};
					this.ring.clear();
				} else if (this.running?.action.id === event.action.id) {
					this.running = null;
				}
				this.changed(false);
				return;
			}
		}
	};

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getSnapshot = (): RunSnapshot => this.snapshot;

	/** The steps alone: the same array until a step or action changes, so the step list can skip output-only frames. */
	getSteps = (): StepView[] => this.snapshot.steps;

	/** Deliver anything pending now (tests, and before a screen change). */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.lastFlush = this.now();
		this.snapshot = this.makeSnapshot();
		for (const listener of this.listeners) listener();
	}

	/**
	 * Starts the running screen's clock: a fresh snapshot every interval, which
	 * moves the spinner and the elapsed time and carries whatever output and
	 * status arrived meanwhile (they wait for the tick instead of a timer of
	 * their own, so one redraw serves all).
	 */
	startHeartbeat(): void {
		this.stopHeartbeat();
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.heartbeat = setInterval(() => this.flush(), this.intervalMs);
		this.heartbeat.unref?.();
	}

	stopHeartbeat(): void {
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.heartbeat = undefined;
	}

	dispose(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.stopHeartbeat();
		this.listeners.clear();
	}

	private patchStep(stepId: string, patch: (step: StepView) => StepView): void {
		const index = this.steps.findIndex(step => step.id === stepId);
		const base: StepView = index === -1 ? {id: stepId, title: stepId, status: 'pending', actions: []} : this.steps[index]!;
		const next = patch(base);
		this.steps = index === -1 ? [...this.steps, next] : this.steps.map((step, at) => (at === index ? next : step));
	}

	private changed(immediately: boolean): void {
		if (immediately) {
			this.flush();
			return;
		}
		// The clock's next tick publishes it.
		if (this.timer || this.heartbeat) return;
		const wait = this.intervalMs - (this.now() - this.lastFlush);
		if (wait <= 0) {
			this.flush();
			return;
		}
		this.timer = setTimeout(() => this.flush(), wait);
	}

	private makeSnapshot(): RunSnapshot {
		// The ring moves on under a snapshot: copy what it holds now (references
		// to at most `keepLines` strings), clean only the lines a pane asks for.
		const held = this.ring.tail();
		let cache: {count: number; lines: string[]} | undefined;
		return {
			version: ++this.version,
			at: this.now(),
			steps: this.steps,
			running: this.running,
			totalLines: this.ring.total,
			tail: count => {
				if (!cache || cache.count !== count) cache = {count, lines: held.slice(-count).map(cleanLine)};
				return cache.lines;
			},
		};
	}
}
