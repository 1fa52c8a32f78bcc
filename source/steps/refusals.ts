// What preflight refuses before anything changes: a site this host cannot
// hold, judged from what the host is (its interfaces, resolvers, routes,
// volume groups, its cluster's instance policy, its ifupdown files). Each
// problem is one line naming the recipe field, the bad value and the fix, as
// the recipe's own checks give them. Unknown facts (a rehearsal knows only the
// files under its root) refuse nothing.
import ipaddr from 'ipaddr.js';
import {contains, isIpv4} from '../inventory/addresses.js';
import {nodeFieldPath, recipeNodeOf, type Inventory, type InventoryInstance} from '../inventory/inventory.js';
import {freePrivateRanges} from '../host/detect.js';
import {drbdUsermodeHelperPath, isReservedZone, iso9660Identifier} from '../host/facts.js';
import {minimumVolumeGroupMiB, needsVolumeGroup, quoteValue, vncBindAddresses, volumeGroupMiB} from '../recipe/cross-checks.js';
import {sizeMiB} from '../recipe/schema.js';
import {listenAddresses} from '../render/bind.js';
import {conflictingInterfaces, privateAlias, wizardInterfacesPath} from '../render/interfaces.js';
import {physicalVolume} from './host.js';
import type {HostFacts, InstancePolicy, InstanceSpecBounds, ListeningSocket} from './step.js';

/**
 * Ganeti 3.0's default instance policy (constants.IPOLICY_DEFAULTS, from
 * ISPECS_MINMAX_DEFAULTS; sizes in MiB): memory 128 MiB to 32 GiB, 1 to 8
 * vcpus, 1 to 16 disks of 1 GiB to 1 TiB, 1 to 8 NICs, every disk template.
 */
export const defaultInstancePolicy: InstancePolicy = {
	minmax: [
		{
			min: {'memory-size': 128, 'cpu-count': 1, 'disk-count': 1, 'disk-size': 1024, 'nic-count': 1, 'spindle-use': 1},
			max: {'memory-size': 32768, 'cpu-count': 8, 'disk-count': 16, 'disk-size': 1024 * 1024, 'nic-count': 8, 'spindle-use': 12},
		},
	],
	diskTemplates: ['blockdev', 'diskless', 'drbd', 'ext', 'file', 'gluster', 'plain', 'rbd', 'sharedfile'],
};

/**
 * The policy `gnt-cluster init` sets for this recipe, which gives it none:
 * the default, its disk templates restricted to the enabled ones (Ganeti 3.0
 * bootstrap.InitCluster restricts them so).
 */
export function initialInstancePolicy(recipe: Inventory['recipe']): InstancePolicy {
	const enabled: readonly string[] = recipe.cluster.disk_templates;
	return {minmax: defaultInstancePolicy.minmax, diskTemplates: defaultInstancePolicy.diskTemplates.filter(template => enabled.includes(template))};
}

/** Size of DRBD's metadata volume beside each drbd disk (Ganeti 3.0 constants.DRBD_META_SIZE, MiB). */
const drbdMetaMiB = 128;
/** LVM allocates logical volumes in whole extents (vgcreate's default extent: 4 MiB). */
const extentMiB = 4;

/** Every reason this host cannot hold the site, one line each; empty when nothing is known to be wrong. */
export function refusals(inventory: Inventory, facts: HostFacts): string[] {
	return [
		...interfaceProblems(inventory, facts),
		...consoleInterfaceProblems(inventory, facts),
		...ifupdownProblems(inventory, facts),
		...privateRangeProblems(inventory, facts),
		...deviceProblems(inventory, facts),
		// The cluster's policy before the host's free space: a disk the policy forbids needs no other line.
		...instancePolicyProblems(inventory, facts),
		...volumeGroupProblems(inventory, facts),
		...isoProblems(inventory, facts),
		...drbdProblems(inventory, facts),
		...portProblems(inventory, facts),
		...publicZoneProblems(inventory, facts),
	];
}

/**
 * What to ask the host's resolvers about the private zone (probeHostFacts'
 * `zone`): its name, and the private name server's addresses, which are not
 * asked. Undefined when the recipe accepts shadowing a public zone: nobody is
 * asked then.
 */
export function publicZoneQuestion(inventory: Inventory): {name: string; own: string[]} | undefined {
	if (inventory.recipe.dns.shadow_public_zone) return undefined;
	return {name: inventory.recipe.dns.zone, own: [...new Set([...listenAddresses(inventory), inventory.gateway.address, inventory.nameServer.address])]};
}

/**
 * What preflight could not tell, for the operator to know (not a refusal):
 * whether the private zone is public, when no resolver of the host answered,
 * or, in a rehearsal (`rehearsal` true), which asks nobody, when the zone is
 * not under a reserved name and dns.shadow_public_zone is not true: a real run
 * asks and may refuse what the rehearsal went through.
 */
export function preflightNotes(inventory: Inventory, facts: HostFacts, rehearsal = false): string[] {
	const {recipe} = inventory;
	if (rehearsal) {
		if (recipe.dns.shadow_public_zone || isReservedZone(recipe.dns.zone)) return [];
		return [
			`dns.zone: ${quote(recipe.dns.zone)} was not looked up in public DNS (a rehearsal asks no name server); a real run asks this host's resolvers first and refuses a public zone unless dns.shadow_public_zone is true`,
		];
	}
	const asked = facts.publicZone;
	if (!asked || asked.zone !== recipe.dns.zone || recipe.dns.shadow_public_zone || asked.answers.some(answer => 'record' in answer)) return [];
	const silent = asked.answers.flatMap(answer => ('silent' in answer ? [`${answer.server}: ${answer.silent}`] : []));
	const why = silent.length > 0 ? silent.join('; ') : 'this host names no resolver to ask (only loopback or the private name server in /etc/resolv.conf)';
	return [
		`dns.zone: cannot tell whether ${quote(asked.zone)} is a zone in public DNS (${why}); if it is, the private zone hides it from this host's users: prefer a name under internal or home.arpa`,
	];
}

/**
 * The private zone exists in public DNS (the host's resolvers answer its SOA
 * or NS): the private server comes first for the host, so every name under it
 * would be answered from the private zone alone, and the public ones vanish
 * for everyone on the machine. A name under a reserved top-level domain never
 * clashes. A resolver that does not answer tells nothing (preflightNotes says
 * so). The reverse zones are not asked: they are those of RFC 1918 ranges
 * (the private range must be one), which public DNS serves only as AS112's
 * empty zones (RFC 6303, RFC 7534), so a resolver would answer their SOA
 * while the private ones hide nothing anyone else resolves.
 */
function publicZoneProblems(inventory: Inventory, facts: HostFacts): string[] {
	const {recipe} = inventory;
	const asked = facts.publicZone;
	// Facts about another name (the wizard's question, looked up as it was typed) tell nothing of this one.
	if (!asked || asked.zone !== recipe.dns.zone || recipe.dns.shadow_public_zone) return [];
	const found = asked.answers.find((answer): answer is {server: string; record: 'SOA' | 'NS'} => 'record' in answer && answer.record !== null);
	if (!found) return [];
	const zone = asked.zone.replace(/\.$/, '');
	const example = `${zone.split('.')[0]}.internal`;
	return [
		`dns.zone: ${quote(zone)} is a zone in public DNS (its ${found.record} answers from ${found.server}): every *.${zone} name would be hidden from this host's users; use a name under internal or home.arpa (e.g. ${example}), or set dns.shadow_public_zone: true to accept hiding it`,
	];
}

const quote = quoteValue;

/** The public interface must exist; the master netdev must exist or be the bridge the wizard makes. */
function interfaceProblems(inventory: Inventory, facts: HostFacts): string[] {
	const {recipe, cluster} = inventory;
	if (!facts.interfaces) return [];
	const has = `this host has ${facts.interfaces.join(', ')}`;
	const problems: string[] = [];
	const publicInterface = recipeNodeOf(inventory).public_interface;
	if (!facts.interfaces.includes(publicInterface)) {
		problems.push(`${nodeFieldPath(inventory, 'public_interface')}: ${quote(publicInterface)} is not an interface of this host (${has}); name the interface that carries the public address (ip -br addr lists them)`);
	}
	const bridge = recipe.network.bridge.name;
	if (recipe.cluster.master_netdev !== undefined && cluster.masterNetdev !== bridge && !facts.interfaces.includes(cluster.masterNetdev)) {
		problems.push(
			`cluster.master_netdev: ${quote(cluster.masterNetdev)} is not an interface of this host (${has}) nor the bridge the wizard makes (${bridge}); leave it out to put the cluster address on ${bridge}, or name one of those`,
		);
	}
	return problems;
}

/**
 * A vnc_bind_address that names an interface must name one this host has:
 * Ganeti 3.0 hv_kvm binds to an existing interface's first IPv4 address and
 * takes any other name for a Unix socket directory. The recipe check judged
 * its shape (and refused the bridge and the public interface).
 */
function consoleInterfaceProblems(inventory: Inventory, facts: HostFacts): string[] {
	if (!facts.interfaces) return [];
	const interfaces = facts.interfaces;
	return vncBindAddresses(inventory.recipe).flatMap(([field, value]) => {
		if (value === '' || ipaddr.isValid(value) || interfaces.includes(value)) return [];
		return [
			`${field}: ${quote(value)} is not an interface of this host (this host has ${interfaces.join(', ')}); use 127.0.0.1, or leave it out (consoles then listen on 127.0.0.1 of whichever node runs the VM) and reach the console through an SSH tunnel to that node`,
		];
	});
}

/** A stanza for lo:1 or the bridge in a file the wizard does not own: ifupdown would configure it twice. */
function ifupdownProblems(inventory: Inventory, facts: HostFacts): string[] {
	const {recipe} = inventory;
	const problems: string[] = [];
	for (const {path, text} of facts.interfaceFiles) {
		if (path === wizardInterfacesPath) continue;
		for (const name of conflictingInterfaces(text, inventory)) {
			const stanza = `already has a stanza in ${path} (iface ${name}), a file the wizard does not own, and ifupdown would configure ${name} twice`;
			problems.push(
				name === privateAlias
					? `${nodeFieldPath(inventory, 'private_address')}: ${quote(inventory.node.address)} goes on ${privateAlias}, which ${stanza}; remove that stanza from ${path} (the wizard writes ${privateAlias} in ${wizardInterfacesPath})`
					: `network.bridge.name: ${quote(name)} ${stanza}; remove that stanza from ${path} (the wizard writes ${name} in ${wizardInterfacesPath}) or choose another bridge name`,
			);
		}
	}
	return problems;
}

/**
 * The private range is blackholed on this host (lo:1's `up` line): an address
 * the host depends on inside it (a resolver, the default gateway, an address
 * of one of its interfaces) would be cut off, or already means the range is
 * someone else's network.
 */
function privateRangeProblems(inventory: Inventory, facts: HostFacts): string[] {
	const {recipe} = inventory;
	const range = recipe.network.private_range;
	const own = new Set([inventory.node.address, inventory.gateway.address, inventory.cluster.address]);
	// The bridge is the wizard's; a master netdev named in the recipe is the private network it chose.
	const ownInterfaces = new Set([recipe.network.bridge.name, inventory.cluster.masterNetdev]);
	const depended: Array<{address: string; what: string}> = [
		...facts.resolvers.map(({address, file}) => ({address, what: `a name server of this host (${file})`})),
		...(facts.defaultGateways ?? []).map(address => ({address, what: 'the default gateway of this host'})),
		...(facts.addresses ?? []).filter(entry => !ownInterfaces.has(entry.interface)).map(entry => ({address: entry.address, what: `an address of this host's interface ${entry.interface}`})),
	];
	const inside = depended.filter(entry => isIpv4(entry.address) && !own.has(entry.address) && contains(range, entry.address));
	const first = inside[0];
	if (!first) return [];
	const suggestion = freePrivateRanges(depended.filter(entry => isIpv4(entry.address)).map(entry => `${entry.address}/32`), 1)[0];
	return [
		`network.private_range: ${quote(range)} holds ${first.address}, ${first.what}, and the blackhole route the wizard adds for the range would cut the host off from it; choose a range that holds none of the host's addresses${suggestion ? ` (e.g. ${suggestion})` : ''}`,
	];
}

/** The disk the volume group is made on must be a block device of this host (its partition may be the wizard's to make). */
function deviceProblems({recipe}: Inventory, facts: HostFacts): string[] {
	const {disk} = recipe.storage;
	if (!facts.blockDevices || !disk || facts.blockDevices.includes(disk)) return [];
	// Loop, RAM, optical and device-mapper devices are no spare disk to offer.
	const disks = facts.blockDevices.filter(path => !/\/(loop|ram|sr|dm-)\d/.test(path));
	return [`storage.disk: ${quote(disk)} is not a block device of this host (it has ${disks.join(', ') || 'none'}); name one of those (lsblk lists them), or leave storage.disk and storage.partition out to use an existing storage.vg`];
}

/**
 * An installer ISO that is not there: `gnt-instance startup` would fail after
 * the network, DNS and DHCP changed. Only for instances the cluster does not
 * have yet (an installed one boots from its disk; its ISO may be gone).
 */
function isoProblems(inventory: Inventory, facts: HostFacts): string[] {
	return newInstances(inventory, facts).flatMap(({instance, index}) => {
		if (!('iso' in instance.install)) return [];
		const {iso} = instance.install;
		const field = `instances[${index}].install.iso`;
		if (facts.files?.[iso] === false) return [`${field}: ${quote(iso)} does not exist on this host; put the installer ISO there, or give the path of one that exists`];
		// KVM would boot it as a CD all the same, and the guest's firmware find nothing to boot.
		if (facts.isoImages?.[iso] === false) {
			return [
				`${field}: ${quote(iso)} is not an ISO 9660 image (no "${iso9660Identifier.text}" at byte ${iso9660Identifier.offset}, ECMA-119); give the path of an installer CD or DVD image (.iso)`,
			];
		}
		return [];
	});
}

/**
 * Ganeti's default DRBD usermode helper (Ganeti 3.0 constants.DEFAULT_DRBD_HELPER):
 * what `gnt-cluster init` sets when drbd is enabled and no
 * --drbd-usermode-helper is given, as the wizard gives none.
 */
export const defaultDrbdUsermodeHelper = '/bin/true';

/**
 * The drbd disk template needs DRBD's kernel module loaded with the usermode
 * helper the cluster expects. Ganeti reads the module's helper from
 * /sys/module/drbd/parameters/usermode_helper (storage/drbd.py
 * GetUsermodeHelper; a missing file: "check if the module is loaded"):
 * `gnt-cluster init` refuses a helper other than the cluster's ("requiring
 * /bin/true as drbd helper but ... is the current helper", bootstrap.py
 * _InitCheckDrbdHelper), and `gnt-cluster verify` reports it on every node
 * (ENODEDRBDHELPER "wrong drbd usermode helper", cmdlib/cluster/verify.py).
 * The cluster's helper is its config.data's once it exists, else Ganeti's
 * default /bin/true; Ganeti's install guide loads the module so
 * ("options drbd minor_count=128 usermode_helper=/bin/true" in
 * /etc/modprobe.d/drbd.conf). Refused only when drbd is enabled, naming the
 * first new instance on drbd, else cluster.disk_templates.
 */
function drbdProblems(inventory: Inventory, facts: HostFacts): string[] {
	const templates = inventory.recipe.cluster.disk_templates;
	if (!templates.includes('drbd') || !facts.drbd) return [];
	const cluster = ourCluster(inventory, facts);
	// An existing cluster without a helper checks none (verify skips it).
	const expected = cluster ? cluster.drbdUsermodeHelper : defaultDrbdUsermodeHelper;
	if (!expected) return [];
	const onDrbd = newInstances(inventory, facts).find(({instance}) => instance.disk_template === 'drbd');
	const subject = onDrbd ? `instances[${onDrbd.index}].disk_template: "drbd"` : `cluster.disk_templates: ${quote(templates)}`;
	const whose = cluster ? `the cluster's (${cluster.name}, gnt-cluster info shows it)` : "Ganeti's default, which gnt-cluster init sets";
	const other = onDrbd ? 'or use another disk template' : 'or leave drbd out';
	// Added to modprobe's file, never written over it: someone may keep other options there.
	const load = `options drbd usermode_helper=${expected} in /etc/modprobe.d/drbd.conf`;
	if (!facts.drbd.loaded) {
		return [
			`${subject} needs DRBD's kernel module, which this host has not loaded (no ${drbdUsermodeHelperPath}); load it with the usermode helper ${expected}, ${whose} (${load}, then modprobe drbd), ${other}`,
		];
	}
	const {usermodeHelper} = facts.drbd;
	if (usermodeHelper === expected) return [];
	return [
		`${subject} needs DRBD's usermode helper to be ${expected}, ${whose}, but the drbd module has ${quote(usermodeHelper)} (${drbdUsermodeHelperPath}); set it (echo ${expected} >${drbdUsermodeHelperPath}, and ${load} for the next boot), ${other}`,
	];
}

/** A port a daemon the wizard starts or configures needs, and where. */
type NeededPort = {
	protocols: Array<ListeningSocket['protocol']>;
	port: number;
	addresses: string[];
	daemon: string;
	ours: (process: string) => boolean;
	field: string;
	value: unknown;
	/** What to do about the program holding it. */
	fix: (holder: string) => string;
};

/** Addresses that stand for every address of the host (IPv6's also takes IPv4 unless bindv6only is set). */
const everyAddress = new Set(['0.0.0.0', '::', '*']);

/**
 * Ports the wizard's daemons need, held by another program: port 53 on the
 * private name server's addresses (named), UDP 67 for dhcpd (ISC dhcpd binds
 * 0.0.0.0:67 besides its raw sockets, and stops with "Address already in
 * use"), and Ganeti's on the node's private address (ganeti-noded TCP 1811,
 * ganeti-confd UDP 1814, ganeti-mond TCP 1815, ganeti-metad TCP 80). A
 * program on every address holds the port on each of them. named, dhcpd and
 * ganeti-* processes are not counted: someone else's named and dhcpd are
 * judged by the DNS and DHCP steps, and the wizard's own are there on a rerun.
 * Sockets of unknown processes are not counted either.
 */
function portProblems(inventory: Inventory, facts: HostFacts): string[] {
	if (!facts.sockets) return [];
	const {recipe, node} = inventory;
	const ganeti = (process: string) => process.startsWith('ganeti-');
	const nodeAddress = {field: 'host.private_address', value: node.address};
	const needed: NeededPort[] = [
		{
			protocols: ['udp', 'tcp'],
			port: 53,
			addresses: listenAddresses(inventory),
			daemon: 'the private name server (named)',
			ours: process => process === 'named',
			...nodeAddress,
			fix: holder => `stop ${holder}, or make it listen on its own addresses only (dnsmasq: bind-interfaces with listen-address)`,
		},
		...(recipe.dhcp.enabled
			? [
					{
						protocols: ['udp'],
						port: 67,
						addresses: [recipe.network.bridge.address],
						daemon: 'dhcpd',
						ours: (process: string) => process === 'dhcpd',
						field: 'dhcp.enabled',
						value: true,
						fix: (holder: string) => `stop the DHCP server of ${holder} (dnsmasq: remove its dhcp-range lines), or set dhcp.enabled: false`,
					} satisfies NeededPort,
				]
			: []),
		...(
			[
				['tcp', 1811, 'ganeti-noded'],
				['udp', 1814, 'ganeti-confd'],
				['tcp', 1815, 'ganeti-mond'],
				['tcp', 80, 'ganeti-metad'],
			] as const
		).map(
			([protocol, port, daemon]): NeededPort => ({
				protocols: [protocol],
				port,
				addresses: [node.address],
				daemon: `Ganeti's ${daemon}`,
				ours: ganeti,
				...nodeAddress,
				fix: holder => `stop ${holder}, or make it listen on other addresses or another port`,
			}),
		),
	];
	const problems: string[] = [];
	for (const need of needed) {
		const holders = facts.sockets.filter(
			socket => socket.port === need.port && need.protocols.includes(socket.protocol) && socket.process !== null && !need.ours(socket.process) && (everyAddress.has(socket.address) || need.addresses.includes(socket.address)),
		);
		const first = holders[0];
		if (!first) continue;
		const where = [...new Set(holders.map(socket => `${socket.protocol.toUpperCase()} ${socket.address.includes(':') ? `[${socket.address}]` : socket.address}:${socket.port}`))].join(', ');
		problems.push(
			`${need.field}: ${quote(need.value)} needs port ${need.port} for ${need.daemon}, which ${first.process} already holds (${where}); ${need.fix(first.process!)}, then run again`,
		);
	}
	return problems;
}

/** Disks on the volume group: LVM rounds each up to whole extents; drbd adds its metadata volume. */
function volumeGroupNeedMiB(template: string, size: string): number {
	const data = Math.ceil(sizeMiB(size) / extentMiB) * extentMiB;
	return template === 'drbd' ? data + drbdMetaMiB : data;
}

/**
 * An existing volume group under Ganeti's 20 GiB minimum, and new instances'
 * disks that do not fit the group's free space (the free space of an existing
 * group; all of a loop device's group that the host step makes).
 */
function volumeGroupProblems(inventory: Inventory, facts: HostFacts): string[] {
	const {recipe} = inventory;
	if (!needsVolumeGroup(recipe)) return [];
	const vg = recipe.storage.vg;
	const existing = facts.volumeGroups?.find(group => group.name === vg);
	const problems: string[] = [];
	if (facts.volumeGroups && !existing && !physicalVolume(recipe) && !recipe.storage.loop_file) {
		const groups = facts.volumeGroups.map(group => group.name);
		return [
			`storage.vg: ${quote(vg)} is not a volume group of this host (${groups.length ? `it has ${groups.join(', ')}` : 'it has none'}) and no storage.disk, storage.partition or storage.loop_file makes it; name an existing group (vgs lists them), or give a disk for the wizard to make it on`,
		];
	}
	let freeMiB: number | undefined;
	let where = '';
	if (existing) {
		const sizeMiBNow = Math.floor(existing.sizeBytes / 2 ** 20);
		if (sizeMiBNow < minimumVolumeGroupMiB) {
			// A group made earlier on the loop file: a larger loop_size would not grow it.
			const made = recipe.storage.loop_file ? ` (storage.loop_size does not grow a group already made on ${recipe.storage.loop_file})` : '';
			problems.push(
				`storage.vg: ${quote(vg)} has ${sizeMiBNow} MiB, under Ganeti's minimum of 20 GiB (${minimumVolumeGroupMiB} MiB) for plain and drbd disks; extend it (vgextend ${vg} DEVICE)${made}, name a group of 20 GiB or more, or use file disks`,
			);
		}
		freeMiB = Math.floor(existing.freeBytes / 2 ** 20);
		where = `the free space of the volume group ${vg} (${freeMiB} MiB)`;
	} else if (recipe.storage.loop_file && recipe.storage.loop_size) {
		// The group the host step makes on the loop file starts empty.
		freeMiB = volumeGroupMiB(sizeMiB(recipe.storage.loop_size));
		where = `the volume group ${vg} the wizard makes on storage.loop_file (${freeMiB} MiB)`;
	} else {
		const made = plannedDevice(recipe, facts);
		if (made) {
			freeMiB = volumeGroupMiB(made.mib);
			where = `the volume group ${vg} the wizard makes on ${made.field} (${freeMiB} MiB)`;
			if (freeMiB < minimumVolumeGroupMiB) {
				problems.push(
					`${made.field}: ${quote(made.device)} has ${made.mib} MiB${made.field === 'storage.disk' ? ' for its LVM partition' : ''}, so the volume group ${vg} made on it would have ${freeMiB} MiB, under Ganeti's minimum of 20 GiB (${minimumVolumeGroupMiB} MiB) for plain and drbd disks; give a device of 21 GiB or more, an existing storage.vg, or use file disks`,
				);
			}
		}
	}
	if (freeMiB === undefined) return problems;
	let needed = 0;
	for (const {instance, index} of newInstances(inventory, facts)) {
		if (instance.disk_template !== 'plain' && instance.disk_template !== 'drbd') continue;
		const disks: Array<[string, string]> = [[`instances[${index}].disk_size`, instance.disk_size], ...instance.extra_disks.map((size, disk): [string, string] => [`instances[${index}].extra_disks[${disk}]`, size])];
		for (const [field, size] of disks) {
			needed += volumeGroupNeedMiB(instance.disk_template, size);
			if (needed <= freeMiB) continue;
			problems.push(
				`${field}: ${quote(size)} does not fit ${where}: the ${instance.disk_template} disks of the new instances up to this one need ${needed} MiB; use smaller disks, extend the group (vgextend ${vg} DEVICE), or use file disks`,
			);
			return problems;
		}
	}
	return problems;
}

/**
 * The device the host step makes the volume group on, with the MiB LVM gets:
 * a partition as it is (when it is there); else, of the whole disk, the partition parted makes from 1 MiB
 * to the end, less GPT's backup table (33 sectors) there. Undefined when the
 * size is unknown.
 */
function plannedDevice(recipe: Inventory['recipe'], facts: HostFacts): {field: string; device: string; mib: number} | undefined {
	const {partition, disk} = recipe.storage;
	if (partition && facts.deviceBytes[partition] !== undefined) return {field: 'storage.partition', device: partition, mib: Math.floor(facts.deviceBytes[partition]! / 2 ** 20)};
	if (disk && facts.deviceBytes[disk] !== undefined) return {field: 'storage.disk', device: disk, mib: Math.floor((facts.deviceBytes[disk]! - 2 ** 20 - 33 * 512) / 2 ** 20)};
	return undefined;
}

/**
 * Instances of the recipe the cluster does not have yet (what `gnt-instance add` will see), with their index.
 * In a rehearsal (no config.data) the journal's record of those already added stands for the cluster's list.
 */
function newInstances(inventory: Inventory, facts: HostFacts): Array<{instance: InventoryInstance; index: number}> {
	const existing = new Set([...(ourCluster(inventory, facts)?.instances ?? []), ...(facts.journalledInstances ?? [])]);
	return inventory.instances.map((instance, index) => ({instance, index})).filter(({instance}) => !existing.has(instance.fqdn));
}

/** The host's cluster when it is this site's (another one's files are the leftovers check's business). */
function ourCluster(inventory: Inventory, facts: HostFacts) {
	return facts.cluster?.name === inventory.cluster.fqdn ? facts.cluster : null;
}

/** A bound of the policy and what the operator writes for it. */
type Spec = {key: string; field: string; value: number; shown: string; bound: (value: number) => string};

/** MiB as a recipe writes sizes: the largest unit that divides it (32768 -> "32G"). */
function recipeSize(mib: number): string {
	if (mib % (1024 * 1024) === 0) return `${mib / (1024 * 1024)}T`;
	return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

/**
 * Ganeti refuses `gnt-instance add` for an instance outside the cluster's
 * instance policy (ComputeIPolicySpecViolation): memory, vcpus, each disk's
 * size and the number of disks and NICs must lie within one min/max pair, and
 * the disk template must be allowed. The policy is the cluster's when it
 * exists, else the one init sets.
 */
function instancePolicyProblems(inventory: Inventory, facts: HostFacts): string[] {
	const cluster = ourCluster(inventory, facts);
	const policy = cluster?.policy ?? initialInstancePolicy(inventory.recipe);
	const whose = "the cluster's instance policy";
	const origin = cluster ? '' : " (Ganeti's default, which gnt-cluster init sets)";
	const problems: string[] = [];
	for (const {instance, index} of newInstances(inventory, facts)) {
		if (policy.diskTemplates.length > 0 && !policy.diskTemplates.includes(instance.disk_template)) {
			problems.push(`instances[${index}].disk_template: ${quote(instance.disk_template)} is not allowed by ${whose}${origin} (${policy.diskTemplates.join(', ')}); use one of those`);
		}
		const disks = [instance.disk_size, ...instance.extra_disks];
		const specs: Spec[] = [
			{key: 'cpu-count', field: `instances[${index}].vcpus`, value: instance.vcpus, shown: String(instance.vcpus), bound: String},
			{key: 'memory-size', field: `instances[${index}].memory`, value: sizeMiB(instance.memory), shown: `${quote(instance.memory)} (${sizeMiB(instance.memory)} MiB)`, bound: recipeSize},
			{key: 'disk-count', field: `instances[${index}].extra_disks`, value: disks.length, shown: `${quote(instance.extra_disks)} (${disks.length} disks in all)`, bound: count => `${count} disks`},
			...disks.map((size, disk): Spec => ({
				key: 'disk-size',
				field: disk === 0 ? `instances[${index}].disk_size` : `instances[${index}].extra_disks[${disk - 1}]`,
				value: sizeMiB(size),
				shown: `${quote(size)} (${sizeMiB(size)} MiB)`,
				bound: recipeSize,
			})),
			{key: 'nic-count', field: `instances[${index}]`, value: 1, shown: 'one NIC', bound: count => `${count} NICs`},
		];
		const violations = (pair: InstanceSpecBounds) =>
			specs.flatMap(spec => {
				const min = pair.min[spec.key];
				const max = pair.max[spec.key];
				if (max !== undefined && spec.value > max) return [`${spec.field}: ${spec.shown} is above ${whose} maximum of ${spec.bound(max)}${origin}; use at most ${spec.bound(max)}, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`];
				if (min !== undefined && spec.value < min) return [`${spec.field}: ${spec.shown} is below ${whose} minimum of ${spec.bound(min)}${origin}; use at least ${spec.bound(min)}, or widen the policy (gnt-cluster modify --ipolicy-bounds-specs)`];
				return [];
			});
		// Fitting any one pair is enough; otherwise the pair it misses least says what to change.
		const perPair = policy.minmax.map(violations).sort((a, b) => a.length - b.length);
		if (perPair.length > 0 && perPair[0]!.length > 0) problems.push(...perPair[0]!);
	}
	return problems;
}
