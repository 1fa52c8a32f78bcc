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
	/** Whether each package the steps need is installed (null when unknown). */
	packages: Record<string, boolean> | null;
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
	plan: (inventory: Inventory, facts: Facts) => Action[];
};

/** Facts for tests and plans of a bare host: nothing there yet. */
export function bareFacts(overrides: Partial<Facts> = {}): Facts {
	return {
		files: {},
		committed: {},
		serials: {},
		resolvers: [],
		resolver: {manager: 'file', link: null},
		bind: null,
		interfaces: null,
		volumeGroups: null,
		packages: null,
		now: new Date('2026-01-01T00:00:00Z'),
		...overrides,
	};
}
