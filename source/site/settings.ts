// The site's small saved settings (conf: one JSON file, mode 0600, written
// atomically): the recipe the site was imported from, the operator's answers,
// the values generated once and kept forever, and the last zone serials. A
// state directory holds one site. Opened read-only, nothing is created: a
// missing directory reads as an empty site.
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync} from 'node:fs';
import {join} from 'node:path';
import Conf from 'conf';
import {RecipeError} from '../errors.js';
import type {Generated} from '../inventory/inventory.js';
import type {RecipeNode} from '../recipe/schema.js';
import {metered} from './bookkeeping.js';

export type SavedRecipe = {path: string; sha256: string; text: string};

export type SettingsData = {
	version: 2;
	recipe?: SavedRecipe;
	answers: Record<string, unknown>;
	generated: Generated;
	/**
	 * Last serial written per zone, as versions before the journal carried
	 * serials saved it (read, never written: the journal's end records of
	 * zone writes hold them now).
	 */
	serials: Record<string, number>;
	/**
	 * FQDNs of instances and nodes the operator removed from the site (vm
	 * remove, node remove): each apply makes sure Ganeti no longer has them,
	 * and preflight knows they are meant to go. A name the recipe lists again is no removal any more.
	 */
	removals: string[];
	/**
	 * The recipe entries of nodes that left the site (node remove, undo
	 * --node), by name, as they were last: how undo --node still reaches a
	 * node the site no longer lists. Absent in sites saved before it.
	 */
	departed?: Record<string, RecipeNode>;
	/** The question the interactive wizard asks next (its id), while the answers are not all given. */
	nextQuestion?: string;
};

export const settingsName = 'site.json';
/** The single file of versions before the journal; read once to import a site saved by them. */
const legacyName = 'progress.json';

const empty: SettingsData = {version: 2, answers: {}, generated: {macs: {}, addresses: {}}, serials: {}, removals: []};

export class SiteSettings {
	private store: Conf<SettingsData> | undefined;
	private data: SettingsData;

	private constructor(
		readonly directory: string,
		readonly readOnly: boolean,
	) {
		this.data = readSettings(directory);
	}

	/** Settings to change: the directory and file are created on the first write. */
	static open(directory: string): SiteSettings {
		return new SiteSettings(directory, false);
	}

	/** Settings to look at: never creates or writes anything. */
	static read(directory: string): SiteSettings {
		return new SiteSettings(directory, true);
	}

	get path(): string {
		return join(this.directory, settingsName);
	}

	/** True when the directory holds a site (imported recipe or answers). */
	get exists(): boolean {
		return this.data.recipe !== undefined;
	}

	get recipe(): SavedRecipe | undefined {
		return this.data.recipe;
	}

	get answers(): Record<string, unknown> {
		return this.data.answers;
	}

	/** The question the wizard stopped at, when it stopped in the middle of them. */
	get nextQuestion(): string | undefined {
		return this.data.nextQuestion;
	}

	get generated(): Generated {
		return this.data.generated;
	}

	get serials(): Record<string, number> {
		return this.data.serials;
	}

	get removals(): string[] {
		return this.data.removals;
	}

	/**
	 * The instances removed from the site (FQDNs): those vm remove took out,
	 * less any the recipe lists again (a name added back is no removal, and
	 * must not become one again when a later recipe drops it).
	 */
	setRemovals(fqdns: string[]): void {
		if (JSON.stringify(fqdns) !== JSON.stringify(this.data.removals)) this.set('removals', fqdns);
	}

	/** Nodes that left the site, by name (see SettingsData.departed). */
	get departed(): Record<string, RecipeNode> {
		return this.data.departed ?? {};
	}

	/** Keeps the entries of nodes leaving the site now (a node leaving again replaces its entry). */
	keepDeparted(nodes: RecipeNode[]): void {
		const merged = {...this.departed, ...Object.fromEntries(nodes.map(node => [node.name, node]))};
		if (JSON.stringify(merged) !== JSON.stringify(this.departed)) this.set('departed', merged);
	}

	setRecipe(path: string, text: string): void {
		this.set('recipe', {path, text, sha256: sha256(text)});
	}

	/** The answers given so far, and the id of the question to ask next (none once all are given). */
	setAnswers(answers: Record<string, unknown>, nextQuestion?: string): void {
		this.set('answers', answers);
		if (nextQuestion === this.data.nextQuestion) return;
		if (nextQuestion !== undefined) return this.set('nextQuestion', nextQuestion);
		// conf stores no undefined: the key goes.
		metered(() => {
			const {nextQuestion: _gone, ...rest} = this.data;
			this.data = rest;
			this.conf().delete('nextQuestion');
		});
	}

	/** Adds newly generated values; values already known are never replaced. */
	keepGenerated(generated: Generated): void {
		const known = this.data.generated;
		const password = known.ospfPassword ?? generated.ospfPassword;
		const merged: Generated = {macs: {...generated.macs, ...known.macs}, addresses: {...generated.addresses, ...known.addresses}, ...(password !== undefined ? {ospfPassword: password} : {})};
		if (JSON.stringify(merged) !== JSON.stringify(known)) this.set('generated', merged);
	}

	/**
	 * Keeps a file's content under blobs/<sha256> (once per content) and
	 * returns its version: what undo restores, what `changes` diffs against.
	 * `durable`: the blob is fsynced before this returns, as it must be before
	 * a synced journal record names it; false for a host whose changes are
	 * not synced either (see Journal.durable).
	 */
	keepBlob(content: string, durable = true): {sha256: string} {
		this.assertWritable();
		return metered(() => this.storeBlob(content, durable));
	}

	private storeBlob(content: string, durable: boolean): {sha256: string} {
		const digest = sha256(content);
		const directory = join(this.directory, 'blobs');
		const path = join(directory, digest);
		if (!existsSync(path)) {
			mkdirSync(directory, {recursive: true, mode: 0o700});
			const candidate = `${path}.new`;
			writeFileSync(candidate, content, {mode: 0o600});
			if (durable) {
				const handle = openSync(candidate, 'r');
				fsyncSync(handle);
				closeSync(handle);
			}
			renameSync(candidate, path);
		}
		return {sha256: digest};
	}

	/** A kept blob's content, or null when it is not kept. */
	blob(digest: string): string | null {
		const path = join(this.directory, 'blobs', digest);
		return existsSync(path) ? readFileSync(path, 'utf8') : null;
	}

	private set<K extends keyof SettingsData>(key: K, value: SettingsData[K]): void {
		this.assertWritable();
		metered(() => {
			this.data = {...this.data, [key]: value};
			this.conf().set(key, value);
		});
	}

	private conf(): Conf<SettingsData> {
		if (!this.store) {
			mkdirSync(this.directory, {recursive: true, mode: 0o700});
			this.store = new Conf<SettingsData>({
				cwd: this.directory,
				configName: 'site',
				configFileMode: 0o600,
				defaults: this.data,
				serialize: value => `${JSON.stringify(value, null, '\t')}\n`,
			});
		}
		return this.store;
	}

	private assertWritable(): void {
		// A programming error, not an operator's: plan and status must never get here.
		if (this.readOnly) throw new Error(`the site in ${this.directory} was opened read-only`);
	}
}

export function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** The saved settings, or those a pre-journal version left in progress.json, or none. */
function readSettings(directory: string): SettingsData {
	const current = join(directory, settingsName);
	if (existsSync(current)) {
		const data = {...empty, ...parseSaved(current)};
		if (data.version !== 2) throw damaged(current, `version ${JSON.stringify(data.version)} is not 2`);
		return data;
	}
	const legacy = join(directory, legacyName);
	if (existsSync(legacy)) {
		const old = parseSaved(legacy);
		return {
			...empty,
			...(old.recipe ? {recipe: old.recipe} : {}),
			answers: old.answers ?? {},
			generated: old.generated ?? empty.generated,
			serials: old.serials ?? {},
		};
	}
	return structuredClone(empty);
}

/** A saved settings file, parsed and checked for the shape the wizard relies on. Throws a one-line RecipeError. */
function parseSaved(path: string): Partial<SettingsData> {
	let data: unknown;
	try {
		data = JSON.parse(readFileSync(path, 'utf8'));
	} catch (error) {
		throw damaged(path, (error as Error).message.split('\n')[0]!);
	}
	const value = data as Partial<SettingsData>;
	if (typeof data !== 'object' || data === null || Array.isArray(data)) throw damaged(path, 'it is not a JSON object');
	if (value.recipe !== undefined && (typeof value.recipe !== 'object' || typeof value.recipe?.text !== 'string' || typeof value.recipe?.path !== 'string')) throw damaged(path, 'its "recipe" has no text and path');
	if (value.removals !== undefined && (!Array.isArray(value.removals) || value.removals.some(entry => typeof entry !== 'string'))) throw damaged(path, 'its "removals" is not a list of names');
	if (value.departed !== undefined && (typeof value.departed !== 'object' || value.departed === null || Object.values(value.departed).some(node => typeof node?.name !== 'string' || typeof node?.private_address !== 'string'))) throw damaged(path, 'its "departed" is not a map of nodes');
	if (value.generated !== undefined && (typeof value.generated?.macs !== 'object' || typeof value.generated?.addresses !== 'object')) throw damaged(path, 'its "generated" has no macs and addresses');
	if (value.generated?.ospfPassword !== undefined && !/^[0-9a-f]{64}$/.test(String(value.generated.ospfPassword))) throw damaged(path, 'its "generated.ospfPassword" is not 64 hexadecimal digits');
	return value;
}

function damaged(path: string, why: string): RecipeError {
	return new RecipeError([`is damaged (${why}): restore it from a backup, or move its state directory aside to start a new site`], path);
}
