// Small Python programs the Ganeti steps run, one file each under
// source/checks/ (copied to dist/checks/ by the build): `python3 -B PATH ARGS...`.
// Values only ever travel as argv, and python3 is on every Ganeti node
// (Ganeti itself is written in it). Checks print one line, "what is wrong:
// how to fix it", and exit 1 when they fail, so the operator reads the
// wizard's words before Ganeti's. What each program takes and answers is at
// the top of its file.
import {existsSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

/** The programs, by file name without ".py": one for each file of source/checks but common.py. */
export const programNames = ['archive-git', 'authorize-key', 'blank-disk', 'cluster-address', 'dhcpd-config', 'evacuate-node', 'ganeti-sockets', 'ganeti-state', 'hostname', 'node-name', 'packages', 'ssh-as-found', 'sshd', 'start-instances', 'undo-cluster', 'volume-group', 'when-daemons-run', 'with-loop-device'] as const;
export type ProgramName = (typeof programNames)[number];

const found = new Map<string, string>();

/**
 * Absolute path of checks/NAME.py: the nearest `checks` folder holding it,
 * walking up from this module (source/steps/ when run from source, dist/ or
 * dist/chunks/ in the bundle).
 */
export function checkPath(name: ProgramName): string {
	const known = found.get(name);
	if (known) return known;
	const relative = join('checks', `${name}.py`);
	for (let directory = dirname(fileURLToPath(import.meta.url)); ; directory = dirname(directory)) {
		const candidate = join(directory, relative);
		if (existsSync(candidate)) {
			found.set(name, candidate);
			return candidate;
		}
		if (directory === dirname(directory)) throw new Error(`${relative} is missing beside ${fileURLToPath(import.meta.url)}: reinstall the wizard`);
	}
}

/**
 * argv that runs the program `name` with `args` as sys.argv[1:]. `-B`: Python
 * writes no bytecode cache beside the programs, in the installed package.
 */
export function program(name: ProgramName, ...args: string[]): string[] {
	return ['python3', '-B', checkPath(name), ...args];
}

/**
 * What start-instances.py asks gnt-instance for: the instances Ganeti should
 * have running and does not. Instances an operator shut down are down
 * administratively too: they stay down.
 */
export const instancesDownFilter = 'admin_state == "up" and not oper_state';
