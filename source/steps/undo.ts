// Undo as ordinary actions: the wizard's changes from the journal, in reverse
// order, each turned into the action that reverses it, so undo has a plan,
// resumes after a kill, changes nothing when run twice and can be rehearsed.
// Instances go before the cluster, daemons the wizard started are stopped,
// files come back byte for byte (or go, when the wizard created them), the
// inverses run. A file someone changed after the wizard wrote it is kept as it
// is, and said so: undo never overwrites another person's edit.
import type {Action, CommandAction, RemoveAction, ServiceAction} from '../actions/action.js';
import type {CommandChange, FileChange, WizardChange} from '../site/changes.js';
import {undoStepId} from '../site/changes.js';
import type {FileVersion} from '../site/journal.js';
import {historyAfter, stateDirectoryToken} from './config-history.js';
import {packagesActionId} from './host.js';
import type {Facts, StepDefinition} from './step.js';

export type UndoOptions = {
	/** The site's state directory, where inverses keep what they archive. */
	stateDir: string;
	/** A kept file version's content (blobs/<sha256>), null when it is missing. */
	blob: (sha256: string) => string | null;
	/** Also remove the packages the wizard installed (they were not there before). */
	purgePackages?: boolean;
};

/** A file undo leaves as it is, and why. */
export type KeptFile = {path: string; reason: string};

export type UndoPlan = {actions: Action[]; kept: KeptFile[]};

export const undoCommitMessage = 'undo: the files as they were before ganeti-wizard';

/** The repository of a `git -C DIR ... commit` argv, else undefined. */
function committedIn(argv: string[]): string | undefined {
	return argv[0] === 'git' && argv[1] === '-C' && argv.includes('commit') ? argv[2] : undefined;
}

function content(version: FileVersion, blob: UndoOptions['blob']): string | null | undefined {
	return 'absent' in version ? null : (blob(version.sha256) ?? undefined);
}

/**
 * The actions that reverse `changes` (as `wizardChanges` gives them), given the
 * files as they are now (`facts.files`, for every changed path). Pure.
 */
export function planUndo(changes: WizardChange[], facts: Pick<Facts, 'files'>, options: UndoOptions): UndoPlan {
	const kept: KeptFile[] = [];
	// Each entry's position: the change it reverses; undo runs from the last change down.
	const planned: Array<{position: number; action: Action}> = [];
	const restored: string[] = [];
	const reloads: ServiceAction[] = [];
	const substitute = (argv: string[]) => argv.map(part => part.replaceAll(stateDirectoryToken, options.stateDir));

	for (const change of changes) {
		switch (change.kind) {
			case 'file': {
				const action = fileAction(change, facts.files[change.path] ?? null, options, kept);
				if (action) {
					// At the first write: everything done since is reversed while the file is still there.
					planned.push({position: change.firstPosition, action});
					restored.push(action.id);
				}
				break;
			}
			case 'command': {
				const action = commandAction(change, options, substitute);
				if (action) planned.push({position: change.position, action});
				break;
			}
			case 'service':
				if (!change.wasRunning) {
					planned.push({
						position: change.position,
						action: {
							kind: 'command',
							id: `${undoStepId}.service.${change.service}`,
							title: `stop ${change.service}: the wizard started it`,
							argv: ['service', change.service, 'stop'],
							satisfiedWhen: {not: {argv: ['service', change.service, 'status']}},
						},
					});
				} else if (change.operation === 'reload' || change.operation === 'restart') {
					// Running before: it stays so, and reads its restored configuration.
					reloads.push({kind: 'service', id: `${undoStepId}.service.${change.service}`, title: `${change.operation} ${change.service} with its configuration as it was`, service: change.service, operation: change.operation, after: restored});
				}
				break;
		}
	}

	// A repository that was there keeps its history: the restored files are committed as an undo.
	const created = new Set(changes.filter((change): change is CommandChange => change.kind === 'command' && change.argv[0] === 'git' && change.argv[1] === 'init').map(change => change.argv.at(-1)!));
	const repositories = new Set(changes.flatMap(change => (change.kind === 'command' ? [committedIn(change.argv)] : [])).filter((dir): dir is string => dir !== undefined && !created.has(dir)));
	for (const dir of repositories) {
		const inside = changes.filter((change): change is FileChange => change.kind === 'file' && change.path.startsWith(`${dir}/`));
		const first = Math.min(...inside.map(change => change.firstPosition), Infinity);
		if (first === Infinity) continue;
		const [stage, commit] = historyAfter(`${undoStepId}.${dir}`, dir, undoCommitMessage);
		planned.push({position: first - 0.4, action: {...stage!, title: `stage the restored files in ${dir}`}}, {position: first - 0.5, action: {...commit!, title: `commit in ${dir}: ${undoCommitMessage}`}});
	}

	directoriesToRemovals(changes, planned);
	planned.sort((a, b) => b.position - a.position);
	return {actions: [...planned.map(entry => entry.action), ...reloads], kept};
}

/**
 * Gives each directory the wizard made (for a new file: `createdDirectories`)
 * to the removal that runs last among those of files inside it, deepest
 * first: the directory is empty only once every file the wizard put there is
 * gone, whichever file made it (the one that made it may have been rewritten
 * since, and so be removed first). A directory that was there before is named
 * by no change, so it stays.
 */
function directoriesToRemovals(changes: WizardChange[], planned: Array<{position: number; action: Action}>): void {
	const created = new Set(changes.flatMap(change => (change.kind === 'file' ? change.createdDirectories : [])));
	const removals = planned.filter((entry): entry is {position: number; action: RemoveAction} => entry.action.kind === 'remove');
	const given = new Map<RemoveAction, string[]>();
	for (const directory of created) {
		const inside = removals.filter(entry => entry.action.path.startsWith(`${directory}/`));
		if (inside.length === 0) continue;
		// Undo runs from the highest position down: the lowest is removed last.
		const last = inside.reduce((a, b) => (b.position < a.position ? b : a));
		given.set(last.action, [...(given.get(last.action) ?? []), directory]);
	}
	for (const entry of removals) {
		const directories = given.get(entry.action);
		// Deepest first: a directory is empty only once those inside it are gone.
		if (directories) entry.action = {...entry.action, directories: directories.sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a))};
	}
}

function fileAction(change: FileChange, current: string | null, options: UndoOptions, kept: KeptFile[]): Action | undefined {
	const before = content(change.before, options.blob);
	const after = content(change.after, options.blob);
	if (before === undefined) {
		kept.push({path: change.path, reason: 'its version from before the wizard is missing from the state directory (blobs)'});
		return undefined;
	}
	// Changed by someone else since the wizard wrote it (and not back to the original): theirs.
	if (current !== before && current !== after) {
		kept.push({path: change.path, reason: 'changed by someone else after the wizard wrote it'});
		return undefined;
	}
	const id = `${undoStepId}.file.${change.path}`;
	if (before === null) {
		// The directories made for it are given out once every removal is planned (directoriesToRemovals).
		return {kind: 'remove', id, title: `remove ${change.path} (the wizard created it)`, path: change.path};
	}
	return {kind: 'file', id, title: `restore ${change.path} as it was before the wizard`, path: change.path, content: before, mode: 0o644};
}

function commandAction(change: CommandChange, options: UndoOptions, substitute: (argv: string[]) => string[]): CommandAction | undefined {
	if (!('argv' in change.inverse)) return undefined;
	if (change.id === packagesActionId && !options.purgePackages) return undefined;
	return {
		kind: 'command',
		id: `${undoStepId}.${change.id}`,
		title: `undo: ${change.title}`,
		argv: substitute(change.inverse.argv),
		// Done once what the change made is gone (the same probe, negated).
		...(change.probe ? {satisfiedWhen: {not: change.probe}} : {}),
	};
}

/**
 * Undo as a step the runner applies. `kept` receives the files left as someone
 * else changed them each time the step is planned.
 */
export function undoStep(changes: WizardChange[], options: UndoOptions, kept: (files: KeptFile[]) => void = () => {}): StepDefinition {
	return {
		id: undoStepId,
		title: "Undo the wizard's changes",
		requires: [],
		reads: () => [...new Set(changes.flatMap(change => (change.kind === 'file' ? [change.path] : [])))],
		plan(_inventory, facts) {
			const plan = planUndo(changes, facts, options);
			kept(plan.kept);
			return plan.actions;
		},
	};
}
