// A minimal stand-in for the runner, to exercise a step's own actions against
// real tools in a throwaway folder: paths under `from` are mapped under a
// folder, probes decide as the runner's do (exit 0 and the stdout conditions),
// commands run for real. Services and checkpoints are only recorded.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname} from 'node:path';
import {$} from 'zx';
import {probeArgv, type Action, type Probe} from '../../source/actions/action.js';

export type Executed = {id: string; outcome: 'satisfied' | 'ran' | 'wrote' | 'recorded'};

export type Mapping = {from: string; to: string};

export function mapPath(mapping: Mapping, text: string): string {
	return text === mapping.from || text.startsWith(`${mapping.from}/`) ? mapping.to + text.slice(mapping.from.length) : text;
}

export async function exec(argv: string[], env: Record<string, string> = {}): Promise<{exitCode: number; stdout: string; stderr: string}> {
	const result = await $({nothrow: true, quiet: true, env: {...process.env, LC_ALL: 'C', ...env}})`${argv}`;
	return {exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr};
}

export async function probeSays(probe: Probe, run: (argv: string[]) => Promise<{exitCode: number; stdout: string}>): Promise<boolean> {
	if ('not' in probe) return !(await probeSays(probe.not, run));
	const result = await run(probeArgv(probe));
	if (result.exitCode !== 0) return false;
	if ('argv' in probe && probe.stdoutEmpty && result.stdout.trim() !== '') return false;
	if ('argv' in probe && probe.stdoutIncludes !== undefined && !result.stdout.includes(probe.stdoutIncludes)) return false;
	return true;
}

export function readMapped(mapping: Mapping, path: string): string | null {
	try {
		return readFileSync(mapPath(mapping, path), 'utf8');
	} catch {
		return null;
	}
}

/**
 * Applies the actions whose paths lie under `mapping.from` (others are left
 * out), in order; stops after the action with id `stopAfter` (an interrupted run).
 */
export async function applyMapped(actions: Action[], mapping: Mapping, options: {stopAfter?: string; env?: Record<string, string>} = {}): Promise<Executed[]> {
	const run = (argv: string[]) => exec(argv.map(part => mapPath(mapping, part)), options.env);
	const executed: Executed[] = [];
	for (const action of actions) {
		if (action.kind === 'file') {
			if (!action.path.startsWith(`${mapping.from}/`)) continue;
			const path = mapPath(mapping, action.path);
			if (readMapped(mapping, action.path) === action.content) executed.push({id: action.id, outcome: 'satisfied'});
			else {
				mkdirSync(dirname(path), {recursive: true});
				writeFileSync(path, action.content);
				executed.push({id: action.id, outcome: 'wrote'});
			}
		} else if (action.kind === 'command') {
			if (!action.argv.some(part => part.startsWith(`${mapping.from}/`) || part === mapping.from) || action.readOnly) continue;
			if (action.satisfiedWhen && (await probeSays(action.satisfiedWhen, run))) {
				executed.push({id: action.id, outcome: 'satisfied'});
			} else {
				const result = await run(action.argv);
				if (result.exitCode !== 0) throw new Error(`${action.id}: ${action.argv.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
				executed.push({id: action.id, outcome: 'ran'});
			}
		} else {
			executed.push({id: action.id, outcome: 'recorded'});
		}
		if (action.id === options.stopAfter) break;
	}
	return executed;
}
