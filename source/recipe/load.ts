// Recipe text -> validated Recipe. Every problem becomes one line naming the
// field path, the bad value and what is expected; no stack trace ever.
import {readFile} from 'node:fs/promises';
import {parseDocument} from 'yaml';
import type {z} from 'zod';
import {crossCheck} from './cross-checks.js';
import {recipeSchema, type Recipe} from './schema.js';

export class RecipeError extends Error {
	constructor(
		readonly problems: string[],
		readonly source = 'recipe',
	) {
		super(`${source}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
		this.name = 'RecipeError';
	}
}

export async function loadRecipeFile(path: string): Promise<{recipe: Recipe; text: string}> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new RecipeError([code === 'ENOENT' ? 'no such file; pass --recipe with the path of a recipe (e.g. recipes/gcc-compile-farm.yaml)' : `cannot be read (${code})`], path);
	}
	return {recipe: parseRecipe(text, path), text};
}

export function parseRecipe(text: string, source = 'recipe'): Recipe {
	const document = parseDocument(text, {prettyErrors: false, uniqueKeys: true});
	if (document.errors.length > 0) {
		const error = document.errors[0]!;
		const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [undefined, undefined];
		const where = line ? `line ${line}, column ${column}` : 'YAML';
		throw new RecipeError([`${where}: ${firstLine(error.message)}; fix the YAML syntax there`], source);
	}
	const data: unknown = document.toJS();
	if (data === null || typeof data !== 'object' || Array.isArray(data)) {
		throw new RecipeError(['is not a YAML mapping; a recipe starts with "version: 1" followed by host:, network:, dns:, ...'], source);
	}
	const result = recipeSchema.safeParse(data);
	if (!result.success) {
		throw new RecipeError(result.error.issues.map(issue => describeIssue(issue, data)), source);
	}
	const problems = crossCheck(result.data);
	if (problems.length > 0) throw new RecipeError(problems, source);
	return result.data;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
	let text = '';
	for (const part of path) {
		text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
	}
	return text || '(top level)';
}

export function formatValue(value: unknown): string {
	if (value === undefined) return 'missing';
	const json = JSON.stringify(value);
	return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
	let value = data;
	for (const part of path) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<PropertyKey, unknown>)[part];
	}
	return value;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
	const path = formatPath(issue.path);
	if (issue.code === 'unrecognized_keys') {
		const keys = issue.keys.map(key => `"${key}"`).join(', ');
		return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
	}
	const value = valueAt(data, issue.path);
	if (value === undefined) return `${path}: missing; ${expectation(issue)}`;
	if (issue.code === 'invalid_type') return `${path}: ${formatValue(value)} is ${describeType(value)}; ${expectation(issue)}`;
	return `${path}: ${formatValue(value)} ${issue.message}`;
}

function expectation(issue: z.core.$ZodIssue): string {
	if (issue.code === 'invalid_type') return `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
	return `it ${issue.message.replace(/^is not /, 'must be ')}`;
}

function describeType(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'empty';
	return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

function firstLine(text: string): string {
	return text.split('\n')[0]!.trim();
}
