// Edits of the saved recipe text: the instance lands in the list, every
// comment and every other line stays as written, and the loader reads the
// result as the same site plus (or minus) that instance.
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {parseRecipe} from '../../source/recipe/load.js';
import {addInstanceText, removeInstanceText} from '../../source/site/recipe-edit.js';

const labText = await readFile(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8');
const web1 = {name: 'web1', disk_template: 'file', disk_size: '1G', memory: '256M', vcpus: 1, install: {os: 'noop+default'}};

const comments = (text: string) => text.split('\n').filter(line => /^\s*#/.test(line));

test('addInstanceText appends the instance and keeps every comment and line before it', () => {
	const edited = addInstanceText(labText, web1);
	assert.ok(edited.startsWith(labText.trimEnd()), 'the recipe as written is the start of the edited text');
	assert.deepEqual(comments(edited), comments(labText));
	const recipe = parseRecipe(edited);
	assert.deepEqual(recipe.instances.map(instance => instance.name), ['rodo1.osm', 'web1']);
	assert.deepEqual({...recipe.instances[1]}, {...web1, extra_disks: []});
	assert.deepEqual({...recipe, instances: []}, {...parseRecipe(labText), instances: []}, 'nothing else changed');
});

test('addInstanceText makes the list when the recipe has none, or a block list from an empty flow list', () => {
	const without = labText.replace(/\ninstances:\n[\s\S]*$/, '\n');
	assert.doesNotMatch(without, /instances/);
	for (const text of [without, `${without}instances: []\n`]) {
		const edited = addInstanceText(text, web1);
		assert.match(edited, /\ninstances:\n {2}- name: web1\n/);
		assert.deepEqual(parseRecipe(edited).instances.map(instance => instance.name), ['web1']);
	}
});

test('removeInstanceText takes out exactly that instance; an unknown name throws', () => {
	const two = addInstanceText(labText, web1);
	const removed = removeInstanceText(two, 'rodo1.osm');
	assert.deepEqual(parseRecipe(removed).instances.map(instance => instance.name), ['web1']);
	assert.deepEqual(comments(removed), comments(labText));
	assert.deepEqual(parseRecipe(removeInstanceText(removed, 'web1')).instances, []);
	assert.throws(() => removeInstanceText(two, 'nope'), /no instance named nope/);
});
