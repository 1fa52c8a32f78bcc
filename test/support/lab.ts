// A throwaway "lab host" for tests that need a real machine: its own hostname,
// network stack, process tree and private copies of /etc, /var, /root, /srv
// and /run, so daemons, ifupdown and iptables run for real without touching
// the machine the tests run on. Peers (a VM's NIC, an outside host) are more
// namespaces joined to the lab by veth pairs.
//
// Life cycle: a holder process (PID 1 of a new PID namespace) keeps the
// namespaces alive. It exits when its stdin closes, so even if the test
// process is SIGKILLed every daemon started inside dies with it.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {mkdir, readFile, writeFile, chmod, readlink} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {$, type ProcessPromise} from 'zx';

/** The checkout this file belongs to. */
const projectDirectory = fileURLToPath(new URL('../../', import.meta.url));

export type ExecOptions = {
	/** Written to the command's stdin. */
	input?: string;
	/** Added to the clean environment inside: PATH (sbin first, then the test's PATH), HOME=/root, LC_ALL=C. */
	env?: Record<string, string>;
	/** Killed (TERM, then KILL 2 s later) after this long; default 60 s. */
	timeoutMs?: number;
};

export type ExecResult = {
	/** -1 when the command was killed by a signal (see `signal`). */
	exitCode: number;
	stdout: string;
	stderr: string;
	timedOut: boolean;
	/** Present only when a signal ended the command (e.g. SIGKILL), which nsenter and timeout pass on. */
	signal?: NodeJS.Signals;
};

export type Daemon = {
	/** Its process id inside the lab's PID namespace. */
	pid: number;
	/** Output so far. */
	output(): {stdout: string; stderr: string};
	/** Resolves when it exits (or its namespace dies). */
	exited: Promise<{exitCode: number | null}>;
	/** TERM, then KILL if it is still there after `graceMs`. */
	stop(graceMs?: number): Promise<void>;
};

/** A set of namespaces that acts like a machine. */
export type NamespaceHost = {
	readonly name: string;
	/** Host-side pid of the holder (PID 1 inside). */
	readonly pid: number;
	/** Runs argv inside every namespace of the host; never throws on a non-zero exit. */
	exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
	/** Like exec, but throws (with the command's stderr) unless it exits 0; returns stdout. */
	run(argv: string[], options?: ExecOptions): Promise<string>;
	/** Starts a long-running command inside; it dies with the host at the latest. */
	spawnDaemon(argv: string[], options?: Omit<ExecOptions, 'timeoutMs' | 'input'>): Promise<Daemon>;
	/** Host-side path through which `path` inside (mount namespace included) is reached. */
	path(path: string): string;
	readFile(path: string): Promise<string | null>;
	/** Writes a file inside, creating parent directories. */
	writeFile(path: string, content: string, options?: {mode?: number}): Promise<void>;
	/** Namespace identities ("net:[4026532...]"), to prove later that nothing of them is left. */
	namespaces(): Promise<Record<NamespaceKind, string>>;
};

export type NamespaceKind = 'net' | 'mnt' | 'pid' | 'uts';

export type PeerOptions = {
	/** MAC address of the peer's interface. */
	mac?: string;
	/** Plug the lab's end into this bridge (which must exist in the lab). */
	bridge?: string;
	/** Name of the lab's end; default derived from the peer's name. */
	labInterface?: string;
	/** Name of the peer's end; default eth0. */
	peerInterface?: string;
	/** Address with prefix for the lab's end, e.g. 198.51.100.20/24. */
	labAddress?: string;
	/** Address with prefix for the peer's end. */
	peerAddress?: string;
	/** Default route of the peer. */
	peerGateway?: string;
};

export type Peer = NamespaceHost & {
	/** The lab's end of the veth pair. */
	readonly labInterface: string;
	/** The peer's end of the veth pair. */
	readonly interface: string;
};

export type Lab = NamespaceHost & {
	readonly hostname: string;
	/** Holds the overlays' upper and work directories; removed by destroy. */
	readonly tempDir: string;
	readonly peers: Peer[];
	/** Host-side upper directory of an overlaid tree ("/etc"): every file the lab changed in it, and only those. */
	upperDirectory(tree: string): string | undefined;
	addPeer(name: string, options?: PeerOptions): Promise<Peer>;
	/** Kills everything started inside, removes peers and temporary files. Idempotent. */
	destroy(): Promise<void>;
};

export type LabOptions = {
	/** Default "lab". */
	hostname?: string;
	/** Trees that get a private writable copy (overlayfs). */
	overlays?: string[];
	/** A private, empty /tmp (default true): daemons' temporary files vanish with the lab. */
	privateTmp?: boolean;
	/**
	 * Directories of the machine bind-mounted inside (over the overlays, before
	 * the private /tmp hides the machine's): one directory two labs both see.
	 */
	binds?: Array<{source: string; target: string}>;
};

export const defaultOverlays = ['/etc', '/var', '/root', '/srv', '/run'];

const basePath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * zx runs every command through `bash -c` with a socket as stdin. Debian's
 * bash then sources ~/.bashrc unless SHLVL says it is not a top-level shell
 * (its "run by sshd" rule), which costs seconds per command on a machine whose
 * root has a heavy .bashrc. Running from a plain shell has SHLVL set already.
 */
export const shellEnvironment = (): NodeJS.ProcessEnv => ({...process.env, SHLVL: process.env.SHLVL && process.env.SHLVL !== '0' ? process.env.SHLVL : '1'});
const quiet = $({quiet: true, nothrow: true, verbose: false, env: shellEnvironment()});

/** Everything still alive, for the exit hook. */
const live = new Set<{holderPid: number; tempDir: string}>();
let hooksInstalled = false;

/** Sleeps synchronously: exit handlers cannot await. */
function pause(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Loop devices are the machine's, not the lab's: one attached to a file inside
 * the lab (an LVM volume group's backing file) outlives the lab and keeps its
 * overlay busy. Detaches every loop whose backing file is a file of the lab.
 * The same path may name another lab's file, so inode and device must match.
 */
const detachLoopsScript = `
for attribute in /sys/block/loop*/loop/backing_file; do
	[ -r "$attribute" ] || continue
	device=\${attribute#/sys/block/}
	device=/dev/\${device%%/*}
	file=$(cat "$attribute")
	[ -f "$file" ] || continue
	[ "$(stat -L -c '%i %Hd:%Ld' "$file")" = "$(losetup -n -O BACK-INO,BACK-MAJ:MIN "$device" | xargs)" ] || continue
	losetup -d "$device" && echo "$device"
done
`;

/** Runs the loop clean-up inside the namespaces of `pid` (synchronously: exit handlers cannot await). */
function detachLoopsSync(pid: number): string[] {
	try {
		const output = execFileSync('nsenter', ['--target', String(pid), '--all', ...environment(), 'sh', '-c', detachLoopsScript], {timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'], env: shellEnvironment()});
		return output.toString().split('\n').filter(Boolean);
	} catch {
		// The namespace is gone already, or losetup is missing: nothing to detach from here.
		return [];
	}
}

/** Kills holders and removes their files, synchronously (safe in an exit handler). */
function cleanUpSync(entries: Array<{holderPid: number; tempDir: string}>): void {
	for (const entry of entries) if (entry.holderPid && existsSync(`/proc/${entry.holderPid}`)) detachLoopsSync(entry.holderPid);
	for (const entry of entries) {
		try {
			if (entry.holderPid) process.kill(entry.holderPid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	// A holder disappears once every process of its PID namespace is gone;
	// only then are its overlays unmounted and its directories free.
	const deadline = Date.now() + 5000;
	while (Date.now() < deadline && entries.some(entry => entry.holderPid && existsSync(`/proc/${entry.holderPid}`))) pause(20);
	for (const entry of entries) {
		try {
			rmSync(entry.tempDir, {recursive: true, force: true, maxRetries: 3});
		} catch {
			// Nothing of it is live any more; only files remain in the tmp folder.
		}
	}
}

function installExitHooks(): void {
	if (hooksInstalled) return;
	hooksInstalled = true;
	const cleanUp = () => {
		cleanUpSync([...live]);
		live.clear();
	};
	process.on('exit', cleanUp);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			cleanUp();
			process.kill(process.pid, signal);
		});
	}
}

/**
 * Children of the lab are unreferenced, so a lab a test forgot to destroy
 * cannot keep the test process alive (the exit hook then removes it). While
 * we wait for one of them, this keeps the process alive.
 */
async function keepAlive<T>(promise: Promise<T>): Promise<T> {
	const timer = setInterval(() => {}, 1 << 30);
	try {
		return await promise;
	} finally {
		clearInterval(timer);
	}
}

function unreference(process_: ProcessPromise): void {
	const child = process_.child;
	child?.unref();
	for (const stream of [child?.stdin, child?.stdout, child?.stderr]) (stream as {unref?: () => void} | null | undefined)?.unref?.();
}

/** `env -i K=V ...`: commands inside see only these variables, not the test process's own. */
function environment(extra: Record<string, string> = {}): string[] {
	const path = process.env.PATH ? `${basePath}:${process.env.PATH}` : basePath;
	const variables = {PATH: path, HOME: '/root', LC_ALL: 'C', LANG: 'C', ...extra};
	return ['env', '-i', ...Object.entries(variables).map(([key, value]) => `${key}=${value}`)];
}

/** The pid, in the machine's PID namespace, of the process that is PID 1 below `ancestor`. */
async function findNamespaceInit(ancestor: number, deadline: number): Promise<number> {
	while (Date.now() < deadline) {
		const found = await searchDescendants(ancestor);
		if (found) return found;
		await new Promise(resolve => setTimeout(resolve, 10));
	}
	throw new Error(`lab: no namespace init appeared below pid ${ancestor}`);
}

async function searchDescendants(pid: number): Promise<number | undefined> {
	let status: string;
	try {
		status = await readFile(`/proc/${pid}/status`, 'utf8');
	} catch {
		return undefined;
	}
	const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
	if (nspid && nspid.length > 1 && nspid.at(-1) === '1') return pid;
	let children: string;
	try {
		children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
	} catch {
		return undefined;
	}
	for (const child of children.trim().split(/\s+/).filter(Boolean)) {
		const found = await searchDescendants(Number(child));
		if (found) return found;
	}
	return undefined;
}

type Holder = {holderPid: number; process: ProcessPromise; tempDir: string};

/** Folder of a tree's upper and work directories, inside the lab's temporary directory. */
function overlayFolder(tree: string): string {
	return tree.replaceAll('/', '_');
}

/**
 * Arguments: hostname, private-tmp|shared-tmp, then pairs of (tree, folder
 * holding its upper and work directories), then "--" and pairs of (machine
 * directory, where it is bind-mounted inside).
 */
const setupScript = `
hostname "$1"
tmp="$2"
shift 2
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$1"
	shift 2
done
[ $# -eq 0 ] || shift
while [ $# -gt 0 ]; do
	mkdir -p "$2"
	mount --bind "$1" "$2"
	shift 2
done
if [ "$tmp" = private-tmp ]; then mount -t tmpfs -o mode=1777 tmpfs /tmp; fi
# A sysfs mounted from inside shows this network namespace's interfaces.
mount -t sysfs sysfs /sys
ip link set lo up
`;

async function startHolder(name: string, hostname: string, overlays: string[], privateTmp: boolean, binds: Array<{source: string; target: string}> = []): Promise<Holder> {
	const tempDir = mkdtempSync(join(tmpdir(), `ganeti-wizard-lab-${name}-`));
	// PID 1 reads stdin until the test process closes it (exits or dies), and
	// as PID 1 it reaps the daemons that double-fork and get re-parented to it.
	const process_ = quiet`unshare --uts --net --mount --pid --fork --propagation private --mount-proc --kill-child ${[
		'bash',
		'-c',
		'while read -r _; do :; done',
	]}`;
	unreference(process_);
	const entry = {holderPid: 0, tempDir};
	live.add(entry);
	installExitHooks();
	try {
		const shellPid = process_.pid;
		if (!shellPid) throw new Error('lab: unshare did not start');
		entry.holderPid = await findNamespaceInit(shellPid, Date.now() + 10_000);
		const overlayDirectories: string[] = [];
		for (const tree of overlays) {
			const base = join(tempDir, overlayFolder(tree));
			await mkdir(join(base, 'upper'), {recursive: true});
			await mkdir(join(base, 'work'), {recursive: true});
			overlayDirectories.push(tree, base);
		}
		// One process for the whole setup: spawning is what costs on a busy machine.
		await namespaceHost(name, entry.holderPid).run(['sh', '-e', '-c', setupScript, 'setup', hostname, privateTmp ? 'private-tmp' : 'shared-tmp', ...overlayDirectories, '--', ...binds.flatMap(bind => [bind.source, bind.target])]);
	} catch (error) {
		process_.kill('SIGKILL').catch(() => {});
		live.delete(entry);
		cleanUpSync([entry]);
		throw error;
	}
	return {holderPid: entry.holderPid, process: process_, tempDir};
}

function namespaceHost(name: string, pid: number): NamespaceHost {
	const enter = ['nsenter', '--target', String(pid), '--all'];
	const exec = async (argv: string[], options: ExecOptions = {}): Promise<ExecResult> => {
		const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? 60_000) / 1000));
		const command = [...enter, ...environment(options.env), 'timeout', '--kill-after=2', String(seconds), ...argv];
		const output = await quiet({input: options.input ?? ''})`${command}`;
		const exitCode = output.exitCode ?? -1;
		const result: ExecResult = {exitCode, stdout: output.stdout, stderr: output.stderr, timedOut: exitCode === 124 || exitCode === 137};
		if (output.signal) result.signal = output.signal;
		return result;
	};
	const host: NamespaceHost = {
		name,
		pid,
		exec,
		async run(argv, options) {
			const result = await exec(argv, options);
			if (result.exitCode !== 0) {
				throw new Error(`${name}: ${argv.join(' ')} exited ${result.exitCode}: ${(result.stderr || result.stdout).trim()}`);
			}
			return result.stdout;
		},
		async spawnDaemon(argv, options = {}) {
			// The wrapper prints its own pid (inside the lab) before becoming the daemon.
			const command = [...enter, ...environment(options.env), 'sh', '-c', 'echo "lab-pid $$" >&2; exec "$@"', 'sh', ...argv];
			const child = quiet`${command}`;
			unreference(child);
			let stdout = '';
			let stderr = '';
			const pidSeen = new Promise<number>((resolve, reject) => {
				child.stderr.on('data', (chunk: Buffer) => {
					stderr += chunk.toString();
					const match = /^lab-pid (\d+)\n/.exec(stderr);
					if (match) resolve(Number(match[1]));
				});
				child.stdout.on('data', (chunk: Buffer) => {
					stdout += chunk.toString();
				});
				child.then(output => reject(new Error(`${name}: ${argv.join(' ')} exited ${output.exitCode} before starting: ${output.stderr}`)));
			});
			const daemonPid = await keepAlive(pidSeen);
			const exited = child.then(output => ({exitCode: output.exitCode}));
			return {
				pid: daemonPid,
				output: () => ({stdout, stderr: stderr.replace(/^lab-pid \d+\n/, '')}),
				exited,
				async stop(graceMs = 3000) {
					await exec(['kill', '-TERM', String(daemonPid)]);
					let timer: NodeJS.Timeout | undefined;
					const gone = await Promise.race([exited.then(() => true), new Promise<boolean>(resolve => (timer = setTimeout(() => resolve(false), graceMs)))]);
					clearTimeout(timer);
					if (!gone) {
						await exec(['kill', '-KILL', String(daemonPid)]);
						await keepAlive(exited);
					}
				},
			};
		},
		path: path => join(`/proc/${pid}/root`, path),
		async readFile(path) {
			try {
				return await readFile(host.path(path), 'utf8');
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
				throw error;
			}
		},
		async writeFile(path, content, options = {}) {
			const target = host.path(path);
			await mkdir(dirname(target), {recursive: true});
			await writeFile(target, content);
			if (options.mode !== undefined) await chmod(target, options.mode);
		},
		async namespaces() {
			const kinds: NamespaceKind[] = ['net', 'mnt', 'pid', 'uts'];
			const entries = await Promise.all(kinds.map(async kind => [kind, await readlink(`/proc/${pid}/ns/${kind}`)] as const));
			return Object.fromEntries(entries) as Record<NamespaceKind, string>;
		},
	};
	return host;
}

async function killHolders(holders: Holder[]): Promise<void> {
	for (const holder of holders) detachLoopsSync(holder.holderPid);
	for (const holder of holders) {
		try {
			process.kill(holder.holderPid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	// unshare exits once its child, the last process of the namespaces, is
	// gone: then nothing of the lab (mounts included) is left.
	await keepAlive(Promise.all(holders.map(holder => holder.process)));
	for (const holder of holders) {
		for (const entry of live) if (entry.holderPid === holder.holderPid) live.delete(entry);
		cleanUpSync([{holderPid: 0, tempDir: holder.tempDir}]);
	}
}

/**
 * Starts a lab host. Always pair with destroy() (e.g. `after(() => lab.destroy())`);
 * an exit hook and the holder's stdin catch what a crashed test leaves behind.
 */
export async function createLab(options: LabOptions = {}): Promise<Lab> {
	const hostname = options.hostname ?? 'lab';
	const overlays = options.overlays ?? defaultOverlays;
	// A private /tmp would hide a project checked out under /tmp (the lab runs
	// the project's own built CLI): share the machine's /tmp then.
	const privateTmp = options.privateTmp ?? !projectDirectory.startsWith('/tmp/');
	const holder = await startHolder(hostname, hostname, overlays, privateTmp, options.binds);
	const host = namespaceHost(hostname, holder.holderPid);
	const peerHolders: Holder[] = [];
	const peers: Peer[] = [];
	let destroyed: Promise<void> | undefined;

	const lab: Lab = {
		...host,
		hostname,
		tempDir: holder.tempDir,
		peers,
		upperDirectory: tree => (overlays.includes(tree) ? join(holder.tempDir, overlayFolder(tree), 'upper') : undefined),
		async addPeer(name, peerOptions = {}) {
			if (destroyed) throw new Error('lab: addPeer after destroy');
			const labInterface = peerOptions.labInterface ?? `v${peers.length}-${name}`.slice(0, 15);
			const peerInterface = peerOptions.peerInterface ?? 'eth0';
			const peerHolder = await startHolder(`${hostname}-${name}`, name, overlays, privateTmp);
			peerHolders.push(peerHolder);
			const peerHost = namespaceHost(name, peerHolder.holderPid);
			const macOption = peerOptions.mac ? ['address', peerOptions.mac] : [];
			// Run from the machine's PID namespace (network namespace of the lab
			// only), where the peer's holder pid means something.
			const created = await quiet`${[
				'nsenter', '--target', String(holder.holderPid), '--net',
				'ip', 'link', 'add', labInterface, 'type', 'veth', 'peer', 'name', peerInterface, ...macOption, 'netns', String(peerHolder.holderPid),
			]}`;
			if (created.exitCode !== 0) throw new Error(`${hostname}: cannot create veth ${labInterface} to ${name}: ${created.stderr.trim()}`);
			if (peerOptions.bridge) await host.run(['ip', 'link', 'set', labInterface, 'master', peerOptions.bridge]);
			if (peerOptions.labAddress) await host.run(['ip', 'address', 'add', peerOptions.labAddress, 'dev', labInterface]);
			await host.run(['ip', 'link', 'set', labInterface, 'up']);
			if (peerOptions.peerAddress) await peerHost.run(['ip', 'address', 'add', peerOptions.peerAddress, 'dev', peerInterface]);
			await peerHost.run(['ip', 'link', 'set', peerInterface, 'up']);
			if (peerOptions.peerGateway) await peerHost.run(['ip', 'route', 'add', 'default', 'via', peerOptions.peerGateway]);
			const peer: Peer = {...peerHost, labInterface, interface: peerInterface};
			peers.push(peer);
			return peer;
		},
		destroy() {
			destroyed ??= (async () => {
				await killHolders([...peerHolders, holder]);
			})();
			return destroyed;
		},
	};
	return lab;
}
