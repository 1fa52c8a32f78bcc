// Git history for a configuration directory (/etc/bind, /etc/dhcp): created if
// missing, existing history kept. Changes made by hand are committed first, on
// their own; then the wizard writes its files; then one commit says what the
// wizard changed. Every command is a fixed argv with a probe, so a run killed
// anywhere resumes without mislabelling or repeating a commit.
import type {CommandAction} from '../actions/action.js';
import {program} from './programs.js';
import type {Facts} from './step.js';

export type ManagedFile = {path: string; content: string};

export const handChangesMessage = 'changes made outside ganeti-wizard';

/** In an inverse's argv, the site's state directory (undo puts it in: steps do not know it). */
export const stateDirectoryToken = '{state}';

/** Where undo keeps the history of a repository the wizard created: `{state}/git-history`. */
export const gitHistoryArchive = `${stateDirectoryToken}/git-history`;

const historyNote = 'undo restores the files, then commits them as an undo in a repository that was there before; one the wizard created goes (its history archived)';

/** Left behind by a write killed before its rename; never history. */
const candidates = ':(exclude).*.ganeti-wizard-new';

const git = (dir: string, ...args: string[]): string[] => ['git', '-C', dir, ...args];
const gitCommit = (dir: string, message: string): string[] => [
	'git', '-C', dir,
	// No global git configuration is needed (or used for signing) on the host.
	'-c', 'user.name=ganeti-wizard', '-c', 'user.email=root@localhost', '-c', 'commit.gpgsign=false',
	'commit', '-q', '-m', message,
];

function relativeName(dir: string, path: string): string {
	if (!path.startsWith(`${dir}/`)) throw new Error(`${path} is not inside ${dir}`);
	return path.slice(dir.length + 1);
}

/**
 * What a managed file held before the wizard touches it this time: the file on
 * disk, unless it already holds the new content (written by an interrupted
 * run), in which case the committed one.
 */
export function baseline(facts: Facts, file: ManagedFile): string | null {
	const current = facts.files[file.path] ?? null;
	return current !== file.content ? current : (facts.committed[file.path] ?? null);
}

/** Whether the file on disk holds a change nobody committed and the wizard did not make. */
function changedByHand(facts: Facts, file: ManagedFile): boolean {
	const current = facts.files[file.path] ?? null;
	return current !== null && current !== file.content && current !== (facts.committed[file.path] ?? null);
}

/** Planned before the step's file writes. */
export function historyBefore(stepId: string, dir: string, managed: ManagedFile[], facts: Facts): CommandAction[] {
	const names = managed.map(file => relativeName(dir, file.path));
	const others = ['.', ...names.map(name => `:(exclude)${name}`), candidates];
	const actions: CommandAction[] = [
		{
			kind: 'command',
			id: `${stepId}.git.init`,
			title: `keep ${dir} under git`,
			argv: ['git', 'init', '-q', dir],
			satisfiedWhen: {exists: `${dir}/.git`},
			// The history is archived in the state directory, then the repository goes.
			inverse: program('archive-git', dir, gitHistoryArchive),
		},
		{
			// A run killed between staging and committing its own files must not
			// have them committed as hand changes: unstage them first.
			kind: 'command',
			id: `${stepId}.git.unstage`,
			title: `unstage the wizard's files in ${dir}`,
			argv: git(dir, 'reset', '-q', '--', ...names),
			inverseNote: 'it changes only what git is about to commit, no file',
			satisfiedWhen: {argv: git(dir, 'diff', '--cached', '--quiet', '--', ...names)},
		},
	];
	for (const file of managed) {
		if (!changedByHand(facts, file)) continue;
		const name = relativeName(dir, file.path);
		const tracked = facts.committed[file.path] !== null && facts.committed[file.path] !== undefined;
		actions.push({
			kind: 'command',
			id: `${stepId}.git.hand-edit.${name}`,
			title: `stage the hand edit of ${file.path} before replacing it`,
			argv: git(dir, 'add', '--', name),
			inverseNote: 'a hand edit stays in the history: it is someone else\'s',
			satisfiedWhen: tracked ? {argv: git(dir, 'diff', '--quiet', '--', name)} : {argv: git(dir, 'ls-files', '--', name), stdoutIncludes: name},
		});
	}
	actions.push(
		{
			kind: 'command',
			id: `${stepId}.git.outside.stage`,
			title: `stage changes made by hand in ${dir}`,
			argv: git(dir, 'add', '-A', '--', ...others),
			satisfiedWhen: {argv: git(dir, 'status', '--porcelain', '--', ...others), stdoutEmpty: true},
			inverseNote: 'changes made by hand stay in the history: they are someone else\'s',
		},
		{
			kind: 'command',
			id: `${stepId}.git.outside.commit`,
			title: `commit changes made by hand in ${dir}`,
			argv: gitCommit(dir, handChangesMessage),
			satisfiedWhen: {argv: git(dir, 'diff', '--cached', '--quiet')},
			inverseNote: 'changes made by hand stay in the history: they are someone else\'s',
		},
	);
	return actions;
}

/** Planned after the step's file writes: one commit saying what changed. */
export function historyAfter(stepId: string, dir: string, message: string): CommandAction[] {
	const all = ['.', candidates];
	return [
		{
			kind: 'command',
			id: `${stepId}.git.stage`,
			title: `stage the wizard's changes in ${dir}`,
			argv: git(dir, 'add', '-A', '--', ...all),
			satisfiedWhen: {argv: git(dir, 'status', '--porcelain', '--', ...all), stdoutEmpty: true},
			inverseNote: historyNote,
		},
		{
			kind: 'command',
			id: `${stepId}.git.commit`,
			title: `commit in ${dir}: ${message.split('\n')[0]}`,
			argv: gitCommit(dir, message),
			satisfiedWhen: {argv: git(dir, 'diff', '--cached', '--quiet')},
			inverseNote: historyNote,
		},
	];
}

/** A commit message from change lines: all of them in the subject when few, else a count and a body. */
export function commitMessage(changes: string[]): string {
	if (changes.length === 0) return 'update by ganeti-wizard';
	if (changes.length <= 3) return changes.join(', ');
	return `${changes.length} changes: ${changes.slice(0, 2).join(', ')}, ...\n\n${changes.join('\n')}`;
}
