// The errors that end a run with exit code 2 (the input is wrong, nothing ran).
// Kept apart so the command line can tell them without loading the engine.

/** A wrong command line: the message says what to type instead. */
export class UsageError extends Error {
	override name = 'UsageError';
}

/** A recipe that does not describe a valid site: one line per problem. */
export class RecipeError extends Error {
	readonly problems: string[];
	constructor(
		problems: string[],
		readonly source = 'recipe',
	) {
		// One line each, whatever a value or a library message held.
		const lines = problems.map(problem => problem.replace(/\s*[\r\n]+\s*/g, ' '));
		super(`${source}: ${lines[0]}${lines.length > 1 ? ` (and ${lines.length - 1} more problem${lines.length > 2 ? 's' : ''})` : ''}`);
		this.problems = lines;
		this.name = 'RecipeError';
	}
}
