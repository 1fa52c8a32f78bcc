// The rehearsal: a host whose "/" is a folder. Files are written under it;
// commands that would change the host are recorded in commands.sh beside the
// site's state, never run; checks of files run when the checker is installed
// here, and every other check says it was not checked. Whatever a real run
// decides from a file's presence, the rehearsal decides from its folder. A
// recorded `git commit` keeps a copy of the directory as committed, so that
// `git show HEAD:FILE` answers as the real repository would. Nothing is
// fsynced (durable is false): a rehearsal outlives a kill -9, which keeps the
// page cache, but makes no promise across a power cut.
import {appendFile, cp, mkdir, readFile, rm} from 'node:fs/promises';
import {join} from 'node:path';
import type {Probe, Stage} from '../actions/action.js';
import {FilesUnderRoot} from './filesystem.js';
import type {ActionRef, CheckOutcome, Host, RunOptions, RunResult, WriteOptions} from './host.js';
import {commandExists, execute} from './process.js';
import {quoteArgv} from './quote.js';
import type {Transcript} from './transcript.js';

export const rehearsalRecordName = 'commands.sh';
export const notChecked = 'not checked (rehearsal)';

export class RehearsalHost extends FilesUnderRoot implements Host {
	readonly kind = 'rehearsal';
	/** Every recorded "# action ID\nargv\n" entry, read once, then kept as appended. */
	private entries: Set<string> | undefined;
	/** Whether commands.sh exists with its prologue. */
	private started = false;

	constructor(
		readonly node: string,
		root: string,
		/** Where commands.sh goes (the site's state directory). */
		private readonly stateDir: string,
		private readonly transcript: Transcript,
	) {
		super(root, false);
	}

	/** Where a host path lives on this machine. */
	map(path: string): string {
		return this.files.map(path);
	}

	async writeFile(path: string, content: string, options: WriteOptions): Promise<void> {
		// The daemon's checker still judges the candidate when it is installed here.
		await this.files.writeFile(path, content, options, async argv => ((await commandExists(argv[0]!)) ? this.checkOnce(argv) : null));
		this.transcript.note(`wrote ${path} (${Buffer.byteLength(content)} bytes)`);
		await this.changedUnderGit(path);
	}

	override async remove(path: string, directories: string[]): Promise<void> {
		await super.remove(path, directories);
		await this.changedUnderGit(path);
	}

	/**
	 * A file written or removed in a directory under git leaves a change to
	 * stage and commit there, as git's status would say: the stagings and
	 * commits recorded there before no longer tell that it is done. So a
	 * commit whose message was met before (a node added back: "add NAME
	 * ADDRESS" again) is made again, and what it commits is kept as HEAD.
	 * Forgotten for this run only: the record keeps every entry.
	 */
	private async changedUnderGit(path: string): Promise<void> {
		const recorded = await this.record();
		for (const entry of [...recorded]) {
			const directory = gitStagingDirectory(entry.split('\n')[1]!.split(' '));
			if (directory !== undefined && path.startsWith(`${directory}/`)) recorded.delete(entry);
		}
	}

	async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
		await this.append(options.actionId ?? 'unnamed', argv);
		this.transcript.command(argv, 'recorded, not run (rehearsal)');
		const committed = gitCommitDirectory(argv);
		if (committed) await this.keepCommitted(committed);
		// Undo's removal of a repository the wizard made: nothing is committed there any more.
		const archived = archivedRepository(argv);
		if (archived) await rm(join(this.commitsDir, archived), {recursive: true, force: true});
		return {exitCode: 0, stdout: '', stderr: ''};
	}

	/** No processes to ask; only `git -C DIR show HEAD:./FILE` is answered, from the recorded commits. */
	async probe(argv: string[]): Promise<RunResult | null> {
		const shown = /^HEAD:\.\/(.+)$/.exec(argv[4] ?? '');
		if (argv.length !== 5 || argv[0] !== 'git' || argv[1] !== '-C' || argv[3] !== 'show' || !shown) return null;
		const content = await readFile(join(this.commitsDir, argv[2]!, shown[1]!), 'utf8').catch(() => null);
		return content === null ? {exitCode: 128, stdout: '', stderr: `fatal: path '${shown[1]}' does not exist in 'HEAD'\n`} : {exitCode: 0, stdout: content, stderr: ''};
	}

	/** Where recorded commits keep their directories, as committed. */
	private get commitsDir(): string {
		return join(this.stateDir, 'rehearsal-commits');
	}

	/** What a commit of everything (git add -A, then commit) leaves at HEAD: the directory as it is now. */
	private async keepCommitted(directory: string): Promise<void> {
		const target = join(this.commitsDir, directory);
		await rm(target, {recursive: true, force: true});
		await mkdir(target, {recursive: true, mode: 0o700});
		// Nothing there yet (a commit of hand changes before the wizard's first file): an empty HEAD.
		if (!(await this.stat(directory))) return;
		await cp(this.map(directory), target, {recursive: true, filter: path => !/(^|\/)(\.git|\..*\.ganeti-wizard-new)$/.test(path)});
	}

	async check(argv: string[], stage?: Stage): Promise<CheckOutcome> {
		// Only a check of files can run on a folder: one that names the root or a stage.
		if (!stage && !argv.some(part => part.includes('{root}'))) return {unchecked: notChecked};
		const mapped = argv.map(part => part.replaceAll('{root}', this.root));
		if (!(await commandExists(mapped[0]!))) return {unchecked: `${notChecked}: ${mapped[0]} is not installed here`};
		if (!stage) return {ran: await this.checkOnce(mapped)};
		return this.files.withStage(stage, async scratch =>
			scratch ? {ran: await this.checkOnce(mapped.map(part => part.replaceAll('{stage}', scratch)))} : {unchecked: `${notChecked}: ${stage.needs} is not there to check the files with`},
		);
	}

	async holds(probe: Probe, as: ActionRef): Promise<boolean> {
		// Only the record says: a path a recorded command would have made is missing from the folder anyway.
		if ('not' in probe) return this.recorded(as);
		if ('exists' in probe && (await this.stat(probe.exists)) !== null) return true;
		return this.recorded(as);
	}

	async recorded(as: ActionRef): Promise<boolean> {
		return (await this.record()).has(entry(as.actionId, as.argv));
	}

	async serviceRunning(_service: string, as: ActionRef): Promise<boolean> {
		return this.recorded(as);
	}

	private checkOnce(argv: string[]): Promise<RunResult> {
		return execute(argv, {timeoutMs: 120_000}, false, this.transcript);
	}

	private async record(): Promise<Set<string>> {
		if (!this.entries) {
			const text = await readFile(join(this.stateDir, rehearsalRecordName), 'utf8').catch(() => '');
			this.entries = new Set();
			this.started = text.length > 0;
			for (const match of text.matchAll(/^# action (.*)\n(.*)\n/gm)) {
				this.entries.add(match[0]);
				forgetReversed(this.entries, match[1]!, match[2]!);
			}
		}
		return this.entries;
	}

	/** Appends one entry (not fsynced: see above): the cost does not grow with the record. */
	private async append(actionId: string, argv: string[]): Promise<void> {
		const recorded = await this.record();
		const path = join(this.stateDir, rehearsalRecordName);
		if (!this.started) await mkdir(this.stateDir, {recursive: true, mode: 0o700});
		const prologue = this.started ? '' : '#!/bin/bash\n# What a real run would have executed, in order (rehearsal record).\nset -e\n';
		this.started = true;
		const text = entry(actionId, argv);
		await appendFile(path, `${prologue}${text}`, {mode: 0o600});
		recorded.add(text);
		forgetReversed(recorded, actionId, quoteArgv(argv));
	}
}

/**
 * An undo's entry ("undo.ID", or "undo.service.NAME" stopping a service)
 * means what it reversed is no longer in place: the entries it undid are
 * forgotten, so a later apply records them again, as a real host would run
 * them again. Undoing a creation (an id ending in ".init" or ".add": a
 * repository, the cluster, an instance) takes everything done in it along
 * (its commits, the instance's later changes): the entries of its siblings go too.
 */
function forgetUndone(entries: Set<string>, actionId: string, command: string): void {
	if (!actionId.startsWith('undo.')) return;
	const undone = actionId.slice('undo.'.length);
	const service = undone.startsWith('service.') ? undone.slice('service.'.length) : undefined;
	const within = /\.(init|add)$/.test(undone) ? undone.slice(0, undone.lastIndexOf('.') + 1) : undefined;
	for (const entry of [...entries]) {
		const [header = '', line = ''] = entry.split('\n');
		const id = header.slice('# action '.length);
		if (id.startsWith('undo.')) continue;
		if (id === undone || (within !== undefined && id.startsWith(within)) || (service !== undefined && line.startsWith(`service ${service} `) && line !== command)) entries.delete(entry);
	}
}

/**
 * Forgets the entries a newly recorded one reverses: an undo's (forgetUndone),
 * and Ganeti's own pairs, as a real cluster forgets them. A node or instance
 * removed (`gnt-node remove FQDN`, `gnt-instance remove ... FQDN`) takes its
 * join or creation along, and what was done in it, as an undo of that would;
 * one joined or created again (`gnt-node add ... FQDN`, `gnt-instance add ...
 * FQDN`) is no longer removed: the entries of its removal (ids
 * "removals.FQDN", "removals.FQDN.instances") go.
 */
function forgetReversed(entries: Set<string>, actionId: string, command: string): void {
	forgetUndone(entries, actionId, command);
	if (actionId.startsWith('undo.')) return;
	const words = command.split(' ');
	const fqdn = words.at(-1)!;
	const ganeti = words[0] === 'gnt-node' || words[0] === 'gnt-instance' ? words[1] : undefined;
	if (ganeti === 'remove') {
		for (const entry of [...entries]) {
			const [header = '', line = ''] = entry.split('\n');
			const parts = line.split(' ');
			if (parts[0] === words[0] && parts[1] === 'add' && parts.at(-1) === fqdn) forgetUndone(entries, `undo.${header.slice('# action '.length)}`, '');
		}
	} else if (ganeti === 'add') {
		for (const entry of [...entries]) {
			const id = entry.split('\n')[0]!.slice('# action '.length);
			if (id === `removals.${fqdn}` || id.startsWith(`removals.${fqdn}.`)) entries.delete(entry);
		}
	}
}

/** The directory a `git -C DIR add ...` or `git -C DIR ... commit ...` argv (or a recorded line split at spaces) stages or commits in, else undefined. */
function gitStagingDirectory(argv: string[]): string | undefined {
	return argv[0] === 'git' && argv[1] === '-C' && (argv[3] === 'add' || argv.includes('commit')) ? argv[2] : undefined;
}

/** The repository that undo's archive-git program (argv: python3 -B PATH DIR ARCHIVE) removes, else undefined. */
function archivedRepository(argv: string[]): string | undefined {
	const at = argv.findIndex(part => part.endsWith('/archive-git.py'));
	return at >= 0 ? argv[at + 1] : undefined;
}

/** The directory of a `git -C DIR ... commit ...` argv, else undefined. */
function gitCommitDirectory(argv: string[]): string | undefined {
	return argv[0] === 'git' && argv[1] === '-C' && argv.includes('commit') ? argv[2] : undefined;
}

function entry(actionId: string, argv: string[]): string {
	return `# action ${actionId}\n${quoteArgv(argv)}\n`;
}
