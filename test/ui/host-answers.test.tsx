// Answers checked against the host at their question: the volume group, the
// disk, the ISO and the interface meet the refusals preflight makes, with the
// host's facts probed from a rehearsal root laid out like a host (vgs cannot
// run on a folder: its groups are given). A refused answer is asked again
// with its one line; the same value given in a recipe is refused by plan.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {render} from 'ink-testing-library';
import type {Detected} from '../../source/host/detect.js';
import {probeFile, probeHostFacts} from '../../source/host/facts.js';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {judge, lookUp, newWizard, questions, type Answers} from '../../source/ui/questions.js';
import {QuestionScreen} from '../../source/ui/screens/QuestionScreen.js';
import {detectedHost} from './support/detected.js';
import {keys, nextCall, press, tick, type, waitFor} from './support/ink.js';

let root: string;
let detected: Detected;

before(async () => {
	root = await mkdtemp(join(tmpdir(), 'gw-host-answers-'));
	for (const path of ['sys/class/net/lo', 'sys/class/net/eno1', 'sys/class/block/sda', 'sys/class/block/sda1', 'sys/class/block/sdb']) await mkdir(join(root, path), {recursive: true});
	await mkdir(join(root, 'srv/iso'), {recursive: true});
	await writeFile(join(root, 'srv/iso/debian-12.iso'), 'an installer image\n');
	const site = localHost({root, stateDir: join(root, '..', 'no-state'), transcript: new Transcript(undefined)});
	const facts = {...(await probeHostFacts(site)), volumeGroups: [{name: 'vg0', sizeBytes: 100 * 2 ** 30, freeBytes: 50 * 2 ** 30}]};
	const look = async (path: string) => {
		const exists = await probeFile(site, path);
		if (exists !== undefined) facts.files = {...facts.files, [path]: exists};
	};
	detected = {...detectedHost({volumeGroups: facts.volumeGroups}), host: {facts, look}};
});
after(async () => {
	await rm(root, {recursive: true, force: true});
});

const question = (id: string) => questions.find(entry => entry.id === id)!;

/** Types `bad` into the question: its one line shows and Enter does not pass; then `good` passes. */
async function refusedThenAccepted(id: string, answers: Answers, bad: string, line: string, good: string): Promise<void> {
	const wizard = newWizard(null, detected, answers);
	const answered = nextCall<string>();
	const screen = render(<QuestionScreen wizard={wizard} question={question(id)} position={1} total={20} onAnswer={answered.callback} />);
	try {
		await waitFor(screen.lastFrame, '❯');
		await press(screen.stdin, keys.end, keys.clear);
		await type(screen.stdin, bad);
		await waitFor(screen.lastFrame, `✗ ${line}`);
		await press(screen.stdin, keys.enter);
		await tick(50);
		assert.equal(answered.calls.length, 0, 'Enter does not accept a value the host refuses');
		await press(screen.stdin, keys.clear);
		await type(screen.stdin, good);
		await waitFor(screen.lastFrame, '✓ ok');
		await press(screen.stdin, keys.enter);
		assert.equal(await answered.value, good);
	} finally {
		screen.unmount();
	}
}

test('storage.vg with no disk chosen: a group the host lacks is refused naming the groups it has; vg0 passes', async () => {
	await refusedThenAccepted(
		'storage.vg',
		{'storage.disk': 'none'},
		'vg_data',
		'storage.vg: "vg_data" is not a volume group of this host (it has vg0) and no storage.disk, storage.partition or storage.loop_file makes it; name an existing group (vgs lists them), or give a disk for the wizard to make it on',
		'vg0',
	);
	// With a disk to make it on, any name LVM allows is fine.
	assert.equal(judge(newWizard(null, detected), question('storage.vg'), 'vg_data').refusal, null);
});

test('vm.iso: a path that is not on the host is refused at the question; one that is passes', async () => {
	await refusedThenAccepted(
		'vm.iso',
		{},
		'/srv/iso/debian-11.iso',
		'instances[0].install.iso: "/srv/iso/debian-11.iso" does not exist on this host; put the installer ISO there, or give the path of one that exists',
		'/srv/iso/debian-12.iso',
	);
});

test('host.public_interface typed by hand: an interface the host lacks is refused naming those it has', async () => {
	const wizard = newWizard(null, detected);
	assert.equal(
		judge(wizard, question('host.public_interface'), 'eth9').refusal,
		'host.public_interface: "eth9" is not an interface of this host (this host has eno1, lo); name the interface that carries the public address (ip -br addr lists them)',
	);
	assert.equal(judge(wizard, question('host.public_interface'), 'eno1').refusal, null);
});

test('storage.disk: a recipe\'s disk the host lacks is refused at the list, naming the block devices it has', async () => {
	const wizard = newWizard({...newWizard(null, detected).base, storage: {disk: '/dev/sdx', partition: '/dev/sdx1', vg: 'all'}}, detected);
	const answered = nextCall<string>();
	const screen = render(<QuestionScreen wizard={wizard} question={question('storage.disk')} position={1} total={20} onAnswer={answered.callback} />);
	try {
		await waitFor(screen.lastFrame, '❯ /dev/sdx');
		await press(screen.stdin, keys.enter);
		await waitFor(screen.lastFrame, '✗ storage.disk: "/dev/sdx" is not a block device of this host (it has /dev/sda, /dev/sda1, /dev/sdb)');
		assert.equal(answered.calls.length, 0);
		// Below it: /dev/sda (in use), then the free /dev/sdb.
		await press(screen.stdin, keys.down, keys.down);
		await waitFor(screen.lastFrame, '❯ /dev/sdb');
		await press(screen.stdin, keys.enter);
		assert.equal(await answered.value, '/dev/sdb');
	} finally {
		screen.unmount();
	}
});

test('the install medium and the first-VM questions leave the ISO to its own question', () => {
	const missingDefault = {...detected, host: {...detected.host!, facts: {...detected.host!.facts, files: {'/srv/ganeti/debian.iso': false}}}};
	const wizard = newWizard(null, missingDefault);
	assert.equal(judge(wizard, question('vm'), 'yes').refusal, null);
	assert.equal(judge(wizard, question('vm.install'), 'iso').refusal, null);
	assert.match(judge(wizard, question('vm.iso'), '/srv/ganeti/debian.iso').refusal ?? '', /^instances\[0\]\.install\.iso: /);
});

test('a port another program holds is left to preflight: no answer frees it', () => {
	const sockets = [{protocol: 'udp' as const, address: '0.0.0.0', port: 53, process: 'dnsmasq'}];
	const busy = {...detected, host: {...detected.host!, facts: {...detected.host!.facts, sockets}}};
	assert.equal(judge(newWizard(null, busy), question('host.private_address'), '10.10.0.20').refusal, null);
});

test('dns.zone: a zone the host\'s resolvers know in public DNS is refused at its question, each name asked about once; a name under internal passes', async () => {
	const facts = {...detected.host!.facts};
	const asked: Array<{name: string; own: string[]}> = [];
	// The host's resolver as probePublicZone reports it: farm has an SOA there, other names none.
	const lookZone = async (zone: {name: string; own: string[]}) => {
		asked.push(zone);
		facts.publicZone = {zone: zone.name, answers: [{server: '192.0.2.53', record: zone.name === 'farm' ? 'SOA' : null}]};
	};
	const wizard = newWizard(null, {...detected, host: {facts, look: detected.host!.look, lookZone}});
	const zone = question('dns.zone');
	const line =
		'dns.zone: "farm" is a zone in public DNS (its SOA answers from 192.0.2.53): every *.farm name would be hidden from this host\'s users; use a name under internal or home.arpa (e.g. farm.internal), or set dns.shadow_public_zone: true to accept hiding it';
	await lookUp(wizard, zone, 'farm');
	assert.equal(judge(wizard, zone, 'farm').refusal, line);
	assert.equal(lookUp(wizard, zone, 'farm'), undefined, 'known now: judged at once');
	assert.equal(judge(wizard, question('storage.vg'), 'vg0').refusal, null, "another question does not show the zone's refusal");
	await lookUp(wizard, zone, 'farm.internal');
	assert.equal(judge(wizard, zone, 'farm.internal').refusal, null);
	assert.deepEqual(asked.map(entry => entry.name), ['farm', 'farm.internal']);
	assert.ok(asked.every(entry => entry.own.length > 0), 'the private name server is named, so that it is not asked');
	// Facts about another name judge nothing: the answer typed last is the one asked about.
	assert.equal(judge(wizard, zone, 'farm').refusal, null, 'not known for farm any more until asked again');
	assert.equal(judge(newWizard(null, detected), zone, 'farm').refusal, null, 'a host that cannot be asked (a rehearsal) refuses nothing');
});
