// The questions of `vm add`, defined once: asked in line mode (vm add on a
// terminal, and "add a VM" in --plain) and in the full-screen wizard ("add a
// VM" on a finished site). Each answer is judged at its question by the same
// checks the flags get (the site reaches them through VmSite), so the
// refusal is the same one line, naming the flag.
import type {Prompter} from './plain.js';

/** The values vm add takes, as its flags give them (strings, unchecked). */
export type VmValues = {
	memory?: string;
	vcpus?: string;
	disk?: string;
	diskTemplate?: string;
	iso?: string;
	os?: string;
	extraDisk?: string[];
	address?: string;
	mac?: string;
};

/** What the questions need of the saved site; the CLI provides it. */
export type VmSite = {
	/** The VMs' domain (e.g. vm.farm): NAME becomes NAME.<domain>. */
	domain: string;
	/** The cluster's disk templates, the default first. */
	diskTemplates: string[];
	/** The site's VMs, by name. */
	names: string[];
	/**
	 * Every refusal vm add would make of NAME with these values, one line each
	 * naming its flag ("--memory: ..."), or NAME for the name; none when it
	 * would go ahead. Read-only.
	 */
	refusals: (name: string, values: VmValues) => Promise<string[]>;
};

export type VmAnswers = {
	name?: string;
	install?: string;
	iso?: string;
	os?: string;
	memory?: string;
	vcpus?: string;
	disk?: string;
	diskTemplate?: string;
	extraDisk?: string;
};

export type VmQuestion = {
	id: keyof VmAnswers;
	/** How the refusals name this answer: the flag that gives it. */
	flag: string;
	title: string;
	help: (site: VmSite) => string;
	choices?: (site: VmSite) => Array<{value: string; label: string; hint?: string}>;
	/** What is proposed when nothing was answered. */
	fallback: (site: VmSite) => string;
	when?: (answers: VmAnswers) => boolean;
};

const sizes = 'a whole number and M, G or T';

/** vm add's questions in the order they are asked; NAME only when the command line did not give it. */
export const vmQuestions: VmQuestion[] = [
	{
		id: 'name',
		flag: 'NAME',
		title: 'VM name',
		help: site => `Its name in the VM domain (web1 becomes web1.${site.domain}).`,
		fallback: site => {
			for (let index = site.names.length + 1; ; index++) if (!site.names.includes(`vm${index}`)) return `vm${index}`;
		},
	},
	{
		id: 'install',
		flag: '--iso/--os',
		title: 'Install medium',
		help: () => 'An installer ISO, used over the VNC console (the wizard waits while you install), or a Ganeti OS definition (unattended).',
		choices: () => [
			{value: 'iso', label: 'ISO image', hint: 'install by hand over VNC (--iso)'},
			{value: 'os', label: 'OS definition', hint: 'e.g. debootstrap+default (--os)'},
		],
		fallback: () => 'iso',
	},
	{
		id: 'iso',
		flag: '--iso',
		title: 'Installer ISO',
		help: () => 'The path of the installer ISO on the node.',
		fallback: () => '/srv/ganeti/debian.iso',
		when: answers => answers.install !== 'os',
	},
	{
		id: 'os',
		flag: '--os',
		title: 'OS definition',
		help: () => 'A Ganeti OS definition and variant, as `gnt-os list` shows them.',
		fallback: () => 'debootstrap+default',
		when: answers => answers.install === 'os',
	},
	{id: 'memory', flag: '--memory', title: 'Memory', help: () => 'Its memory: a whole number and M or G.', fallback: () => '512M'},
	{id: 'vcpus', flag: '--vcpus', title: 'vcpus', help: () => 'How many virtual CPUs.', fallback: () => '1'},
	{id: 'disk', flag: '--disk', title: 'Disk size', help: () => `Its system disk: ${sizes}.`, fallback: () => '10G'},
	{
		id: 'diskTemplate',
		flag: '--disk-template',
		title: 'Disk template',
		help: () => "Where its disks live, among the cluster's disk templates (Ganeti's terms).",
		choices: site => site.diskTemplates.map(template => ({value: template, label: template})),
		fallback: site => site.diskTemplates[0] ?? 'plain',
	},
	{
		id: 'extraDisk',
		flag: '--extra-disk',
		title: 'Extra disks',
		help: () => `Data disks attached after the install, sizes separated by commas (${sizes}); empty: none.`,
		fallback: () => '',
	},
];

/** What `?` shows at vm add's questions in line mode, before the question is asked again. */
export const vmHelp: string[] = [
	'',
	'Help',
	"vm add asks what its flags leave out. Each answer is checked as vm add checks its flag; a refused one shows why and is asked again.",
	'The line above each question says what its value is for. Enter accepts the value shown (a default in brackets); in a list, ↑ ↓ move and Enter chooses.',
	'In a field: Backspace or Ctrl-H a character, Ctrl-W a word, Ctrl-U all before the cursor.',
	'This help comes with ? at every question.',
	'Ctrl-C quits: nothing changes before you apply the plan shown after the questions.',
	'',
];

/** The answers already given by vm add's flags (their questions are not asked). */
export function answersFromFlags(values: VmValues): VmAnswers {
	const answers: VmAnswers = {};
	if (values.iso !== undefined) Object.assign(answers, {install: 'iso', iso: values.iso});
	else if (values.os !== undefined) Object.assign(answers, {install: 'os', os: values.os});
	if (values.memory !== undefined) answers.memory = values.memory;
	if (values.vcpus !== undefined) answers.vcpus = values.vcpus;
	if (values.disk !== undefined) answers.disk = values.disk;
	if (values.diskTemplate !== undefined) answers.diskTemplate = values.diskTemplate;
	if (values.extraDisk !== undefined) answers.extraDisk = values.extraDisk.join(', ');
	return answers;
}

/** The values vm add is given for these answers; an unanswered question counts as its proposal. */
export function valuesOf(site: VmSite, answers: VmAnswers, given: VmValues = {}): VmValues {
	const value = (id: keyof VmAnswers) => answers[id] ?? vmQuestions.find(question => question.id === id)!.fallback(site);
	const install = value('install');
	const extra = value('extraDisk')
		.split(/[\s,]+/)
		.filter(Boolean);
	return {
		...given,
		...(install === 'os' ? {os: value('os'), iso: undefined} : {iso: value('iso'), os: undefined}),
		memory: value('memory'),
		vcpus: value('vcpus'),
		disk: value('disk'),
		diskTemplate: value('diskTemplate'),
		extraDisk: extra,
	};
}

/** The questions still to ask, in order: those the answers leave open and that apply to them. */
export function openQuestions(answers: VmAnswers, asked: ReadonlyArray<keyof VmAnswers> = []): VmQuestion[] {
	return vmQuestions.filter(question => (answers[question.id] === undefined || asked.includes(question.id)) && (!question.when || question.when(answers)));
}

/**
 * Why `value` is refused at `question` (null: accepted): vm add's own
 * refusals of the answers so far, the rest as proposed, that name this
 * question's flag and no flag of a question still to come. At the last question, a refusal that names no question's
 * flag (a rule of the whole VM) is shown too, so it is met before the plan.
 */
export async function judgeVm(site: VmSite, name: string, answers: VmAnswers, question: VmQuestion, value: string, last: boolean, given: VmValues = {}): Promise<string | null> {
	const next = {...answers, [question.id]: value.trim()};
	const lines = await site.refusals(question.id === 'name' ? value.trim() : name, valuesOf(site, next, given));
	const names = (asking: VmQuestion, line: string) => asking.flag.split('/').some(flag => line.startsWith(`${flag}:`));
	// A later question's field is only proposed so far: its refusal waits for that question
	// (the install medium's "ISO image" is not judged on the ISO path not yet asked).
	const later = vmQuestions.filter(other => other.id !== question.id && answers[other.id] === undefined);
	const mine = (line: string) => names(question, line) && !later.some(other => names(other, line));
	const anyone = (line: string) => vmQuestions.some(other => names(other, line)) || /^--(address|mac):/.test(line);
	return lines.find(mine) ?? (last ? lines.find(line => !anyone(line)) : undefined) ?? null;
}

/**
 * Asks, in line mode, every question the answers leave open (NAME too when
 * it is not given), each answer judged at its question: a refused one is
 * shown as its line and asked again. Ctrl-C rejects with inquirer's
 * ExitPromptError. Returns the name and the values for vm add.
 */
export async function askVmLines(prompter: Prompter, site: VmSite, given: {name?: string; values: VmValues}, write: (line: string) => void): Promise<{name: string; values: VmValues}> {
	const answers: VmAnswers = {...answersFromFlags(given.values), ...(given.name !== undefined ? {name: given.name} : {})};
	for (;;) {
		const open = openQuestions(answers);
		const question = open[0];
		if (!question) break;
		const last = open.length === 1;
		write(question.help(site));
		const judge = async (value: string) => (await judgeVm(site, answers.name ?? '', answers, question, value, last, given.values)) ?? true;
		const choices = question.choices?.(site);
		if (choices) {
			for (;;) {
				const answer = await prompter.select(question.title, choices.map(choice => ({value: choice.value, name: choice.label, ...(choice.hint ? {description: choice.hint} : {})})), question.fallback(site));
				const verdict = await judge(answer);
				if (verdict === true) {
					answers[question.id] = answer;
					break;
				}
				write(verdict);
			}
		} else {
			answers[question.id] = (await prompter.text(question.title, {default: question.fallback(site), validate: judge})).trim();
		}
	}
	return {name: answers.name!, values: valuesOf(site, answers, given.values)};
}
