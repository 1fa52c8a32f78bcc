// Rules that relate two or more fields of a recipe (the schema checks each
// field alone). Each problem is one line: field path, bad value, the fix.
import type {Recipe} from './schema.js';

export function crossCheck(recipe: Recipe): string[] {
	const problems: string[] = [];
	void recipe;
	return problems;
}
