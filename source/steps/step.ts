// A step is a pure function from inventory + probed facts to ordered actions.
import type {Action} from '../actions/action.js';
import type {Inventory} from '../inventory/inventory.js';

/**
 * Who writes /etc/resolv.conf: a plain file (the wizard may edit it),
 * systemd-resolved (its stub or its list, usually through a link), or a link
 * to a file some other program writes. `link` is where the link points.
 */
export type ResolverFacts = {manager: 'file' | 'systemd-resolved' | 'other-link'; link: string | null};

/** The IPv4 addresses a named listens on, or why it listens (or may listen) on every one. */
export type ListenAddresses = {addresses: string[]} | {everywhere: string};

/** bind as configured here: Debian's stock (or the wizard's own) configuration, and where it listens. */
export type BindFacts = {stock: boolean; listen: ListenAddresses};

/** What the host looked like when the step was planned. Unknown facts are null. */
export type Facts = {
	/** Current content of every file the step declared in `reads` (null: absent). */
	files: Record<string, string | null>;
	/**
	 * Content at HEAD of the git repository holding each path the step declared
	 * in `readsCommitted` (null: no repository, or not committed).
	 */
	committed: Record<string, string | null>;
	/**
	 * The upstream name servers the host asks now (from /etc/resolv.conf, or
	 * from systemd-resolved's list when resolv.conf is its stub), excluding the
	 * wizard's own and loopback ones.
	 */
	resolvers: string[];
	/** Who writes /etc/resolv.conf. */
	resolver: ResolverFacts;
	/** bind's configuration as found (null: none here). */
	bind: BindFacts | null;
	/** Network interfaces and their IPv4 addresses (null in a rehearsal). */
	interfaces: Array<{name: string; addresses: string[]}> | null;
	/** LVM volume groups (null when unknown). */
	volumeGroups: Array<{name: string; sizeBytes: number; freeBytes: number}> | null;
	/**
	 * Packages dpkg lists as installed, each true (null when unknown): read for
	 * a step with `readsPackages`, from /var/lib/dpkg/status.
	 */
	packages: Record<string, boolean> | null;
	/** Mode and owner of each directory the step declared in `readsDirectories` (null: absent). */
	directories: Record<string, {mode: number; uid: number; gid: number} | null>;
	/**
	 * The Ganeti cluster this node holds, as its config.data says: read for a
	 * step with `readsCluster`; null when there is none (or not read).
	 */
	cluster: ClusterFacts | null;
	/** Last serial the wizard wrote per zone (kept with progress). */
	serials: Record<string, number>;
	/** Clock, for zone serials. */
	now: Date;
};

export type StepDefinition = {
	id: string;
	title: string;
	/** Ids of steps that must be finished first. */
	requires: string[];
	/** Absolute paths whose current content `plan` needs in `facts.files`. */
	reads?: (inventory: Inventory) => string[];
	/** Paths inside git-tracked directories whose committed content `plan` needs. */
	readsCommitted?: (inventory: Inventory) => string[];
	/** Directories whose mode and owner `plan` needs in `facts.directories`. */
	readsDirectories?: (inventory: Inventory) => string[];
	/** Whether `plan` needs the installed packages in `facts.packages`. */
	readsPackages?: boolean;
	/** Whether `plan` needs the cluster's configuration in `facts.cluster`. */
	readsCluster?: boolean;
	plan: (inventory: Inventory, facts: Facts) => Action[];
};

/** Facts for tests and plans of a bare host: nothing there yet. */
export function bareFacts(overrides: Partial<Facts> = {}): Facts {
	return {
		files: {},
		committed: {},
		directories: {},
		serials: {},
		resolvers: [],
		resolver: {manager: 'file', link: null},
		bind: null,
		interfaces: null,
		volumeGroups: null,
		packages: null,
		cluster: null,
		now: new Date('2026-01-01T00:00:00Z'),
		...overrides,
	};
}

/** One min/max pair of a Ganeti instance policy: sizes in MiB (Ganeti's ispecs keys). */
export type InstanceSpecBounds = {min: Record<string, number>; max: Record<string, number>};

/** A Ganeti instance policy, as the cluster keeps it (config.data's cluster.ipolicy). */
export type InstancePolicy = {
	/** An instance must fit one pair entirely (Ganeti 2.9 and later allow several). */
	minmax: InstanceSpecBounds[];
	/** The disk templates instances may use. */
	diskTemplates: string[];
};

/** The Ganeti cluster this host holds, as its configuration says. */
export type ClusterFacts = {
	/** The cluster's FQDN. */
	name: string;
	policy: InstancePolicy;
	/** FQDNs of the instances it has. */
	instances: string[];
	/**
	 * The DRBD usermode helper the cluster expects of every node's drbd module
	 * (config.data's drbd_usermode_helper); null or absent when it sets none.
	 */
	drbdUsermodeHelper?: string | null;
	/**
	 * The cluster's hypervisor parameters (config.data's cluster.hvparams), by
	 * hypervisor, each value as text (true, 8, 127.0.0.1); absent when unknown.
	 */
	hypervisorParameters?: Record<string, Record<string, string>>;
	/**
	 * Each instance's own hypervisor parameters, by FQDN (config.data's
	 * instances' hvparams: only those it sets itself, the rest it takes from
	 * the cluster); absent when unknown.
	 */
	instanceHypervisorParameters?: Record<string, Record<string, string>>;
};

/**
 * What this host is, read before anything changes, to refuse a site it cannot
 * hold (see refusals.ts). Unknown facts are null: a rehearsal knows only the
 * files under its root.
 */
export type HostFacts = {
	/** Names of the network interfaces (/sys/class/net); null when unknown. */
	interfaces: string[] | null;
	/** IPv4 addresses on the interfaces, without prefix (ip -j addr); null when unknown. */
	addresses: Array<{interface: string; address: string}> | null;
	/** IPv4 name servers the host asks, with the file that lists each. */
	resolvers: Array<{address: string; file: string}>;
	/** IPv4 default gateways (/proc/net/route); null when unknown. */
	defaultGateways: string[] | null;
	/** LVM volume groups (vgs); null when unknown. */
	volumeGroups: Array<{name: string; sizeBytes: number; freeBytes: number}> | null;
	/** Sizes in bytes of the block devices asked for, by path (/sys/class/block); absent when unknown. */
	deviceBytes: Record<string, number>;
	/** The cluster in /var/lib/ganeti/config.data; null when there is none. */
	cluster: ClusterFacts | null;
	/**
	 * Instances (FQDNs) the site's journal records as created (journalledInstances):
	 * set for a rehearsal, which has no config.data to list them; absent otherwise.
	 */
	journalledInstances?: string[];
	/** ifupdown files: /etc/network/interfaces and every file in interfaces.d, with their text. */
	interfaceFiles: Array<{path: string; text: string}>;
	/** Block devices as /dev paths (/sys/class/block); null or absent when unknown. */
	blockDevices?: string[] | null;
	/** Whether each file asked for (an installer ISO) exists; a path absent here is unknown. */
	files?: Record<string, boolean>;
	/** Whether each of those files that exists is an ISO 9660 image (isIso9660); a path absent here is unknown. */
	isoImages?: Record<string, boolean>;
	/**
	 * DRBD's kernel module: not loaded, or loaded with its usermode helper
	 * (/sys/module/drbd/parameters/usermode_helper); null or absent when unknown.
	 */
	drbd?: {loaded: false} | {loaded: true; usermodeHelper: string} | null;
	/** Listening TCP and UDP sockets (ss -l); null or absent when unknown. */
	sockets?: ListeningSocket[] | null;
	/**
	 * What the host's resolvers say of the private zone in public DNS
	 * (probePublicZone); null or absent when not asked (a rehearsal, a recipe
	 * that accepts shadowing it, a reserved name).
	 */
	publicZone?: PublicZoneFacts | null;
};

/**
 * One resolver's answer to "is `zone` a zone?" (dig for its SOA, then NS):
 * `record` is the type found at the zone's own name, null when the resolver
 * answered without one (NXDOMAIN, or no SOA nor NS there); `silent` says why
 * it told nothing (no reply within the timeout, SERVFAIL, REFUSED).
 */
export type ZoneAnswer = {server: string; record: 'SOA' | 'NS' | null} | {server: string; silent: string};

/** The private zone as the host's current resolvers see it, one answer per resolver asked. */
export type PublicZoneFacts = {zone: string; answers: ZoneAnswer[]};

/** A listening socket as ss shows it: `address` without brackets or %interface; "0.0.0.0", "::" or "*" is every address. */
export type ListeningSocket = {protocol: 'tcp' | 'udp'; address: string; port: number; process: string | null};
