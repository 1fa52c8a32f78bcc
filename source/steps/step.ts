// A step is a pure function from inventory + probed facts to ordered actions.
import type {Action} from '../actions/action.js';
import type {Inventory} from '../inventory/inventory.js';

/** What the host looked like when the step was planned. Unknown facts are null. */
export type Facts = {
	/** Current content of every file the step declared in `reads` (null: absent). */
	files: Record<string, string | null>;
	/**
	 * Content at HEAD of the git repository holding each path the step declared
	 * in `readsCommitted` (null: no repository, or not committed).
	 */
	committed: Record<string, string | null>;
	/** Name servers from /etc/resolv.conf, excluding the wizard's own. */
	resolvers: string[];
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
		interfaces: null,
		volumeGroups: null,
		packages: null,
		now: new Date('2026-01-01T00:00:00Z'),
		...overrides,
	};
}
