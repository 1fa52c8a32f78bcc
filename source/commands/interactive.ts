// The interactive wizard: the Ink TUI on a capable terminal, inquirer prompts
// otherwise (--plain, TERM=dumb, CI). This module only wires the wizard to the
// engine: sessions, saved progress, detection and the runner. The engine is
// loaded behind the TUI's first frame, so the operator sees the wizard at once.
import {existsSync, openSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import {resolve} from 'node:path';
import {ReadStream} from 'node:tty';
import {UsageError} from '../errors.js';
import type {Recipe} from '../recipe/schema.js';
import type {HostFacts} from '../steps/step.js';
import type {SavedProgress, WizardExit, WizardOptions} from '../ui/contract.js';
import {chooseInterfaceHere} from '../ui/mode.js';
import type {Handover} from '../ui/resume-view.js';
import type {CommandFlags} from './flags.js';

export async function interactive(flags: CommandFlags): Promise<number> {
	const choice = chooseInterfaceHere({plain: flags.plain, yes: flags.yes});
	if (choice.kind === 'unattended') return (await import('./apply.js')).apply(flags);
	if (choice.kind === 'refuse') throw new UsageError(choice.message);

	// Kept: the wizard may have moved to a rehearsal folder, where changes and undo must look too.
	let options: WizardOptions | undefined;
	const made = async () => (options = await wizardOptions(flags));
	const exit: WizardExit = choice.kind === 'tui' ? await (await import('../ui/tui.js')).startTui(made) : await (await import('../ui/plain.js')).startPlain(await made());
	// The closing lines, once: both faces leave them to the caller.
	for (const line of exit.message) process.stdout.write(`${line}\n`);
	// Chosen on the resume screen: the same commands as on the command line, for the same site.
	const site = {...flags, ...(options ? {root: options.root} : {})};
	if (exit.then === 'changes') return (await import('./changes.js')).changes(site);
	if (exit.then === 'undo') {
		// The screens leave stdin ended behind them: the typed confirmation is read from the terminal afresh.
		const terminal = freshTerminal();
		try {
			return await (await import('./undo.js')).undo({...site, yes: false, dryRun: false, purgePackages: false}, terminal);
		} finally {
			if (terminal !== process.stdin) terminal.destroy();
		}
	}
	if (exit.then) return handOver(exit.then, exit.vm, {...site, recipe: undefined, yes: false});
	const {exitCodes} = await import('./apply.js');
	return exitCodes[exit.outcome];
}

/**
 * The terminal read afresh (the screens leave stdin ended), or stdin when it
 * is no terminal. A tty.ReadStream, not an fs one: an fs stream's read of a
 * terminal blocks a thread-pool worker until a key comes, so destroying it
 * would leave the process alive until the operator pressed one. The caller
 * destroys it when done.
 */
function freshTerminal(): ReadStream | typeof process.stdin {
	return process.stdin.isTTY ? new ReadStream(openSync('/dev/tty', 'r')) : process.stdin;
}

/**
 * What next on a finished site, once the wizard is gone: the vm and doctor
 * commands for the same site, their questions and confirmations in line mode
 * on the terminal (read afresh, as undo's).
 */
async function handOver(then: Exclude<Handover, 'changes' | 'undo'>, vm: WizardExit['vm'], site: CommandFlags): Promise<number> {
	if (then === 'doctor') return (await import('./doctor.js')).doctor(site);
	const commands = await import('./vm.js');
	if (then === 'vm-list') return commands.vm(site, ['list'], {});
	const {exitCodes} = await import('./apply.js');
	const terminal = freshTerminal();
	try {
		if (then === 'vm-add') return await commands.add(site, vm?.name, vm?.values ?? {}, terminal, true);
		const {current} = await commands.savedSite(site, 'vm remove');
		const names = current.inventory.instances.map(instance => instance.name);
		if (names.length === 0) {
			process.stdout.write('The site has no VMs to remove.\n');
			return 0;
		}
		const prompter = await (await import('../ui/plain.js')).plainPrompter({input: terminal});
		const name = await prompter.select('Which VM to remove?', names.map(entry => ({value: entry, name: entry})));
		return await commands.remove(site, name, terminal);
	} catch (error) {
		// Ctrl-C at a question: nothing was changed yet (the questions come first).
		if ((error as Error).name !== 'ExitPromptError') throw error;
		process.stdout.write('Stopped: nothing changed.\n');
		return exitCodes.quit;
	} finally {
		if (terminal !== process.stdin) terminal.destroy();
	}
}

/** Why this host cannot be set up for real, or undefined when it can. */
export function realProblem(isRoot = process.getuid?.() === 0, debian = existsSync('/etc/debian_version')): string | undefined {
	if (!isRoot) return 'not running as root, so nothing on this host can be changed';
	if (!debian) return 'this is not a Debian host, where the wizard installs Ganeti from Debian packages';
	return undefined;
}

async function wizardOptions(flags: CommandFlags): Promise<WizardOptions> {
	const [{detectDefaults}, {probeInstallerIso, probeHostFacts, probePublicZone}, {localHost}, {Transcript}, {loadRecipeFile}, {Progress}, {journalView, runPlan}, {defaultRehearsalRoot, openSession, pinGenerated, realStateDir, reparseSaved, resolveLocation}, {quoteArgv}] = await Promise.all([
		import('../host/detect.js'),
		import('../host/facts.js'),
		import('../host/local.js'),
		import('../host/transcript.js'),
		import('../recipe/load.js'),
		import('../runner/progress.js'),
		import('../runner/run.js'),
		import('../session.js'),
		import('../ui/text.js'),
	]);
	// Interactively, a root operator on a Debian host acts for real unless --root says otherwise.
	const problem = flags.root === undefined ? realProblem() : undefined;
	let root = resolve(flags.root ?? (problem ? defaultRehearsalRoot : '/'));
	let stateDir: string | undefined = flags.stateDir;
	const location = () => resolveLocation({...flags, root, ...(stateDir ? {stateDir} : {})});
	const given = flags.recipe ? await loadRecipeFile(resolve(flags.recipe)) : undefined;
	const origin = given ? resolve(flags.recipe!) : 'answers given in the wizard';

	// Until the operator confirms a change, the wizard only looks: sessions are read-only.
	const view = (recipe: Recipe) => openSession({...flags, root, ...(stateDir ? {stateDir} : {}), unattended: false, readOnly: true}, {recipe, origin});
	const open = (recipe: Recipe) => openSession({...flags, root, ...(stateDir ? {stateDir} : {}), unattended: false, preflight: true}, {recipe, origin});

	const readProgress = async (): Promise<SavedProgress | null> => {
		const progress = Progress.read(location().stateDir);
		if (!progress.started && !progress.recipe && Object.keys(progress.answers).length === 0) return null;
		const recipe = reparseSaved(progress) ?? null;
		const steps = recipe ? await journalView((await view(recipe)).context) : [];
		const nextQuestion = recipe ? undefined : progress.settings.nextQuestion;
		return {recipe, steps, answers: progress.answers, ...(nextQuestion ? {nextQuestion} : {}), ...(progress.lastRunAt ? {updatedAt: progress.lastRunAt} : {})};
	};

	const options: WizardOptions = {
		mode: root === '/' ? 'real' : 'rehearsal',
		root,
		recipe: given?.recipe ?? null,
		...(flags.recipe ? {recipePath: resolve(flags.recipe)} : {}),
		progress: await readProgress(),
		// Detection reads this machine even in a rehearsal (read-only): the defaults describe it.
		// Answers are judged against the host preflight will judge them against: the site's root.
		detect: async () => {
			const detected = await detectDefaults(localHost({root: '/', stateDir: location().stateDir, transcript: new Transcript(undefined)}));
			const site = localHost({root, stateDir: location().stateDir, transcript: new Transcript(undefined)});
			const devices = detected.disks.flatMap(disk => [disk.path, ...disk.partitions.map(partition => partition.path)]);
			const facts = await probeHostFacts(site, devices);
			const look = async (path: string) => {
				const {exists, iso9660} = await probeInstallerIso(site, path);
				if (exists !== undefined) facts.files = {...facts.files, [path]: exists};
				if (iso9660 !== undefined) facts.isoImages = {...facts.isoImages, [path]: iso9660};
			};
			// Each zone is asked about once (the answer is typed a letter at a time); the facts hold the last one asked for.
			const zones = new Map<string, Promise<HostFacts['publicZone']>>();
			let latest: string | undefined;
			const lookZone = async (zone: {name: string; own: string[]}) => {
				latest = zone.name;
				if (!zones.has(zone.name)) zones.set(zone.name, probePublicZone(site, zone.name, zone.own));
				const found = await zones.get(zone.name)!;
				if (latest === zone.name) facts.publicZone = found;
			};
			// A rehearsal asks no name server (probePublicZone): its answers are judged at once.
			return {...detected, host: {facts, look, ...(site.kind === 'real' ? {lookZone} : {})}};
		},
		...(problem
			? {
					realProblem: problem,
					rehearse: async () => {
						root = resolve(defaultRehearsalRoot);
						stateDir = undefined;
						options.mode = 'rehearsal';
						options.root = root;
						return {root};
					},
				}
			: {}),
		steps: async recipe => journalView((await view(recipe)).context),
		run: async (recipe, io) => {
			const session = await open(recipe);
			if (io.startOver) session.progress.startOver();
			session.context.signal = io.signal;
			return runPlan(session.context, io.onEvent, io.decisions);
		},
		keepAnswers: (answers, nextQuestion) => new Progress(location().stateDir).setAnswers(answers, nextQuestion),
		saveRecipe: async (path, text) => writeFile(path, text, {mode: 0o644}),
		...(given?.recipe.host.public_address ? {sshTarget: `root@${given.recipe.host.public_address}`} : {}),
		resumeCommand: ['ganeti-wizard', ...(flags.root ? ['--root', flags.root] : []), ...(flags.stateDir ? ['--state-dir', flags.stateDir] : [])].join(' '),
		site: () => ({stateDir: location().stateDir, stateDirFlag: location().stateDir !== realStateDir}),
		pinGenerated: recipe => pinGenerated(recipe, location().stateDir),
		// What the operator is doing, unattended: a rehearsal stays one, under the same folder and site.
		// "Add a VM" on a finished site: vm add's own checks judge each answer.
		vmSite: async () => (await import('./vm.js')).vmSite({...flags, root, ...(stateDir ? {stateDir} : {}), recipe: undefined, yes: false}),
		replayCommand: path => quoteArgv(['ganeti-wizard', 'apply', '--recipe', path, '--root', root, ...(stateDir ? ['--state-dir', stateDir] : []), '--yes']),
	};
	return options;
}
