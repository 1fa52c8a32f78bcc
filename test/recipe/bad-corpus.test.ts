// Every recipe in test/recipes-bad/ has one defect and says, on its first line,
// the one-line error the wizard must give for it.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {loadRecipeFile} from '../../source/recipe/load.js';
import {RecipeError} from '../../source/errors.js';

const corpus = fileURLToPath(new URL('../recipes-bad/', import.meta.url));
const files = readdirSync(corpus)
	.filter(name => name.endsWith('.yaml'))
	.sort();

test('the corpus holds at least 40 bad recipes', () => {
	assert.ok(files.length >= 40, `only ${files.length} bad recipes`);
});

for (const name of files) {
	test(`bad recipe ${name}`, async () => {
		const path = relative(process.cwd(), join(corpus, name));
		const header = /^# expect(-includes)?: (.*)$/.exec(readFileSync(path, 'utf8').split('\n')[0]!);
		assert.ok(header, `${name}: the first line must be "# expect: <message>" or "# expect-includes: <part>"`);
		const [, includes, expected] = header;
		const error = await loadRecipeFile(path).then(
			() => assert.fail(`${name} was accepted`),
			(error: unknown) => error,
		);
		assert.ok(error instanceof RecipeError, `${name}: not a RecipeError: ${String(error)}`);
		// One line per problem, each naming the recipe; the first is the one the header expects.
		const lines = error.message.split('\n');
		assert.deepEqual(lines, error.problems.map(problem => `${path}: ${problem}`), `${name}: one line per problem`);
		assert.ok(!error.message.includes('    at '), `${name}: message holds a stack frame: ${error.message}`);
		const message = lines[0]!;
		if (includes) assert.ok(message.includes(expected!), `${name}: "${message}" does not include "${expected}"`);
		else assert.equal(message, `${path}: ${expected}`);
	});
}
