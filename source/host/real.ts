// The real host: this machine, at "/". Commands run, probes and checks run,
// files are replaced atomically after their checker accepts them.
import {chown} from 'node:fs/promises';
import type {Probe, Stage} from '../actions/action.js';
import {FilesUnderRoot} from './filesystem.js';
import type {ActionRef, CheckOutcome, Host, RunOptions, RunResult, WriteOptions} from './host.js';
import {execute} from './process.js';
import type {Transcript} from './transcript.js';

export class RealHost extends FilesUnderRoot implements Host {
	readonly kind = 'real';

	constructor(
		readonly node: string,
		private readonly transcript: Transcript,
	) {
		super('/', true);
	}

	async writeFile(path: string, content: string, options: WriteOptions): Promise<void> {
		const owner = options.owner;
		await this.files.writeFile(path, content, options, async argv => this.checkOnce(argv), owner ? candidate => this.chownByName(candidate, owner) : undefined);
		this.transcript.note(`wrote ${path} (${Buffer.byteLength(content)} bytes)`);
	}

	run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
		return execute(argv, options, true, this.transcript);
	}

	probe(argv: string[], options: {timeoutMs?: number} = {}): Promise<RunResult | null> {
		return execute(argv, {timeoutMs: options.timeoutMs ?? 30_000}, false, this.transcript);
	}

	async check(argv: string[], stage?: Stage): Promise<CheckOutcome> {
		const mapped = argv.map(part => part.replaceAll('{root}', '/'));
		if (!stage) return {ran: await this.checkOnce(mapped)};
		return this.files.withStage(stage, async scratch =>
			scratch ? {ran: await this.checkOnce(mapped.map(part => part.replaceAll('{stage}', scratch)))} : {unchecked: `${stage.needs} is not there to check the files with`},
		);
	}

	holds(probe: Probe, _as: ActionRef): Promise<boolean> {
		return probeHolds(this, probe);
	}

	async recorded(_as: ActionRef): Promise<boolean> {
		return false;
	}

	serviceRunning(service: string, _as: ActionRef): Promise<boolean> {
		return serviceAnswers(this, service);
	}

	private checkOnce(argv: string[]): Promise<RunResult> {
		return execute(argv, {timeoutMs: 120_000}, false, this.transcript);
	}

	private async chownByName(path: string, owner: {user: string; group: string}): Promise<void> {
		const uid = idFromDatabase(await this.readFile('/etc/passwd'), owner.user);
		const gid = idFromDatabase(await this.readFile('/etc/group'), owner.group);
		if (uid === undefined || gid === undefined) throw new Error(`cannot set owner ${owner.user}:${owner.group} on ${path}: no such user or group`);
		await chown(path, uid, gid);
	}
}

/**
 * Whether a probe holds on a host that has processes (this machine, a node
 * over SSH): a path exists, or a read-only command exits 0 with the output asked for.
 */
export async function probeHolds(host: Pick<Host, 'stat' | 'probe'>, probe: Probe): Promise<boolean> {
	if ('not' in probe) return !(await probeHolds(host, probe.not));
	if ('exists' in probe) return (await host.stat(probe.exists)) !== null;
	const result = await host.probe(probe.argv);
	if (!result || result.exitCode !== 0) return false;
	if (probe.stdoutEmpty && result.stdout.trim() !== '') return false;
	if (probe.stdoutIncludes !== undefined && !result.stdout.includes(probe.stdoutIncludes)) return false;
	return true;
}

/** Whether `service NAME status` says the service runs (its init script's answer; there is no systemd to ask). */
export async function serviceAnswers(host: Pick<Host, 'probe'>, service: string): Promise<boolean> {
	return (await host.probe(['service', service, 'status']))?.exitCode === 0;
}

function idFromDatabase(database: string | null, name: string): number | undefined {
	const line = database?.split('\n').find(entry => entry.split(':')[0] === name);
	return line ? Number(line.split(':')[2]) : undefined;
}
