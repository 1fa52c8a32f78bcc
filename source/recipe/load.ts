// Recipe text -> validated Recipe. Every problem becomes one line naming the
// field path, the bad value and what is expected; no stack trace ever.
import {readFile} from 'node:fs/promises';
import {isAlias, isCollection, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify, visit, type Document, type YAMLError} from 'yaml';
import type {z} from 'zod';
import {RecipeError} from '../errors.js';
import {crossCheck, quoteValue} from './cross-checks.js';
import {normaliseRecipe, recipeSchema, type Recipe, type WrittenRecipe} from './schema.js';

/**
 * A recipe as YAML text, as it is saved with progress and read back by
 * parseRecipe (to an equal Recipe): `host:` for a site of one node, `nodes:`
 * for more.
 */
export function recipeText(recipe: Recipe): string {
	return stringify(writtenRecipe(recipe));
}

/** The recipe as it is written: `host:` for one node, `nodes:` (the master first) for more. */
export function writtenRecipe(recipe: Recipe): WrittenRecipe {
	const {version, host, nodes, ...rest} = recipe;
	return nodes.length === 1 ? {version, host, ...rest} : {version, nodes, ...rest};
}

export async function loadRecipeFile(path: string): Promise<{recipe: Recipe; text: string}> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const problem =
			code === 'ENOENT'
				? 'no such file; pass --recipe with the path of a recipe (e.g. recipes/gcc-compile-farm.yaml)'
				: code === 'EISDIR'
					? 'is a directory; pass --recipe with the path of a recipe file (e.g. recipes/gcc-compile-farm.yaml)'
					: `cannot be read (${code ?? 'unknown error'}); check the path and its permissions`;
		throw new RecipeError([problem], path);
	}
	return {recipe: parseRecipe(text, path), text};
}

const recipeStart = 'a recipe is a mapping that starts with "version: 1" followed by host:, network:, dns:, storage: and cluster: (see recipes/gcc-compile-farm.yaml)';

export function parseRecipe(text: string, source = 'recipe'): Recipe {
	const data = readYaml(text, source);
	const result = recipeSchema.safeParse(data);
	const nodeProblems = hostOrNodes(data);
	if (!result.success || nodeProblems.length > 0) {
		// A misspelt key comes first: the "missing" problems it causes follow from it.
		const issues = [...(result.error?.issues ?? [])].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
		const misspelt = issues.filter(issue => issue.code === 'unrecognized_keys');
		throw new RecipeError(
			[...misspelt.flatMap(issue => describeIssue(issue, data)), ...nodeProblems, ...issues.slice(misspelt.length).flatMap(issue => describeIssue(issue, data))],
			source,
		);
	}
	const recipe = normaliseRecipe(result.data!);
	const problems = crossCheck(recipe, Object.hasOwn(data, 'nodes') ? 'nodes' : 'host');
	if (problems.length > 0) throw new RecipeError(problems, source);
	return recipe;
}

/** A recipe names its nodes in exactly one of host: (one node) and nodes: (several). */
function hostOrNodes(data: Record<string, unknown>): string[] {
	const given = (key: string) => Object.hasOwn(data, key);
	if (given('host') && given('nodes')) {
		return ['nodes: given together with host; name the nodes in one place: host: for a single node, or nodes: with that host as the first entry (role: master)'];
	}
	if (!given('host') && !given('nodes')) {
		return [`host: missing; expected a mapping with ${fieldNames(schemaAt(['host'])).join(', ')} (or nodes:, a list of nodes with the master first)`];
	}
	return [];
}

/** YAML text -> plain data, or a RecipeError that says at which line and column. */
function readYaml(text: string, source: string): Record<string, unknown> {
	const lineCounter = new LineCounter();
	const document = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: false});
	const at = (offset: number): string => {
		const {line, col} = lineCounter.linePos(offset);
		return `line ${line}, column ${col}`;
	};
	// A tab that indents a line derails the parse of everything after it: that line alone is the problem.
	const tabs = tabIndentedLines(document, lineCounter, text);
	if (tabs.length > 0) throw new RecipeError(tabs, source);
	// YAML notices an unclosed bracket or quote only where the text ends; point at its opening.
	const unclosed = unclosedOpenings(document, text);
	const yamlProblems = unclosed.length > 0 ? unclosed.map(({offset, what}) => `${at(offset)}: ${what}`) : document.errors.map(error => describeYamlError(error, at));
	const problems = [
		...yamlProblems,
		...duplicateKeys(document, at),
		...unusableNodes(document, at),
	];
	if (problems.length > 0) throw new RecipeError(problems, source);
	if (document.contents === null) throw new RecipeError([`is empty; ${recipeStart}`], source);
	let data: unknown;
	try {
		data = document.toJS({maxAliasCount: 100});
	} catch (error) {
		throw new RecipeError([`YAML: ${(error as Error).message}; write the values out instead of through aliases (*name)`], source);
	}
	if (data === null) throw new RecipeError([`is empty; ${recipeStart}`], source);
	if (typeof data !== 'object' || Array.isArray(data)) {
		throw new RecipeError([`is ${describeType(data)}, not a mapping; ${recipeStart}`], source);
	}
	return data as Record<string, unknown>;
}

function describeYamlError(error: YAMLError, at: (offset: number) => string): string {
	const [start] = error.pos;
	if (error.code === 'MULTIPLE_DOCS') return `${at(start)}: a second YAML document starts here; a recipe is one document, remove the "---" and what follows or merge it`;
	return `${at(start)}: ${firstLine(error.message).replace(/\.$/, '')}; fix the YAML syntax there`;
}

/**
 * The lines the parser found indented with a tab (YAML 1.2, 6.1: tabs are
 * never indentation), each once, with the tab's column.
 */
function tabIndentedLines(document: Document, lineCounter: LineCounter, text: string): string[] {
	const lines = new Set<number>();
	for (const error of document.errors) if (error.code === 'TAB_AS_INDENT') lines.add(lineCounter.linePos(error.pos[0]).line);
	return [...lines]
		.sort((a, b) => a - b)
		.map(line => {
			const column = (text.split(/\r?\n/)[line - 1] ?? '').search(/\t/) + 1;
			return `line ${line}, column ${Math.max(column, 1)}: a tab indents this line; YAML indents with spaces only: replace the tab with spaces`;
		});
}

/** Flow lists, flow mappings and quoted strings whose closing character never comes. */
function unclosedOpenings(document: Document, text: string): Array<{offset: number; what: string}> {
	if (document.errors.length === 0) return [];
	const found: Array<{offset: number; what: string}> = [];
	const closes = (range: readonly number[] | null | undefined, close: string): boolean => {
		if (!range) return true;
		const source = text.slice(range[0], range[1]).trimEnd();
		return source.length > 1 && source.endsWith(close);
	};
	visit(document, {
		Collection(_, node) {
			if (!node.flow) return;
			const [open, close, kind] = isSeq(node) ? ['[', ']', 'list'] : ['{', '}', 'mapping'];
			if (!closes(node.range, close)) found.push({offset: node.range![0], what: `the ${kind} opened here with "${open}" is never closed; add "${close}" at its end`});
		},
		Scalar(_, node) {
			const quote = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : undefined;
			if (quote && !closes(node.range, quote)) found.push({offset: node.range![0], what: `the string opened here with ${quote} is never closed; add the closing ${quote}`});
		},
	});
	return found.sort((a, b) => a.offset - b.offset);
}

/** Keys given twice in one mapping, named by their field path and both lines. */
function duplicateKeys(document: Document, at: (offset: number) => string): string[] {
	const problems: string[] = [];
	visit(document, {
		Map(_, map, ancestors) {
			const seen = new Map<unknown, number>();
			for (const pair of map.items) {
				if (!isScalar(pair.key)) continue;
				const key = pair.key.value;
				const offset = pair.key.range?.[0] ?? 0;
				const first = seen.get(key);
				if (first === undefined) {
					seen.set(key, offset);
					continue;
				}
				const path = formatPath([...pathOf(ancestors, map), String(key)]);
				problems.push(`${path}: given twice (${at(first)} and ${at(offset)}); keep only one`);
			}
		},
	});
	return problems;
}

/** Aliases to no anchor and keys that are lists or mappings: YAML allows them, a recipe cannot use them. */
function unusableNodes(document: Document, at: (offset: number) => string): string[] {
	const problems: string[] = [];
	visit(document, {
		Alias(_, alias) {
			if (alias.resolve(document) === undefined) {
				problems.push(`${at(alias.range?.[0] ?? 0)}: alias *${alias.source} names no anchor defined before it; define &${alias.source} first or write the value out`);
			}
		},
		Pair(_, pair) {
			if (isCollection(pair.key) || isAlias(pair.key)) {
				const offset = (pair.key as {range?: [number, number, number]}).range?.[0] ?? 0;
				problems.push(`${at(offset)}: a key is a list, a mapping or an alias; a recipe's keys are plain names (e.g. hostname)`);
			}
		},
	});
	return problems;
}

/** The recipe path of a YAML node from the visitor's ancestors (Document, Map, Pair, Seq, ...). */
function pathOf(ancestors: readonly unknown[], node: unknown): PropertyKey[] {
	const chain = [...ancestors, node];
	const path: PropertyKey[] = [];
	for (let index = 1; index < chain.length; index++) {
		const parent = chain[index - 1];
		const child = chain[index];
		if (isPair(child) && isScalar(child.key)) path.push(String(child.key.value));
		if (isSeq(parent)) path.push(parent.items.indexOf(child as never));
	}
	return path;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
	let text = '';
	for (const part of path) {
		if (typeof part === 'number') text += `[${part}]`;
		else if (typeof part === 'string' && /^[A-Za-z0-9_-]+$/.test(part)) text += `${text ? '.' : ''}${part}`;
		else text += `[${JSON.stringify(String(part))}]`;
	}
	return text || '(top level)';
}

export function formatValue(value: unknown): string {
	if (value === undefined) return 'missing';
	return quoteValue(value);
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
	let value = data;
	for (const part of path) {
		if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
		value = (value as Record<PropertyKey, unknown>)[part];
	}
	return value;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string[] {
	if (issue.code === 'unrecognized_keys') return issue.keys.map(key => describeUnknownKey(issue.path, key, data));
	if (issue.code === 'invalid_union') {
		const meant = optionMeant(issue.errors);
		if (meant) return meant.flatMap(inner => describeIssue({...inner, path: [...issue.path, ...inner.path]} as z.core.$ZodIssue, data));
	}
	const path = formatPath(issue.path);
	const value = valueAt(data, issue.path);
	if (value === undefined) return [`${path}: missing; ${expectation(issue.path, issue)}`];
	if (value === null) return [`${path}: is empty; ${expectation(issue.path, issue)}`];
	if (issue.code === 'invalid_type') {
		// z.number().int() reports a fraction as a wrong type; its own message says it better.
		if (issue.expected === 'int' && typeof value === 'number') return [`${path}: ${formatValue(value)} ${issue.message}`];
		// YAML reads 1, true or 1e3 as numbers and booleans; a string field wants them quoted.
		const quoteHint = issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean') && fitsAsText(issue.path, value) ? ` (put it in quotes: "${String(value)}")` : '';
		return [`${path}: ${formatValue(value)} is ${describeType(value)}; ${expectation(issue.path, issue)}${quoteHint}`];
	}
	if ((issue.code === 'too_small' || issue.code === 'too_big') && Array.isArray(value) && issue.message.startsWith('Too ')) {
		const count = `${value.length} item${value.length === 1 ? '' : 's'}`;
		const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
		const exact = tupleLength(issue.path);
		return [`${path}: ${formatValue(value)} has ${count}; expected ${exact === undefined ? bound : `exactly ${exact}`}${exact === 2 ? ' (first and last, e.g. [10.10.1.200, 10.10.1.249])' : ''}`];
	}
	return [`${path}: ${formatValue(value)} ${issue.message}`];
}

/**
 * Of a union's options (e.g. an install medium: {iso} or {os}), the one the
 * value evidently meant: the only one whose keys all fit. Its own problems then
 * say more than "matches no option".
 */
function optionMeant(optionIssues: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
	const fitting = optionIssues.filter(issues => !issues.some(issue => issue.code === 'unrecognized_keys' && issue.path.length === 0));
	return fitting.length === 1 ? fitting[0] : undefined;
}

function fitsAsText(path: ReadonlyArray<PropertyKey>, value: number | boolean): boolean {
	const schema = schemaAt(path);
	return schema !== undefined && (schema as z.ZodType).safeParse(String(value)).success;
}

function describeUnknownKey(parentPath: ReadonlyArray<PropertyKey>, key: string, data: unknown): string {
	const path = formatPath([...parentPath, key]);
	const parent = valueAt(data, parentPath) as Record<string, unknown> | undefined;
	const parentSchema = schemaAt(parentPath);
	const known = fieldNames(parentSchema);
	const companions = parentSchema ? companionsOf(parentSchema, key, parent) : [];
	if (companions.length > 0) {
		const list = companions.join(' and ');
		return `${path}: only goes together with ${list}; add ${list} or remove ${key}`;
	}
	const absent = known.filter(name => parent === undefined || !Object.hasOwn(parent, name));
	const guess = closest(key, absent);
	if (guess) return `${path}: unknown field; did you mean "${guess}"?`;
	return `${path}: unknown field; remove it${known.length > 0 ? ` (the fields here are ${known.join(', ')})` : ''}`;
}

/**
 * For a key that one option of a union has but the value's own option lacks
 * (vnc_password_file in an install by OS definition): the required fields of
 * the option it belongs to that the value does not give.
 */
function companionsOf(schema: AnySchema, key: string, value: Record<string, unknown> | undefined): string[] {
	const def = definition(unwrap(schema));
	if (def.type !== 'union') return [];
	for (const option of def.options!) {
		const shape = definition(unwrap(option)).shape;
		if (!shape || !(key in shape)) continue;
		const missing = Object.entries(shape)
			.filter(([name, field]) => !isOptional(field) && (value === undefined || !Object.hasOwn(value, name)))
			.map(([name]) => name);
		if (missing.length > 0) return missing;
	}
	return [];
}

function isOptional(schema: AnySchema): boolean {
	return ['optional', 'default', 'prefault'].includes(definition(schema).type);
}

/** What a field expects, in words: "expected a mapping with ..." or the schema's own description. */
function expectation(path: ReadonlyArray<PropertyKey>, issue: z.core.$ZodIssue): string {
	const schema = schemaAt(path);
	const description = schema ? describeSchema(schema) : undefined;
	const fields = fieldNames(schema);
	if (fields.length > 0 && !description) return `expected a mapping with ${fields.join(', ')}`;
	if (description) return description.startsWith('is not ') ? `expected ${description.slice('is not '.length)}` : `it ${description}`;
	if (issue.code === 'invalid_type') {
		const expected = {array: 'a list', object: 'a mapping', boolean: 'true or false'}[issue.expected as string] ?? `a ${issue.expected}`;
		return `expected ${expected}`;
	}
	return `it ${issue.message}`;
}

type AnySchema = z.core.$ZodType;
type Definition = {
	type: string;
	shape?: Record<string, AnySchema>;
	innerType?: AnySchema;
	element?: AnySchema;
	items?: AnySchema[];
	options?: AnySchema[];
	valueType?: AnySchema;
	in?: AnySchema;
};

const definition = (schema: AnySchema): Definition => schema._zod.def as unknown as Definition;

/** Optional, default and the like wrap the schema that says what a field is. */
function unwrap(schema: AnySchema): AnySchema {
	let current = schema;
	for (let def = definition(current); def.innerType || (def.type === 'pipe' && def.in); def = definition(current)) current = def.innerType ?? def.in!;
	return current;
}

/** The schema of the field at `path`, following lists, tuples and (for unions) the first option that has it. */
function schemaAt(path: ReadonlyArray<PropertyKey>): AnySchema | undefined {
	let schemas: AnySchema[] = [recipeSchema];
	for (const part of path) {
		schemas = schemas.flatMap(schema => {
			const def = definition(unwrap(schema));
			if (def.type === 'union') return def.options!.map(option => childOf(option, part)).filter(child => child !== undefined);
			const child = childOf(schema, part);
			return child ? [child] : [];
		});
	}
	return schemas[0];
}

function childOf(schema: AnySchema, part: PropertyKey): AnySchema | undefined {
	const def = definition(unwrap(schema));
	if (def.type === 'object' && typeof part === 'string') return def.shape![part];
	if (def.type === 'array') return def.element;
	if (def.type === 'tuple' && typeof part === 'number') return def.items![part];
	if (def.type === 'record') return def.valueType;
	return undefined;
}

function fieldNames(schema: AnySchema | undefined): string[] {
	if (!schema) return [];
	const def = definition(unwrap(schema));
	if (def.type === 'object') return Object.keys(def.shape!);
	if (def.type === 'union') return [...new Set(def.options!.flatMap(option => fieldNames(option)))];
	return [];
}

function tupleLength(path: ReadonlyArray<PropertyKey>): number | undefined {
	const schema = schemaAt(path);
	if (!schema) return undefined;
	const def = definition(unwrap(schema));
	return def.type === 'tuple' ? def.items!.length : undefined;
}

/** A field's description, read from the message its schema gives a value that cannot be right. */
function describeSchema(schema: AnySchema): string | undefined {
	const inner = unwrap(schema);
	const type = definition(inner).type;
	const probe = type === 'string' ? '\u0000' : type === 'number' ? 0.5 : type === 'literal' || type === 'enum' || type === 'union' ? Symbol('probe') : undefined;
	if (probe === undefined) return undefined;
	const result = (inner as z.ZodType).safeParse(probe);
	const message = result.success ? undefined : result.error.issues[0]?.message;
	return message && !/^(Invalid|Too|Expected)/.test(message) ? message : undefined;
}

/** The known name a typo most likely meant: small edit distance, relative to its length. */
function closest(key: string, candidates: string[]): string | undefined {
	let best: {name: string; distance: number} | undefined;
	for (const name of candidates) {
		const distance = editDistance(key.toLowerCase(), name);
		if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = {name, distance};
	}
	return best?.name;
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({length: b.length + 1}, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
		}
		previous = current;
	}
	return previous[b.length]!;
}

function describeType(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'empty';
	return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

function firstLine(text: string): string {
	return text.split('\n')[0]!.trim();
}
