// "Save as recipe": the file that replays what the operator is doing, and the
// command that replays it. Shared by the TUI and plain mode.
import {checkDraft, draftFromRecipe, recipeFileText, type Draft} from './draft.js';
import type {WizardOptions} from './contract.js';
import {quoteArgv} from './text.js';

export type RecipeToSave = {
	/** The recipe file's text: a header with the replay command, then the answers as YAML. */
	text: string;
	/** The command that replays it as this run would (a rehearsal keeps its --root). */
	replay: string;
};

/**
 * The answers as a recipe file for `path`. A complete draft is saved as the
 * recipe it parses to, with the MACs and addresses the site generated written
 * in (so a replay, into a fresh state directory too, gives the same files); an
 * incomplete one as it stands.
 */
export function recipeToSave(options: Pick<WizardOptions, 'pinGenerated' | 'replayCommand'>, draft: Draft, path: string, when: Date): RecipeToSave {
	const {recipe} = checkDraft(draft);
	const pinned = recipe && options.pinGenerated ? options.pinGenerated(recipe) : recipe;
	const replay = options.replayCommand?.(path) ?? quoteArgv(['ganeti-wizard', 'apply', '--recipe', path, '--yes']);
	return {text: recipeFileText(pinned ? draftFromRecipe(pinned) : draft, path, when, replay), replay};
}
