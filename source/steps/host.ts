// Host preparation: the packages every later step needs, the LVM volume group
// Ganeti's plain and drbd disks live in (on a blank disk, an existing
// partition, or for a lab a loop device), DRBD's default configuration handed
// over to Ganeti as the seed did, and the file-storage paths Ganeti insists on
// for file disks. Every command is probed first, so a second run does nothing.
import type {Action} from '../actions/action.js';
import type {Inventory} from '../inventory/inventory.js';
import {needsVolumeGroup as usesVolumeGroup} from '../recipe/cross-checks.js';
import type {Recipe} from '../recipe/schema.js';
import {program} from './programs.js';
import type {StepDefinition} from './step.js';

export const drbdConfigPath = '/etc/drbd.conf';
export const drbdAsidePath = '/etc/drbd.conf.old';
export const fileStoragePathsPath = '/etc/ganeti/file-storage-paths';
/** Ganeti's default when a recipe enables sharedfile without saying where. */
const defaultSharedFileStorageDir = '/srv/ganeti/shared-file-storage';
/** The OS definition Ganeti records for an ISO install (never run: --no-install). */
export const defaultIsoOs = 'debootstrap+default';

// LVM prints "File descriptor N leaked" for every descriptor its caller left open.
export const lvmEnv = {LVM_SUPPRESS_FD_WARNINGS: '1'};

/** Whether Ganeti needs a volume group (plain or drbd disks). */
export {needsVolumeGroup as usesVolumeGroup} from '../recipe/cross-checks.js';

/** The OS definition an instance is created with. */
export function instanceOs(install: Recipe['instances'][number]['install']): string {
	return 'iso' in install ? (install.os ?? defaultIsoOs) : install.os;
}

/** Debian packages the wizard's steps use, sorted (as dpkg-query lists them). */
export function requiredPackages(recipe: Recipe): string[] {
	const names = new Set(['ganeti', 'openssh-server', 'git', 'bind9', 'bind9-utils', 'ifupdown', 'bridge-utils']);
	if (recipe.network.nat) names.add('iptables');
	if (recipe.network.routing === 'ospf') names.add('bird2');
	if (recipe.dhcp.enabled) names.add('isc-dhcp-server');
	if (usesVolumeGroup(recipe) || recipe.storage.disk || recipe.storage.partition || recipe.storage.loop_file) names.add('lvm2');
	if (recipe.storage.disk) names.add('parted');
	if (recipe.cluster.disk_templates.includes('drbd')) names.add('drbd-utils');
	if (recipe.cluster.hypervisor === 'kvm') names.add('qemu-system-x86');
	if (recipe.instances.some(instance => instanceOs(instance.install).startsWith('debootstrap'))) names.add('ganeti-instance-debootstrap');
	return [...names].sort();
}

/** The partition the wizard makes on a whole disk: sdb -> sdb1, nvme0n1 -> nvme0n1p1. */
export function firstPartition(disk: string): string {
	if (disk.startsWith('/dev/disk/')) return `${disk}-part1`;
	return /\d$/.test(disk) ? `${disk}p1` : `${disk}1`;
}

/** The device the volume group's physical volume lives on, if the wizard makes it. */
export function physicalVolume(recipe: Recipe): string | undefined {
	const {storage} = recipe;
	if (storage.partition) return storage.partition;
	if (storage.disk) return firstPartition(storage.disk);
	return undefined;
}

/**
 * Directories Ganeti may keep file-based disks in (file-storage-paths): the
 * file directory when file disks are enabled; the shared one whenever the
 * recipe names it (sharedfile needs it; named without sharedfile, the
 * cluster keeps it for when sharedfile is enabled later, and Ganeti 3.0
 * refuses a storage directory that file-storage-paths does not list).
 */
export function fileStorageDirs(recipe: Recipe): {file?: string; shared?: string} {
	const templates = recipe.cluster.disk_templates;
	const dirs: {file?: string; shared?: string} = {};
	if (templates.includes('file')) dirs.file = recipe.storage.file_storage_dir ?? '/srv/ganeti/file-storage';
	const shared = recipe.storage.shared_file_storage_dir ?? (templates.includes('sharedfile') ? defaultSharedFileStorageDir : undefined);
	if (shared) dirs.shared = shared;
	return dirs;
}

/** file-storage-paths with every directory the recipe needs, keeping what is there. */
export function withFileStoragePaths(current: string | null, directories: string[]): string {
	const lines = (current ?? '').split('\n').filter((line, index, all) => !(index === all.length - 1 && line === ''));
	const listed = new Set(lines.map(line => line.trim()));
	for (const directory of directories) if (!listed.has(directory)) lines.push(directory);
	return `${lines.join('\n')}\n`;
}

/** The action id of the package installation: undo reverses it only when asked (--purge-packages). */
export const packagesActionId = 'host.packages';

function packageActions(recipe: Recipe, installed: Record<string, boolean> | null): Action[] {
	const names = requiredPackages(recipe);
	const missing = installed ? names.filter(name => !installed[name]) : undefined;
	return [
		{
			// An apt-get killed mid-way leaves dpkg half done, and every later apt-get refuses to run.
			kind: 'command',
			id: 'host.dpkg-configure',
			title: 'finish any interrupted package installation (dpkg --configure -a)',
			argv: ['dpkg', '--configure', '-a'],
			satisfiedWhen: {argv: ['dpkg', '--audit'], stdoutEmpty: true},
			timeoutMs: 60 * 60_000,
			inverseNote: 'it finishes installations dpkg had begun; the packages themselves are reversed with the installation below',
		},
		{
			kind: 'command',
			id: packagesActionId,
			title: `install ${names.join(', ')}`,
			// Waits for the lock an earlier, interrupted run's apt-get may still hold.
			argv: ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...names],
			satisfiedWhen: {argv: program('packages', ...names)},
			idempotent: true,
			env: {DEBIAN_FRONTEND: 'noninteractive'},
			timeoutMs: 60 * 60_000,
			// Only what was not installed before; what apt pulled in with them is marked automatic (apt-get autoremove).
			...(missing === undefined
				? {inverseNote: 'which packages were installed before is unknown here (no dpkg status)'}
				: missing.length > 0
					? {inverse: ['apt-get', 'purge', '-y', ...missing]}
					: {inverseNote: 'every package was installed before'}),
		},
	];
}

function loopActions(recipe: Recipe): Action[] {
	const {loop_file: file, loop_size: size, vg} = recipe.storage;
	if (!file || !size) return [];
	const directory = file.slice(0, file.lastIndexOf('/')) || '/';
	const onLoop = (...argv: string[]) => program('with-loop-device', file, ...argv);
	return [
		{
			kind: 'command',
			id: 'host.loop-directory',
			title: `create ${directory}`,
			argv: ['mkdir', '-p', directory],
			satisfiedWhen: {exists: directory},
			inverse: ['rmdir', directory],
		},
		{
			kind: 'command',
			id: 'host.loop-file',
			title: `create the ${size} file ${file} (sparse) for a loop device`,
			argv: ['truncate', '-s', size, file],
			satisfiedWhen: {exists: file},
			inverse: ['rm', '-f', file],
		},
		{
			// A loop device does not survive a reboot: this action's probe finds it
			// gone and the next apply attaches it again; LVM then finds the VG on it.
			kind: 'command',
			id: 'host.loop-attach',
			title: `attach ${file} to a loop device`,
			argv: ['losetup', '--find', file],
			inverse: onLoop('losetup', '--detach', '{loop}'),
			satisfiedWhen: {argv: ['losetup', '-j', file, '-n', '-O', 'BACK-FILE'], stdoutIncludes: file},
		},
		{
			kind: 'command',
			id: 'host.pv',
			title: `make the loop device of ${file} an LVM physical volume`,
			argv: onLoop('pvcreate', '{loop}'),
			inverse: onLoop('pvremove', '{loop}'),
			satisfiedWhen: {argv: onLoop('pvs', '{loop}')},
			env: lvmEnv,
		},
		{
			kind: 'command',
			id: 'host.vg',
			title: `create the volume group ${vg} on the loop device of ${file}`,
			argv: onLoop('vgcreate', vg, '{loop}'),
			// Without --force: a VG still holding a volume someone made stays.
			inverse: ['vgremove', vg],
			satisfiedWhen: {argv: ['vgs', vg]},
			env: lvmEnv,
		},
	];
}

function diskActions(recipe: Recipe): Action[] {
	const {disk, vg} = recipe.storage;
	const partition = physicalVolume(recipe);
	if (!partition) return [];
	const actions: Action[] = [];
	// Only the first partition of a blank disk is the wizard's to make; any other must exist (preflight.disk).
	if (disk && partition === firstPartition(disk)) {
		actions.push({
			// preflight.disk made sure the disk is blank unless the partition exists.
			kind: 'command',
			id: 'host.partition',
			title: `partition ${disk}: one LVM partition ${partition} over the whole disk`,
			argv: ['parted', '--script', disk, 'mklabel', 'gpt', 'mkpart', 'lvm', '1MiB', '100%', 'set', '1', 'lvm', 'on'],
			// The disk was blank (preflight.disk): blank again, its partition table erased.
			inverse: ['wipefs', '--all', disk],
			satisfiedWhen: {argv: ['test', '-b', partition]},
		});
	}
	actions.push(
		{
			// Without -f/-y pvcreate refuses a partition that holds a filesystem.
			kind: 'command',
			id: 'host.pv',
			title: `make ${partition} an LVM physical volume`,
			argv: ['pvcreate', partition],
			inverse: ['pvremove', partition],
			satisfiedWhen: {argv: ['pvs', partition]},
			env: lvmEnv,
		},
		{
			kind: 'command',
			id: 'host.vg',
			title: `create the volume group ${vg} on ${partition}`,
			argv: ['vgcreate', vg, partition],
			inverse: ['vgremove', vg],
			satisfiedWhen: {argv: ['vgs', vg]},
			env: lvmEnv,
		},
	);
	return actions;
}

/**
 * The seed's DRBD hand-over: Debian's drbd.conf includes drbd.d/*, which would
 * compete with the resources Ganeti configures itself. Planned when DRBD is (or
 * is about to be) installed; in a rehearsal the host is unknown, so shown too.
 */
function drbdActions(recipe: Recipe, files: Record<string, string | null>): Action[] {
	if (!recipe.drbd.hand_over) return [];
	// Decided from the files, in a rehearsal as for real: no Debian drbd.conf, nothing to hand over.
	const present = files[drbdConfigPath] != null || files[drbdAsidePath] != null;
	if (!present && !recipe.cluster.disk_templates.includes('drbd')) return [];
	return [
		{
			kind: 'command',
			id: 'host.drbd-aside',
			title: `move Debian's ${drbdConfigPath} aside to ${drbdAsidePath}`,
			argv: ['mv', drbdConfigPath, drbdAsidePath],
			inverse: ['mv', drbdAsidePath, drbdConfigPath],
			satisfiedWhen: {exists: drbdAsidePath},
		},
		{
			kind: 'file',
			id: 'host.drbd-config',
			title: `leave ${drbdConfigPath} empty: Ganeti configures DRBD itself`,
			path: drbdConfigPath,
			content: '',
			mode: 0o644,
		},
		{
			kind: 'command',
			id: 'host.drbd-reload',
			title: 'reload DRBD (drbdadm adjust: nothing configured any more)',
			argv: ['service', 'drbd', 'reload'],
			idempotent: true,
			rerunAfter: ['host.drbd-aside', 'host.drbd-config'],
			inverseNote: 'a reload applies the files in place; undo puts Debian\'s drbd.conf back, which DRBD reads at its next reload or start',
		},
	];
}

function fileStorageActions(recipe: Recipe, current: string | null): Action[] {
	const dirs = Object.values(fileStorageDirs(recipe)).filter((dir): dir is string => Boolean(dir));
	if (dirs.length === 0) return [];
	return [
		{
			// Ganeti 3.0 refuses file disks outside the directories listed here.
			kind: 'file',
			id: 'host.file-storage-paths',
			title: `allow file disks in ${[...new Set(dirs)].join(' and ')}`,
			path: fileStoragePathsPath,
			content: withFileStoragePaths(current, [...new Set(dirs)]),
			mode: 0o644,
		},
	];
}

export const hostStep: StepDefinition = {
	id: 'host',
	title: 'Packages, LVM volume group and DRBD hand-over',
	requires: ['preflight'],
	reads: () => [drbdConfigPath, drbdAsidePath, fileStoragePathsPath],
	readsPackages: true,
	plan(inventory: Inventory, facts): Action[] {
		const {recipe} = inventory;
		return [
			...packageActions(recipe, facts.packages),
			...(recipe.storage.loop_file ? loopActions(recipe) : diskActions(recipe)),
			...drbdActions(recipe, facts.files),
			...fileStorageActions(recipe, facts.files[fileStoragePathsPath] ?? null),
		];
	},
};
