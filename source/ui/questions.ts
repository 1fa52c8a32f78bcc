// The questions, in order, one field each. Every question has a default from
// what was detected or answered before, so an operator can press Enter through
// a sensible site; answers are checked with the recipe's own rules.
import {firstAddress, inUsedNetwork, type Detected, type DetectedDisk} from '../host/detect.js';
import {fromInt, hostRange, isIpv4Cidr, parseCidr, toInt} from '../inventory/addresses.js';
import {buildInventory} from '../inventory/inventory.js';
import {siteBytes} from '../inventory/mac.js';
import {hypervisors, type Recipe} from '../recipe/schema.js';
import {siteIdentity} from '../site/compare.js';
import {publicZoneQuestion, refusals} from '../steps/refusals.js';
import type {HostFacts} from '../steps/step.js';
import {checkDraft, getPath, problemsAt, setPath, skeletonDraft, type Draft, type FieldPath} from './draft.js';
import {formatBytes} from './text.js';

export type Choice = {value: string; label: string; hint?: string};

export type QuestionContext = {
	draft: Draft;
	detected: Detected;
	/** The answers started from a recipe (its choices, e.g. no VM, are defaults). */
	fromRecipe: boolean;
};

export type Question = {
	id: string;
	/** The recipe field it fills (null: it shapes the draft some other way). */
	path: FieldPath | null;
	/** The fields whose recipe problems this question answers for. */
	checks: FieldPath[];
	/** The fields whose refusals by the host this question answers for (default: `checks`). */
	hostChecks?: FieldPath[];
	/**
	 * Problems of two fields reported at the other one (the recipe names one
	 * field per problem) that this question's answer can cause all the same:
	 * refused here too, with the same line.
	 */
	crossChecks?: RegExp[];
	title: string;
	/** One or two sentences: what the value is for. */
	help: string;
	kind: 'text' | 'choice' | 'disk';
	choices?: (context: QuestionContext) => Choice[];
	/** Values offered with ↑/↓ on a text question. */
	suggestions?: (context: QuestionContext) => string[];
	/** What to propose when neither the operator nor a recipe said anything. */
	fallback: (context: QuestionContext) => string;
	/** The answer's text -> what goes in the recipe (undefined: leave the field out). */
	parse?: (text: string) => unknown;
	format?: (value: unknown) => string;
	/** Shapes the draft itself (questions without a single field). */
	apply?: (draft: Draft, text: string, context: QuestionContext) => void;
	/** A remark on the answer that does not refuse it (e.g. an overlap with a network in use). */
	remark?: (text: string, context: QuestionContext) => string | undefined;
	when?: (draft: Draft) => boolean;
	optional?: boolean;
};

export type Answers = Record<string, string>;

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const optionalText = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());
const str = (draft: Draft, path: FieldPath): string | undefined => {
	const value = getPath(draft, path);
	return typeof value === 'string' ? value : undefined;
};
const hasInstance = (draft: Draft): boolean => Array.isArray(draft.instances) && draft.instances.length > 0;
const instanceOs = (draft: Draft): boolean => typeof getPath(draft, ['instances', 0, 'install', 'os']) === 'string';

/** The `index`-th subnet of a range: /24s of a larger range, halves of a /24 or smaller. */
export function subnetOf(range: string | undefined, index: number): string | undefined {
	if (!range || !isIpv4Cidr(range)) return undefined;
	const {network, prefix} = parseCidr(range);
	const childPrefix = prefix <= 23 ? 24 : prefix + 1;
	if (childPrefix > 30) return undefined;
	const start = toInt(network) + index * 2 ** (32 - childPrefix);
	const candidate = `${fromInt(start)}/${childPrefix}`;
	return isIpv4Cidr(candidate) && start < toInt(network) + 2 ** (32 - prefix) ? candidate : undefined;
}

/** The host address `offset` into a subnet (or its first host when too small). */
export function hostAt(subnet: string | undefined, offset: number): string | undefined {
	if (!subnet || !isIpv4Cidr(subnet)) return undefined;
	const [first, last] = hostRange(subnet);
	const wanted = toInt(parseCidr(subnet).network) + offset;
	return fromInt(wanted >= first && wanted <= last ? wanted : first);
}

/** Where the disk's one LVM partition will be: sdb -> sdb1, nvme0n1 -> nvme0n1p1. */
export function partitionOf(disk: string): string {
	return /\d$/.test(disk) ? `${disk}p1` : `${disk}1`;
}

export function describeDisk(disk: DetectedDisk): string {
	const parts = disk.partitions.map(part => `${part.name} ${formatBytes(part.sizeBytes)}${part.fstype ? ` ${part.fstype}` : ''}${part.mountpoints.length ? ` on ${part.mountpoints.join(',')}` : ''}`);
	return `${formatBytes(disk.sizeBytes)}${parts.length ? `; ${parts.join('; ')}` : ''}${disk.mountpoints.length ? `; mounted on ${disk.mountpoints.join(',')}` : ''}`;
}

/** Why a disk is in use, when its description (partitions, mounts) does not say it already: "; holds ext4 data". */
function inUseBeyond(disk: DetectedDisk): string {
	if (!disk.inUse || /^(mounted on|has \d+ partition)/.test(disk.inUse)) return '';
	return `; ${disk.inUse}`;
}

export const noDisk = 'none';

export const questions: Question[] = [
	{
		id: 'host.hostname',
		path: ['host', 'hostname'],
		checks: [['host', 'hostname']],
		title: 'Host name',
		help: "This host's short name. In the private DNS it becomes <name>.<nodes domain>.<zone>, the name Ganeti knows the node by.",
		kind: 'text',
		fallback: ({detected}) => detected.hostname ?? 'node1',
	},
	{
		id: 'host.public_interface',
		path: ['host', 'public_interface'],
		checks: [['host', 'public_interface']],
		title: 'Public interface',
		help: 'The interface that reaches the outside world. VM traffic is masqueraded out of it (NAT); nothing else about it changes.',
		kind: 'choice',
		choices: ({detected}) =>
			detected.interfaces
				.filter(item => item.kind !== 'loopback')
				.map(item => ({
					value: item.name,
					label: item.name,
					hint: [item.addresses.join(' ') || 'no IPv4 address', item.defaultRoute ? 'default route' : '', item.kind === 'bridge' ? 'bridge' : '', item.up ? '' : 'down']
						.filter(Boolean)
						.join(', '),
				})),
		fallback: ({detected}) => detected.interfaces.find(item => item.defaultRoute)?.name ?? detected.interfaces.find(item => item.kind === 'physical')?.name ?? 'eth0',
	},
	{
		id: 'host.public_address',
		path: ['host', 'public_address'],
		checks: [['host', 'public_address']],
		title: 'Public address',
		help: "The public interface's address, used to show the SSH tunnel to a VM's console. Leave it empty if it changes (DHCP).",
		kind: 'text',
		optional: true,
		parse: optionalText,
		fallback: ({draft, detected}) => firstAddress(detected.interfaces.find(item => item.name === str(draft, ['host', 'public_interface']))) ?? '',
	},
	{
		id: 'network.private_range',
		path: ['network', 'private_range'],
		checks: [['network', 'private_range']],
		title: 'Private range',
		help: 'A private range for the nodes and the VMs, routed nowhere else. It must not overlap a network this host already uses; ↑/↓ offers free ones.',
		kind: 'text',
		suggestions: ({detected}) => detected.freeRanges,
		fallback: ({detected}) => detected.freeRanges[0] ?? '10.10.0.0/16',
		remark: (value, {detected}) => {
			const clash = inUsedNetwork(detected, value.trim());
			return clash ? `${value.trim()} overlaps ${clash}, which this host uses already` : undefined;
		},
	},
	{
		id: 'network.nodes_subnet',
		path: ['network', 'nodes_subnet'],
		checks: [['network', 'nodes_subnet']],
		title: 'Nodes subnet',
		help: 'The subnet of the Ganeti node(s) and the cluster address, inside the private range.',
		kind: 'text',
		fallback: ({draft}) => subnetOf(str(draft, ['network', 'private_range']), 0) ?? '10.10.0.0/24',
	},
	{
		id: 'host.private_address',
		path: ['host', 'private_address'],
		checks: [['host', 'private_address']],
		title: 'Private address',
		help: "This node's address in the nodes subnet. The private name server listens on it too.",
		kind: 'text',
		fallback: ({draft}) => hostAt(str(draft, ['network', 'nodes_subnet']), 20) ?? '10.10.0.20',
	},
	{
		id: 'network.vms_subnet',
		path: ['network', 'vms_subnet'],
		checks: [['network', 'vms_subnet']],
		title: 'VM subnet',
		help: 'The subnet the VMs live in, behind the bridge. DHCP hands out its addresses.',
		kind: 'text',
		fallback: ({draft}) => subnetOf(str(draft, ['network', 'private_range']), 1) ?? '10.10.1.0/24',
	},
	{
		id: 'network.bridge.name',
		path: ['network', 'bridge', 'name'],
		checks: [['network', 'bridge', 'name']],
		// A bridge named like the public interface: cross-checks.ts reports it at the public interface, asked before.
		crossChecks: [/^(host|nodes\[\d+\])\.public_interface: .* is also network\.bridge\.name,/],
		title: 'Bridge name',
		help: "The bridge the VMs' network cards are plugged into.",
		kind: 'text',
		fallback: () => 'br0',
	},
	{
		id: 'network.bridge.address',
		path: ['network', 'bridge', 'address'],
		checks: [['network', 'bridge', 'address']],
		title: 'Bridge address',
		help: "The host's address on the bridge: the VMs' default gateway and name server.",
		kind: 'text',
		fallback: ({draft}) => hostAt(str(draft, ['network', 'vms_subnet']), 1) ?? '10.10.1.1',
	},
	{
		id: 'dns.zone',
		path: ['dns', 'zone'],
		checks: [['dns', 'zone']],
		title: 'Private DNS zone',
		help: 'The private zone served to the nodes and VMs (e.g. internal: nodes become gcc20.node.internal, VMs rodo1.osm.vm.internal). Names outside it are forwarded.',
		kind: 'text',
		fallback: () => 'farm',
	},
	{
		id: 'dns.forwarders',
		path: ['dns', 'forwarders'],
		checks: [['dns', 'forwarders']],
		title: 'DNS forwarders',
		help: "Where names outside the private zone are looked up, comma-separated. Empty: this host's own resolvers, so other users of the machine lose nothing.",
		kind: 'text',
		optional: true,
		parse: value => (value.trim() === '' ? [] : value.split(/[\s,]+/).filter(Boolean)),
		format: value => (Array.isArray(value) ? value.join(', ') : text(value)),
		fallback: () => '',
		remark: (value, {detected}) => (value.trim() === '' && detected.resolvers.length > 0 ? `empty: forwards to ${detected.resolvers.join(', ')} (from /etc/resolv.conf)` : undefined),
	},
	{
		id: 'storage.disk',
		path: null,
		checks: [['storage', 'disk'], ['storage', 'partition']],
		title: 'Disk for the VMs',
		help: 'A whole disk gets one LVM partition for the VMs. Everything on it is lost. Choose "none" to use a volume group that exists already.',
		kind: 'disk',
		choices: ({detected}) => [
			...detected.disks.map(disk => ({value: disk.path, label: disk.path, hint: `${describeDisk(disk)}${inUseBeyond(disk)}`})),
			{value: noDisk, label: 'none', hint: detected.volumeGroups.length ? `use an existing volume group (${detected.volumeGroups.map(vg => vg.name).join(', ')})` : 'use an existing volume group'},
		],
		format: () => '',
		fallback: ({draft, detected}) => str(draft, ['storage', 'disk']) ?? (detected.disks.find(disk => !disk.inUse)?.path ?? noDisk),
		apply: (draft, value) => {
			const disk = value.trim();
			if (disk === '' || disk === noDisk) {
				setPath(draft, ['storage', 'disk'], undefined);
				setPath(draft, ['storage', 'partition'], undefined);
				return;
			}
			const keepPartition = str(draft, ['storage', 'disk']) === disk && str(draft, ['storage', 'partition']);
			setPath(draft, ['storage', 'disk'], disk);
			if (!keepPartition) setPath(draft, ['storage', 'partition'], partitionOf(disk));
		},
	},
	{
		id: 'storage.vg',
		path: ['storage', 'vg'],
		checks: [['storage', 'vg']],
		title: 'Volume group',
		help: 'The LVM volume group for VM disks: created on the disk chosen before, or an existing one. LVM names it: letters, digits and "+_.-", e.g. vg_data.',
		kind: 'text',
		suggestions: ({detected}) => detected.volumeGroups.map(vg => vg.name),
		fallback: ({draft, detected}) => (str(draft, ['storage', 'disk']) ? 'ganeti' : (detected.volumeGroups[0]?.name ?? 'ganeti')),
	},
	{
		id: 'cluster.name',
		path: ['cluster', 'name'],
		checks: [['cluster', 'name']],
		title: 'Cluster name',
		help: "The cluster's name in the nodes domain. Ganeti adds its address to the master's bridge.",
		kind: 'text',
		fallback: () => 'cluster',
	},
	{
		id: 'cluster.address',
		path: ['cluster', 'address'],
		checks: [['cluster', 'address']],
		title: 'Cluster address',
		help: 'An unused address in the nodes subnet; Ganeti moves it to the master node.',
		kind: 'text',
		fallback: ({draft}) => hostAt(str(draft, ['network', 'nodes_subnet']), 10) ?? '10.10.0.10',
	},
	{
		id: 'cluster.hypervisor',
		path: ['cluster', 'hypervisor'],
		checks: [['cluster', 'hypervisor']],
		title: 'Hypervisor',
		help: 'What runs the VMs. kvm on real hardware; fake only for tests.',
		kind: 'choice',
		choices: () => hypervisors.map(name => ({value: name, label: name, hint: name === 'kvm' ? 'recommended' : name === 'fake' ? 'tests only: no real VMs' : ''})),
		fallback: () => 'kvm',
	},
	{
		id: 'vm',
		path: null,
		checks: [['instances']],
		// The VM's own questions follow: its ISO, size and the instance policy are judged there.
		hostChecks: [],
		title: 'First VM',
		help: 'Create a virtual machine at the end? More can be added to the recipe later.',
		kind: 'choice',
		choices: () => [
			{value: 'yes', label: 'yes', hint: 'ask for its name, size and install medium'},
			{value: 'no', label: 'no', hint: 'set up the cluster only'},
		],
		format: () => '',
		fallback: ({draft, fromRecipe}) => (fromRecipe && !hasInstance(draft) ? 'no' : 'yes'),
		apply: (draft, value) => {
			if (value === 'no') {
				draft.instances = [];
				return;
			}
			if (!hasInstance(draft)) {
				const templates = getPath(draft, ['cluster', 'disk_templates']);
				const template = Array.isArray(templates) && typeof templates[0] === 'string' ? templates[0] : 'plain';
				draft.instances = [{name: 'vm1', disk_template: template, disk_size: '10G', memory: '512M', vcpus: 1, install: {iso: '/srv/ganeti/debian.iso'}}];
			}
		},
	},
	{
		id: 'vm.name',
		path: ['instances', 0, 'name'],
		checks: [['instances', 0, 'name']],
		title: 'VM name',
		help: 'Its name in the VM domain (e.g. rodo1.osm becomes rodo1.osm.vm.<zone>).',
		kind: 'text',
		when: hasInstance,
		fallback: () => 'vm1',
	},
	{
		id: 'vm.disk_size',
		path: ['instances', 0, 'disk_size'],
		checks: [['instances', 0, 'disk_size']],
		title: 'VM disk size',
		help: 'Its system disk: a whole number and M, G or T.',
		kind: 'text',
		when: hasInstance,
		fallback: () => '10G',
	},
	{
		id: 'vm.memory',
		path: ['instances', 0, 'memory'],
		checks: [['instances', 0, 'memory']],
		title: 'VM memory',
		help: 'Its memory: a whole number and M or G.',
		kind: 'text',
		when: hasInstance,
		fallback: () => '512M',
	},
	{
		id: 'vm.vcpus',
		path: ['instances', 0, 'vcpus'],
		checks: [['instances', 0, 'vcpus']],
		title: 'VM vcpus',
		help: 'How many virtual CPUs.',
		kind: 'text',
		when: hasInstance,
		// Digits become a number; anything else stays text so the refusal names it.
		parse: value => (/^\d+$/.test(value.trim()) ? Number(value.trim()) : value),
		fallback: () => '1',
	},
	{
		id: 'vm.install',
		path: null,
		checks: [['instances', 0, 'install']],
		// The ISO's path is the next question's: judged there, not with its default here.
		hostChecks: [],
		title: 'VM install medium',
		help: 'An installer ISO, used over the VNC console (the wizard waits while you install), or a Ganeti OS definition (unattended).',
		kind: 'choice',
		when: hasInstance,
		choices: () => [
			{value: 'iso', label: 'ISO image', hint: 'install by hand over VNC'},
			{value: 'os', label: 'OS definition', hint: 'e.g. debootstrap+default'},
		],
		format: () => '',
		fallback: ({draft}) => (instanceOs(draft) ? 'os' : 'iso'),
		apply: (draft, value) => {
			const wantOs = value === 'os';
			if (wantOs === instanceOs(draft) && getPath(draft, ['instances', 0, 'install'])) return;
			setPath(draft, ['instances', 0, 'install'], wantOs ? {os: 'debootstrap+default'} : {iso: '/srv/ganeti/debian.iso'});
		},
	},
	{
		id: 'vm.iso',
		path: ['instances', 0, 'install', 'iso'],
		checks: [['instances', 0, 'install']],
		title: 'VM installer ISO',
		help: 'The path of the installer ISO on this host.',
		kind: 'text',
		when: draft => hasInstance(draft) && !instanceOs(draft),
		fallback: () => '/srv/ganeti/debian.iso',
	},
	{
		id: 'vm.os',
		path: ['instances', 0, 'install', 'os'],
		checks: [['instances', 0, 'install']],
		title: 'VM OS definition',
		help: 'A Ganeti OS definition and variant, as `gnt-os list` shows them.',
		kind: 'text',
		when: draft => hasInstance(draft) && instanceOs(draft),
		fallback: () => 'debootstrap+default',
	},
];

export type Wizard = {
	/** The draft before any question: a recipe's values, or the skeleton. */
	base: Draft;
	fromRecipe: boolean;
	answers: Answers;
	detected: Detected;
};

export function newWizard(prefill: Draft | null, detected: Detected, answers: Answers = {}): Wizard {
	return {base: prefill ? (JSON.parse(JSON.stringify(prefill)) as Draft) : skeletonDraft(), fromRecipe: prefill !== null, answers, detected};
}

/** The text a question starts with: the operator's answer, else the recipe's value, else the fallback. */
export function startingText(question: Question, context: QuestionContext, answers: Answers): string {
	const answered = answers[question.id];
	if (answered !== undefined) return answered;
	if (question.path) {
		const value = getPath(context.draft, question.path);
		if (value !== undefined) return question.format ? question.format(value) : text(value);
	}
	return question.fallback(context);
}

/**
 * Plays every question in order over the base draft: answered ones with their
 * answer, the rest with their starting text. `override` puts one question's
 * text in (the one being typed). Stops before `until` when given.
 */
export function playAnswers(wizard: Wizard, options: {override?: {id: string; text: string}; until?: string} = {}): Draft {
	const draft = JSON.parse(JSON.stringify(wizard.base)) as Draft;
	const context: QuestionContext = {draft, detected: wizard.detected, fromRecipe: wizard.fromRecipe};
	for (const question of questions) {
		if (question.id === options.until) break;
		if (question.when && !question.when(draft)) continue;
		const value = options.override?.id === question.id ? options.override.text : startingText(question, context, wizard.answers);
		if (question.apply) question.apply(draft, value, context);
		else if (question.path) setPath(draft, question.path, question.parse ? question.parse(value) : value);
	}
	return draft;
}

/** The questions that apply to this draft, in order. */
export function visibleQuestions(draft: Draft): Question[] {
	return questions.filter(question => !question.when || question.when(draft));
}

export type Verdict = {refusal: string | null; remark: string | undefined};

/**
 * Why `value` is refused for this question (null: accepted): by the recipe's
 * own rules, then by the refusals preflight makes against the host's facts
 * (the volume group, the disk, the ISO, the interfaces), each the same one line.
 */
export function judge(wizard: Wizard, question: Question, value: string): Verdict {
	const draft = playAnswers(wizard, {override: {id: question.id, text: value}});
	const checked = checkDraft(draft);
	const problems = [...problemsAt(checked.problems, question.checks), ...checked.problems.filter(problem => question.crossChecks?.some(pattern => pattern.test(problem)))];
	const host = wizard.detected.host;
	if (problems.length === 0 && checked.recipe && host) problems.push(...problemsAt(hostRefusals(checked.recipe, host.facts), question.hostChecks ?? question.checks));
	return {refusal: problems[0] ?? null, remark: question.remark?.(value, {draft, detected: wizard.detected, fromRecipe: wizard.fromRecipe})};
}

/**
 * Preflight's refusals of a recipe on this host, with the values the site
 * would generate. Ports another program holds are left out: no answer frees
 * them, and the program may be stopped while the questions go on (preflight
 * refuses them when the run starts, from facts probed then).
 */
function hostRefusals(recipe: Recipe, facts: HostFacts): string[] {
	return refusals(buildInventory(recipe, {macs: {}, addresses: {}}, siteBytes(siteIdentity(recipe))).inventory, {...facts, sockets: null});
}

/**
 * Finds out what judging `value` needs to know of the host that the facts do
 * not hold yet: whether the ISO files it names exist and are ISO 9660 images
 * (a missing or unfit one is asked about each time, as the operator may be
 * copying it there), and, at the zone's question, whether the host's
 * resolvers know the zone in public DNS. Undefined when there is nothing to
 * ask: the answer can be judged at once. Judge after the promise settles.
 */
export function lookUp(wizard: Wizard, question: Question, value: string): Promise<void> | undefined {
	const host = wizard.detected.host;
	if (!host) return undefined;
	const draft = playAnswers(wizard, {override: {id: question.id, text: value}});
	const instances = Array.isArray(draft.instances) ? (draft.instances as Array<{install?: {iso?: unknown}}>) : [];
	// Only what this question's refusals need: other questions are not held up.
	const judgedHere = (field: string) => problemsAt([`${field}: `], question.hostChecks ?? question.checks).length > 0;
	const unknown = instances
		.map((instance, index) => (judgedHere(`instances[${index}].install.iso`) ? instance?.install?.iso : undefined))
		.filter((iso): iso is string => typeof iso === 'string' && iso.startsWith('/') && (host.facts.files?.[iso] !== true || host.facts.isoImages?.[iso] === false));
	const asking = unknown.map(path => host.look(path));
	const recipe = host.lookZone && judgedHere('dns.zone') ? checkDraft(draft).recipe : null;
	const zone = recipe ? publicZoneQuestion(buildInventory(recipe, {macs: {}, addresses: {}}, siteBytes(siteIdentity(recipe))).inventory) : undefined;
	if (zone && host.facts.publicZone?.zone !== zone.name) asking.push(host.lookZone!(zone));
	if (asking.length === 0) return undefined;
	return Promise.all(asking).then(() => {});
}

/** The draft as it stands before `question`: what its defaults and choices come from. */
export function contextFor(wizard: Wizard, question: Question): QuestionContext {
	return {draft: playAnswers(wizard, {until: question.id}), detected: wizard.detected, fromRecipe: wizard.fromRecipe};
}

export function questionText(wizard: Wizard, question: Question): string {
	return startingText(question, contextFor(wizard, question), wizard.answers);
}
