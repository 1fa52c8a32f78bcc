// Two lab hosts joined by a switch, for what spans nodes (node add, SSH to a
// node, instances that move). Each node is a lab host as lab.ts makes them
// (its own hostname, network, processes and overlays on /etc, /var, /root,
// /srv, /run): eth0 on the switch's bridge with its public address, sshd with
// host keys of its own, a no-op OS definition, and one directory both nodes
// see at the same path (sharedfile disks). node1 has the built CLI and a root
// key pair whose public key node2's root accepts: node add's precondition.
// The switch namespace also plays the "outside" peer of a single lab host: it
// holds 198.51.100.1 on its bridge and knows nothing of private ranges.
//
// Like a single lab host it takes the machine lock and, once destroyed,
// asserts the machine is exactly as before. The holders' pids and the
// temporary folders are kept in a file: a harness killed outright (the labs
// die with it, see lab.ts) has its folders removed by the next one.
import assert from 'node:assert/strict';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {$} from 'zx';
import {createLab, shellEnvironment, type Lab, type Peer} from './lab.js';
import {installCli, labHost, noopOs, outsideAddress, stateDir, type LabHost} from './lab-host.js';
import {takeMachineLock} from './machine-lock.js';
import {assertMachineUntouched, machineState, namespaceIds, secondsSinceBoot} from './machine-state.js';

export type LabNode = {
	/** Short hostname (the lab's hostname). */
	name: string;
	/** Its address on the switch (eth0), without prefix. */
	address: string;
	lab: Lab;
};

export type TwoNodeLab = {
	/** gcc20 at 198.51.100.20: the first node, with the built CLI. */
	node1: LabNode;
	/** gcc21 at 198.51.100.21: the node to add. */
	node2: LabNode;
	/** The switch namespace (bridge sw0), which is also the outside peer at 198.51.100.1. */
	switch: Lab;
	/** The wizard's commands on node1 (cli, apply, plan, …); its `outside` is the switch. */
	first: LabHost;
	/** The directory both nodes see, at this path in each. */
	sharedDirectory: string;
	/** node1's root private key (its .pub is in node2's /root/.ssh/authorized_keys). */
	rootKey: string;
	/** Ends every namespace, asserts the machine is as before, lets the machine lock go. Idempotent. */
	destroy(): Promise<void>;
};

/** What the two-node lab needs besides a lab host's requirements (each test names these in need()). */
export const twoNodeLabRequirements = ['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'flock', 'ip', 'sshd', 'ssh-keygen', 'ssh', 'python3', 'ping', 'pgrep'];

export const sharedDirectory = '/srv/ganeti/shared-file-storage';
export const switchBridge = 'sw0';
const prefixLength = 24;
const rootKey = '/root/.ssh/id_ed25519';
const harnessPrefix = 'ganeti-wizard-two-node-';
const quiet = $({quiet: true, nothrow: true, verbose: false, env: shellEnvironment()});

/** What a harness leaves in its folder's `pids` file. */
type PidRecord = {owner: number; holders: number[]; folders: string[]};

/**
 * Folders of harnesses whose process is gone (killed outright): their labs
 * died with them, but the folders stay. Holders still alive (a pid reused is
 * checked by its command line) are killed first.
 */
export async function removeAbandonedHarnesses(): Promise<void> {
	for (const name of readdirSync(tmpdir()).filter(entry => entry.startsWith(harnessPrefix))) {
		const folder = join(tmpdir(), name);
		let record: PidRecord;
		try {
			record = JSON.parse(readFileSync(join(folder, 'pids'), 'utf8')) as PidRecord;
		} catch {
			continue;
		}
		if (existsSync(`/proc/${record.owner}`)) continue;
		for (const pid of record.holders) {
			const command = (() => {
				try {
					return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
				} catch {
					return '';
				}
			})();
			if (command.includes('while read -r _')) process.kill(pid, 'SIGKILL');
		}
		for (const path of [...record.folders, folder]) await rm(path, {recursive: true, force: true, maxRetries: 3});
	}
}

/** A veth from the switch's bridge to `node`, whose end is `eth0` there with `address`. */
async function plug(switchLab: Lab, node: LabNode): Promise<void> {
	const port = `sw-${node.name}`.slice(0, 15);
	// From the machine's PID namespace (the switch's network only), where the node's holder pid means something.
	const created = await quiet`${['nsenter', '--target', String(switchLab.pid), '--net', 'ip', 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(node.lab.pid)]}`;
	if (created.exitCode !== 0) throw new Error(`two-node lab: cannot plug ${node.name} into the switch: ${created.stderr.trim()}`);
	await switchLab.run(['sh', '-e', '-c', 'ip link set "$1" master "$2"; ip link set "$1" up', 'sh', port, switchBridge]);
	await node.lab.run(['sh', '-e', '-c', 'ip address add "$1" dev eth0; ip link set eth0 up', 'sh', `${node.address}/${prefixLength}`]);
}

/**
 * root's shell start-up files as a fresh Debian install has them: the
 * machine's own (a version manager's set-up, say) would otherwise run at
 * every command sent over SSH, and change which python3 runs.
 */
const freshRootScript = `
for file in bashrc profile; do
	if [ -f /usr/share/base-files/dot.$file ]; then cp /usr/share/base-files/dot.$file /root/.$file; fi
done
`;

/**
 * sshd with host keys of its own (the machine's are inherited through the
 * overlay otherwise, and Ganeti's host-key handling would go untested), root
 * logging in with a key only.
 */
const sshdScript = `
rm -f /etc/ssh/ssh_host_*
ssh-keygen -q -A
mkdir -p /run/sshd /etc/ssh/sshd_config.d
echo 'PermitRootLogin prohibit-password' >/etc/ssh/sshd_config.d/lab.conf
/usr/sbin/sshd
`;

/**
 * Starts the two nodes and the switch. Pair with destroy() (`after(() => lab.destroy())`).
 * Waits for the machine lock first, like a single lab host.
 */
export async function createTwoNodeLab(): Promise<TwoNodeLab> {
	const lock = await takeMachineLock();
	let before: Record<string, string>;
	let folder: string;
	try {
		await removeAbandonedHarnesses();
		before = await machineState();
		folder = await mkdtemp(join(tmpdir(), harnessPrefix));
	} catch (error) {
		await lock.release();
		throw error;
	}
	const shared = join(folder, 'shared');
	const labs: Lab[] = [];
	const record: PidRecord = {owner: process.pid, holders: [], folders: []};
	const keep = async (lab: Lab) => {
		labs.push(lab);
		record.holders.push(lab.pid);
		record.folders.push(lab.tempDir);
		await writeFile(join(folder, 'pids'), JSON.stringify(record));
	};
	let ids = new Set<string>();
	let destroyed: Promise<void> | undefined;
	const destroy = () => {
		destroyed ??= (async () => {
			try {
				for (const lab of labs) for (const id of await namespaceIds(lab).catch(() => new Set<string>())) ids.add(id);
				const destroyStarted = await secondsSinceBoot();
				await Promise.all(labs.map(lab => lab.destroy()));
				for (const lab of labs) assert.equal(existsSync(lab.tempDir), false, `${lab.tempDir} is removed`);
				await rm(folder, {recursive: true, force: true});
				await assertMachineUntouched(before, ids, folder, destroyStarted);
			} finally {
				await lock.release();
			}
		})();
		return destroyed;
	};
	try {
		await mkdir(shared, {mode: 0o755});
		await writeFile(join(folder, 'pids'), JSON.stringify(record));
		const binds = [{source: shared, target: sharedDirectory}];
		// One after the other: each start is a burst of processes on a 2-core machine shared with other tests.
		const switchLab = await createLab({hostname: 'switch', overlays: []});
		await keep(switchLab);
		const node1: LabNode = {name: 'gcc20', address: '198.51.100.20', lab: await createLab({hostname: 'gcc20', binds})};
		await keep(node1.lab);
		const node2: LabNode = {name: 'gcc21', address: '198.51.100.21', lab: await createLab({hostname: 'gcc21', binds})};
		await keep(node2.lab);
		ids = new Set([...(await namespaceIds(switchLab)), ...(await namespaceIds(node1.lab)), ...(await namespaceIds(node2.lab))]);

		await switchLab.run(['sh', '-e', '-c', 'ip link add "$1" type bridge; ip address add "$2" dev "$1"; ip link set "$1" up', 'sh', switchBridge, `${outsideAddress}/${prefixLength}`]);
		for (const node of [node1, node2]) {
			await plug(switchLab, node);
			for (const [name, file] of Object.entries(noopOs)) await node.lab.writeFile(`/srv/ganeti/os/noop/${name}`, file.content, {mode: file.mode});
			await node.lab.run(['sh', '-e', '-c', `rm -rf ${stateDir}; rm -f /root/.ssh/id_* /root/.ssh/authorized_keys\n${freshRootScript}\n${sshdScript}`]);
		}
		await node1.lab.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${node1.name}`, '-f', rootKey]);
		const publicKey = await node1.lab.readFile(`${rootKey}.pub`);
		await node2.lab.run(['sh', '-e', '-c', 'mkdir -p -m 700 /root/.ssh; cat >/root/.ssh/authorized_keys; chmod 600 /root/.ssh/authorized_keys'], {input: publicKey!});
		await installCli(node1.lab);
		const outside: Peer = {...switchLab, labInterface: 'eth0', interface: switchBridge};
		return {node1, node2, switch: switchLab, first: labHost(node1.lab, outside, destroy), sharedDirectory, rootKey, destroy};
	} catch (error) {
		// The error that stopped the set-up says more than a comparison after it.
		await destroy().catch(() => {});
		throw error;
	}
}
