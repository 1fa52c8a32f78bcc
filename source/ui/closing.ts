// The lines the wizard and apply leave on the terminal when a run ends: what
// happened, where a rehearsal left its work, and how to go on.
import {join} from 'node:path';
import type {RunResult} from '../runner/events.js';
import type {WizardExit, WizardOptions} from './contract.js';
import {quoteArgv} from './text.js';

/** Where a run acted and from which recipe file. */
export type RunPlace = {
	mode: 'real' | 'rehearsal';
	/** The folder a rehearsal wrote under ("/" for a real run). */
	root: string;
	/** The site's state directory (absolute). */
	stateDir: string;
	/** False when plan and status find the site without --state-dir (the real default). */
	stateDirFlag: boolean;
	/** The recipe file of this run (--recipe, or where the answers were saved), if there is one. */
	recipePath?: string;
	/** The saved site differs from that file (vm add or vm remove edited it): `ganeti-wizard recipe` prints it. */
	edited?: boolean;
};

/**
 * What to do after a finished run. A rehearsal: where its files are, where the
 * commands a real run would execute are recorded (commands.sh in the state
 * directory), and the command that does it for real. A real run: how to see
 * and apply a changed recipe, and the progress.
 */
export function afterRun(place: RunPlace): string[] {
	const recipe = place.recipePath ?? 'FILE';
	const unnamed = place.recipePath ? '' : ' (FILE: your answers, saved with "Save as recipe")';
	if (place.mode === 'rehearsal' && place.edited) {
		const site = ['--root', place.root, ...(place.stateDirFlag ? ['--state-dir', place.stateDir] : [])];
		return [
			`Rehearsal: the files are under ${place.root}; the commands a real run would execute are in ${join(place.stateDir, 'commands.sh')}.`,
			`To do it for real: the site now differs from ${place.recipePath ?? 'its recipe file'}; write it out with ${quoteArgv(['ganeti-wizard', 'recipe', ...site])} > site.yaml, then as root on this host: ${quoteArgv(['ganeti-wizard', 'apply', '--recipe', 'site.yaml', '--root', '/', '--yes'])}`,
		];
	}
	if (place.mode === 'rehearsal') {
		return [
			`Rehearsal: the files are under ${place.root}; the commands a real run would execute are in ${join(place.stateDir, 'commands.sh')}.`,
			`To do it for real, as root on this host: ${quoteArgv(['ganeti-wizard', 'apply', '--recipe', recipe, '--root', '/', '--yes'])}${unnamed}`,
		];
	}
	const state = place.stateDirFlag ? ['--state-dir', place.stateDir] : [];
	return [
		`Next: ${quoteArgv(['ganeti-wizard', 'status', ...state])} shows the progress; after editing the recipe, ${quoteArgv(['ganeti-wizard', 'plan', '--recipe', recipe, ...state])} shows what it changes and ${quoteArgv(['ganeti-wizard', 'apply', '--recipe', recipe, ...state, '--yes'])} makes those changes${unnamed}.`,
	];
}

/** The wizard's place at the end of its run, when the CLI told it where the site is kept. */
export function wizardPlace(options: WizardOptions, savedRecipe?: string): RunPlace | undefined {
	const where = options.site?.();
	if (!where) return undefined;
	const recipePath = savedRecipe ?? options.recipePath;
	return {mode: options.mode, root: options.root, ...where, ...(recipePath ? {recipePath} : {})};
}

export function closing(result: RunResult, resume: string, place?: RunPlace): WizardExit {
	switch (result.outcome) {
		case 'done':
			return {
				outcome: 'done',
				message: ['Every step is done.', ...(place ? afterRun(place) : []), `Run \`${resume}\` again at any time: it shows what changed and applies only that.`],
			};
		case 'quit':
			return {outcome: 'quit', message: [`Stopped. Run \`${resume}\` again to resume where you left off.`]};
		case 'failed':
			return {
				outcome: 'failed',
				message: [`Stopped at a failure: ${result.stoppedAt?.action.title ?? 'an action'}: ${result.stoppedAt?.message ?? ''}`, `Fix the cause, then run \`${resume}\` again to retry from there.`],
			};
		case 'waiting':
			return {
				outcome: 'waiting',
				message: [`Waiting for you: ${result.stoppedAt?.action.title ?? 'a checkpoint'}.`, `When it is done, run \`${resume}\` again: it comes back to this checkpoint.`],
			};
	}
}
