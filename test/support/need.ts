// Prerequisites of tests that use real system components. Outside CI a missing
// one skips the test with the reason; in CI (CI=true) it fails the test, so a
// broken CI image can never pass by silently skipping.
import {accessSync, constants} from 'node:fs';
import {delimiter, join} from 'node:path';
import {$} from 'zx';

/** What provides each requirement on Debian, for the message. */
const debianPackages: Record<string, string> = {
	root: '(run as root)',
	unshare: 'util-linux',
	nsenter: 'util-linux',
	namespaces: '(a kernel and privileges that allow unshare --net --mount --pid --uts)',
	overlay: '(the overlay filesystem in the kernel)',
	ip: 'iproute2',
	bridge: 'iproute2',
	ss: 'iproute2',
	ps: 'procps',
	pgrep: 'procps',
	sysctl: 'procps',
	named: 'bind9',
	'named-checkconf': 'bind9-utils',
	'named-checkzone': 'bind9-utils',
	rndc: 'bind9-utils',
	dig: 'bind9-dnsutils',
	dhcpd: 'isc-dhcp-server',
	dhclient: 'isc-dhcp-client',
	busybox: 'busybox',
	iptables: 'iptables',
	'iptables-save': 'iptables',
	ping: 'iputils-ping',
	ifup: 'ifupdown',
	ifdown: 'ifupdown',
	brctl: 'bridge-utils',
	git: 'git',
	sshd: 'openssh-server',
	'gnt-cluster': 'ganeti',
	flock: 'util-linux',
	losetup: 'mount',
	'qemu-system-x86_64': 'qemu-system-x86',
	python3: 'python3',
	'update-rc.d': 'init-system-helpers',
	'start-stop-daemon': 'dpkg',
	'ssh-keygen': 'openssh-client',
	bird: 'bird2',
	birdc: 'bird2',
	ssh: 'openssh-client',
};

const sbinDirectories = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
const cache = new Map<string, boolean>();

function onPath(command: string): boolean {
	const directories = [...(process.env.PATH ?? '').split(delimiter), ...sbinDirectories];
	return directories.some(directory => {
		try {
			accessSync(join(directory, command), constants.X_OK);
			return true;
		} catch {
			return false;
		}
	});
}

function succeeds(argv: string[]): boolean {
	// SHLVL: see lab.ts (a top-level bash with a socket as stdin sources ~/.bashrc).
	return $.sync({nothrow: true, quiet: true, timeout: '10s', env: {...process.env, SHLVL: process.env.SHLVL || '1'}})`${argv}`.exitCode === 0;
}

function available(requirement: string): boolean {
	const known = cache.get(requirement);
	if (known !== undefined) return known;
	let result: boolean;
	switch (requirement) {
		case 'root':
			result = process.getuid?.() === 0;
			break;
		case 'namespaces':
			result = onPath('unshare') && succeeds(['unshare', '--uts', '--net', '--mount', '--pid', '--fork', '--propagation', 'private', 'true']);
			break;
		case 'overlay':
			result = succeeds(['grep', '-qw', 'overlay', '/proc/filesystems']) || succeeds(['modprobe', '-n', 'overlay']);
			break;
		default:
			result = onPath(requirement);
	}
	cache.set(requirement, result);
	return result;
}

function describe(requirement: string): string {
	const provider = debianPackages[requirement];
	if (!provider) return requirement;
	return provider.startsWith('(') ? `${requirement} ${provider}` : `${requirement} (Debian package ${provider})`;
}

/** "needs named (Debian package bind9), dhclient (...) or busybox (...)". */
export function reasonFor(absent: string[]): string {
	return `needs ${absent.map(requirement => requirement.split('|').map(describe).join(' or ')).join(', ')}`;
}

/** The requirements that are missing; "a|b" is satisfied by either. */
export function missing(requirements: string[]): string[] {
	return requirements.filter(requirement => !requirement.split('|').some(available));
}

/**
 * True when every requirement is there. Otherwise skips the test (or throws in
 * CI) naming what is missing and which package provides it; the caller returns.
 *   if (!need(['root', 'named', 'dig'], t)) return;
 * A requirement is a command on PATH (sbin included), "root", "namespaces",
 * "overlay", or alternatives joined by "|" such as "dhclient|busybox".
 */
export function need(requirements: string[], t: {skip(message?: string): void}): boolean {
	const absent = missing(requirements);
	if (absent.length === 0) return true;
	const reason = reasonFor(absent);
	if (process.env.CI === 'true') throw new Error(`missing in CI: ${reason}; add it to .ci/run`);
	console.log(`# skipped: ${reason}`);
	t.skip(reason);
	return false;
}
