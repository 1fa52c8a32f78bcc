// recipe: prints the saved site's recipe, as vm add and vm remove left it
// (comments kept), so the site can be replayed elsewhere or for real:
// `ganeti-wizard recipe > site.yaml`. Read-only: nothing is created or written.
import {UsageError} from '../errors.js';
import {resolveLocation} from '../session.js';
import {SiteSettings} from '../site/settings.js';
import type {CommandFlags} from './flags.js';

/** Writes the saved recipe text to stdout; exit 0. UsageError when no site is saved or --recipe is given. */
export async function recipe(flags: CommandFlags): Promise<number> {
	if (flags.recipe !== undefined) throw new UsageError('recipe prints the saved site\'s recipe and takes no --recipe; give --root and --state-dir to name the site');
	const {stateDir} = resolveLocation(flags);
	const saved = SiteSettings.read(stateDir).recipe;
	if (!saved) throw new UsageError(`no site is saved in ${stateDir}: import one with ganeti-wizard apply --recipe FILE`);
	process.stdout.write(saved.text.endsWith('\n') ? saved.text : `${saved.text}\n`);
	return 0;
}
