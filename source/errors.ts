// The errors that end a run with exit code 2 (the input is wrong, nothing ran).
// Kept apart so the command line can tell them without loading the engine.

/** A wrong command line: the message says what to type instead. */
export class UsageError extends Error {
	override name = 'UsageError';
}

/**
 * A recipe that does not describe a valid site. `problems` has one line per
 * problem; the message lists every one of them, one line each, each starting
 * with the source (the recipe's path).
 */
export class RecipeError extends Error {
	readonly problems: string[];
	constructor(
		problems: string[],
		readonly source = 'recipe',
	) {
		// One line each, whatever a value or a library message held.
		const lines = problems.map(problem => problem.replace(/\s*[\r\n]+\s*/g, ' '));
		super(lines.map(line => `${source}: ${line}`).join('\n'));
		this.problems = lines;
		this.name = 'RecipeError';
	}
}
