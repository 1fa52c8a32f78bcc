// Random sites for the real-daemon tests, and taking a lab host from one site's
// network to the next the way an operator would, with ifupdown.
import fc from 'fast-check';
import type {Inventory} from '../../source/inventory/inventory.js';
import {networkStep} from '../../source/steps/network.js';
import {inventoryFromObject} from '../render/fixtures.js';
import type {Lab} from '../support/lab.js';
import {planAndApply} from '../support/lab-apply.js';
import {arbitraryRecipe, recipeToYaml, type RecipeObject} from '../support/random-recipe.js';

export type Site = {index: number; recipe: RecipeObject; inventory: Inventory};

/** RANDOM_SEED replays a failed run; otherwise a new seed each run (printed on failure). */
export function siteSeed(): number {
	return Number(process.env.RANDOM_SEED ?? Date.now() % 2 ** 31);
}

/** `count` random valid sites (those `keep` accepts), built as the wizard builds them. */
export function randomSites(count: number, seed: number, keep: (inventory: Inventory) => boolean = () => true): Site[] {
	const arbitrary = fc
		.tuple(arbitraryRecipe(), fc.integer({min: 1, max: 2 ** 31 - 1}))
		.map(([recipe, bytesSeed]) => ({recipe, inventory: inventoryFromObject(recipe, bytesSeed)}))
		.filter(({inventory}) => keep(inventory));
	return fc.sample(arbitrary, {numRuns: count, seed}).map((site, index) => ({index, ...site}));
}

/** Adds which site failed, how to replay it and its recipe to an assertion's message. */
export function describeFailure(error: unknown, site: Site, seed: number): never {
	if (error instanceof Error) error.message += `\nsite ${site.index} of RANDOM_SEED=${seed}; its recipe:\n${recipeToYaml(site.recipe)}`;
	throw error;
}

/**
 * The previous site's private address and bridge go down with its own
 * configuration; the next site's network step then brings up its own.
 */
export async function switchNetwork(lab: Lab, previous: Inventory | undefined, next: Inventory): Promise<void> {
	if (previous) await lab.run(['ifdown', 'lo:1', previous.recipe.network.bridge.name]);
	await planAndApply(lab, networkStep, next);
}
