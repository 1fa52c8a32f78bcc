// A lab host ready for the wizard, as a freshly installed Debian server would
// be: hostname gcc20, a public interface eth0 with its address (a veth to an
// "outside" host that knows nothing of the private range), sshd running, and
// a no-op OS definition so instances can be added without debootstrap. A copy
// of the built CLI runs inside it, against the lab's own /etc, /var, /root and /srv.
import {existsSync} from 'node:fs';
import {cp, readFile, rm} from 'node:fs/promises';
import {dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import YAML from 'yaml';
import {buildInventory, type Inventory} from '../../source/inventory/inventory.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {cliPath} from './cli.js';
import {createLab, type Lab, type Peer} from './lab.js';
import {takeMachineLock} from './machine-lock.js';
import {assertMachineUntouched, machineState, namespaceIds, secondsSinceBoot} from './machine-state.js';

export const labRecipe = fileURLToPath(new URL('../../recipes/lab.yaml', import.meta.url));
export const stateDir = '/var/lib/ganeti-wizard';
export const transcriptPath = `${stateDir}/transcript.log`;
export const outsideAddress = '198.51.100.1';

/** What a lab host needs besides the namespaces (each test names these in need()). */
export const labHostRequirements = ['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'flock', 'ip', 'losetup', 'sshd', 'ssh-keygen', 'gnt-cluster', 'named', 'dhcpd', 'iptables', 'ifup', 'brctl', 'git', 'python3', 'busybox', 'dig'];

export type CliRun = {
	argv: string[];
	/** null when a signal ended it (see `signal`). */
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
};

export type ApplyOptions = {
	/** GANETI_WIZARD_FAILPOINT, e.g. "after-action:12". */
	failpoint?: string;
	confirm?: string[];
	timeoutMs?: number;
};

export type PlanJson = {steps: Array<{id: string; status: string; actions: Array<{id: string; kind: string; title: string; status: string; path?: string; argv?: string[]}>}>};

export type LabHost = {
	lab: Lab;
	outside: Peer;
	/** Runs `node dist/cli.js ...args` inside the lab. */
	cli(args: string[], options?: {env?: Record<string, string>; timeoutMs?: number}): Promise<CliRun>;
	/** `apply --recipe R --root / --yes` (progress in the default state directory). */
	apply(recipe?: string, options?: ApplyOptions): Promise<CliRun>;
	/** `plan --json` of a recipe, probed on the lab. */
	plan(recipe?: string): Promise<PlanJson>;
	/** The inventory the wizard built for a recipe (its generated values as saved in the lab). */
	inventory(recipe?: string): Promise<Inventory>;
	/** A run's output tails and the transcript's, for assertion messages. */
	diagnostics(run?: CliRun, lines?: number): Promise<string>;
	/**
	 * Ends the lab, then asserts the machine is exactly as it was before the lab
	 * (test/support/machine-state.ts: hostname, watched files, routes, links, firewall,
	 * mounts, loop devices, no process of the lab left); then lets the next lab host go.
	 */
	destroy(): Promise<void>;
};

/** A no-op OS definition: every script succeeds, the instance's disks stay as Ganeti made them. */
export const noopOs: Record<string, {content: string; mode: number}> = {
	create: {content: '#!/bin/sh\nexit 0\n', mode: 0o755},
	import: {content: '#!/bin/sh\nexit 0\n', mode: 0o755},
	export: {content: '#!/bin/sh\nexit 0\n', mode: 0o755},
	rename: {content: '#!/bin/sh\nexit 0\n', mode: 0o755},
	verify: {content: '#!/bin/sh\nexit 0\n', mode: 0o755},
	ganeti_api_version: {content: '20\n', mode: 0o644},
	'variants.list': {content: 'default\n', mode: 0o644},
	// Ganeti 3.0 refuses an OS of API 20 without it (even when empty).
	'parameters.list': {content: '', mode: 0o644},
};

/** The last lines, each cut to a readable width (the transcript quotes whole Python checks). */
function tail(text: string, lines: number): string {
	return text
		.trimEnd()
		.split('\n')
		.slice(-lines)
		.map(line => (line.length > 300 ? `${line.slice(0, 300)} …` : line))
		.join('\n');
}

/**
 * Creates the lab host. The machine's own leftovers of a wizard or Ganeti
 * (its /var/lib/ganeti-wizard, if any) are hidden inside, so every lab starts
 * as a bare server.
 */
export async function createLabHost(options: {hostname?: string} = {}): Promise<LabHost> {
	const lock = await takeMachineLock();
	let lab: Lab;
	let before: Record<string, string>;
	try {
		// Only now does no other lab host change the machine.
		before = await machineState();
		lab = await createLab({hostname: options.hostname ?? 'gcc20'});
	} catch (error) {
		await lock.release();
		throw error;
	}
	// The machine is compared before the lock is let go: the next lab host may change it then.
	const destroy = async () => {
		try {
			const ids = await namespaceIds(lab).catch(() => new Set<string>());
			const {tempDir} = lab;
			const destroyStarted = await secondsSinceBoot();
			await lab.destroy();
			await assertMachineUntouched(before, ids, tempDir, destroyStarted);
		} finally {
			await lock.release();
		}
	};
	try {
		const outside = await lab.addPeer('outside', {labInterface: 'eth0', labAddress: '198.51.100.20/24', peerAddress: `${outsideAddress}/24`});
		for (const [name, file] of Object.entries(noopOs)) await lab.writeFile(`/srv/ganeti/os/noop/${name}`, file.content, {mode: file.mode});
		await installCli(lab);
		// Host keys as the openssh-server package makes them; sshd forks into the background.
		await lab.run(['sh', '-e', '-c', `rm -rf ${stateDir}; ssh-keygen -A; mkdir -p /run/sshd; /usr/sbin/sshd`]);
		return labHost(lab, outside, destroy);
	} catch (error) {
		// The error that stopped the set-up says more than a comparison after it.
		await destroy().catch(() => {});
		throw error;
	}
}

/** Where the lab keeps its copy of the built CLI. */
const labCliPath = '/root/ganeti-wizard/dist/cli.js';

/**
 * Installs the built CLI (dist/, one self-contained bundle) inside the lab, as
 * an operator installs the package on a server: a rebuild of dist/ while a
 * long lab test runs cannot pull it from under the test.
 */
export async function installCli(lab: Lab): Promise<void> {
	const dist = dirname(cliPath);
	for (let attempt = 1; ; attempt++) {
		await rm(lab.path(dirname(labCliPath)), {recursive: true, force: true});
		if (existsSync(cliPath)) await cp(dist, lab.path(dirname(labCliPath)), {recursive: true});
		const version = await lab.exec([process.execPath, labCliPath, '--version']);
		if (version.exitCode === 0) return;
		// dist/ is being rebuilt (it is removed first): wait for the new one.
		if (attempt === 30) throw new Error(`the built CLI ${cliPath} does not run (npm run build makes it): ${version.stderr.trim()}`);
		await new Promise(resolve => setTimeout(resolve, 2000));
	}
}

/** The wizard's commands on a lab where the CLI is installed (installCli); `destroy` ends it. */
export function labHost(lab: Lab, outside: Peer, destroy: () => Promise<void>): LabHost {
	const cli: LabHost['cli'] = async (args, options = {}) => {
		const argv = [process.execPath, labCliPath, ...args];
		const started = Date.now();
		const result = await lab.exec(argv, {env: {NO_COLOR: '1', ...options.env}, timeoutMs: options.timeoutMs ?? 10 * 60_000});
		return {
			argv: args,
			code: result.signal ? null : result.exitCode,
			signal: result.signal ?? null,
			stdout: result.stdout,
			stderr: result.stderr,
			ms: Date.now() - started,
		};
	};
	const host: LabHost = {
		lab,
		outside,
		cli,
		apply(recipe = labRecipe, options = {}) {
			const args = ['apply', '--recipe', recipe, '--root', '/', '--yes', ...(options.confirm ?? []).flatMap(id => ['--confirm', id])];
			return cli(args, {env: options.failpoint ? {GANETI_WIZARD_FAILPOINT: options.failpoint} : {}, ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {})});
		},
		async plan(recipe = labRecipe) {
			const run = await cli(['plan', '--recipe', recipe, '--root', '/', '--json']);
			if (run.code !== 0) throw new Error(`plan --json exited ${run.code ?? run.signal}:\n${await host.diagnostics(run)}`);
			return JSON.parse(run.stdout) as PlanJson;
		},
		async inventory(recipe = labRecipe) {
			const text = (await lab.readFile(recipe)) ?? (await readFile(recipe, 'utf8'));
			const progress = JSON.parse((await lab.readFile(`${stateDir}/site.json`)) ?? '{}') as {generated?: Parameters<typeof buildInventory>[1]};
			const random = () => {
				throw new Error('the recipe needs a generated value the lab has not saved yet');
			};
			return buildInventory(parseRecipe(text, recipe), progress.generated ?? {macs: {}, addresses: {}}, random).inventory;
		},
		async diagnostics(run, lines = 40) {
			const parts: string[] = [];
			if (run) {
				parts.push(`--- ganeti-wizard ${run.argv.join(' ')}: exit ${run.code ?? run.signal} after ${run.ms} ms`);
				parts.push(`--- stdout (last ${lines} lines)\n${tail(run.stdout, lines)}`);
				if (run.stderr.trim()) parts.push(`--- stderr\n${tail(run.stderr, lines)}`);
			}
			const transcript = await lab.readFile(transcriptPath);
			if (transcript) parts.push(`--- ${transcriptPath} (last ${lines} lines)\n${tail(transcript, lines)}`);
			return parts.join('\n');
		},
		destroy,
	};
	return host;
}

/** A variant of recipes/lab.yaml: `change` edits the parsed document; written inside the lab. */
export async function writeRecipeVariant(host: LabHost, name: string, change: (recipe: Record<string, any>) => void): Promise<string> {
	const document = YAML.parse(await readFile(labRecipe, 'utf8')) as Record<string, any>;
	change(document);
	const path = `/root/recipes/${name}.yaml`;
	await host.lab.writeFile(path, YAML.stringify(document));
	return path;
}

/** Lines with a status symbol: "✓ done" lines are changes this run made. */
export function doneLines(stdout: string): string[] {
	return stdout.split('\n').filter(line => /^\s+✓ done /.test(line));
}

/**
 * The slowest commands of the transcript since `since` (ms), as "12.3 s gnt-cluster init ..."
 * lines: each command's outcome line says how long it took ("# exit 0 after 812 ms").
 */
export function slowestCommands(transcript: string, since: number, count = 3): string[] {
	const durations: Array<{ms: number; command: string}> = [];
	for (const line of transcript.split('\n')) {
		const match = /^(\S+) \$ (.*)  # exit .* after (\d+) ms$/.exec(line);
		if (match && Date.parse(match[1]!) >= since) durations.push({ms: Number(match[3]), command: match[2]!});
	}
	return durations
		.sort((a, b) => b.ms - a.ms)
		.slice(0, count)
		.map(({ms, command}) => `${(ms / 1000).toFixed(1)} s ${command.length > 100 ? `${command.slice(0, 100)}…` : command}`);
}
