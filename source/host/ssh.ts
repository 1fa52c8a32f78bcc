// A node reached over SSH: the same host interface as this machine's, every
// read, write and command carried out on the node by the system ssh client
// (through zx, like every other subprocess). One master connection per host
// (ControlMaster) keeps the hundreds of small calls of a run fast; close()
// ends it. Host keys are checked against a known_hosts file the caller keeps,
// never against anyone's ~/.ssh/known_hosts.
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, dirname, isAbsolute, join} from 'node:path';
import {$} from 'zx/core';
import type {Probe, Stage} from '../actions/action.js';
import {failpoint} from '../runner/failpoints.js';
import {CheckFailedError, pointedLine} from './filesystem.js';
import type {ActionRef, CheckOutcome, FileInfo, Host, RunOptions, RunResult, WriteOptions} from './host.js';
import {execute} from './process.js';
import {quotePosix} from './quote.js';
import {probeHolds, serviceAnswers} from './real.js';
import type {Transcript} from './transcript.js';

/** How ssh reaches a node (shared by sshHost and probeSsh). */
export type SshConnection = {
	/** The node's known_hosts file, kept by the caller (the wizard's own, never ~/.ssh/known_hosts). */
	knownHosts: string;
	/** "strict" (default): the node's key must be in `knownHosts`; "accept-new": a node not yet listed is added to it. */
	hostKeys?: 'strict' | 'accept-new';
	/** The private key to offer (default: root's usual ~/.ssh/id_* keys). */
	identityFile?: string;
	/** Default 22. */
	port?: number;
	/** Seconds to wait for the TCP connection and the SSH handshake; default 10. */
	connectTimeoutSeconds?: number;
};

export type SshHostOptions = SshConnection & {
	/** The node's name, as journal records give it. */
	node: string;
	/** Where ssh connects, as root: an address or a name. */
	address: string;
	transcript: Transcript;
};

/** Seconds an idle master connection outlives its last command (a killed wizard leaves it that long at most). */
const controlPersistSeconds = 120;
/** Seconds a remote command is given to end after TERM before ssh is killed here. */
const graceSeconds = 5;

/**
 * ssh's options for a connection: batch mode (never a prompt), host keys
 * checked against the caller's file only, warnings off (they would land in a
 * command's stderr), keep-alives so a lost node is noticed.
 */
function sshOptions(connection: SshConnection): string[] {
	const options = [
		'BatchMode=yes',
		`ConnectTimeout=${connection.connectTimeoutSeconds ?? 10}`,
		`StrictHostKeyChecking=${connection.hostKeys === 'accept-new' ? 'accept-new' : 'yes'}`,
		`UserKnownHostsFile=${connection.knownHosts}`,
		'GlobalKnownHostsFile=/dev/null',
		'UpdateHostKeys=no',
		// Lines a person (and the wizard) can read back, whatever ssh_config says.
		'HashKnownHosts=no',
		'LogLevel=ERROR',
		'ServerAliveInterval=15',
		'ServerAliveCountMax=3',
		...(connection.identityFile ? [`IdentityFile=${connection.identityFile}`, 'IdentitiesOnly=yes'] : []),
	];
	return [...options.flatMap(option => ['-o', option]), ...(connection.port ? ['-p', String(connection.port)] : [])];
}

/**
 * zx for ssh and its helpers: output kept, never thrown; SHLVL as in
 * process.ts (no ~/.bashrc here). zx writes no input that is empty and leaves
 * stdin open then: ssh would wait for its end forever (an empty file's
 * content never arrives), so an empty input is /dev/null.
 */
function shell(input?: string) {
	const env = {...process.env, LC_ALL: 'C', SHLVL: String(Math.max(1, Number(process.env['SHLVL']) || 0))};
	return input ? $({quiet: true, nothrow: true, input, env}) : $({quiet: true, nothrow: true, stdio: ['ignore', 'pipe', 'pipe'], env});
}

/**
 * The remote side of run(): records the command's pid (its process group is
 * the session sshd made for it) so an abort or a timeout can TERM the whole
 * group on the node; a killed ssh client alone would leave the command running
 * there. The trap keeps this shell alive to report the command's own exit code
 * (143 after TERM, as a command run here reports it).
 */
const runWrapper = 'trap : TERM; echo $$ >"$0"; exec 3>&2 2>/dev/null; "$@" 2>&3 3>&-';

/** Ends the process group of the command whose pid file is $1 (procps' kill: dash's own takes no process group). */
const killScript = 'pid=$(cat "$1" 2>/dev/null) || exit 0; group=$(ps -o pgid= -p "$pid" | tr -d " "); [ -z "$group" ] || env kill -s TERM -- "-$group"';

/** Files: one small script per operation, the path as $1. Exit 3 means "absent". */
const fileScripts = {
	read: '[ -e "$1" ] || exit 3; exec cat -- "$1"',
	readLink: '[ -L "$1" ] || exit 3; exec readlink -- "$1"',
	stat: '[ -e "$1" ] || exit 3; exec stat -L -c "%a %u %g %s" -- "$1"',
	/**
	 * $3 bytes of the file $1 from byte $2, as od's hex pairs (the output stays
	 * text); nothing past its end or for what is no file or block device. tail
	 * seeks in a file, so a large image is not read through.
	 */
	bytes: '[ -e "$1" ] || exit 3; { [ -f "$1" ] || [ -b "$1" ]; } || exit 0; tail -c +"$(($2 + 1))" -- "$1" | head -c "$3" | od -A n -v -t x1',
	list: `[ -d "$1" ] || exit 3; exec find "$1" -mindepth 1 -maxdepth 1 -printf '%f\\0'`,
	/**
	 * $1 target, $2 mode for a new file (octal), $3 owner for a new file
	 * ("user:group" or ""); stdin the content. Prints the candidate's path.
	 */
	candidate: `set -e
target=$1
directory=$(dirname -- "$target")
candidate="$directory/.$(basename -- "$target").ganeti-wizard-new"
mkdir -p -- "$directory"
if [ -e "$target" ]; then
	mode=$(stat -L -c %a -- "$target")
	owner=$(stat -L -c %u:%g -- "$target")
else
	mode=$2
	owner=$3
	if [ -n "$owner" ] && ! { getent passwd "\${owner%%:*}" && getent group "\${owner#*:}"; } >/dev/null; then
		echo "cannot set owner $owner on $candidate: no such user or group" >&2
		exit 4
	fi
fi
rm -f -- "$candidate"
(umask 077; cat >"$candidate")
chmod -- "$mode" "$candidate"
[ -z "$owner" ] || chown -- "$owner" "$candidate"
sync -- "$candidate"
printf %s "$candidate"`,
	/** $1 candidate, $2 target: the rename, then the directory synced. */
	install: 'set -e; mv -f -- "$1" "$2"; sync -- "$(dirname -- "$2")"',
	/** $1 file, then directories to remove when empty (deepest first). */
	remove: `set -e
rm -f -- "$1"
parent=$(dirname -- "$1")
[ ! -d "$parent" ] || sync -- "$parent"
shift
for directory in "$@"; do
	if [ -d "$directory" ] && [ -z "$(ls -A -- "$directory")" ]; then rmdir -- "$directory"; fi
done`,
	/**
	 * $1 the folder that receives files, then (name, byte count) pairs; stdin
	 * holds the files' bytes one after the other (head -c reads no further).
	 */
	receive: `set -e
folder=$1
shift
while [ $# -gt 0 ]; do
	mkdir -p -- "$(dirname -- "$folder/$1")"
	head -c "$2" >"$folder/$1"
	shift 2
done`,
	/**
	 * A stage's scratch tree: $1 where to make it, $2 the path the check
	 * needs, $3 a count, then that many live directories to copy (without
	 * .git), then directories to make empty. Prints "complete DIR" or "incomplete DIR".
	 */
	stage: `set -e
scratch=$(mktemp -d "$1/stage-XXXXXX")
needs=$2
count=$3
shift 3
while [ "$count" -gt 0 ]; do
	if [ -e "$1" ]; then tar -C / --exclude=.git -cf - "\${1#/}" | tar -C "$scratch" -xf -; fi
	count=$((count - 1))
	shift
done
for directory in "$@"; do mkdir -p -- "$scratch$directory"; done
if [ -e "$scratch$needs" ]; then echo "complete $scratch"; else echo "incomplete $scratch"; fi`,
};

/**
 * The check programs the steps run (`python3 -B /…/checks/NAME.py ARGS`) are
 * files of this machine's installation. On a node they are copied, the whole
 * checks folder at once, into the connection's private folder there, and argv
 * points at the copy. Copying rather than piping the program on stdin: every
 * program imports common.py from its own folder, and a command's stdin stays
 * free for its input.
 */
function checkProgram(argv: readonly string[]): {folder: string; name: string} | undefined {
	const [interpreter, flag, path] = argv;
	if (interpreter !== 'python3' || flag !== '-B' || !path || !isAbsolute(path) || !path.endsWith('.py')) return undefined;
	if (basename(dirname(path)) !== 'checks' || !existsSync(path)) return undefined;
	return {folder: dirname(path), name: basename(path)};
}

/** A host that acts on another node over SSH, as root. Call close() when done with it. */
export class SshHost implements Host {
	readonly kind = 'real';
	// Changes on the node outlive a power cut there (candidates are synced before the rename), so the journal syncs ahead of them.
	readonly durable = true;
	readonly root = '/';
	readonly node: string;
	private readonly address: string;
	private readonly transcript: Transcript;
	private readonly connection: SshConnection;
	/** This machine's private folder holding the control socket. */
	private localFolder: Promise<string> | undefined;
	/** The node's private folder: pid files, copied check programs, stage trees. */
	private remoteFolder: Promise<string> | undefined;
	/** Check folders of this machine already copied, by local path: the copy's path on the node. */
	private readonly copiedChecks = new Map<string, Promise<string>>();
	private runs = 0;

	constructor(options: SshHostOptions) {
		this.node = options.node;
		this.address = options.address;
		this.transcript = options.transcript;
		this.connection = options;
	}

	async readFile(path: string): Promise<string | null> {
		const result = await this.files('read', [path]);
		return result === null ? null : result.stdout;
	}

	async readLink(path: string): Promise<string | null> {
		const result = await this.files('readLink', [path]);
		return result === null ? null : result.stdout.replace(/\n$/, '');
	}

	async stat(path: string): Promise<FileInfo | null> {
		const result = await this.files('stat', [path]);
		if (result === null) return null;
		const [mode = '', uid, gid, size] = result.stdout.trim().split(' ');
		return {mode: Number.parseInt(mode, 8), uid: Number(uid), gid: Number(gid), size: Number(size)};
	}

	async readBytes(path: string, offset: number, length: number): Promise<Buffer | null> {
		const result = await this.files('bytes', [path, String(offset), String(length)]);
		return result === null ? null : Buffer.from(result.stdout.replace(/\s+/g, ''), 'hex');
	}

	async list(path: string): Promise<string[]> {
		const result = await this.files('list', [path]);
		return result === null ? [] : result.stdout.split('\0').filter(Boolean).sort();
	}

	/**
	 * As the real host: the candidate beside the target on the node (existing
	 * mode and owner kept, else `options.mode` and `options.owner`), synced,
	 * checked there, renamed over the target. Throws CheckFailedError when the
	 * checker refuses it; the candidate is then removed and the target untouched.
	 */
	async writeFile(path: string, content: string, options: WriteOptions): Promise<void> {
		const owner = options.owner ? `${options.owner.user}:${options.owner.group}` : '';
		const prepared = await this.files('candidate', [path, options.mode.toString(8), owner], content);
		const candidate = prepared!.stdout;
		if (options.check) {
			const argv = options.check.map(part => (part === '{}' ? candidate : part));
			const result = await this.checkOnce(argv);
			if (result.exitCode !== 0) {
				await this.files('remove', [candidate]);
				throw new CheckFailedError(path, argv, result, pointedLine(result, content));
			}
		}
		failpoint('file-candidate');
		await this.files('install', [candidate, path]);
		this.transcript.note(`wrote ${path} on ${this.node} (${Buffer.byteLength(content)} bytes)`);
	}

	async remove(path: string, directories: string[]): Promise<void> {
		await this.files('remove', [path, ...directories]);
	}

	/**
	 * Runs argv on the node. `env` is set there; an abort (`signal`) or
	 * `timeoutMs` TERMs the command's process group on the node, and ssh here
	 * is killed only if that does not end it within a few seconds.
	 */
	async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
		const folder = await this.remote();
		const pidFile = `${folder}/run-${++this.runs}.pid`;
		const command = ['sh', '-c', runWrapper, pidFile, ...(await this.environment(argv, options.env))];
		const lastResort = new AbortController();
		let stopping: Promise<void> | undefined;
		const stop = () => {
			stopping ??= this.command(['sh', '-c', killScript, 'sh', pidFile], {timeoutSeconds: graceSeconds}).then(() => {
				setTimeout(() => lastResort.abort(), graceSeconds * 1000).unref();
			});
		};
		options.signal?.addEventListener('abort', stop, {once: true});
		const timer = options.timeoutMs === undefined ? undefined : setTimeout(stop, options.timeoutMs);
		try {
			return await execute(
				await this.sshArgv(command),
				{input: options.input ?? '', signal: lastResort.signal, ...(options.onLines ? {onLines: options.onLines} : {}), ...(options.actionId ? {actionId: options.actionId} : {})},
				true,
				this.transcript,
				this.shown(argv),
			);
		} finally {
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', stop);
		}
	}

	/** A read-only command on the node; a remote `timeout` ends it there after `timeoutMs` (default 30 s; exit 124 then). */
	async probe(argv: string[], options: {timeoutMs?: number} = {}): Promise<RunResult | null> {
		return this.readOnly(argv, options.timeoutMs ?? 30_000);
	}

	/** "{root}" is "/"; with a stage, the scratch tree is made on the node, from the node's own directories. */
	async check(argv: string[], stage?: Stage): Promise<CheckOutcome> {
		const mapped = argv.map(part => part.replaceAll('{root}', '/'));
		if (!stage) return {ran: await this.checkOnce(mapped)};
		const folder = await this.remote();
		const made = await this.files('stage', [folder, stage.needs, String(stage.copy.length), ...stage.copy, ...(stage.emptyDirectories ?? [])]);
		const [state, scratch = ''] = made!.stdout.trim().split(' ');
		try {
			if (stage.files.length > 0) await this.send(scratch, stage.files);
			// Whether the tree is complete is known only once the files are laid over it.
			const complete = state === 'complete' || (await this.stat(join(scratch, stage.needs))) !== null;
			if (!complete) return {unchecked: `${stage.needs} is not there to check the files with`};
			return {ran: await this.checkOnce(mapped.map(part => part.replaceAll('{stage}', scratch)))};
		} finally {
			await this.command(['rm', '-rf', '--', scratch]);
		}
	}

	holds(probe: Probe, _as: ActionRef): Promise<boolean> {
		return probeHolds(this, probe);
	}

	/** No record on the node: the journal decides, as on the real host. */
	async recorded(_as: ActionRef): Promise<boolean> {
		return false;
	}

	serviceRunning(service: string, _as: ActionRef): Promise<boolean> {
		return serviceAnswers(this, service);
	}

	/** Removes the private folder on the node, ends the master connection, removes the local folder. Idempotent. */
	async close(): Promise<void> {
		const remote = this.remoteFolder;
		const local = this.localFolder;
		this.remoteFolder = undefined;
		this.localFolder = undefined;
		this.copiedChecks.clear();
		if (!local) return;
		const controlFolder = await local.catch(() => undefined);
		if (!controlFolder) return;
		const folder = await remote?.catch(() => undefined);
		if (folder) await shell()`${this.sshArgvIn(controlFolder, ['rm', '-rf', '--', folder])}`;
		await shell()`${['ssh', ...sshOptions(this.connection), '-o', `ControlPath=${join(controlFolder, 'master')}`, '-O', 'exit', this.target()]}`;
		await rm(controlFolder, {recursive: true, force: true});
	}

	private target(): string {
		return `root@${this.address}`;
	}

	/** The transcript's words for a remote command: "ssh NODE argv…". */
	private shown(argv: string[]): string[] {
		return ['ssh', this.node, ...argv];
	}

	private sshArgvIn(controlFolder: string, remoteArgv: string[]): string[] {
		return [
			'ssh',
			'-T',
			...sshOptions(this.connection),
			'-o',
			'ControlMaster=auto',
			'-o',
			`ControlPath=${join(controlFolder, 'master')}`,
			'-o',
			`ControlPersist=${controlPersistSeconds}`,
			this.target(),
			'--',
			quotePosix(remoteArgv),
		];
	}

	/**
	 * ssh's argv for a command on the node, through the master connection (the
	 * local folder made, and the master connected, first). Connected once
	 * before anything else: calls made at the same moment would each open a
	 * connection of their own, and sshd drops those beyond its MaxStartups.
	 */
	private async sshArgv(remoteArgv: string[]): Promise<string[]> {
		this.localFolder ??= (async () => {
			const folder = await mkdtemp(join(tmpdir(), 'ganeti-wizard-ssh-'));
			// A failure here is the next command's to report, in its own words.
			await shell()`${this.sshArgvIn(folder, ['true'])}`;
			return folder;
		})();
		return this.sshArgvIn(await this.localFolder, remoteArgv);
	}

	/** The node's private folder (mktemp -d: 0700), made once per connection. */
	private remote(): Promise<string> {
		this.remoteFolder ??= (async () => {
			const made = await this.command(['mktemp', '-d', '-t', 'ganeti-wizard.XXXXXXXX']);
			if (made.exitCode !== 0) {
				// The next call tries again: the node may answer by then.
				this.remoteFolder = undefined;
				throw this.failure('cannot make a private folder', made);
			}
			return made.stdout.trim();
		})();
		return this.remoteFolder;
	}

	/** A helper command on the node, not in the transcript (the host's own plumbing). */
	private async command(argv: string[], options: {input?: string; timeoutSeconds?: number} = {}): Promise<RunResult> {
		const remote = options.timeoutSeconds ? ['timeout', String(options.timeoutSeconds), ...argv] : argv;
		const output = await shell(options.input ?? '')`${await this.sshArgv(remote)}`;
		return {exitCode: output.exitCode ?? 255, stdout: output.stdout, stderr: output.stderr};
	}

	/** A file operation; null when the path is absent (exit 3); throws on any other failure. */
	private async files(operation: keyof typeof fileScripts, args: string[], input?: string): Promise<RunResult | null> {
		const result = await this.command(['sh', '-c', fileScripts[operation], 'sh', ...args], input === undefined ? {} : {input});
		if (result.exitCode === 3) return null;
		if (result.exitCode !== 0) throw this.failure(`${operation} ${args[0]}`, result);
		return result;
	}

	private failure(what: string, result: RunResult): Error {
		const reason = (result.stderr.trim().split('\n').at(-1) ?? '') || `exit code ${result.exitCode}`;
		return new Error(result.exitCode === 255 ? `${this.node}: ssh ${this.target()} failed (${what}): ${reason}` : `${this.node}: ${what}: ${reason}`);
	}

	/** Lays files under a folder on the node in one call (their bytes on stdin, one after the other). */
	private async send(folder: string, files: Array<{path: string; content: string}>): Promise<void> {
		const pairs = files.flatMap(file => [file.path.replace(/^\/+/, ''), String(Buffer.byteLength(file.content))]);
		await this.files('receive', [folder, ...pairs], files.map(file => file.content).join(''));
	}

	/** argv for the node: `env LC_ALL=C VARS… argv`, a local check program pointed at its copy there. */
	private async environment(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
		const program = checkProgram(argv);
		const mapped = program ? [argv[0]!, argv[1]!, join(await this.checks(program.folder), program.name), ...argv.slice(3)] : argv;
		return ['env', 'LC_ALL=C', ...Object.entries(env).map(([key, value]) => `${key}=${value}`), ...mapped];
	}

	/** The copy on the node of a local checks folder (its *.py files), made once per connection. */
	private checks(folder: string): Promise<string> {
		let copied = this.copiedChecks.get(folder);
		if (!copied) {
			copied = (async () => {
				const target = `${await this.remote()}/checks`;
				const names = (await readdir(folder)).filter(name => name.endsWith('.py')).sort();
				const files = await Promise.all(names.map(async name => ({path: name, content: await readFile(join(folder, name), 'utf8')})));
				await this.send(target, files);
				return target;
			})().catch((error: unknown) => {
				this.copiedChecks.delete(folder);
				throw error;
			});
			this.copiedChecks.set(folder, copied);
		}
		return copied;
	}

	private async readOnly(argv: string[], timeoutMs: number): Promise<RunResult> {
		const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
		const command = ['timeout', '--kill-after=5', String(seconds), ...(await this.environment(argv))];
		// ssh here is killed only when the node does not answer at all.
		return execute(await this.sshArgv(command), {input: '', timeoutMs: timeoutMs + 15_000}, false, this.transcript, this.shown(argv));
	}

	private checkOnce(argv: string[]): Promise<RunResult> {
		return this.readOnly(argv, 120_000);
	}
}

/** A host acting on `node` at `address` over SSH (see SshHost). */
export function sshHost(options: SshHostOptions): SshHost {
	return new SshHost(options);
}

/**
 * Whether root@address answers over SSH with the given key and known_hosts:
 * null when it does, else one line naming the node, what failed and the fix
 * (a name that does not resolve, nothing listening, no answer, the key
 * refused, a host key that is unknown or changed). Opens no master connection.
 */
export async function probeSsh(address: string, options: SshConnection & {node: string}): Promise<string | null> {
	const argv = ['ssh', '-T', ...sshOptions(options), '-o', 'ControlMaster=no', '-o', 'ControlPath=none', `root@${address}`, '--', 'true'];
	const result = await shell('')`${argv}`;
	if (result.exitCode === 0) return null;
	return sshRefusal(address, options, result.stderr);
}

/** The one line for ssh's complaint (stderr at LogLevel=ERROR). */
function sshRefusal(address: string, options: SshConnection & {node: string}, stderr: string): string {
	const node = options.node;
	const port = options.port ?? 22;
	const key = options.identityFile ?? "root's SSH key (/root/.ssh/id_*)";
	if (/Could not resolve hostname/i.test(stderr)) return `node ${node}: the name ${address} does not resolve: add it to DNS or /etc/hosts, or give the node's address`;
	if (/Connection refused/i.test(stderr)) return `node ${node}: nothing listens for SSH on ${address} port ${port}: start sshd there (Debian package openssh-server)`;
	if (/timed out|No route to host|Network is unreachable/i.test(stderr)) return `node ${node}: ${address} does not answer on port ${port} (${lastLine(stderr)}): check the address and that the node is up`;
	if (/IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) return `node ${node}: the host key of ${address} is not the one in ${options.knownHosts}: if the node was reinstalled, remove its line (ssh-keygen -R ${address} -f ${options.knownHosts}) and add the node again`;
	if (/host key is known for|Host key verification failed/i.test(stderr)) return `node ${node}: the host key of ${address} is not in ${options.knownHosts}: add the node's key to it (ssh-keyscan ${address} >> ${options.knownHosts}, after checking its fingerprint)`;
	if (/Permission denied/i.test(stderr)) return `node ${node}: root@${address} refuses ${key}: add its public key to /root/.ssh/authorized_keys on ${node}`;
	return `node ${node}: ssh root@${address} failed: ${lastLine(stderr) || 'no reason given'}`;
}

function lastLine(text: string): string {
	return text.trim().split('\n').at(-1)?.trim() ?? '';
}
