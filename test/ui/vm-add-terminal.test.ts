// vm add through a real terminal (tmux, 80x24) on a rehearsed lab site: the
// full-screen wizard opens on what next and asks the VM's questions, vm add on
// its own asks what its flags leave out in line mode, a refused answer shows
// its one line and is asked again, and Ctrl-C at a question exits 4 with
// nothing written. Each added VM is in vm list, the zone, the reverse zone
// and dhcpd's include.
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import type {VmRow} from '../../source/drift/compare.js';
import {cliPath, runCli} from '../support/cli.js';
import {need} from '../support/need.js';
import {treeDigest} from '../support/tree.js';
import {Terminal} from './support/terminal.js';

const work = await mkdtemp(join(tmpdir(), 'wizard-vm-add-'));
after(() => rm(work, {recursive: true, force: true}));
const labRecipe = new URL('../../recipes/lab.yaml', import.meta.url).pathname;
const root = join(work, 'root');
const state = join(work, 'state');
const where = `--root ${root} --state-dir ${state}`;
const digest = async () => [await treeDigest(root), await treeDigest(state)];

/** Drives the CLI in an 80x24 tmux terminal started with `command`; the terminal is closed after `drive`. */
async function inTerminal(name: string, command: string, drive: (terminal: Terminal) => Promise<void>): Promise<void> {
	const terminal = new Terminal(name, {columns: 80, rows: 24});
	try {
		terminal.start(command);
		await drive(terminal);
	} finally {
		terminal.close();
	}
}

/** inTerminal, then the rehearsal's root and state folders are byte for byte as before it. */
async function writingNothing(name: string, command: string, drive: (terminal: Terminal) => Promise<void>, message?: string): Promise<void> {
	const before = await digest();
	await inTerminal(name, command, drive);
	assert.deepEqual(await digest(), before, message);
}

/** The site gained `name`: vm list shows it consistent, with its A, PTR and DHCP host entry in the rehearsal's files. */
async function assertAdded(name: string, memory: string): Promise<void> {
	const list = await runCli(['vm', 'list', '--json', '--root', root, '--state-dir', state]);
	assert.equal(list.code, 0, list.stderr);
	const row = (JSON.parse(list.stdout) as {vms: VmRow[]}).vms.find(vm => vm.fqdn === `${name}.vm.farm`);
	assert.ok(row?.address && row.mac, list.stdout);
	assert.deepEqual([row.a, row.ptr, row.dhcp], ['ok', 'ok', 'ok']);
	assert.match(await readFile(join(root, 'etc/bind/db.farm'), 'utf8'), new RegExp(`^${name}\\.vm\\tIN\\tA\\t${row.address.replaceAll('.', '\\.')}$`, 'm'));
	assert.match(await readFile(join(root, 'etc/bind/db.10.10.1'), 'utf8'), new RegExp(`^${row.address.split('.').at(-1)}\\tIN\\tPTR\\t${name}\\.vm\\.farm\\.$`, 'm'));
	const dhcp = await readFile(join(root, 'etc/dhcp/dhcpd.d/ganeti-wizard.conf'), 'utf8');
	assert.match(dhcp, new RegExp(`^host ${name}\\.vm\\.farm \\{\\n\\thardware ethernet ${row.mac};\\n\\tfixed-address ${row.address.replaceAll('.', '\\.')};`, 'm'));
	const saved = (JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {recipe: {text: string}}).recipe.text;
	assert.match(saved, new RegExp(`- name: ${name}\\n\\s+disk_template: file\\n\\s+disk_size: 10G\\n\\s+memory: ${memory}\\n\\s+vcpus: 1\\n\\s+install:\\n\\s+os: noop\\+default\\n`));
}

test('vm add in a terminal at 80x24: the wizard\'s what next, and line mode', {timeout: 240_000}, async t => {
	if (!need(['tmux'], t)) return;
	assert.ok(existsSync(cliPath), 'dist/cli.js is built (node scripts/build.js)');
	const applied = await runCli(['apply', '--recipe', labRecipe, '--root', root, '--state-dir', state, '--yes']);
	assert.equal(applied.code, 0, applied.stdout + applied.stderr);

	await t.test('the full-screen wizard on the finished site: Add a VM, its questions (a name in use refused), the plan, apply', async () => {
		await inTerminal('wizard-vm-add-tui', `env -u CI TERM=xterm-256color ${process.execPath} ${cliPath} ${where}`, async terminal => {
		const menu = await terminal.waitFor('The site is set up. What next?');
		assert.match(menu, /❯ Add a VM/);
		assert.match(menu, /List VMs[\s\S]*Remove a VM[\s\S]*Check for drift[\s\S]*See the changes[\s\S]*Undo/);
		await terminal.press('Enter');
		await terminal.waitFor(/Add a VM · question 1 of \d+ · VM name/);
		// A name the site has: its line, and the question stays.
		await terminal.press('C-u');
		await terminal.type('rodo1.osm');
		await terminal.press('Enter');
		// (The screen wraps the line at 80 columns.)
		await terminal.waitFor(/✗ NAME: "rodo1\.osm" is already a VM of the site \(rodo1\.osm\.vm\.farm\); choose\s+another name/);
		await terminal.press('C-u');
		await terminal.type('web5');
		await terminal.press('Enter');
		await terminal.waitFor('Install medium');
		await terminal.press('Down', 'Enter');
		await terminal.waitFor('· OS definition');
		await terminal.press('C-u');
		await terminal.type('noop+default');
		await terminal.press('Enter');
		for (const title of ['Memory', 'vcpus', 'Disk size', 'Disk template', 'Extra disks']) {
			await terminal.waitFor(`· ${title}`);
			await terminal.press('Enter');
		}
		// The plan, then the choice to apply it, in line mode once the screen is gone.
		await terminal.waitFor('Add web5.vm.farm now?');
		assert.match(terminal.history(), /What vm add changes in the saved site:\n\s+\+ instance web5 10\.10\.1\.\d+ 52:54:00:/);
		await terminal.press('Enter');
		await terminal.waitFor('EXIT=0', 60_000);
		});
		await assertAdded('web5', '512M');
	});

	await t.test('vm add NAME in line mode: the questions, a memory above the instance policy refused with its line then corrected, the plan, apply', async () => {
		await inTerminal('wizard-vm-add-line', `env -u CI ${process.execPath} ${cliPath} vm add web6 ${where}`, async terminal => {
		await terminal.waitFor('? Install medium');
		await terminal.press('Down', 'Enter');
		await terminal.waitFor('? OS definition');
		await terminal.type('noop+default');
		await terminal.press('Enter');
		await terminal.waitFor('? Memory');
		await terminal.type('64G');
		await terminal.press('Enter');
		// (inquirer breaks the line at 80 columns, inside a word too.)
		await terminal.waitFor(/> --memory: "64G" \(65536 MiB\) is above the cluster's instance policy maximum of/);
		await terminal.press('C-u');
		await terminal.type('256M');
		await terminal.press('Enter');
		for (const title of ['vcpus', 'Disk size', 'Disk template', 'Extra disks']) {
			await terminal.waitFor(`? ${title}`);
			await terminal.press('Enter');
		}
		await terminal.waitFor('? Add web6.vm.farm now?', 60_000);
		await terminal.press('Enter');
		await terminal.waitFor('EXIT=0', 60_000);
		assert.match(terminal.history(), /✔ Memory 256M/);
		});
		await assertAdded('web6', '256M');
	});

	await t.test('vm add NAME in line mode: Ctrl-C at a question exits 4 and writes nothing', async () => {
		await writingNothing('wizard-vm-add-stop', `env -u CI ${process.execPath} ${cliPath} vm add web7 ${where}`, async terminal => {
		await terminal.waitFor('? Install medium');
		await terminal.press('Down', 'Enter');
		await terminal.waitFor('? OS definition');
		await terminal.press('Enter');
		await terminal.waitFor('? Memory');
		await terminal.press('C-c');
		const screen = await terminal.waitFor('EXIT=4');
		assert.match(screen, /Stopped: nothing changed\./);
		});
	});

	await t.test('vm add NAME in line mode: "ISO image" goes on to the ISO path question, not refused on its proposal', async () => {
		await inTerminal('wizard-vm-add-iso', `env -u CI ${process.execPath} ${cliPath} vm add web8 ${where}`, async terminal => {
		await terminal.waitFor('? Install medium');
		await terminal.press('Enter');
		await terminal.waitFor('? Installer ISO');
		assert.doesNotMatch(terminal.history(), /--iso:/);
		await terminal.press('C-c');
		await terminal.waitFor('EXIT=4');
		});
	});

	await t.test('vm add NAME in line mode: ? shows the help at a list and at a field, never typed into the value', async () => {
		await inTerminal('wizard-vm-add-help', `env -u CI ${process.execPath} ${cliPath} vm add web8 ${where}`, async terminal => {
		await terminal.waitFor('? Install medium');
		await terminal.press('?');
		await terminal.waitFor('vm add asks what its flags leave out');
		await terminal.press('Down', 'Enter');
		await terminal.waitFor('? OS definition');
		await terminal.press('?');
		await terminal.waitFor('? OS definition');
		await terminal.press('Enter');
		await terminal.waitFor('? Memory');
		const history = terminal.history();
		assert.equal(history.split('vm add asks what its flags leave out').length, 3, history);
		assert.match(history, /✔ OS definition debootstrap\+default\n/);
		await terminal.press('C-c');
		await terminal.waitFor('EXIT=4');
		});
	});

	for (const term of ['xterm-256color', 'dumb']) {
		await t.test(`vm add NAME in line mode (TERM=${term}): Enters typed ahead in one write answer one question each, the list after the fields too`, async () => {
			await writingNothing(`wizard-vm-add-burst-${term}`, `env -u CI TERM=${term} ${process.execPath} ${cliPath} vm add web8 --os noop+default ${where}`, async terminal => {
			await terminal.waitFor('? Memory');
			// Memory, vcpus, disk size (each checked by vm add, slowly), the disk template's list.
			await terminal.burst('Enter', 'Enter', 'Enter', 'Enter');
			await terminal.waitFor('? Extra disks');
			assert.match(terminal.history(), /✔ Disk size 10G[\s\S]*✔ Disk template file/);
			await terminal.press('C-c');
			await terminal.waitFor('EXIT=4');
			});
		});
	}

	await t.test('--plain on the finished site: the same what next; List VMs is handed to vm list', async () => {
		await writingNothing('wizard-vm-list-plain', `env -u CI ${process.execPath} ${cliPath} --plain ${where}`, async terminal => {
		await terminal.waitFor('The site is set up. What next?');
		await terminal.waitFor('❯ Add a VM');
		await terminal.press('Down', 'Enter');
		const screen = await terminal.waitFor('EXIT=0');
		assert.match(screen, /^web5\.vm\.farm +10\.10\.1\.\d+ /m);
		assert.match(screen, /^web6\.vm\.farm +10\.10\.1\.\d+ /m);
		}, 'listing writes nothing');
	});

	await t.test('--plain on the finished site: Add a VM asks its name first (one in use refused), Ctrl-C at the next question exits 4 and writes nothing', async () => {
		await writingNothing('wizard-vm-add-plain', `env -u CI ${process.execPath} ${cliPath} --plain ${where}`, async terminal => {
		await terminal.waitFor('❯ Add a VM');
		await terminal.press('Enter');
		await terminal.waitFor('? VM name');
		await terminal.press('C-u');
		await terminal.type('rodo1.osm');
		await terminal.press('Enter');
		// (inquirer breaks the line at 80 columns, inside a word too.)
		await terminal.waitFor(/> NAME: "rodo1\.osm" is already a VM of the site \(rodo1\.osm\.vm\.farm\); choose/);
		await terminal.press('C-u');
		await terminal.type('web9');
		await terminal.press('Enter');
		await terminal.waitFor('? Install medium');
		await terminal.press('C-c');
		const screen = await terminal.waitFor('EXIT=4');
		assert.match(screen, /Stopped: nothing changed\./);
		});
	});
});
