// Inventories for the renderer and step tests: the seed's site and random
// valid sites (test/support/random-recipe.ts), built the way the wizard builds
// them, with a seeded byte source so generated MACs are reproducible.
import {readFileSync} from 'node:fs';
import {buildInventory, type Inventory} from '../../source/inventory/inventory.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {recipeToYaml, type RecipeObject} from '../support/random-recipe.js';

const seedPath = new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url);

/** Deterministic bytes (xorshift), so a failing property replays exactly. */
export function seededBytes(seed = 1): (count: number) => Uint8Array {
	let state = seed >>> 0 || 1;
	return count => {
		const bytes = new Uint8Array(count);
		for (let index = 0; index < count; index++) {
			state ^= state << 13;
			state ^= state >>> 17;
			state ^= state << 5;
			bytes[index] = state & 255;
		}
		return bytes;
	};
}

export function inventoryFromYaml(text: string, seed = 1): Inventory {
	return buildInventory(parseRecipe(text), {macs: {}, addresses: {}}, seededBytes(seed)).inventory;
}

export function seedInventory(): Inventory {
	return inventoryFromYaml(readFileSync(seedPath, 'utf8'));
}

export function inventoryFromObject(recipe: RecipeObject, seed = 1): Inventory {
	return inventoryFromYaml(recipeToYaml(recipe), seed);
}
