// Loading a recipe: files that cannot be read, YAML that cannot be parsed, and
// any damage to a valid recipe end in a RecipeError of one line, never in
// another exception or a stack trace.
import assert from 'node:assert/strict';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import fc from 'fast-check';
import {loadRecipeFile, parseRecipe} from '../../source/recipe/load.js';
import {RecipeError} from '../../source/errors.js';
import {arbitraryRecipe, recipeToYaml, seedRecipeObject} from '../support/random-recipe.js';

let directory: string;
before(async () => {
	directory = await mkdtemp(join(tmpdir(), 'recipe-load-'));
});
after(async () => {
	await rm(directory, {recursive: true, force: true});
});

function errorOf(run: () => unknown): RecipeError {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof RecipeError, `not a RecipeError: ${(error as Error)?.stack ?? String(error)}`);
		return error;
	}
	assert.fail('accepted');
}

/** Every problem is one line, and the message is those lines, one each. */
function assertOneLine(error: RecipeError): void {
	for (const problem of error.problems) assert.ok(!problem.includes('\n'), problem);
	assert.equal(error.message.split('\n').length, error.problems.length, error.message);
}

test('a file of zero bytes says it is empty and what a recipe looks like', async () => {
	const path = join(directory, 'empty.yaml');
	await writeFile(path, '');
	await assert.rejects(loadRecipeFile(path), {
		name: 'RecipeError',
		message: `${path}: is empty; a recipe is a mapping that starts with "version: 1" followed by host:, network:, dns:, storage: and cluster: (see recipes/gcc-compile-farm.yaml)`,
	});
});

test('a missing file or a directory names the path and the flag', async () => {
	const missing = join(directory, 'nope.yaml');
	await assert.rejects(loadRecipeFile(missing), {message: `${missing}: no such file; pass --recipe with the path of a recipe (e.g. recipes/gcc-compile-farm.yaml)`});
	await assert.rejects(loadRecipeFile(directory), {message: `${directory}: is a directory; pass --recipe with the path of a recipe file (e.g. recipes/gcc-compile-farm.yaml)`});
});

test('a misspelt field is reported before the missing field it causes, with the likely meaning', () => {
	const seed = seedRecipeObject() as {host: Record<string, unknown>};
	seed.host.hostnme = seed.host.hostname;
	delete seed.host.hostname;
	const error = errorOf(() => parseRecipe(recipeToYaml(seed), 'site.yaml'));
	assert.equal(error.problems[0], 'host.hostnme: unknown field; did you mean "hostname"?');
	assert.match(error.problems[1]!, /^host\.hostname: missing; expected a single DNS label/);
	// Every problem, one line each, each naming the recipe.
	assert.deepEqual(error.message.split('\n'), error.problems.map(problem => `site.yaml: ${problem}`));
	assert.equal(error.problems.length, 2);
});

test('YAML errors carry the line and column of the fault, unclosed brackets and quotes where they open', () => {
	const first = (text: string) => errorOf(() => parseRecipe(text, 'r')).problems[0];
	assert.equal(first('version: 1\nhost:\n  hostname: gcc20\n  public_interface: [eth0\n'), 'line 4, column 21: the list opened here with "[" is never closed; add "]" at its end');
	assert.equal(first('version: 1\nhost: {hostname: gcc20\n'), 'line 2, column 7: the mapping opened here with "{" is never closed; add "}" at its end');
	assert.equal(first('version: 1\nhost:\n  hostname: "gcc20\n'), 'line 3, column 13: the string opened here with " is never closed; add the closing "');
	assert.equal(first('version: 1\nhost: [a, b]]\n'), 'line 2, column 13: Unexpected flow-seq-end token in YAML stream: "]"; fix the YAML syntax there');
	assert.equal(first('version: 1\nversion: 1\n'), 'version: given twice (line 1, column 1 and line 2, column 1); keep only one');
	assert.equal(first('version: 1\n---\nversion: 1\n'), 'line 2, column 1: a second YAML document starts here; a recipe is one document, remove the "---" and what follows or merge it');
});

test('a tab that indents a line is one line naming it and the fix, not the errors it causes after it', () => {
	const seed = recipeToYaml(seedRecipeObject());
	for (const [from, to, line, column] of [
		['  public_interface: ', '\tpublic_interface: ', 4, 1],
		['  public_interface: ', '  \tpublic_interface: ', 4, 3],
		['    name: br0', '\t\tname: br0', 12, 1],
	] as const) {
		assert.ok(seed.includes(from), from);
		const text = seed.replace(from, to);
		assert.equal(text.split('\n')[line - 1], to + seed.split('\n')[line - 1]!.slice(from.length), `line ${line} holds the tab`);
		const error = errorOf(() => parseRecipe(text, 'r'));
		assertOneLine(error);
		assert.deepEqual(error.problems, [`line ${line}, column ${column}: a tab indents this line; YAML indents with spaces only: replace the tab with spaces`]);
	}
});

test('CRLF line ends and a byte-order mark do not matter', () => {
	const text = recipeToYaml(seedRecipeObject());
	assert.deepEqual(parseRecipe(`\uFEFF${text.replaceAll('\n', '\r\n')}`), parseRecipe(text));
});

test('an alias bomb is refused quickly with one line', () => {
	const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
	for (let level = 1; level < 8; level++) levels.push(`${'abcdefgh'[level]}: &${'abcdefgh'[level]} [${Array(10).fill(`*${'abcdefgh'[level - 1]}`).join(', ')}]`);
	const started = performance.now();
	const error = errorOf(() => parseRecipe(levels.join('\n')));
	assert.ok(performance.now() - started < 2000);
	assertOneLine(error);
});

/** A copy of `value` with the leaf or branch at a random path replaced by `replacement`. */
function damaged(value: unknown, choices: number[], replacement: unknown): unknown {
	if (choices.length === 0 || value === null || typeof value !== 'object') return replacement;
	const keys = Object.keys(value);
	if (keys.length === 0) return replacement;
	const [choice, ...rest] = choices;
	const key = keys[choice! % keys.length]!;
	const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : {...value};
	copy[key] = damaged((value as Record<string, unknown>)[key], rest, replacement);
	return copy;
}

test('any damage to a valid recipe gives RecipeErrors of one line, never another exception', () => {
	let refused = 0;
	fc.assert(
		fc.property(
			arbitraryRecipe({maxInstances: 4}),
			fc.array(fc.nat(), {minLength: 1, maxLength: 5}),
			fc.oneof(fc.jsonValue({maxDepth: 2}), fc.string({unit: 'binary'}), fc.constantFrom(null, '', '\n', '10.10.0.999', '52:54:00:00:00:00', '0.0.0.0/0', -1, 1e308)),
			(recipe, choices, replacement) => {
				try {
					parseRecipe(recipeToYaml(damaged(recipe, choices, replacement)), 'damaged');
				} catch (error) {
					assert.ok(error instanceof RecipeError, `not a RecipeError: ${(error as Error)?.stack ?? String(error)}`);
					assertOneLine(error);
					assert.ok(!error.message.includes('    at '));
					refused++;
				}
			},
		),
		{numRuns: 300},
	);
	assert.ok(refused > 150, `only ${refused} of 300 damaged recipes were refused`);
});

test('arbitrary text gives a recipe or a RecipeError of one line', () => {
	const seedText = recipeToYaml(seedRecipeObject());
	fc.assert(
		fc.property(fc.string({unit: 'binary', maxLength: 200}), fc.nat(seedText.length), fc.nat(40), (noise, at, cut) => {
			for (const text of [noise, seedText.slice(0, at) + noise + seedText.slice(at + cut)]) {
				try {
					parseRecipe(text, 'noise');
				} catch (error) {
					assert.ok(error instanceof RecipeError, `not a RecipeError for ${JSON.stringify(text.slice(0, 80))}: ${(error as Error)?.stack ?? String(error)}`);
					assertOneLine(error);
				}
			}
		}),
		{numRuns: 300},
	);
});
