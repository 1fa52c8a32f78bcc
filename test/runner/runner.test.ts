// The runner and host adapter on small synthetic steps: rehearsal and real
// mode (confined to a temporary folder), idempotence, atomic writes with
// backups, checkers that refuse a file, triggers, checkpoints, retries.
import assert from 'node:assert/strict';
import {chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, test} from 'node:test';
import type {Action} from '../../source/actions/action.js';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {buildInventory} from '../../source/inventory/inventory.js';
import {parseRecipe} from '../../source/recipe/load.js';
import type {Decisions, RunEvent} from '../../source/runner/events.js';
import {Progress} from '../../source/runner/progress.js';
import {readJournal} from '../../source/site/journal.js';
import {planAll, runPlan, type RunContext} from '../../source/runner/run.js';
import type {StepDefinition} from '../../source/steps/step.js';
import {summarize} from '../../source/ui/unattended.js';
import {need} from '../support/need.js';
import {treeDigest} from '../support/tree.js';

const seedText = await readFile(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');
const {inventory} = buildInventory(parseRecipe(seedText), {macs: {}, addresses: {}}, count => new Uint8Array(count).fill(7));

let work: string;
beforeEach(async () => {
	work = await mkdtemp(join(tmpdir(), 'gw-runner-'));
});
afterEach(async () => {
	await rm(work, {recursive: true, force: true});
});

function context(root: string, steps: StepDefinition[]): RunContext {
	const stateDir = join(work, 'state');
	const transcript = new Transcript(join(stateDir, 'transcript.log'));
	return {host: localHost({root, stateDir, transcript}), progress: new Progress(stateDir), inventory, steps};
}

function step(id: string, actions: (facts: {files: Record<string, string | null>}) => Action[], reads: string[] = []): StepDefinition {
	return {id, title: `step ${id}`, requires: [], reads: () => reads, plan: (_inventory, facts) => actions(facts)};
}

async function run(ctx: RunContext, decisions: Decisions = {}) {
	const events: RunEvent[] = [];
	const result = await runPlan(ctx, event => events.push(event), decisions);
	return {result, events, statuses: result.steps.flatMap(s => s.actions.map(a => `${a.action.id}:${a.status}`))};
}

test('a rehearsal writes files under the root, records commands, and a second run changes nothing', async () => {
	const root = join(work, 'root');
	const steps = [
		step('one', () => [
			{kind: 'file', id: 'one.conf', title: 'write /etc/demo/a.conf', path: '/etc/demo/a.conf', content: 'a = 1\n', mode: 0o640},
			{kind: 'command', id: 'one.cmd', title: 'say hello', argv: ['echo', 'hello world'], satisfiedWhen: {argv: ['false']}},
		]),
	];
	const first = await run(context(root, steps));
	assert.equal(first.result.outcome, 'done');
	assert.deepEqual(first.statuses, ['one.conf:done', 'one.cmd:done']);
	assert.equal(await readFile(join(root, 'etc/demo/a.conf'), 'utf8'), 'a = 1\n');
	assert.equal((await stat(join(root, 'etc/demo/a.conf'))).mode & 0o777, 0o640);
	const record = await readFile(join(work, 'state/commands.sh'), 'utf8');
	assert.match(record, /# action one\.cmd\necho \$'hello world'\n/);

	// The journal gains the second run's start and end, the transcript its lines; nothing else may change.
	const unchanged = ['state/journal.jsonl', 'state/transcript.log'];
	const before = await treeDigest(work, unchanged);
	const journalled = readJournal(join(work, 'state')).length;
	const second = await run(context(root, steps));
	assert.deepEqual(second.statuses, ['one.conf:satisfied', 'one.cmd:satisfied']);
	assert.deepEqual(await treeDigest(work, unchanged), before);
	assert.deepEqual(readJournal(join(work, 'state')).slice(journalled).map(record => record.type), ['run', 'step', 'step', 'run']);
	assert.ok(before.has('root/etc/demo/a.conf') && before.has('state/commands.sh'));
});

test('an existing file keeps its mode; the journal keeps its old content and how to restore it', async () => {
	const target = join(work, 'live.conf');
	await writeFile(target, 'old\n');
	await chmod(target, 0o600);
	const steps = [step('s', () => [{kind: 'file', id: 's.f', title: 'write', path: target, content: 'new\n', mode: 0o644}])];
	const ctx = context('/', steps);
	const {result} = await run(ctx);
	assert.equal(result.outcome, 'done');
	assert.equal(await readFile(target, 'utf8'), 'new\n');
	assert.equal((await stat(target)).mode & 0o777, 0o600);
	const begun = readJournal(join(work, 'state')).find(record => record.type === 'action' && record.phase === 'begin');
	assert.ok(begun?.type === 'action' && begun.phase === 'begin' && begun.change?.kind === 'file' && begun.inverse && 'restore' in begun.inverse);
	const before = begun.change.before;
	assert.ok('sha256' in before);
	assert.deepEqual(begun.inverse, {restore: target, to: before});
	assert.equal(await readFile(join(work, 'state/blobs', before.sha256), 'utf8'), 'old\n');
	assert.equal(ctx.progress.settings.blob(before.sha256), 'old\n');
	assert.deepEqual((await readdir(work)).filter(name => name.includes('ganeti-wizard-new')), []);
});

test('a file its checker refuses is never installed, and the failure names the checker and the line', async () => {
	const target = join(work, 'dhcpd.conf');
	await writeFile(target, '# the live file\n');
	const bad = 'default-lease-time 600;\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  option routers 10.0.0.1\n}\n';
	const steps = [step('s', () => [{kind: 'file', id: 's.dhcp', title: 'write dhcpd.conf', path: target, content: bad, mode: 0o644, check: {argv: ['dhcpd', '-t', '-cf', '{}']}}])];
	const {result} = await run(context('/', steps));
	assert.equal(result.outcome, 'failed');
	assert.match(result.stoppedAt!.message, /was not installed: dhcpd rejected it/);
	assert.match(result.stoppedAt!.message, /line \d+: /);
	assert.equal(await readFile(target, 'utf8'), '# the live file\n');
	assert.deepEqual((await readdir(work)).filter(name => name.includes('ganeti-wizard-new')), []);
});

test('real mode: a probe that finds the effect in place skips the command', async () => {
	const marker = join(work, 'marker');
	const steps = [step('s', () => [{kind: 'command', id: 's.touch', title: 'touch', argv: ['touch', marker], satisfiedWhen: {argv: ['test', '-e', marker]}}])];
	assert.deepEqual((await run(context('/', steps))).statuses, ['s.touch:done']);
	await stat(marker);
	assert.deepEqual((await run(context('/', steps))).statuses, ['s.touch:satisfied']);
});

test('a command runs again after an action it depends on changed the host', async () => {
	const conf = join(work, 'daemon.conf');
	const count = join(work, 'reloads');
	let content = 'v1\n';
	const steps = [
		step('s', () => [
			{kind: 'file', id: 's.conf', title: 'conf', path: conf, content, mode: 0o644},
			{kind: 'command', id: 's.reload', title: 'reload', argv: ['sh', '-c', 'echo reload >> "$1"', 'sh', count], idempotent: true, rerunAfter: ['s.conf']},
		]),
	];
	await run(context('/', steps));
	await run(context('/', steps));
	assert.equal(await readFile(count, 'utf8'), 'reload\n');
	content = 'v2\n';
	const third = await run(context('/', steps));
	assert.deepEqual(third.statuses, ['s.conf:done', 's.reload:done']);
	assert.equal(await readFile(count, 'utf8'), 'reload\nreload\n');
});

test('a checkpoint stops an attended run until the operator confirms it', async () => {
	const steps = [
		step('vm', () => [
			{kind: 'checkpoint', id: 'vm.install', title: 'install the OS', instructions: 'Install over VNC.', details: [{label: 'VNC', value: '10.10.0.20:11000'}]},
			{kind: 'command', id: 'vm.after', title: 'after', argv: ['true'], idempotent: true},
		]),
	];
	const waiting = await run(context('/', steps), {atCheckpoint: async () => 'wait'});
	assert.equal(waiting.result.outcome, 'waiting');
	assert.equal(waiting.result.stoppedAt?.action.id, 'vm.install');
	assert.deepEqual(waiting.statuses, ['vm.install:waiting', 'vm.after:pending']);
	const confirmed = await run(context('/', steps), {atCheckpoint: async () => 'done'});
	assert.equal(confirmed.result.outcome, 'done');
	const again = await run(context('/', steps));
	assert.deepEqual(again.statuses, ['vm.install:satisfied', 'vm.after:satisfied']);
});

test('a failed command can be retried, and its output tail reaches the failure', async () => {
	const flag = join(work, 'second-try');
	const steps = [step('s', () => [{kind: 'command', id: 's.flaky', title: 'flaky', argv: ['sh', '-c', 'echo trying; test -e "$1" || { touch "$1"; echo broken >&2; exit 4; }', 'sh', flag], idempotent: true}])];
	const failures: string[][] = [];
	const {result} = await run(context('/', steps), {
		onFailure: async failure => {
			failures.push([String(failure.exitCode), ...failure.outputTail]);
			return 'retry';
		},
	});
	assert.equal(result.outcome, 'done');
	assert.deepEqual(failures, [['4', 'trying', 'broken']]);
});

test('plan shows statuses without changing anything', async () => {
	const root = join(work, 'root');
	const steps = [step('s', () => [{kind: 'file', id: 's.f', title: 'write', path: '/etc/x.conf', content: 'x\n', mode: 0o644}])];
	const planned = await planAll(context(root, steps));
	assert.equal(planned[0]?.actions[0]?.status, 'pending');
	assert.equal(planned[0]?.actions[0]?.current, null);
	await assert.rejects(stat(join(root, 'etc/x.conf')));
});

test('a staged check refuses candidates that clash only together, before any of them is installed', async t => {
	if (!need(['named-checkconf'], t)) return;
	const bind = join(work, 'bind');
	await mkdir(bind);
	const zone = (name: string) => `$TTL 1h\n@ IN SOA ns.${name}. hostmaster.${name}. (1 1h 30m 2w 30m)\n@ IN NS ns\nns IN A 10.0.0.1\n`;
	await writeFile(join(bind, 'named.conf'), `zone "example" { type master; file "${bind}/db.example"; };\ninclude "${bind}/local.conf";\n`);
	await writeFile(join(bind, 'db.example'), zone('example'));
	await writeFile(join(bind, 'local.conf'), '');
	const plan = (zoneName: string) => {
		const files = [
			{path: join(bind, 'local.conf'), content: `zone "${zoneName}" { type master; file "${bind}/db.other"; };\n`},
			{path: join(bind, 'db.other'), content: zone(zoneName)},
		];
		return [
			step('dns', () => [
				{kind: 'command', id: 'dns.check', title: 'check together', argv: ['named-checkconf', '-t', '{stage}', '-z', join(bind, 'named.conf')], readOnly: true, stage: {copy: [bind], files, needs: join(bind, 'named.conf')}},
				...files.map((file, index) => ({kind: 'file' as const, id: `dns.f${index}`, title: 'write', ...file, mode: 0o644})),
			]),
		];
	};
	// Each candidate is fine alone; "example" is defined twice once they are read together.
	const clash = await run(context('/', plan('example')));
	assert.equal(clash.result.outcome, 'failed');
	assert.equal(clash.result.stoppedAt?.action.id, 'dns.check');
	assert.equal(await readFile(join(bind, 'local.conf'), 'utf8'), '');
	await assert.rejects(stat(join(bind, 'db.other')));
	const fine = await run(context('/', plan('other')));
	assert.equal(fine.result.outcome, 'done', JSON.stringify(fine.statuses));
	assert.match(await readFile(join(bind, 'local.conf'), 'utf8'), /zone "other"/);
});

test('start over is a journal record: statuses and answers are forgotten, every earlier record and the generated values stay', async () => {
	const ctx = context(join(work, 'root'), [step('s', () => [{kind: 'file', id: 's.f', title: 'write', path: '/etc/x.conf', content: 'x\n', mode: 0o644}])]);
	ctx.progress.keepGenerated({macs: {vm: '52:54:00:aa:bb:cc'}, addresses: {}});
	ctx.progress.setAnswers({host: {hostname: 'gcc20'}});
	await run(ctx);
	const before = await readFile(ctx.progress.path, 'utf8');
	ctx.progress.startOver();
	const after = await readFile(ctx.progress.path, 'utf8');
	assert.ok(after.startsWith(before), 'the journal is only appended to');
	assert.equal(JSON.parse(after.slice(before.length)).type, 'start-over');
	assert.equal(ctx.progress.action('s.f'), undefined);
	// Opened again, the journal replays to the same: nothing recorded before the start-over counts.
	assert.equal(new Progress(join(work, 'state')).action('s.f'), undefined);
	assert.deepEqual(ctx.progress.answers, {});
	assert.equal(ctx.progress.generated.macs['vm'], '52:54:00:aa:bb:cc');
});

test('a loud command: the transcript keeps every line, the screen gets batches of last lines', async () => {
	const received: string[][] = [];
	const ctx = context('/', [step('s', () => [{kind: 'command', id: 's.loud', title: 'loud', argv: ['seq', '1', '20000'], idempotent: true}])]);
	const {events} = await run(ctx);
	for (const event of events) if (event.type === 'output') received.push(event.lines);
	assert.ok(received.length >= 1);
	assert.ok(received.every(batch => batch.length <= 200 && batch.length > 0));
	assert.deepEqual(received.at(-1)!.slice(-2), ['19999', '20000']);
	const transcript = await readFile(join(work, 'state/transcript.log'), 'utf8');
	const printed = transcript.split('\n').filter(line => /^\d+$/.test(line));
	assert.equal(printed.length, 20000);
	assert.equal(printed.at(-1), '20000');
	assert.match(transcript, /\n20000\n.* \$ seq 1 20000 {2}# exit 0 after \d+ ms\n/);
});

test('a checkpoint shows what only the host knows by then, and the journal still knows it as planned', async () => {
	const portFile = join(work, 'vnc-port');
	await writeFile(portFile, '11000\n');
	const checkpoint: Action = {
		kind: 'checkpoint',
		id: 'vm.install',
		title: 'install',
		instructions: 'Install over VNC.',
		details: [
			{label: 'VNC port', value: 'see gnt-instance info', live: {argv: ['cat', portFile], template: '{}'}},
			{label: 'SSH tunnel', value: 'ssh -L 5900:10.10.0.20:<port> root@gcc20', live: {argv: ['cat', join(work, 'absent')], template: 'never {}'}},
		],
	};
	let shown: Action | undefined;
	const {result} = await run(context('/', [step('vm', () => [checkpoint])]), {
		atCheckpoint: async action => {
			shown = action;
			return 'wait';
		},
	});
	assert.equal(result.outcome, 'waiting');
	assert.deepEqual(shown?.kind === 'checkpoint' && shown.details.map(detail => detail.value), ['11000', 'ssh -L 5900:10.10.0.20:<port> root@gcc20']);
	assert.equal(result.stoppedAt?.action.kind === 'checkpoint' && result.stoppedAt.action.details[0]?.value, '11000');
	const again = await run(context('/', [step('vm', () => [checkpoint])]), {atCheckpoint: async () => 'done'});
	assert.equal(again.result.outcome, 'done');
});

test('output lines split across batches arrive whole, and a last line without a newline still shows', async () => {
	const shown: string[] = [];
	const ctx = context('/', [
		step('s', () => [{kind: 'command', id: 's.slow', title: 'slow', argv: ['sh', '-c', 'printf "first\\nhal"; sleep 0.3; printf "f a line\\nno newline at the end"'], idempotent: true}]),
	]);
	const {events} = await run(ctx);
	for (const event of events) if (event.type === 'output') shown.push(...event.lines);
	assert.deepEqual(shown, ['first', 'half a line', 'no newline at the end']);
	const transcript = await readFile(join(work, 'state/transcript.log'), 'utf8');
	assert.match(transcript, /\nfirst\nhalf a line\nno newline at the end\n.* # exit 0 after/);
});

test("real mode: a failed check's own words (what is wrong, the fix) reach the output, not only the transcript", async () => {
	const steps = [step('s', () => [{kind: 'command', id: 's.check', title: 'the thing exists', argv: ['sh', '-c', 'echo "no thing here: make one with mkthing"; exit 1'], readOnly: true}])];
	const {result, events} = await run(context('/', steps));
	assert.equal(result.outcome, 'failed');
	const output = events.filter(event => event.type === 'output').flatMap(event => (event as {lines: string[]}).lines);
	assert.deepEqual(output, ['no thing here: make one with mkthing']);
});

test("a failure the wizard knows ends with its hint, and the unattended summary prints it", async () => {
	const steps = [step('s', () => [{kind: 'command', id: 's.init', title: 'initialise', argv: ['sh', '-c', 'echo "This host\'s IP (127.0.1.1) resolves to a loopback address"; exit 1']}])];
	const ctx = {...context('/', steps), hint: (_action: Action, output: string) => (/loopback/.test(output) ? 'put the private address in /etc/hosts' : undefined)};
	const {result} = await run(ctx);
	assert.equal(result.stoppedAt?.hint, 'put the private address in /etc/hosts');
	assert.deepEqual(summarize(result, 'ganeti-wizard apply --yes').slice(1), ['Hint: put the private address in /etc/hosts', 'Fix the cause, then continue with: ganeti-wizard apply --yes']);
});

test('a command that fails while its effect came about anyway (another process got there first) counts as satisfied, not failed', async () => {
	const flag = join(work, 'made-by-someone-else');
	const steps = [step('s', () => [{kind: 'command', id: 's.race', title: 'make the flag', argv: ['sh', '-c', `touch ${flag}; echo "already there"; exit 1`], satisfiedWhen: {exists: flag}}])];
	const {result, statuses} = await run(context('/', steps));
	assert.equal(result.outcome, 'done');
	assert.deepEqual(statuses, ['s.race:satisfied']);
	const failing = [step('t', () => [{kind: 'command', id: 't.fail', title: 'fail', argv: ['sh', '-c', 'exit 1'], satisfiedWhen: {exists: join(work, 'never')}}])];
	assert.equal((await run(context('/', failing))).result.outcome, 'failed', 'a failure whose effect is not there still fails');
});
