// changes: everything the wizard changed on this host, from its journal (since
// the last undo): files created or modified, each with a diff from the
// version found to the wizard's, packages it installed that were not there,
// services started or reloaded, firewall rules, sysctls, routes, addresses and
// interfaces, storage, the cluster and each instance, with what reverses each.
// Read-only: nothing is created or written.
import chalk from 'chalk';
import {createTwoFilesPatch} from 'diff';
import {UsageError} from '../errors.js';
import type {Host} from '../host/host.js';
import {otherNodeRuns} from '../node-runs.js';
import {hasSite, openSession, resolveLocation, type Session} from '../session.js';
import {keptAtLastUndo, wizardChanges, type CommandChange} from '../site/changes.js';
import {readJournal, type FileVersion} from '../site/journal.js';
import {stateDirectoryToken} from '../steps/config-history.js';
import {packagesActionId} from '../steps/host.js';
import {quoteArgv} from '../ui/text.js';
import type {CommandFlags} from './flags.js';

/** What a command changed, by the tool that made the change. */
export type CommandCategory = 'packages' | 'firewall' | 'sysctl' | 'route' | 'interface' | 'storage' | 'cluster' | 'instance' | 'history' | 'ssh' | 'other';

const categoryTitles: Record<CommandCategory, string> = {
	packages: 'Packages installed (not there before)',
	firewall: 'Firewall rules',
	sysctl: 'Kernel settings (sysctl)',
	route: 'Routes',
	interface: 'Addresses and interfaces',
	storage: 'Storage (LVM, loop devices, partitions)',
	cluster: 'The Ganeti cluster',
	instance: 'Instances',
	history: 'Git history of configuration directories',
	ssh: "root's SSH key and authorized_keys",
	other: 'Other commands',
};

/** The category of a command from its argv (and the program a python3 argv runs). */
export function commandCategory(change: Pick<CommandChange, 'argv' | 'id'>): CommandCategory {
	const [tool, sub] = change.argv[0] === 'python3' ? [change.argv[1]!.replace(/^.*\/|\.py$/g, ''), change.argv[2]] : [change.argv[0]!, change.argv[1]];
	if (change.id === packagesActionId || tool === 'apt-get') return 'packages';
	if (tool === 'iptables') return 'firewall';
	if (tool === 'sysctl') return 'sysctl';
	if (tool === 'ip' && sub === 'route') return 'route';
	if (tool === 'ifup' || tool === 'ip') return 'interface';
	if (['pvcreate', 'vgcreate', 'losetup', 'truncate', 'parted', 'with-loop-device', 'mkdir'].includes(tool)) return 'storage';
	if (tool === 'gnt-cluster' || tool === 'ganeti-state' || (tool === 'service' && sub === 'ganeti')) return 'cluster';
	if (tool === 'gnt-instance' || tool === 'start-instances') return 'instance';
	if (tool === 'git') return 'history';
	if (['ssh-keygen', 'authorize-key', 'install'].includes(tool)) return 'ssh';
	return 'other';
}

/** The packages an install added: what its inverse purges (the install names every package, installed or not). */
function installedPackages(change: CommandChange): string[] | undefined {
	return 'argv' in change.inverse ? change.inverse.argv.slice(3) : undefined;
}

/** One node's changes as `changes` shows them: files with their diffs, packages, services, commands. */
async function nodeReport(records: ReturnType<typeof readJournal>, name: string, host: Host, session: Session, stateDir: string) {
	const found = wizardChanges(records, name);
	const blob = (version: FileVersion): string | null => ('absent' in version ? null : session.progress.settings.blob(version.sha256));
	const files = await Promise.all(
		found.flatMap(change => (change.kind === 'file' ? [change] : [])).map(async change => {
			const before = blob(change.before);
			const after = blob(change.after);
			const current = await host.readFile(change.path);
			return {
				path: change.path,
				secret: change.secret,
				change: before === null ? 'created' : after === null ? 'removed' : 'modified',
				step: change.step,
				at: change.at,
				// Someone changed it after the wizard: undo keeps it.
				changedSince: current !== after,
				diff: change.secret ? '' : createTwoFilesPatch(before === null ? '/dev/null' : change.path, change.path, before ?? '', after ?? '', 'as found', 'as the wizard left it'),
			};
		}),
	);
	const commands = found.flatMap(change => (change.kind === 'command' ? [change] : []));
	const services = found.flatMap(change => (change.kind === 'service' ? [change] : []));
	const packages = commands.filter(change => change.id === packagesActionId).flatMap(change => installedPackages(change) ?? []);
	// An inverse names the state directory as undo will run it.
	const shown = (inverse: CommandChange['inverse']): CommandChange['inverse'] => ('argv' in inverse ? {argv: inverse.argv.map(part => part.replaceAll(stateDirectoryToken, stateDir))} : inverse);
	return {
		count: found.length,
		json: {
			files,
			packages,
			services: services.map(({service, operation, wasRunning, at}) => ({service, operation: wasRunning ? operation : 'start', wasRunning, at})),
			commands: commands.map(change => ({category: commandCategory(change), id: change.id, title: change.title, argv: change.argv, at: change.at, inverse: shown(change.inverse)})),
		},
		lines(): string[] {
			const lines: string[] = [];
			if (files.length > 0) {
				lines.push('', chalk.bold('Files'));
				for (const file of files) {
					lines.push(`  ${file.change} ${file.path}${file.changedSince ? chalk.yellow(' (changed since by someone else: undo keeps it)') : ''}`);
					if (file.secret) lines.push(chalk.dim('    a private key or a password: its content is not shown'));
					for (const line of file.diff.split('\n').slice(2)) if (line !== '') lines.push(`    ${colour(line)}`);
				}
			}
			if (packages.length > 0) lines.push('', chalk.bold(categoryTitles.packages), `  ${packages.join(' ')}  ${chalk.dim('(undo --purge-packages removes them)')}`);
			if (services.length > 0) {
				lines.push('', chalk.bold('Services'));
				for (const change of services) lines.push(`  ${change.wasRunning ? `${change.operation === 'running' ? 'found running' : `${change.operation}ed`}` : 'started'} ${change.service}${change.wasRunning ? '' : chalk.dim(' (undo stops it)')}`);
			}
			const grouped = new Map<CommandCategory, CommandChange[]>();
			for (const change of commands) if (change.id !== packagesActionId) grouped.set(commandCategory(change), [...(grouped.get(commandCategory(change)) ?? []), change]);
			for (const [category, entries] of grouped) {
				lines.push('', chalk.bold(categoryTitles[category]));
				for (const change of entries) {
					lines.push(`  ${change.title}`, chalk.cyan(`    $ ${quoteArgv(change.argv)}`));
					const inverse = shown(change.inverse);
					lines.push(chalk.dim('argv' in inverse ? `    undo: ${quoteArgv(inverse.argv)}` : 'note' in inverse ? `    undo: nothing to run (${inverse.note})` : ''));
				}
			}
			return lines;
		},
	};
}

/**
 * Everything the wizard changed since the last undo, node by node (the
 * master, then every other node with changes; `--node NAME`: that node only).
 * Read-only. `--json`: one node's shape as before, or `{journal, nodes: [...]}`.
 */
export async function changes(flags: CommandFlags & {node?: string}): Promise<number> {
	if (flags.recipe !== undefined) throw new UsageError('changes reads the saved site: leave out --recipe (give --state-dir DIR, and --root DIR for a rehearsal)');
	const location = resolveLocation(flags);
	if (!hasSite(location.stateDir)) throw new UsageError(`no site is saved in ${location.stateDir}, so the wizard changed nothing there; give the site's --state-dir DIR`);
	const session = await openSession({...flags, unattended: true, readOnly: true});
	const records = readJournal(location.stateDir);
	const master = session.inventory.master.name;
	if (flags.node !== undefined && !session.inventory.nodes.some(node => node.name === flags.node)) {
		throw new UsageError(`--node: "${flags.node}" is not a node of the site (its nodes: ${session.inventory.nodes.map(node => node.name).join(', ')})`);
	}
	const wanted = (name: string) => flags.node === undefined || flags.node === name;
	const others = otherNodeRuns(session, {readOnly: true}).filter(run => wanted(run.node.name) && wizardChanges(records, run.node.name).length > 0);
	try {
		const reports: Array<{name: string; report: Awaited<ReturnType<typeof nodeReport>>}> = [];
		if (wanted(master)) reports.push({name: master, report: await nodeReport(records, master, session.host, session, location.stateDir)});
		for (const run of others) reports.push({name: run.node.name, report: await nodeReport(records, run.node.name, run.host, session, location.stateDir)});
		const kept = keptAtLastUndo(records);
		const several = session.inventory.nodes.length > 1;
		if (flags.json) {
			const body = several ? {journal: session.progress.path, nodes: reports.map(({name, report}) => ({node: name, ...report.json})), keptAtLastUndo: kept} : {journal: session.progress.path, ...reports[0]!.report.json, keptAtLastUndo: kept};
			process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
			return 0;
		}
		const write = (...lines: string[]) => process.stdout.write(lines.map(line => `${line}\n`).join(''));
		if (reports.every(({report}) => report.count === 0)) {
			write(`The wizard has changed nothing here${records.some(record => record.type === 'undone') ? ' since the last undo' : ''} (journal: ${session.progress.path}).`);
			for (const path of kept) write(`The last undo kept ${path}: someone had changed it after the wizard wrote it.`);
			return 0;
		}
		write(chalk.bold(`What the wizard changed (journal: ${session.progress.path}):`));
		for (const {name, report} of reports) {
			if (report.count === 0) continue;
			if (several) write('', chalk.bold.underline(`On ${name}:`));
			write(...report.lines());
		}
		return 0;
	} finally {
		for (const run of others) await run.host.close?.();
	}
}

function colour(line: string): string {
	if (line.startsWith('+')) return chalk.green(line);
	if (line.startsWith('-')) return chalk.red(line);
	if (line.startsWith('@@')) return chalk.cyan(line);
	return line;
}
