// The questions' defaults, their playback into a recipe draft, and their
// refusals, which must read exactly like the recipe loader's.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {nothingDetected} from '../../source/host/detect.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {RecipeError} from '../../source/errors.js';
import {checkDraft, draftFromRecipe, draftToYaml, recipeFileText} from '../../source/ui/draft.js';
import {hostAt, judge, newWizard, partitionOf, playAnswers, questions, questionText, subnetOf, visibleQuestions} from '../../source/ui/questions.js';
import {detectedHost} from './support/detected.js';

const seedText = readFileSync('recipes/gcc-compile-farm.yaml', 'utf8');
const seed = parseRecipe(seedText);
const question = (id: string) => questions.find(entry => entry.id === id)!;

// 10.10.0.0/16 in use: the default private range must move on.
const detected = detectedHost({usedNetworks: ['198.51.100.0/24', '10.10.0.0/16']});

/** What the loader says about the seed recipe with one line replaced. */
function loaderSays(from: string, to: string): string {
	assert.ok(seedText.includes(from), from);
	try {
		parseRecipe(seedText.replace(from, to));
	} catch (error) {
		assert.ok(error instanceof RecipeError);
		return error.problems[0]!;
	}
	assert.fail(`the loader accepted ${to}`);
}

test('pressing Enter through every question gives a valid recipe built from what was detected', () => {
	const wizard = newWizard(null, detected);
	const draft = playAnswers(wizard);
	const {recipe, problems} = checkDraft(draft);
	assert.deepEqual(problems, []);
	assert.ok(recipe);
	assert.equal(recipe.host.hostname, 'gcc20');
	assert.equal(recipe.host.public_interface, 'eno1');
	assert.equal(recipe.host.public_address, '198.51.100.20');
	// 10.10/16 is in use on this host: the first free range is offered, and the subnets follow it.
	assert.equal(recipe.network.private_range, '10.20.0.0/16');
	assert.equal(recipe.network.nodes_subnet, '10.20.0.0/24');
	assert.equal(recipe.network.vms_subnet, '10.20.1.0/24');
	assert.equal(recipe.host.private_address, '10.20.0.20');
	assert.equal(recipe.network.bridge.address, '10.20.1.1');
	assert.equal(recipe.cluster.address, '10.20.0.10');
	// The free disk, never the one holding /.
	assert.equal(recipe.storage.disk, '/dev/sdb');
	assert.equal(recipe.storage.partition, '/dev/sdb1');
	assert.equal(recipe.instances.length, 1);
});

test('with nothing detected (a rehearsal) the fallbacks still make a valid recipe', () => {
	const {problems} = checkDraft(playAnswers(newWizard(null, nothingDetected)));
	assert.deepEqual(problems, []);
});

test('a recipe given with --recipe pre-fills every answer and plays back unchanged', () => {
	const wizard = newWizard(draftFromRecipe(seed), detected);
	assert.equal(questionText(wizard, question('host.public_interface')), 'eth0');
	assert.equal(questionText(wizard, question('storage.disk')), '/dev/sdb');
	assert.equal(questionText(wizard, question('dns.forwarders')), '');
	assert.equal(questionText(wizard, question('vm.name')), 'rodo1.osm');
	assert.deepEqual(checkDraft(playAnswers(wizard)).recipe, seed);
});

test('answers change what follows: a new range moves the derived subnets and addresses', () => {
	const wizard = newWizard(null, detected, {'network.private_range': '192.168.50.0/24'});
	const draft = playAnswers(wizard);
	assert.equal((draft.network as {nodes_subnet: string}).nodes_subnet, '192.168.50.0/25');
	assert.equal((draft.network as {vms_subnet: string}).vms_subnet, '192.168.50.128/25');
	assert.deepEqual(checkDraft(draft).problems, []);
});

test('"no VM" and "OS definition" change which questions are asked', () => {
	const all = visibleQuestions(playAnswers(newWizard(null, detected))).map(entry => entry.id);
	assert.ok(all.includes('vm.iso') && !all.includes('vm.os'));
	const os = visibleQuestions(playAnswers(newWizard(null, detected, {'vm.install': 'os'}))).map(entry => entry.id);
	assert.ok(os.includes('vm.os') && !os.includes('vm.iso'));
	const none = newWizard(null, detected, {vm: 'no'});
	assert.ok(!visibleQuestions(playAnswers(none)).some(entry => entry.id.startsWith('vm.')));
	assert.deepEqual(checkDraft(playAnswers(none)).recipe?.instances, []);
});

test('refusals read exactly as the recipe loader words the same mistake', () => {
	const wizard = newWizard(draftFromRecipe(seed), detected);
	const cases: Array<[id: string, typed: string, from: string, to: string]> = [
		['host.hostname', 'Gcc20', 'hostname: gcc20', 'hostname: Gcc20'],
		['host.private_address', '10.10.0.300', 'private_address: 10.10.0.20', 'private_address: 10.10.0.300'],
		['network.vms_subnet', '10.10.1.0/33', 'vms_subnet: 10.10.1.0/24', 'vms_subnet: 10.10.1.0/33'],
		['network.private_range', '8.8.0.0/16', 'private_range: 10.10.0.0/16', 'private_range: 8.8.0.0/16'],
		['network.bridge.address', '10.10.2.1', 'address: 10.10.1.1', 'address: 10.10.2.1'],
		['vm.disk_size', '10GB', 'disk_size: 10G', 'disk_size: 10GB'],
		['vm.vcpus', '0', 'vcpus: 1', 'vcpus: 0'],
		['vm.vcpus', 'two', 'vcpus: 1', 'vcpus: two'],
		['dns.forwarders', '192.0.2.1, 999.1.1.1', 'forwarders: []', 'forwarders: [192.0.2.1, "999.1.1.1"]'],
	];
	for (const [id, typed, from, to] of cases) {
		const verdict = judge(wizard, question(id), typed);
		assert.equal(verdict.refusal, loaderSays(from, to), `${id} = ${typed}`);
	}
});

test('accepted values have no refusal; a range overlapping a network in use is remarked on, not refused', () => {
	const wizard = newWizard(null, detected);
	assert.equal(judge(wizard, question('host.hostname'), 'node-7').refusal, null);
	// Volume groups are named by LVM's rules: underscores and capitals are fine, a leading hyphen is not.
	for (const vg of ['vg_data', 'VG0']) assert.equal(judge(wizard, question('storage.vg'), vg).refusal, null, vg);
	assert.match(judge(wizard, question('storage.vg'), '-vg').refusal ?? '', /^storage\.vg: "-vg" is not an LVM volume group name/);
	const verdict = judge(wizard, question('network.private_range'), '10.10.0.0/16');
	assert.equal(verdict.refusal, null);
	assert.equal(verdict.remark, '10.10.0.0/16 overlaps 10.10.0.0/16, which this host uses already');
	assert.equal(judge(wizard, question('dns.forwarders'), '').remark, 'empty: forwards to 192.0.2.53 (from /etc/resolv.conf)');
});

test('the saved recipe file parses back to the same recipe and says how to replay it', () => {
	const {recipe} = checkDraft(playAnswers(newWizard(null, detected)));
	const text = recipeFileText(draftFromRecipe(recipe!), 'site.yaml', new Date('2026-11-24T10:00:00Z'));
	assert.match(text, /^# Answers given to ganeti-wizard on 2026-11-24\.\n# Replay them unattended with: ganeti-wizard apply --recipe site\.yaml --yes\n/);
	assert.deepEqual(parseRecipe(text), recipe);
	assert.equal(draftToYaml({a: 1}), 'a: 1\n');
});

test('subnet and address helpers', () => {
	assert.equal(subnetOf('10.10.0.0/16', 1), '10.10.1.0/24');
	assert.equal(subnetOf('192.168.1.0/24', 1), '192.168.1.128/25');
	assert.equal(subnetOf('192.168.1.0/24', 2), undefined);
	assert.equal(subnetOf('nonsense', 0), undefined);
	assert.equal(hostAt('10.10.0.0/24', 20), '10.10.0.20');
	assert.equal(hostAt('10.10.0.0/29', 20), '10.10.0.1');
	assert.equal(partitionOf('/dev/sdb'), '/dev/sdb1');
	assert.equal(partitionOf('/dev/nvme0n1'), '/dev/nvme0n1p1');
});
