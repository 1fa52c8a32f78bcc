// The cluster: the node's name made right, Ganeti's prerequisites checked in
// the wizard's words, `gnt-cluster init` with the seed's flags plus what keeps
// a shared machine intact, and `gnt-cluster verify` to close.
//
// The node's name. Ganeti names a node socket.getfqdn(): gethostname(), then
// the name that address resolves back to, files before DNS. On Debian the line
// "127.0.1.1 gcc20.example.org gcc20" makes that a loopback address, and init
// fails ("This host's IP (127.0.1.1) resolves to a loopback address"). The seed
// renamed the host to its FQDN for the init and set its IP in /etc/hosts.
// Measured on Ganeti 3.0: a rename for the init alone is a trap. Every daemon
// start derives the name again, so once the old name is back, the next restart
// (or reboot) ends in "Not master, exiting" and every gnt-* command answers
// "This is not the master node". What makes the name right for good, without
// renaming the machine, is one /etc/hosts line "10.10.0.20 gcc20.node.farm
// gcc20" ahead of any other naming gcc20 (that name is then removed from them):
// it holds even while named is not up yet at boot. So the dance becomes one
// explicit, backed-up edit, and there is nothing to restore afterwards.
// `hostname -f` then says gcc20.node.farm; `host.manage_etc_hosts: false` leaves
// /etc/hosts alone and the node-name check says what line is missing.
//
// SSH. Without --no-ssh-init Ganeti replaces root's key pair and edits
// authorized_keys, which other users of a shared machine may rely on. The
// wizard passes --no-ssh-init and instead authorises root's existing (or a new)
// key for root on this node, the one thing a single-node cluster needs
// (`gnt-cluster verify` and the instance console log in over SSH). The nodes
// step exchanges the nodes' keys; with cluster.ssh_init: true Ganeti does (see
// source/steps/nodes.ts).
import type {Action, CommandAction} from '../actions/action.js';
import {recipeNodeOf, type Inventory} from '../inventory/inventory.js';
import {withDaemonAddresses} from '../render/ganeti-defaults.js';
import {fileStorageDirs, requiredPackages, usesVolumeGroup} from './host.js';
import {check, leftoversCheck, sshHostKeyCheck, volumeGroupSizeCheck} from './preflight.js';
import {instancesDownFilter, program} from './programs.js';
import {onMaster} from './roles.js';
import type {Facts, StepDefinition} from './step.js';

export const hostsPath = '/etc/hosts';
export const ganetiDefaultsPath = '/etc/default/ganeti';
const rootKey = '/root/.ssh/id_rsa';
const authorizedKeys = '/root/.ssh/authorized_keys';

/**
 * /etc/hosts with the node's line right after the 127.0.0.1 line (or first),
 * and the node's names taken out of every other line; a line left without
 * names is commented out. Applying it to its own output changes nothing.
 */
export function withNodeHostsLine(current: string | null, inventory: Inventory): string {
	const {hostname, fqdn, address} = inventory.node;
	const ours = `${address}\t${fqdn} ${hostname}`;
	const names = new Set([hostname.toLowerCase(), fqdn.toLowerCase()]);
	const text = current ?? '127.0.0.1\tlocalhost\n';
	const lines = text.split('\n');
	if (lines.at(-1) === '') lines.pop();

	const kept: string[] = [];
	for (const line of lines) {
		if (line === ours) continue;
		const [body = '', ...comment] = line.split('#');
		const fields = body.trim().split(/\s+/).filter(Boolean);
		if (fields.length < 2 || !fields.slice(1).some(name => names.has(name.toLowerCase()))) {
			kept.push(line);
			continue;
		}
		const left = fields.slice(1).filter(name => !names.has(name.toLowerCase()));
		const tail = comment.length > 0 ? ` #${comment.join('#')}` : '';
		kept.push(left.length > 0 ? `${fields[0]}\t${left.join(' ')}${tail}` : `# ${line.trim()}  (ganeti-wizard: ${hostname} is ${address})`);
	}

	const isEntry = (line: string) => line.trim() !== '' && !line.trim().startsWith('#');
	const localhost = kept.findIndex(line => isEntry(line) && line.trim().split(/\s+/)[0] === '127.0.0.1');
	const firstEntry = kept.findIndex(isEntry);
	const at = localhost >= 0 ? localhost + 1 : firstEntry >= 0 ? firstEntry : kept.length;
	kept.splice(at, 0, ours);
	return `${kept.join('\n')}\n`;
}

/**
 * Where KVM's VNC consoles listen: the loopback address, which every node
 * has and only the node itself reaches (an operator comes in through an SSH
 * tunnel to the node that runs the VM). Not a node's own address: Ganeti
 * resolves vnc_bind_address (an address, or an interface's first IPv4
 * address) once, when the VM starts, into qemu's `-vnc ADDRESS:DISPLAY`, and a
 * live migration starts the target's qemu with the source's command line as
 * it is (Ganeti 3.0 hv_kvm: MigrationInfo hands the source's runtime file to
 * AcceptInstance), so an address of the source alone cannot be bound on the
 * target and the migration fails. A site of one node gets the same: it may
 * grow, and its VMs then move. Never every address or a public one (the
 * cross-checks refuse those in a recipe).
 */
export const vncBindAddress = '127.0.0.1';

/** Hypervisor defaults the wizard sets, then the recipe's own (which win). */
export function hypervisorParameters(inventory: Inventory): Record<string, string> {
	const {recipe} = inventory;
	// KVM's defaults boot a host kernel (kernel_path), which makes boot_order
	// ignored, and leave VNC off: an installer ISO needs neither.
	const defaults: Record<string, string> = recipe.cluster.hypervisor === 'kvm' ? {kernel_path: '', initrd_path: '', vnc_bind_address: vncBindAddress} : {};
	return {...defaults, ...recipe.cluster.hypervisor_parameters};
}

/**
 * The cluster-wide VNC address put right on a cluster made before consoles
 * moved to the loopback (vncBindAddress): an earlier version set KVM's
 * vnc_bind_address to the master's private address at init, which breaks
 * every live migration to another node. Planned when config.data (facts.cluster)
 * holds another value than the one wanted (the recipe's own, else
 * vncBindAddress); none on a fresh install (init sets it) or once it is right.
 * Its inverse puts the value read back. A running VM keeps its qemu's address
 * until its next restart (Ganeti fills it in when qemu starts).
 *
 * In a site of one node too: the address is private there either way, the
 * change touches no running VM, and it is then in place before `node add`
 * joins a second node (the master's cluster step runs before its nodes step)
 * rather than only once VMs already fail to move.
 */
export function clusterVncActions(inventory: Inventory, facts: Facts): CommandAction[] {
	const {hypervisor} = inventory.recipe.cluster;
	const wanted = hypervisorParameters(inventory)['vnc_bind_address'];
	const current = facts.cluster?.hypervisorParameters?.[hypervisor]?.['vnc_bind_address'];
	if (hypervisor !== 'kvm' || wanted === undefined || current === undefined || current === wanted) return [];
	return [
		{
			kind: 'command',
			id: 'cluster.vnc-bind-address',
			title: `KVM's VNC consoles listen on ${wanted || '(none)'}, not ${current || '(none)'}, cluster-wide (a running VM takes it at its next restart)`,
			argv: ['gnt-cluster', 'modify', '-H', `${hypervisor}:vnc_bind_address=${wanted}`],
			// gnt-cluster info prints each enabled hypervisor's parameters, one "name: value" line each.
			satisfiedWhen: {argv: program('when-daemons-run', 'gnt-cluster', 'info'), stdoutIncludes: `vnc_bind_address: ${wanted}\n`},
			inverse: ['gnt-cluster', 'modify', '-H', `${hypervisor}:vnc_bind_address=${current}`],
		},
	];
}

export function formatParameters(parameters: Record<string, string>): string {
	return Object.entries(parameters)
		.map(([key, value]) => `${key}=${value}`)
		.join(',');
}

export function initArgv(inventory: Inventory): string[] {
	const {recipe, cluster} = inventory;
	const hypervisor = recipe.cluster.hypervisor;
	// The seed's flags first, in the seed's order.
	const argv = ['gnt-cluster', 'init', '--no-etc-hosts', `--enabled-hypervisors=${hypervisor}`, '--nic-parameters', `link=${cluster.nicLink}`, '--master-netdev', cluster.masterNetdev];
	if (usesVolumeGroup(recipe)) argv.push('--vg-name', recipe.storage.vg);
	if (!recipe.cluster.ssh_init) argv.push('--no-ssh-init');
	argv.push(`--enabled-disk-templates=${recipe.cluster.disk_templates.join(',')}`);
	const dirs = fileStorageDirs(recipe);
	if (dirs.file) argv.push('--file-storage-dir', dirs.file);
	if (dirs.shared) argv.push('--shared-file-storage-dir', dirs.shared);
	argv.push('--mac-prefix', recipe.cluster.mac_prefix);
	const parameters = hypervisorParameters(inventory);
	if (Object.keys(parameters).length > 0) argv.push('-H', `${hypervisor}:${formatParameters(parameters)}`);
	argv.push(cluster.fqdn);
	return argv;
}

/**
 * Directories `gnt-cluster init` makes or takes over (Ganeti's ensure-dirs:
 * its data directory, job queue and RAPI users; the file storage directories
 * it is given). Read before the init, so its undo puts them back.
 */
export function clusterDirectories(inventory: Inventory): string[] {
	const data = '/var/lib/ganeti';
	return [data, `${data}/queue`, `${data}/queue/archive`, `${data}/rapi`, ...new Set(Object.values(fileStorageDirs(inventory.recipe)).filter((dir): dir is string => Boolean(dir)))];
}

/** undo-cluster's arguments: each directory as it was (PATH=MODE:UID:GID, or PATH=absent). */
export function directoriesThen(inventory: Inventory, facts: Facts): string[] {
	return clusterDirectories(inventory).map(path => {
		const then = facts.directories[path];
		return `${path}=${then ? `${then.mode.toString(8)}:${then.uid}:${then.gid}` : 'absent'}`;
	});
}

function state(mode: string, inventory: Inventory): string[] {
	return program('ganeti-state', mode, inventory.cluster.fqdn, inventory.master.fqdn);
}

/** `gnt-cluster verify`, ignoring the recipe's error codes (cluster.verify_ignore), as a check. */
export function verifyAction(inventory: Inventory, id: string): CommandAction {
	return {...check(id, 'gnt-cluster verify accepts the cluster', ['gnt-cluster', 'verify', ...inventory.recipe.cluster.verify_ignore.flatMap(code => ['-I', code])]), timeoutMs: 10 * 60_000};
}

function prerequisites(inventory: Inventory): CommandAction[] {
	const {recipe, node, cluster} = inventory;
	const checks = [
		check('cluster.check.packages', 'the packages Ganeti needs are installed', program('packages', ...requiredPackages(recipe))),
		check('cluster.check.node-name', `this node resolves as ${node.fqdn} (${node.address}), an address of its own`, program('node-name', node.hostname, node.fqdn, node.address)),
		// Free before init only: on the other nodes the master holds it.
		...(onMaster(inventory) ? [check('cluster.check.cluster-address', `the cluster name ${cluster.fqdn} resolves to ${cluster.address}, which is free`, program('cluster-address', cluster.fqdn, cluster.address))] : []),
		check('cluster.check.master-netdev', `master netdev ${cluster.masterNetdev} exists`, ['ip', 'link', 'show', 'dev', cluster.masterNetdev]),
	];
	if (cluster.nicLink !== cluster.masterNetdev) {
		checks.push(check('cluster.check.nic-link', `bridge ${cluster.nicLink} for the instances exists`, ['ip', 'link', 'show', 'dev', cluster.nicLink]));
	}
	if (usesVolumeGroup(recipe)) checks.push(volumeGroupSizeCheck('cluster.check.volume-group', recipe.storage.vg));
	checks.push(
		sshHostKeyCheck('cluster.check.ssh-host-key'),
		leftoversCheck('cluster.check.leftovers', inventory),
		check('cluster.check.sshd', `sshd answers on ${node.address}`, program('sshd', node.address)),
	);
	return checks;
}

function sshActions(facts: Facts): Action[] {
	const created = facts.files[authorizedKeys] === null;
	return [
		{
			kind: 'command',
			id: 'cluster.ssh-directory',
			title: 'create /root/.ssh',
			argv: ['install', '-d', '-m', '700', '/root/.ssh'],
			satisfiedWhen: {exists: '/root/.ssh'},
			// Refused when anything else was put there since: that is someone else's.
			inverse: ['rmdir', '/root/.ssh'],
		},
		{
			// Only when root has no RSA key yet: an existing one is never replaced.
			kind: 'command',
			id: 'cluster.ssh-key',
			title: `give root an SSH key (${rootKey}) if it has none`,
			argv: ['ssh-keygen', '-q', '-t', 'rsa', '-b', '3072', '-N', '', '-C', 'root (ganeti-wizard)', '-f', rootKey],
			satisfiedWhen: {exists: `${rootKey}.pub`},
			inverse: ['rm', '-f', rootKey, `${rootKey}.pub`],
		},
		{
			kind: 'command',
			id: 'cluster.ssh-authorize',
			title: `let root's key log in to this node as root (Ganeti's SSH to itself; ${authorizedKeys})`,
			argv: program('authorize-key', `${rootKey}.pub`, authorizedKeys),
			satisfiedWhen: {argv: ['grep', '-qxF', '-f', `${rootKey}.pub`, authorizedKeys]},
			// The key's line goes; a file the wizard created goes once nothing else is in it.
			inverse: program('authorize-key', '--remove', `${rootKey}.pub`, authorizedKeys, ...(created ? ['--delete-if-empty'] : [])),
		},
	];
}

/**
 * The file storage directories on a node other than the master, where no
 * init makes them and gnt-cluster verify requires them: the file one is made;
 * the shared one must be there already (the shared filesystem, mounted): made
 * here it would be a local directory the other nodes never see.
 */
function storageDirectoryActions(inventory: Inventory): Action[] {
	const {file, shared} = fileStorageDirs(inventory.recipe);
	const actions: Action[] = [];
	if (file) {
		actions.push({
			kind: 'command',
			id: 'cluster.file-storage-dir',
			title: `make ${file} for file disks (gnt-cluster init makes it on the master only)`,
			argv: ['install', '-d', '-m', '750', file],
			satisfiedWhen: {exists: file},
			inverse: ['rmdir', file],
		});
	}
	if (shared) {
		actions.push(
			check(
				'cluster.check.shared-file-storage-dir',
				`${shared} is here: the directory every node shares for sharedfile disks`,
				['sh', '-c', 'test -d "$1" || { echo "$1 is not here: mount the filesystem the nodes share there (storage.shared_file_storage_dir), then retry"; exit 1; }', 'sh', shared],
			),
		);
	}
	return actions;
}

/** /etc/default/ganeti naming the node's private address: before init (or the join) starts the daemons. */
function daemonAddresses(inventory: Inventory, facts: Facts): Action {
	const {address} = inventory.node;
	return {
		// On a shared machine the daemons listen on the private address only.
		kind: 'file',
		id: 'cluster.daemon-addresses',
		title: `Ganeti's daemons listen on ${address} only (${ganetiDefaultsPath})`,
		path: ganetiDefaultsPath,
		content: withDaemonAddresses(facts.files[ganetiDefaultsPath] ?? null, address),
		mode: 0o644,
		check: {argv: ['sh', '-n', '{}']},
	};
}

export const clusterStep: StepDefinition = {
	id: 'cluster',
	title: 'Ganeti cluster',
	requires: ['host', 'network', 'dns'],
	readsDirectories: clusterDirectories,
	readsCluster: true,
	reads: inventory => [...(recipeNodeOf(inventory).manage_etc_hosts ? [hostsPath] : []), ...(inventory.recipe.cluster.ssh_init ? [] : [authorizedKeys]), ganetiDefaultsPath],
	plan(inventory, facts): Action[] {
		const {recipe, node, cluster} = inventory;
		const actions: Action[] = [];
		if (recipeNodeOf(inventory).manage_etc_hosts) {
			actions.push({
				kind: 'file',
				id: 'cluster.hosts',
				title: `name this node ${node.fqdn}: "${node.address} ${node.fqdn} ${node.hostname}" in ${hostsPath}`,
				path: hostsPath,
				content: withNodeHostsLine(facts.files[hostsPath] ?? null, inventory),
				mode: 0o644,
			});
		}
		actions.push(...prerequisites(inventory));
		if (!recipe.cluster.ssh_init) actions.push(...sshActions(facts));
		actions.push(daemonAddresses(inventory, facts));
		// The other nodes are joined by the master (the nodes step): no init of their own.
		if (!onMaster(inventory)) return [...actions, ...storageDirectoryActions(inventory)];
		actions.push(
			{
				// An init killed after it wrote config.data cannot be run again
				// ("Cluster is already initialised") nor used: its files go aside.
				kind: 'command',
				id: 'cluster.clear-interrupted',
				title: 'move an interrupted cluster init aside',
				argv: state('clear', inventory),
				satisfiedWhen: {argv: state('settled', inventory)},
				inverseNote: 'the files it moves aside are an unusable half of the wizard\'s own init',
			},
			{
				kind: 'command',
				id: 'cluster.init',
				title: `initialise the cluster ${cluster.fqdn} (${cluster.address} on ${cluster.masterNetdev})`,
				argv: initArgv(inventory),
				satisfiedWhen: {argv: state('complete', inventory)},
				timeoutMs: 10 * 60_000,
				// gnt-cluster destroy, then what it leaves: daemons, and the directories init made.
				inverse: program('undo-cluster', ...directoriesThen(inventory, facts)),
			},
			{
				// After a reboot, or an init killed before it started them.
				kind: 'command',
				id: 'cluster.daemons',
				title: 'Ganeti daemons are running',
				argv: ['service', 'ganeti', 'start'],
				inverseNote: 'destroying the cluster (the inverse of its init) stops its daemons',
				// getmaster reads a file; info needs the master daemons to answer.
				// The master's name on every node: Ganeti's info answers the same cluster-wide.
				satisfiedWhen: {argv: program('when-daemons-run', 'gnt-cluster', 'info'), stdoutIncludes: `Master node: ${inventory.master.fqdn}`},
				timeoutMs: 5 * 60_000,
			},
			{
				// Daemons started before the file named their address (an earlier cluster) listen everywhere.
				kind: 'command',
				id: 'cluster.daemons-rebind',
				title: `Ganeti's daemons listen on ${node.address} only (restart them if not)`,
				argv: ['service', 'ganeti', 'restart'],
				satisfiedWhen: {argv: program('ganeti-sockets', node.address)},
				inverseNote: 'a restart changes no state: the daemons then listen where /etc/default/ganeti, restored by undo, says',
				timeoutMs: 5 * 60_000,
			},
			{
				kind: 'command',
				id: 'cluster.master-ip',
				title: `cluster address ${cluster.address} is up on ${cluster.masterNetdev}`,
				argv: ['gnt-cluster', 'activate-master-ip'],
				inverseNote: 'destroying the cluster (the inverse of its init) takes the master IP down',
				satisfiedWhen: {argv: ['ip', '-4', '-o', 'addr', 'show', 'dev', cluster.masterNetdev], stdoutIncludes: ` ${cluster.address}/`},
			},
			{
				// After a reboot Ganeti's instances are down until its watcher runs,
				// and verify reports each one; start them now, as the watcher would.
				kind: 'command',
				id: 'cluster.instances-up',
				title: 'instances Ganeti should be running are running (after a reboot)',
				argv: program('start-instances'),
				inverseNote: 'removing each instance (the inverse of its add) stops it',
				satisfiedWhen: {argv: program('when-daemons-run', 'gnt-instance', 'list', '--no-headers', '-o', 'name', '--filter', instancesDownFilter), stdoutEmpty: true},
				timeoutMs: 10 * 60_000,
			},
			...clusterVncActions(inventory, facts),
			verifyAction(inventory, 'cluster.verify'),
		);
		return actions;
	},
};
