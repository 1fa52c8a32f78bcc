// node add NAME on a terminal without the address flags, in a real terminal
// (tmux) driving the built command on a rehearsed site: it asks for what the
// flags left out, refuses a bad answer with its one line and asks again,
// shows the plan of both nodes and asks before any change. Ctrl-C at a
// question stops it with exit 4 and nothing written.
import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {cliPath, runCli} from '../support/cli.js';
import {need} from '../support/need.js';
import {treeDigest} from '../support/tree.js';
import {Terminal} from '../ui/support/terminal.js';

const work = await mkdtemp(join(tmpdir(), 'gw-node-terminal-'));
after(() => rm(work, {recursive: true, force: true}));
const recipe = new URL('../../recipes/lab-two-nodes.yaml', import.meta.url).pathname;
const root = join(work, 'root');
const state = join(work, 'state');
const nodeRoot = join(work, 'root-gcc21');
const digest = async () => [await treeDigest(root), await treeDigest(state), await treeDigest(nodeRoot)];
// A serial console's terminal: line mode, as over any SSH session.
const command = `cd ${work} && env -u CI TERM=dumb ${process.execPath} ${cliPath} node add gcc21 --root ${root} --state-dir ${state}`;
const privateQuestion = /\? gcc21's private address \(in 10\.10\.0\.0\/24, on its lo:1\)/;
const publicQuestion = /\? gcc21's public address \(where root's SSH reaches it\)/;

test('node add on a terminal: its questions, refusals, plan and confirmation; Ctrl-C changes nothing', {timeout: 300_000}, async t => {
	if (!need(['tmux'], t)) return;
	assert.equal((await runCli(['apply', '--recipe', recipe, '--root', root, '--state-dir', state, '--yes'])).code, 0);
	await mkdir(nodeRoot);
	const terminal = new Terminal('node-add');
	after(() => terminal.close());

	await t.test('Ctrl-C at a question: exit 4, nothing written', async () => {
		const before = await digest();
		terminal.start(command);
		await terminal.waitFor(privateQuestion);
		await terminal.type('10.10.0.21');
		await terminal.press('Enter');
		await terminal.waitFor(publicQuestion);
		await terminal.press('C-c');
		const screen = await terminal.waitFor('EXIT=4');
		assert.match(screen, /^Stopped: nothing changed\.$/m);
		assert.deepEqual(await digest(), before);
	});

	await t.test('a bad answer is refused with its line and asked again; the plan, then the confirmation', async () => {
		terminal.start(command);
		await terminal.waitFor(privateQuestion);
		await terminal.type('10.10.9.1');
		await terminal.press('Enter');
		// The same lines as the flags get (the recipe loader's), wrapped between words.
		await terminal.waitFor(/--private-address: "10\.10\.9\.1" is not inside network\.nodes_subnet\s+\(10\.10\.0\.0\/24\)/);
		await terminal.press('C-u');
		await terminal.type('10.10.0.255');
		await terminal.press('Enter');
		await terminal.waitFor(/--private-address: "10\.10\.0\.255" is the broadcast address of\s+network\.nodes_subnet/);
		await terminal.press('C-u');
		await terminal.type('10.10.0.20');
		await terminal.press('Enter');
		await terminal.waitFor(/--private-address: "10\.10\.0\.20" is also nodes\[0\]'s/);
		await terminal.press('C-u');
		await terminal.type('10.10.0.21');
		await terminal.press('Enter');
		await terminal.waitFor(publicQuestion);
		await terminal.type('198.51.100');
		await terminal.press('Enter');
		await terminal.waitFor(/--public-address: "198\.51\.100" is not an IPv4 address/);
		await terminal.press('C-u');
		await terminal.type('198.51.100.21');
		await terminal.press('Enter');
		await terminal.waitFor(/\? Add gcc21 to the cluster now\?/, 120_000);
		const plan = terminal.history();
		assert.match(plan, /^ {2}\+ node gcc21 \(10\.10\.0\.21\)$/m);
		assert.match(plan, /^Node gcc21 \(candidate, rehearsed under .*root-gcc21\):$/m);
		assert.match(plan, /\$ gnt-node add gcc21\.node\.farm$/m);
		// Nothing written while it asks.
		assert.doesNotMatch(await readFile(join(state, 'site.json'), 'utf8'), /name: gcc21/);
		await terminal.press('Enter');
		const done = await terminal.waitFor('EXIT=0', 180_000);
		assert.match(done, /All steps are done\. \d+ changes made/);
		assert.match(await readFile(join(state, 'site.json'), 'utf8'), /name: gcc21\\n/);
		assert.match(await readFile(join(nodeRoot, 'etc/network/interfaces.d/ganeti-wizard'), 'utf8'), /address 10\.10\.0\.21\/32/);
	});
});
