// What a lab host must never change on the machine the tests run on, read
// before a lab exists and compared once it is gone: hostname, the files a
// wizard edits, routes, links, addresses, firewall, mounts, loop devices, and
// no process left in the lab's namespaces.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {readdir, readFile, readlink} from 'node:fs/promises';
import {hostname} from 'node:os';
import {$} from 'zx';
import type {Lab} from './lab.js';
import {shellEnvironment} from './lab.js';
import {missing} from './need.js';

const quiet = $({quiet: true, nothrow: true, env: shellEnvironment()});

async function output(argv: string[]): Promise<string> {
	const result = await quiet`${argv}`;
	return `${result.exitCode}\n${result.stdout}`;
}

async function checksum(path: string): Promise<string> {
	return existsSync(path) ? createHash('sha256').update(await readFile(path)).digest('hex') : 'absent';
}

const watchedFiles = ['/etc/hosts', '/etc/resolv.conf', '/etc/network/interfaces', '/etc/bind/named.conf.options', '/etc/bind/named.conf.local', '/etc/dhcp/dhcpd.conf', '/etc/default/isc-dhcp-server', '/etc/ganeti/file-storage-paths', '/etc/drbd.conf'];

export async function machineState(): Promise<Record<string, string>> {
	const state: Record<string, string> = {
		hostname: hostname(),
		routes: await output(['ip', 'route', 'show', 'table', 'all']),
		links: await output(['ip', '-o', 'link', 'show']),
		addresses: await output(['ip', '-o', 'address', 'show']),
		netns: await output(['ip', 'netns', 'list']),
		ipForward: await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8'),
		loops: await output(['losetup', '--list', '--noheadings', '--output', 'NAME,BACK-FILE']),
		varLibGaneti: (await readdir('/var/lib/ganeti').catch(() => [])).sort().join(' '),
		mounts: (await readFile('/proc/self/mountinfo', 'utf8'))
			.split('\n')
			.map(line => line.split(' ').slice(4, 5).join())
			.sort()
			.join('\n'),
	};
	for (const path of watchedFiles) state[path] = await checksum(path);
	if (missing(['iptables-save']).length === 0) {
		// Without the "# Generated ... on <date>" comments and the packet counters.
		const rules = async (argv: string[]) => (await output(argv)).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');
		state.iptables = await rules(['iptables-save']);
		state.nat = await rules(['iptables-save', '-t', 'nat']);
		state.filter = await rules(['iptables-save', '-t', 'filter']);
	}
	return state;
}

/** Namespace identities of a lab and its peers, taken while they run. */
export async function namespaceIds(lab: Lab): Promise<Set<string>> {
	const ids = new Set<string>();
	for (const host of [lab, ...lab.peers]) for (const id of Object.values(await host.namespaces())) ids.add(id);
	return ids;
}

/** Seconds since the machine booted (the clock of /proc/PID/stat's start times). */
export async function secondsSinceBoot(): Promise<number> {
	return Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
}

/** When a process started, in seconds since boot (field 22 of /proc/PID/stat, in ticks of 1/100 s on Linux). */
async function startedAt(pid: string): Promise<number> {
	const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
	// The fields after the command name, which may itself hold spaces and parentheses.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[19]) / 100;
}

/**
 * Processes of the machine that live in any of these namespaces. The kernel
 * hands a freed namespace's number to the next namespace made (another test's
 * lab, say): with `startedBefore` (seconds since boot), processes started
 * later are not counted, for they cannot be the lab's.
 */
export async function processesIn(ids: Set<string>, startedBefore = Infinity): Promise<string[]> {
	const found: string[] = [];
	for (const entry of await readdir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		if (startedBefore !== Infinity && (await startedAt(entry)) > startedBefore) continue;
		for (const kind of ['net', 'mnt', 'pid', 'uts']) {
			const id = await readlink(`/proc/${entry}/ns/${kind}`).catch(() => undefined);
			if (id && ids.has(id)) {
				found.push(`${entry} ${(await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ')}`);
				break;
			}
		}
	}
	return found;
}

/**
 * After lab.destroy(): the machine is as it was and nothing of the lab runs.
 * `destroyStarted`: secondsSinceBoot() before the destroy (see processesIn).
 */
export async function assertMachineUntouched(before: Record<string, string>, ids: Set<string>, tempDir: string, destroyStarted?: number): Promise<void> {
	assert.deepEqual(await processesIn(ids, destroyStarted), [], 'no process of the lab or its peers survives');
	assert.deepEqual(await machineState(), before, 'the machine is exactly as before the lab');
	assert.equal(existsSync(tempDir), false, `${tempDir} is removed`);
}
