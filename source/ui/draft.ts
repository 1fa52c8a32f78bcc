// The answers as a recipe in the making: a plain object shaped like the recipe
// YAML. It is checked by turning it into recipe text and reading that back with
// the recipe loader, so a refused answer reads exactly like a refused recipe.
import {stringify} from 'yaml';
import {parseRecipe, formatPath, writtenRecipe} from '../recipe/load.js';
import {RecipeError} from '../errors.js';
import type {Recipe} from '../recipe/schema.js';

export type Draft = Record<string, unknown>;
export type FieldPath = ReadonlyArray<string | number>;

/** What a recipe needs before any question is answered. */
export function skeletonDraft(): Draft {
	return {
		version: 1,
		host: {},
		network: {bridge: {}, nat: true},
		dns: {},
		storage: {},
		cluster: {disk_templates: ['plain']},
		instances: [],
	};
}

export function draftFromRecipe(recipe: Recipe): Draft {
	// As written (host: or nodes:, not both). Through JSON: the recipe is plain
	// data, and the draft must not share objects with it.
	return JSON.parse(JSON.stringify(writtenRecipe(recipe))) as Draft;
}

export function getPath(draft: Draft, path: FieldPath): unknown {
	let value: unknown = draft;
	for (const part of path) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string | number, unknown>)[part];
	}
	return value;
}

/** Sets a field, creating what leads to it; `undefined` removes the field. */
export function setPath(draft: Draft, path: FieldPath, value: unknown): void {
	let container = draft as Record<string | number, unknown>;
	for (const [index, part] of path.slice(0, -1).entries()) {
		let next = container[part];
		if (next === null || typeof next !== 'object') {
			next = typeof path[index + 1] === 'number' ? [] : {};
			container[part] = next;
		}
		container = next as Record<string | number, unknown>;
	}
	const last = path.at(-1)!;
	if (value === undefined) {
		if (Array.isArray(container) && typeof last === 'number') container.splice(last, 1);
		else delete container[last];
	} else {
		container[last] = value;
	}
}

export function draftToYaml(draft: Draft): string {
	return stringify(draft, {lineWidth: 0});
}

export type DraftCheck = {recipe: Recipe; problems: []} | {recipe: null; problems: string[]};

/** The whole draft read as a recipe: every problem, one line each, as `apply` would print them. */
export function checkDraft(draft: Draft): DraftCheck {
	try {
		return {recipe: parseRecipe(draftToYaml(draft), 'answers'), problems: []};
	} catch (error) {
		if (error instanceof RecipeError) return {recipe: null, problems: error.problems};
		return {recipe: null, problems: [(error as Error).message]};
	}
}

/** Problems that name one of these fields (or something inside them). */
export function problemsAt(problems: readonly string[], paths: ReadonlyArray<FieldPath>): string[] {
	const prefixes = paths.map(path => formatPath(path));
	return problems.filter(problem =>
		prefixes.some(prefix => problem.startsWith(`${prefix}:`) || problem.startsWith(`${prefix}.`) || problem.startsWith(`${prefix}[`)),
	);
}

/** The saved recipe file: the answers, and how to replay them unattended. */
export function recipeFileText(draft: Draft, path: string, when: Date, replay = `ganeti-wizard apply --recipe ${path} --yes`): string {
	const header = [`# Answers given to ganeti-wizard on ${when.toISOString().slice(0, 10)}.`, `# Replay them unattended with: ${replay}`];
	return `${header.join('\n')}\n${draftToYaml(draft)}`;
}
