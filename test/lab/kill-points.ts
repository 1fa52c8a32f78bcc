// Aiming the runner's failpoints (GANETI_WIZARD_FAILPOINT=<point>:<n>, which
// SIGKILLs the wizard the n-th time a run passes <point>) at an action, and
// telling from a killed run's output where it died.
import assert from 'node:assert/strict';
import type {CliRun, LabHost, PlanJson} from '../support/lab-host.js';

export type Point = 'after-effect' | 'after-action' | 'file-candidate' | 'command-running';
export type Kill = {
	target: string;
	point: Point;
	why: string;
	/** Kill the `gnt-cluster init` the wizard leaves running too (its session was lost). */
	killInit?: boolean;
	/** Only when this holds at its turn. */
	when?: () => boolean;
};

export type PlannedAction = PlanJson['steps'][number]['actions'][number];

/**
 * Whether the runner will apply each action, as far as a plan made before the
 * run can tell: its statuses, corrected where the configuration history's
 * git actions change each other's probes within a step (see
 * source/steps/config-history.ts). A new repository has nothing staged to
 * unstage; unstaging the wizard's files (left staged by a killed run) leaves
 * no hand change to commit; a file written makes its staging and commit due.
 */
export function willApply(actions: PlannedAction[]): boolean[] {
	const pending = (id: string) => actions.some(action => action.id === id && action.status !== 'satisfied');
	return actions.map(action => {
		const git = /^(\w+)\.git\.(unstage|outside\.commit|stage|commit)$/.exec(action.id);
		if (!git) return action.status !== 'satisfied';
		const [, step, what] = git;
		// The repository: "stage the wizard's changes in /etc/bind".
		const directory = /in (\/\S+)$/.exec(actions.find(other => other.id === `${step}.git.stage`)?.title ?? '')?.[1];
		const fileDue = actions.some(other => other.kind === 'file' && other.path?.startsWith(`${directory}/`) && other.status !== 'satisfied');
		if (what === 'unstage' && pending(`${step}.git.init`)) return false;
		if (what === 'outside.commit' && pending(`${step}.git.unstage`) && !pending(`${step}.git.outside.stage`)) return false;
		if ((what === 'stage' || what === 'commit') && fileDue) return true;
		return action.status !== 'satisfied';
	});
}

/** The failpoint count that stops the next run at `kill.target`, from a plan made just before it. */
export function failpointCount(plan: PlanJson, kill: Kill): number {
	const actions = plan.steps.flatMap(step => step.actions);
	const index = actions.findIndex(action => action.id === kill.target);
	if (index < 0) throw new Error(`${kill.target} is not in the plan: ${actions.map(action => action.id).join(' ')}`);
	const applies = willApply(actions);
	const upTo = actions.slice(0, index + 1).filter((_, position) => applies[position] || position === index);
	switch (kill.point) {
		case 'after-effect':
		case 'after-action':
			return upTo.length;
		case 'file-candidate':
			return upTo.filter(action => action.kind === 'file').length;
		case 'command-running':
			// Counted at the start of each changing command (checks are not).
			return upTo.filter(action => action.kind !== 'file' && !isCheck(action)).length;
	}
}

/** Read-only checks: the plan lists them pending (real runs always run them again). */
export function isCheck(action: PlannedAction): boolean {
	return /^(preflight\.|cluster\.check\.|cluster\.verify$|dns\.checkconf$|dhcp\.check)/.test(action.id);
}

export type Landing = {id: string; step: string; point: Point; count: number; ms: number};

/**
 * Where a killed run died: its last lines name the step and the action (the
 * last one started, or for after-action the last one recorded).
 */
export function landingOf(run: CliRun, actions: Array<PlannedAction & {step: string}>, point: Point, count: number): Landing | undefined {
	const lines = run.stdout.trimEnd().split('\n');
	const step = lines.map(line => /^step (\S+): /.exec(line)?.[1]).filter(Boolean).at(-1);
	const last = lines.at(-1) ?? '';
	const status = point === 'after-action' ? /^\s+(✓ done|= satisfied) / : /^\s+▸ running /;
	if (!step || !status.test(last)) return undefined;
	const candidates = actions.filter(action => action.step === step && last.endsWith(` ${action.title}`));
	const action = candidates.at(-1);
	return action ? {id: action.id, step, point, count, ms: run.ms} : undefined;
}

/** The last line the killed run printed, which names the action it died in or right after. */
export function lastLine(run: CliRun): string {
	return run.stdout.trimEnd().split('\n').at(-1) ?? '';
}


/**
 * Runs apply with the failpoint aimed at `kill.target` until a run dies there
 * or beyond it (at most three runs); returns where each run died. Does
 * nothing when an earlier landing is past the target already. `during` runs
 * while the wizard runs (e.g. to end what the wizard started).
 */
export async function killAt(host: LabHost, kill: Kill, earlier: Landing[], label: string, during?: (run: Promise<CliRun>) => Promise<void>): Promise<Landing[]> {
	const failWith = async (message: string, run?: CliRun) => assert.fail(`${message}\n${await host.diagnostics(run)}`);
	const landings: Landing[] = [];
	// A plan made before a step runs cannot foresee every action its earlier
	// actions make pending or satisfied (see willApply): a count that falls
	// short kills the run in an earlier action (a kill point too; the next plan
	// gets closer), one that goes beyond kills it further on.
	for (let attempt = 1; ; attempt++) {
		const plan = await host.plan();
		const actions = plan.steps.flatMap(step => step.actions.map(action => ({...action, step: step.id})));
		const targetIndex = actions.findIndex(action => action.id === kill.target);
		// A kill further on went past the target: nothing left to aim at (unless
		// something made it pending again, as a killed init does its clean-up).
		const furthest = Math.max(-1, ...[...earlier, ...landings].map(landing => actions.findIndex(action => action.id === landing.id)));
		if (targetIndex >= 0 && targetIndex <= furthest && actions[targetIndex]!.status === 'satisfied') return landings;
		const count = failpointCount(plan, kill);
		const running = host.apply(undefined, {failpoint: `${kill.point}:${count}`});
		if (during) await during(running);
		const run = await running;
		const where = `${label} (${kill.point}:${count} aimed at ${kill.target}: ${kill.why})`;
		if (run.signal !== 'SIGKILL') await failWith(`${where}: the run was not killed (exit ${run.code})`, run);
		const landing = landingOf(run, actions, kill.point, count);
		if (!landing) return failWith(`${where}: the last line names no planned action: ${lastLine(run)}`, run);
		landings.push(landing);
		const landedIndex = actions.findIndex(action => action.id === landing.id);
		if (landing.id === kill.target && kill.point === 'file-candidate') {
			const path = actions[targetIndex]!.path!;
			const candidate = `${path.slice(0, path.lastIndexOf('/'))}/.${path.slice(path.lastIndexOf('/') + 1)}.ganeti-wizard-new`;
			assert.notEqual(await host.lab.readFile(candidate), null, `${where}: the candidate ${candidate} is there`);
		}
		if (landedIndex >= targetIndex) return landings;
		if (attempt === 3) await failWith(`${where}: three runs were killed before the target, the last in ${landing.id}`, run);
	}
}
