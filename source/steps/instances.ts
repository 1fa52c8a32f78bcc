// Instances: `gnt-instance add` for every recipe instance with the MAC of its
// DHCP host entry, then, for an ISO install, the seed's sequence: boot the
// installer, the operator installs over VNC (a checkpoint), boot from disk,
// restart; and the extra disks. Each state is read back from Ganeti with a
// query filter, so a second run adds, switches and grows nothing.
import type {Action, CheckpointAction} from '../actions/action.js';
import {netmask, parseCidr} from '../inventory/addresses.js';
import type {Inventory, InventoryInstance} from '../inventory/inventory.js';
import {formatParameters, hypervisorParameters, vncBindAddress} from './cluster.js';
import {instanceOs} from './host.js';
import type {Facts, StepDefinition} from './step.js';

/** A probe that holds when Ganeti lists the instance under `condition`. */
function listed(fqdn: string, condition?: string) {
	const filter = `name == ${JSON.stringify(fqdn)}${condition ? ` and ${condition}` : ''}`;
	return {argv: ['gnt-instance', 'list', '--no-headers', '-o', 'name', '--filter', filter], stdoutIncludes: fqdn};
}

/**
 * The instance's hypervisor parameters for `gnt-instance add -H`: for an ISO
 * install, boot the CD with VNC on the loopback address of the node that runs
 * it (vncBindAddress: valid on every node, so the instance can move); then the
 * recipe's own (which win). Ganeti's KVM boots kernel_path directly when it is
 * set and then never boots the CD (Ganeti 3.0 hv_kvm: boot_cdrom is false
 * whenever kernel_path is set), so a kernel_path the
 * cluster sets is cleared for the instance (kernel_path= empty): it boots the
 * installer, then its own disk.
 */
export function instanceHypervisorParameters(inventory: Inventory, instance: InventoryInstance): Record<string, string> {
	const parameters: Record<string, string> = {};
	if ('iso' in instance.install) {
		// The console listens on the loopback of whichever node runs the instance (vncBindAddress).
		Object.assign(parameters, {boot_order: 'cdrom', cdrom_image_path: instance.install.iso, vnc_bind_address: vncBindAddress});
		if (instance.install.vnc_password_file) parameters['vnc_password_file'] = instance.install.vnc_password_file;
		if (inventory.recipe.cluster.hypervisor === 'kvm' && hypervisorParameters(inventory)['kernel_path']) parameters['kernel_path'] = '';
	}
	return {...parameters, ...instance.hypervisor_parameters};
}

/**
 * The node that holds the DRBD mirror of a drbd instance created on the
 * master: the other nodes in recipe order, taken in turn by the site's drbd
 * instances (the first drbd instance gets the first other node, the second
 * the next, and so on), so the same recipe always gives the same node and the
 * mirrors spread. Undefined for another template, or in a site of one node
 * (the recipe check refuses drbd there: Ganeti 3.0 cmdlib/instance_create.py
 * LUInstanceCreate.CheckArguments raises "The networked disk templates need a
 * mirror node" when a drbd instance names a primary node and no secondary).
 */
export function secondaryNode(inventory: Inventory, instance: InventoryInstance): string | undefined {
	if (instance.disk_template !== 'drbd') return undefined;
	// Every node of the site is vm_capable: node add joins none otherwise.
	const others = inventory.nodes.filter(node => node.fqdn !== inventory.master.fqdn);
	if (others.length === 0) return undefined;
	const turn = inventory.instances.filter(other => other.disk_template === 'drbd').findIndex(other => other.name === instance.name);
	return others[Math.max(0, turn) % others.length]!.fqdn;
}

/**
 * `gnt-instance add` for an instance: its disk, memory and vcpus, the
 * hypervisor parameters (instanceHypervisorParameters), the node as `-n
 * pnode[:snode]` (Ganeti's syntax; the secondary for drbd: secondaryNode),
 * the OS and the NIC with the instance's MAC on the VM bridge.
 */
export function addArgv(inventory: Inventory, instance: InventoryInstance): string[] {
	const {recipe} = inventory;
	const argv = ['gnt-instance', 'add', '-t', instance.disk_template, '-s', instance.disk_size, '-B', `memory=${instance.memory},vcpus=${instance.vcpus}`];
	const parameters = instanceHypervisorParameters(inventory, instance);
	if (Object.keys(parameters).length > 0) argv.push('-H', `${recipe.cluster.hypervisor}:${formatParameters(parameters)}`);
	// The node by name: a one-node cluster leaves the allocator (hail) no valid
	// placement ("FailN1"), as the seed's `-n` did too. The master, whichever
	// node the inventory is built for: instances start where the site is kept.
	const secondary = secondaryNode(inventory, instance);
	argv.push('-n', secondary ? `${inventory.master.fqdn}:${secondary}` : inventory.master.fqdn, '-o', instanceOs(instance.install));
	// Ganeti 3.0 wants an OS even for an ISO install; --no-install never runs it
	// (and leaves the instance stopped).
	if ('iso' in instance.install) argv.push('--no-install');
	argv.push('--net', `0:mac=${instance.mac},link=${inventory.cluster.nicLink}`, instance.fqdn);
	return argv;
}

export function installCheckpoint(inventory: Inventory, instance: InventoryInstance): CheckpointAction {
	const {recipe, master: node, gateway} = inventory;
	const install = instance.install as {iso: string; vnc_password_file?: string};
	// The console is on the loopback of the master, where the instance is
	// created (addArgv) and runs until the install is confirmed: the tunnel
	// goes to the master, and from there to its own loopback.
	const sshTarget = `root@${node.publicAddress ?? node.fqdn}`;
	const port = ['gnt-instance', 'list', '--no-headers', '-o', 'network_port', instance.fqdn];
	// Where qemu listens on that node: the instance's own parameter when the recipe gives one.
	const vncAddress = instanceHypervisorParameters(inventory, instance)['vnc_bind_address'] ?? vncBindAddress;
	const {prefix} = parseCidr(recipe.network.vms_subnet);
	const details: CheckpointAction['details'] = [
		{label: 'VNC address', value: vncAddress},
		{label: 'VNC port', value: `gnt-instance info ${instance.fqdn} shows it ("console connection")`, live: {argv: port, template: '{}'}},
		{
			label: 'SSH tunnel',
			value: `ssh -N -L 5900:${vncAddress}:<VNC port> ${sshTarget}`,
			live: {argv: port, template: `ssh -N -L 5900:${vncAddress}:{} ${sshTarget}`},
		},
	];
	if (install.vnc_password_file) details.push({label: 'VNC password file', value: install.vnc_password_file});
	details.push(
		{label: 'Installer ISO', value: install.iso},
		{label: 'Network (DHCP offers the same)', value: `address ${instance.address}, netmask ${netmask(prefix)}, gateway ${gateway.address}, name server ${gateway.address}, domain ${inventory.vmsDomain}`},
	);
	return {
		kind: 'checkpoint',
		id: `instances.${instance.name}.install`,
		title: `install the OS of ${instance.fqdn} over VNC`,
		instructions:
			`${instance.fqdn} is booting the installer from ${install.iso}. Open the SSH tunnel on your own machine, point a VNC viewer at localhost:5900 and install the system. ` +
			'When the installer has finished, continue: the wizard then makes the disk the boot device and restarts the instance.',
		details,
		// Boot order already on disk: the install was finished in an earlier run.
		satisfiedWhen: listed(instance.fqdn, 'hv/boot_order == "disk"'),
	};
}

/**
 * An instance's own VNC address put right when an earlier version gave it a
 * node's private address (an ISO install's, the master's): a live migration
 * to another node then fails (vncBindAddress says why). Planned when
 * config.data (facts.cluster) gives the instance itself such an address and
 * the recipe wants another (its own, else vncBindAddress); its inverse puts
 * the value read back. The running qemu keeps its address: the instance takes
 * the new one at its next restart (an ISO install's restart from its disk
 * comes after this action). A site of one node too, as clusterVncActions.
 */
export function instanceVncActions(inventory: Inventory, instance: InventoryInstance, facts: Facts): Action[] {
	const current = facts.cluster?.instanceHypervisorParameters?.[instance.fqdn]?.['vnc_bind_address'];
	const wanted = instanceHypervisorParameters(inventory, instance)['vnc_bind_address'] ?? vncBindAddress;
	if (inventory.recipe.cluster.hypervisor !== 'kvm' || current === undefined || current === wanted || !inventory.nodes.some(node => node.address === current)) return [];
	const {fqdn} = instance;
	return [
		{
			kind: 'command',
			id: `instances.${instance.name}.vnc-bind-address`,
			title: `${fqdn}'s VNC console listens on ${wanted}, not on the node address ${current}, from its next restart`,
			argv: ['gnt-instance', 'modify', '-H', `vnc_bind_address=${wanted}`, fqdn],
			satisfiedWhen: listed(fqdn, `hv/vnc_bind_address == ${JSON.stringify(wanted)}`),
			inverse: ['gnt-instance', 'modify', '-H', `vnc_bind_address=${current}`, fqdn],
		},
	];
}

/**
 * The recipe's instances (FQDNs) whose `gnt-instance add` the journal records
 * as done (or found done) and not undone since, nor followed by a removal
 * (`removals.FQDN`): what a rehearsal knows of the cluster's instances, as it
 * has no Ganeti to ask. `action` looks up an action's record by id (Progress.action).
 */
export function journalledInstances(inventory: Inventory, action: (id: string) => {status: string; appliedSeq?: number; ranAtSeq?: number} | undefined): string[] {
	const completed = (record: {status: string} | undefined) => record?.status === 'done' || record?.status === 'satisfied';
	return inventory.instances
		.filter(instance => {
			const added = action(`instances.${instance.name}.add`);
			if (!completed(added)) return false;
			const removed = action(`removals.${instance.fqdn}`);
			return !completed(removed) || (removed!.ranAtSeq ?? 0) < (added!.ranAtSeq ?? 0);
		})
		.map(instance => instance.fqdn);
}

function instanceActions(inventory: Inventory, instance: InventoryInstance, facts: Facts): Action[] {
	const {fqdn, name} = instance;
	const id = (what: string) => `instances.${name}.${what}`;
	const removed = `removing ${fqdn} (the inverse of its add) takes it away with its disks`;
	const actions: Action[] = [
		{
			kind: 'command',
			id: id('add'),
			title: `create ${fqdn} (${instance.disk_template} ${instance.disk_size}, ${instance.memory}, ${instance.vcpus} vcpu${instance.vcpus > 1 ? 's' : ''}, MAC ${instance.mac})`,
			argv: addArgv(inventory, instance),
			satisfiedWhen: listed(fqdn),
			// An OS definition such as debootstrap installs a whole system.
			timeoutMs: 60 * 60_000,
			// With its disks; -f goes on when a node cannot be reached.
			inverse: ['gnt-instance', 'remove', '-f', '--shutdown-timeout=0', fqdn],
		},
		...instanceVncActions(inventory, instance, facts),
	];
	if ('iso' in instance.install) {
		actions.push(
			{
				kind: 'command',
				id: id('start'),
				title: `boot ${fqdn} from ${instance.install.iso}`,
				argv: ['gnt-instance', 'startup', fqdn],
				inverseNote: removed,
				satisfiedWhen: listed(fqdn, 'status == "running"'),
			},
			installCheckpoint(inventory, instance),
			{
				kind: 'command',
				id: id('boot-disk'),
				title: `boot ${fqdn} from its disk from now on`,
				argv: ['gnt-instance', 'modify', '-H', 'boot_order=disk', fqdn],
				inverseNote: removed,
				satisfiedWhen: listed(fqdn, 'hv/boot_order == "disk"'),
			},
			{
				// A hard reboot starts a new hypervisor process, which reads the new
				// boot order; the seed's one-second shutdown timeout, as the guest
				// is still in the installer.
				kind: 'command',
				id: id('restart'),
				title: `restart ${fqdn} from its disk`,
				argv: ['gnt-instance', 'reboot', '--type=hard', '--shutdown-timeout=1', fqdn],
				idempotent: true,
				rerunAfter: [id('boot-disk')],
				inverseNote: removed,
			},
		);
	}
	instance.extra_disks.forEach((size, index) => {
		const diskId = id(`disk-${index + 1}`);
		actions.push({
			kind: 'command',
			id: diskId,
			title: `add a ${size} disk to ${fqdn} (disk/${index + 1})`,
			// Hot-plugged into a running KVM instance (the seed's /dev/vdb), otherwise seen at the next start.
			argv: ['gnt-instance', 'modify', '--disk', `add:size=${size}`, '--hotplug-if-possible', fqdn],
			inverseNote: removed,
			satisfiedWhen: listed(fqdn, `disk.count >= ${index + 2}`),
		});
	});
	return actions;
}

export const instancesStep: StepDefinition = {
	id: 'instances',
	title: 'Instances',
	requires: ['cluster', 'dhcp'],
	readsCluster: true,
	plan(inventory, facts): Action[] {
		return inventory.instances.flatMap(instance => instanceActions(inventory, instance, facts));
	},
};
