// Turns command-line options into everything a command needs: which site (the
// one saved in the state directory, a recipe to import, or the bundled seed as
// the built-in default), where it acts (for real at "/" or rehearsed under a
// folder), its progress, and its inventory. Opened read-only, nothing is
// created or written: plan, status and the wizard's screens before a
// confirmation use that.
import {existsSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parse as parseYaml} from 'yaml';
import {RecipeError, UsageError} from './errors.js';
import {probeHostFacts} from './host/facts.js';
import type {Host} from './host/host.js';
import {localHost} from './host/local.js';
import {Transcript} from './host/transcript.js';
import {buildInventory, type Inventory} from './inventory/inventory.js';
import {siteBytes} from './inventory/mac.js';
import {loadRecipeFile, parseRecipe, recipeText} from './recipe/load.js';
import type {Recipe} from './recipe/schema.js';
import {Progress} from './runner/progress.js';
import type {RunContext} from './runner/run.js';
import {siteChanges, siteIdentity} from './site/compare.js';
import {SiteSettings} from './site/settings.js';
import {siteSteps} from './steps/index.js';
import {hintFor} from './steps/hints.js';
import {journalledInstances} from './steps/instances.js';
import {preflightNotes, publicZoneQuestion, refusals} from './steps/refusals.js';

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
	/**
	 * Refuse a site this host cannot hold (refusals.ts), from what the host is
	 * now, before anything is written (plan and apply; status only reports).
	 */
	preflight?: boolean;
};

export type Location = {
	root: string;
	stateDir: string;
	/** True when no recipe, no root and no saved site: the bundled seed, rehearsed. */
	builtInDefault: boolean;
};

export type Session = {
	/** Where the recipe came from: the file given, the saved site's origin, or the bundled seed. */
	recipePath: string;
	recipe: Recipe;
	/** True when neither recipe nor root was given and no site was saved: the bundled seed, rehearsed. */
	builtInDefault: boolean;
	/** True when the recipe is imported now (no site was saved, or --recipe changes it). */
	importing: boolean;
	/** What the recipe changes in the saved site, one line each (empty: nothing, or a new site). */
	siteChanges: string[];
	/** What preflight could not tell, one line each (e.g. no resolver answered whether the zone is public). */
	notes: string[];
	host: Host;
	progress: Progress;
	inventory: Inventory;
	context: RunContext;
};

/**
 * Where to act and keep the site, before anything is read or written. Without
 * --recipe or --root: the real site when root has one saved, else the
 * rehearsal folder. Throws UsageError for a real run without root.
 */
export function resolveLocation(options: Pick<SessionOptions, 'recipe' | 'root' | 'stateDir'>, isRoot = process.getuid?.() === 0, hasRealSite = hasSite(realStateDir)): Location {
	if (options.recipe === undefined && options.root === undefined && options.stateDir === undefined && isRoot && hasRealSite) {
		return {root: '/', stateDir: realStateDir, builtInDefault: false};
	}
	const root = resolve(options.root ?? (options.recipe === undefined || !isRoot ? defaultRehearsalRoot : '/'));
	const stateDir = resolve(options.stateDir ?? (root === '/' ? realStateDir : `${root}-state`));
	if (root === '/' && !isRoot) throw new UsageError('acting on this host (--root /) needs root; run as root, or pass --root DIR to rehearse into a folder');
	for (const [flag, path] of [['--root', root], ['--state-dir', stateDir]] as const) {
		if (existsSync(path) && !statSync(path).isDirectory()) throw new UsageError(`${flag}: "${path}" is a file, not a folder; give a folder (it is made if missing)`);
	}
	const builtInDefault = options.recipe === undefined && options.root === undefined && !hasSite(stateDir);
	return {root, stateDir, builtInDefault};
}

/** Whether a state directory holds a saved site (read without creating anything). */
export function hasSite(stateDir: string): boolean {
	return SiteSettings.read(stateDir).exists;
}

/**
 * Opens the site. `readOnly`: nothing is created or written, not even the
 * state directory or the transcript (plan, status). Otherwise a recipe given
 * or the built-in default is saved as the site, with its generated values,
 * when the run begins (`context.begin`, before any step uses them); until
 * then the session writes nothing either. Throws RecipeError for a bad recipe
 * or one of another site, one that leaves out a node of the saved site (node
 * remove takes a node out; `removals` names those leaving now), or (with
 * `preflight`) one this host cannot hold;
 * UsageError when there is no site to open; all before any write.
 */
export async function openSession(options: SessionOptions & {readOnly?: boolean}, recipeOverride?: {recipe: Recipe; origin: string; text?: string; removals?: string[]}): Promise<Session> {
	const location = resolveLocation(options);
	const readOnly = Boolean(options.readOnly);
	const saved = SiteSettings.read(location.stateDir).recipe;

	let incoming: {recipe: Recipe; text: string; path: string} | undefined;
	if (recipeOverride) {
		// The text as given keeps its comments (an edit of the saved site); otherwise the recipe is written out.
		incoming = {recipe: recipeOverride.recipe, text: recipeOverride.text ?? recipeText(recipeOverride.recipe), path: recipeOverride.origin};
	} else if (options.recipe !== undefined) {
		const path = resolve(options.recipe);
		incoming = {...(await loadRecipeFile(path)), path};
	} else if (!saved) {
		if (!location.builtInDefault) throw new UsageError(`no site is saved in ${location.stateDir}: import one with --recipe FILE (ganeti-wizard apply --recipe FILE)`);
		incoming = {...(await loadRecipeFile(bundledRecipe)), path: bundledRecipe};
	}

	const savedRecipe = saved ? savedSite(saved, incoming?.recipe, location.stateDir) : undefined;
	if (incoming && savedRecipe && siteIdentity(incoming.recipe) !== siteIdentity(savedRecipe)) {
		throw new RecipeError(
			[`${siteIdentity(incoming.recipe)} is another site than the one saved in ${location.stateDir} (${siteIdentity(savedRecipe)}); to rename the saved site, undo it first (ganeti-wizard undo), then apply the new recipe; or keep a separate site with --state-dir DIR (and --root DIR for a rehearsal)`],
			incoming.path,
		);
	}
	if (incoming && savedRecipe) {
		// A node left out of a recipe would keep its place in Ganeti's cluster, its names gone from
		// the zones: it leaves through node remove (instances moved away, then gnt-node remove).
		const leaving = new Set(recipeOverride?.removals ?? []);
		const domain = `${savedRecipe.dns.nodes_domain}.${savedRecipe.dns.zone}`;
		const dropped = savedRecipe.nodes.find(node => !incoming!.recipe.nodes.some(entry => entry.name === node.name) && !leaving.has(`${node.name}.${domain}`));
		if (dropped) {
			throw new RecipeError([`nodes: ${dropped.name} is a node of the site but not of this recipe; take it out of the cluster with ganeti-wizard node remove ${dropped.name} (its instances move away first), or keep it in nodes`], incoming.path);
		}
	}
	const recipe = incoming?.recipe ?? savedRecipe!;
	const node = recipe.host.hostname;
	const progress = readOnly ? Progress.read(location.stateDir, {node}) : new Progress(location.stateDir, {node});
	const bytes = siteBytes(siteIdentity(recipe));
	// Removals asked for now (vm remove) count in a read-only preview too; saved below otherwise.
	const removals = [...new Set([...progress.removals, ...(recipeOverride?.removals ?? [])])];
	const {inventory, generated} = buildInventory(recipe, progress.generated, bytes, removals);
	const importing = Boolean(incoming) && incoming!.text !== saved?.text;
	const changes = importing && savedRecipe ? siteChanges(buildInventory(savedRecipe, progress.generated, siteBytes(siteIdentity(savedRecipe))).inventory, inventory) : [];
	const notes: string[] = [];
	if (options.preflight) {
		// Probed through a host that writes nothing (no transcript): a refusal leaves no trace.
		const looking = localHost({root: location.root, stateDir: location.stateDir, transcript: new Transcript(undefined), node});
		const devices = [recipe.storage.partition, recipe.storage.disk].filter((device): device is string => device !== undefined);
		const isos = recipe.instances.flatMap(instance => ('iso' in instance.install ? [instance.install.iso] : []));
		const facts = await probeHostFacts(looking, devices, isos, publicZoneQuestion(inventory));
		// A rehearsal has no Ganeti to list its instances: the journal says which were created.
		if (looking.kind === 'rehearsal') facts.journalledInstances = journalledInstances(inventory, id => progress.action(id));
		const problems = refusals(inventory, facts);
		if (problems.length > 0) throw new RecipeError(problems, incoming?.path ?? saved!.path);
		notes.push(...preflightNotes(inventory, facts, looking.kind === 'rehearsal'));
	}
	// Held until the run begins: probes made while the operator only looks leave no trace.
	const transcript = new Transcript(readOnly ? undefined : resolve(location.stateDir, 'transcript.log'), {held: true});
	let begun = readOnly;
	const begin = () => {
		if (begun) return;
		begun = true;
		// The removal first: a site saved without the instance must know it is meant to go.
		progress.setRemovals(inventory.removals);
		if (importing) {
			// Nodes leaving the site: undo --node reaches them later through their entries.
			const leaving = savedRecipe?.nodes.filter(node => !recipe.nodes.some(entry => entry.name === node.name)) ?? [];
			if (leaving.length > 0) progress.settings.keepDeparted(leaving);
			progress.setRecipe(incoming!.path, incoming!.text);
		}
		// Saved before any step can use them: a MAC generated once is reused forever.
		progress.keepGenerated(generated);
		transcript.release();
	};
	const host = localHost({root: location.root, stateDir: location.stateDir, transcript, node});
	const context: RunContext = {host, progress, inventory, steps: siteSteps(inventory), hint: hintFor, begin};
	return {recipePath: incoming?.path ?? saved!.path, recipe, builtInDefault: location.builtInDefault, importing, siteChanges: changes, notes, host, progress, inventory, context};
}

/**
 * The saved site's recipe. One that an earlier version accepted and this one
 * refuses is replaced by an incoming recipe of the same host (its changes are
 * then not listed: returns undefined); without one, the refusal says how to
 * import a corrected recipe. Throws RecipeError.
 */
function savedSite(saved: {text: string; path: string}, incoming: Recipe | undefined, stateDir: string): Recipe | undefined {
	try {
		return parseRecipe(saved.text, saved.path);
	} catch (error) {
		if (!(error instanceof RecipeError)) throw error;
		const hostname = savedHostname(saved.text);
		if (incoming && hostname === incoming.host.hostname) return undefined;
		const fix = incoming ? `it is another host's (${hostname ?? 'no host.hostname'}); keep a separate site with --state-dir DIR` : `import a corrected recipe of the same site with ganeti-wizard apply --recipe FILE`;
		throw new RecipeError([`the site saved in ${stateDir} no longer passes validation (${error.problems[0]}): ${fix}`], saved.path);
	}
}

/** host.hostname of a recipe text that may not validate, or undefined. */
function savedHostname(text: string): string | undefined {
	try {
		const document = parseYaml(text) as {host?: {hostname?: unknown}} | null;
		return typeof document?.host?.hostname === 'string' ? document.host.hostname : undefined;
	} catch {
		return undefined;
	}
}

/** The recipe saved as the site (e.g. answers given interactively), parsed. */
export function reparseSaved(progress: Progress): Recipe | undefined {
	const saved = progress.recipe;
	return saved ? parseRecipe(saved.text, saved.path) : undefined;
}

/**
 * The recipe with every instance's MAC and address written in: the values the
 * site saved in `stateDir` generated (read without writing), or, for an
 * instance not applied yet, the ones the next plan of this recipe would
 * generate. A saved recipe replayed anywhere, into a fresh state directory too,
 * then gives the same files.
 */
export function pinGenerated(recipe: Recipe, stateDir: string): Recipe {
	const progress = Progress.read(stateDir, {node: recipe.host.hostname});
	const {inventory} = buildInventory(recipe, progress.generated, siteBytes(siteIdentity(recipe)));
	const byName = new Map(inventory.instances.map(instance => [instance.name, instance]));
	return {
		...recipe,
		instances: recipe.instances.map(instance => {
			const built = byName.get(instance.name);
			return built ? {...instance, mac: instance.mac ?? built.mac, address: instance.address ?? built.address} : instance;
		}),
	};
}
