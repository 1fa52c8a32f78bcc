// Turns command-line options into everything a run needs: the recipe, where it
// acts (for real at "/" or rehearsed under a folder), saved progress, the
// inventory with its generated values saved before anything uses them.
import {existsSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {UsageError} from './errors.js';
import {LocalHost} from './host/local.js';
import {Transcript} from './host/transcript.js';
import {buildInventory, type Inventory} from './inventory/inventory.js';
import {systemRandomBytes} from './inventory/mac.js';
import {loadRecipeFile, parseRecipe} from './recipe/load.js';
import type {Recipe} from './recipe/schema.js';
import {Progress} from './runner/progress.js';
import type {RunContext} from './runner/run.js';
import {allSteps} from './steps/index.js';
import {hintFor} from './steps/hints.js';

/** The seed recipe shipped in the package's recipes/ (found upwards: source/, dist/ or dist/chunks/). */
export const bundledRecipe = findUpwards('recipes/gcc-compile-farm.yaml');

function findUpwards(relative: string): string {
	for (let directory = dirname(fileURLToPath(import.meta.url)); ; directory = dirname(directory)) {
		const candidate = join(directory, relative);
		if (existsSync(candidate) || directory === dirname(directory)) return candidate;
	}
}
export const defaultRehearsalRoot = 'rehearsal';
export const realStateDir = '/var/lib/ganeti-wizard';

export type SessionOptions = {
	recipe?: string;
	root?: string;
	stateDir?: string;
	unattended: boolean;
};

export type Session = {
	recipePath: string;
	recipe: Recipe;
	/** True when neither recipe nor root was given: the bundled seed, rehearsed. */
	builtInDefault: boolean;
	host: LocalHost;
	progress: Progress;
	inventory: Inventory;
	context: RunContext;
};

/** Where to act and keep progress, before anything is read or written. */
export function resolveLocation(options: Pick<SessionOptions, 'recipe' | 'root' | 'stateDir'>, isRoot = process.getuid?.() === 0): {recipePath: string; root: string; stateDir: string; builtInDefault: boolean} {
	const builtInDefault = options.recipe === undefined && options.root === undefined;
	if (options.recipe === undefined && options.root !== undefined && resolve(options.root) === '/') {
		throw new UsageError('--root / acts on this host for real: name the site with --recipe FILE');
	}
	const recipePath = resolve(options.recipe ?? bundledRecipe);
	const root = resolve(options.root ?? (builtInDefault || !isRoot ? defaultRehearsalRoot : '/'));
	const stateDir = resolve(options.stateDir ?? (root === '/' ? realStateDir : `${root}-state`));
	if (root === '/' && !isRoot) throw new UsageError('acting on this host (--root /) needs root; run as root, or pass --root DIR to rehearse into a folder');
	return {recipePath, root, stateDir, builtInDefault};
}

export async function openSession(options: SessionOptions, recipeOverride?: Recipe): Promise<Session> {
	const location = resolveLocation(options);
	const progress = new Progress(location.stateDir);
	let recipe: Recipe;
	if (recipeOverride) {
		recipe = recipeOverride;
	} else {
		const loaded = await loadRecipeFile(location.recipePath);
		recipe = loaded.recipe;
		progress.setRecipe(location.recipePath, loaded.text);
	}
	return assemble(location, recipe, progress, options.unattended);
}

/** A session on the recipe saved with progress (e.g. answers given interactively). */
export function reparseSaved(progress: Progress): Recipe | undefined {
	const saved = progress.recipe;
	return saved ? parseRecipe(saved.text, saved.path) : undefined;
}

function assemble(location: ReturnType<typeof resolveLocation>, recipe: Recipe, progress: Progress, unattended: boolean): Session {
	const {inventory, generated} = buildInventory(recipe, progress.generated, systemRandomBytes);
	// Saved before any step can use them: a MAC generated once is reused forever.
	progress.keepGenerated(generated);
	const transcript = new Transcript(resolve(location.stateDir, 'transcript.log'));
	const host = new LocalHost({root: location.root, stateDir: location.stateDir, transcript});
	const context: RunContext = {host, progress, inventory, steps: allSteps, unattended, hint: hintFor};
	return {recipePath: location.recipePath, recipe, builtInDefault: location.builtInDefault, host, progress, inventory, context};
}
