// vm add --disk-template sharedfile on a rehearsed site whose recipe enables
// sharedfile and names its shared directory: accepted, and the instance is
// created with that template. (A site without the directory is refused in one
// line: test/engine/vm.test.ts.) The same site enables drbd, which a site of
// one node cannot hold: vm add --disk-template drbd is refused in one line.
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {runCli} from '../support/cli.js';
import {labText} from '../support/two-nodes.js';

const work = await mkdtemp(join(tmpdir(), 'gw-vm-shared-'));
after(() => rm(work, {recursive: true, force: true}));
const root = join(work, 'root');
const state = join(work, 'state');
const at = (...args: string[]) => runCli([...args, '--root', root, '--state-dir', state]);

test('vm add --disk-template sharedfile where the site has a shared directory', async () => {
	const recipe = join(work, 'shared.yaml');
	const text = labText.replace('disk_templates: [file, plain]', 'disk_templates: [file, plain, sharedfile, drbd]').replace(/\nstorage:\n/, '\nstorage:\n  shared_file_storage_dir: /srv/ganeti/shared-file-storage\n');
	assert.notEqual(text, labText);
	await writeFile(recipe, text);
	const applied = await runCli(['apply', '--recipe', recipe, '--root', root, '--state-dir', state, '--yes']);
	assert.equal(applied.code, 0, applied.stdout + applied.stderr);
	assert.equal(await readFile(join(root, 'etc/ganeti/file-storage-paths'), 'utf8'), '/srv/ganeti/file-storage\n/srv/ganeti/shared-file-storage\n');

	const added = await at('vm', 'add', 'web1', '--os', 'noop+default', '--disk-template', 'sharedfile', '--yes');
	assert.equal(added.code, 0, added.stdout + added.stderr);
	assert.match(added.stdout, /create web1\.vm\.farm \(sharedfile 10G, /);
	const saved = (JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {recipe: {text: string}}).recipe.text;
	assert.match(saved, /- name: web1\n\s+disk_template: sharedfile\n/);
});

test('vm add --disk-template drbd on a site of one node: one line naming the flag, nothing written', async () => {
	const refused = await at('vm', 'add', 'web2', '--os', 'noop+default', '--disk-template', 'drbd', '--yes');
	assert.equal(refused.code, 2, refused.stdout + refused.stderr);
	assert.equal(
		refused.stderr,
		'ganeti-wizard: --disk-template: "drbd" mirrors the disks to a second node, which this site of one node does not have (Ganeti needs a mirror node for it); add a node with ganeti-wizard node add, or use file, plain or sharedfile\n',
	);
	const saved = (JSON.parse(await readFile(join(state, 'site.json'), 'utf8')) as {recipe: {text: string}}).recipe.text;
	assert.doesNotMatch(saved, /web2/);
});
