// Loop devices and LVM are the machine's, not a lab's: two lab hosts each
// making the volume group "all" on a loop device would see each other's (LVM
// scans every block device), and a test comparing the machine's loop devices
// before and after would see the other lab's. Lab hosts therefore take this
// machine-wide lock for their whole life; a second one waits its turn.
//
// The lock is held by a `flock` process that waits on its stdin: it lets go
// when released, and when the test process dies in any way (stdin closes).
import {spawn} from 'node:child_process';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const machineLockPath = join(tmpdir(), 'ganeti-wizard-lab-host.lock');

export type MachineLock = {release(): Promise<void>};

/** Waits (up to `timeoutMs`) until no other lab host holds the lock, then holds it. */
export async function takeMachineLock(timeoutMs = 20 * 60_000): Promise<MachineLock> {
	const holder = spawn('flock', ['--exclusive', '--timeout', String(Math.ceil(timeoutMs / 1000)), machineLockPath, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {stdio: ['pipe', 'pipe', 'pipe']});
	const exited = new Promise<number | null>(resolve => holder.once('exit', code => resolve(code)));
	let stderr = '';
	holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const locked = await new Promise<boolean>(resolve => {
		holder.stdout.once('data', () => resolve(true));
		void exited.then(() => resolve(false));
	});
	if (!locked) throw new Error(`lab host: could not take the machine lock ${machineLockPath} within ${timeoutMs} ms (another lab host holds it): ${stderr.trim()}`);
	// Held while the lab lives, but never what keeps the test process alive.
	holder.unref();
	for (const stream of [holder.stdin, holder.stdout, holder.stderr]) (stream as unknown as {unref?: () => void}).unref?.();
	return {
		async release() {
			if (holder.exitCode !== null || holder.signalCode !== null) return;
			holder.stdin.end();
			// The holder is unreferenced: something must keep the process alive while it lets go.
			const keepAlive = setInterval(() => {}, 1 << 30);
			await exited.finally(() => clearInterval(keepAlive));
		},
	};
}
