// A step's plan as lines to show: each action's title, then what it will do —
// files as unified diffs against what is on disk, commands quoted as they will
// run. Pure, so the preview screen only scrolls through it.
import wrapAnsi from 'wrap-ansi';
import type {structuredPatch as StructuredPatchFunction} from 'diff';
import type {PlannedStep} from '../runner/events.js';
import {statusSymbol} from './status-style.js';
import {quoteArgv} from './text.js';

export type PlanLine = {text: string; color?: string; dim?: boolean; bold?: boolean};

type Diff = {structuredPatch: typeof StructuredPatchFunction};

let diffModule: Diff | undefined;

/** jsdiff is only needed once a plan is shown: load it then, not at start-up. */
export async function loadDiff(): Promise<Diff> {
	diffModule ??= await import('diff');
	return diffModule;
}

export function loadedDiff(): Diff | undefined {
	return diffModule;
}

/** Whether a planned action is a check (reads, never changes). */
export function isCheck(action: PlannedStep['actions'][number]['action']): boolean {
	return action.kind === 'command' && Boolean(action.readOnly);
}

/** Whether a planned action will change the host (or wait for the operator) when applied. */
export function isChange(entry: PlannedStep['actions'][number]): boolean {
	return !isCheck(entry.action) && entry.status !== 'satisfied' && entry.status !== 'done' && entry.status !== 'unchecked';
}

export function planLines(step: PlannedStep, diff: Diff): PlanLine[] {
	const lines: PlanLine[] = [];
	for (const entry of step.actions) {
		const {action} = entry;
		const settled = entry.status === 'satisfied' || entry.status === 'done';
		lines.push({
			text: `${statusSymbol[entry.status]} ${action.title}${settled ? ` — already so${entry.note ? ` (${entry.note})` : ''}` : entry.note ? ` — ${entry.note}` : ''}`,
			bold: !settled,
			dim: settled,
		});
		if (settled) continue;
		switch (action.kind) {
			case 'file': {
				const mode = `mode ${action.mode.toString(8).padStart(4, '0')}${action.owner ? `, ${action.owner.user}:${action.owner.group}` : ''}`;
				lines.push({text: `    ${entry.current === null || entry.current === undefined ? 'new file' : 'replaces the file on disk'}, ${mode}${action.check ? `, checked with ${action.check.argv[0]}` : ''}`, dim: true});
				if (action.secret) lines.push({text: '    a private key or a password: its content is not shown', dim: true});
				else lines.push(...diffLines(action.path, entry.current ?? '', action.content, entry.current === null || entry.current === undefined, diff));
				break;
			}
			case 'remove':
				lines.push({text: `    $ rm ${action.path}${action.directories?.length ? `; rmdir (when empty) ${action.directories.join(' ')}` : ''}`, color: 'cyan'});
				break;
			case 'command': {
				// A check changes nothing: its title says what it checks; the transcript keeps its program.
				if (action.readOnly) {
					lines.push({text: '    a check: changes nothing', dim: true});
					break;
				}
				// A script passed as one argument spans lines: show all of them, indented under the command.
				const [first, ...rest] = quoteArgv(action.argv).split('\n');
				lines.push({text: `    $ ${first}`, color: 'cyan'});
				for (const line of rest) lines.push({text: `      ${line.replace(/\t/g, '    ')}`, color: 'cyan'});
				break;
			}
			case 'service':
				lines.push({text: `    $ service ${action.service} ${action.operation === 'running' ? 'start' : action.operation === 'stopped' ? 'stop' : action.operation}`, color: 'cyan'});
				break;
			case 'checkpoint':
				lines.push({text: `    you: ${action.instructions}`, color: 'yellow'});
				break;
		}
	}
	return lines;
}

function diffLines(path: string, before: string, after: string, absent: boolean, diff: Diff): PlanLine[] {
	const patch = diff.structuredPatch(path, path, before, after, absent ? '(absent)' : 'on disk', 'planned', {context: 3});
	const lines: PlanLine[] = [
		{text: `    --- ${absent ? '/dev/null' : path}\t${absent ? '(absent)' : 'on disk'}`, color: 'red'},
		{text: `    +++ ${path}\tplanned`, color: 'green'},
	];
	for (const hunk of patch.hunks) {
		lines.push({text: `    @@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, color: 'cyan'});
		for (const line of hunk.lines) {
			const sign = line[0];
			lines.push({text: `    ${line.replace(/\t/g, '    ')}`, ...(sign === '+' ? {color: 'green'} : sign === '-' ? {color: 'red'} : {dim: sign === '\\'})});
		}
	}
	return lines;
}

/**
 * Lines wider than `width` (columns) continue on the next terminal lines,
 * indented alike, broken between words, and inside a word only when it is
 * wider than the line (a long path): a plan hides nothing.
 */
export function wrapPlanLines(lines: PlanLine[], width: number): PlanLine[] {
	if (width < 20) return lines;
	const wrapped: PlanLine[] = [];
	for (const line of lines) {
		if ([...line.text].length <= width) {
			wrapped.push(line);
			continue;
		}
		const indent = ' '.repeat(Math.min(12, /^ */.exec(line.text)![0].length + 2));
		// wrap-ansi only inserts line breaks (trim: false): what follows the first line is the rest of the text.
		const first = wrapAnsi(line.text, width, {hard: true, trim: false}).split('\n')[0]!;
		wrapped.push({...line, text: first.trimEnd()});
		const rest = line.text.slice(first.length).replace(/^ +/, '');
		for (const part of wrapAnsi(rest, width - indent.length, {hard: true, trim: false}).split('\n')) wrapped.push({...line, text: indent + part.trim()});
	}
	return wrapped;
}
