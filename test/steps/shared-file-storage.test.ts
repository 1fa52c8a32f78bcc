// storage.shared_file_storage_dir: listed in Ganeti's file-storage-paths
// (Ganeti 3.0 refuses a storage directory not listed there) and given to
// `gnt-cluster init --shared-file-storage-dir`, beside the file directory.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Action} from '../../source/actions/action.js';
import {initArgv} from '../../source/steps/cluster.js';
import {fileStoragePathsPath, hostStep} from '../../source/steps/host.js';
import {addArgv} from '../../source/steps/instances.js';
import {bareFacts} from '../../source/steps/step.js';
import {inventoryFromYaml} from '../render/fixtures.js';
import {labText} from '../support/two-nodes.js';

const shared = '/srv/ganeti/shared-file-storage';
const withShared = (text: string) => text.replace(/\nstorage:\n/, `\nstorage:\n  shared_file_storage_dir: ${shared}\n`);
const sharedSite = withShared(labText.replace('disk_templates: [file, plain]', 'disk_templates: [file, plain, sharedfile]').replace(/(\n {4}disk_template: )file\n/, '$1sharedfile\n'));

const pathsFile = (actions: Action[], current: string | null) => {
	const action = actions.find(entry => entry.id === 'host.file-storage-paths');
	assert.ok(action && action.kind === 'file' && action.path === fileStoragePathsPath, 'the host step writes file-storage-paths');
	return action.content;
};

test('sharedfile: gnt-cluster init gets --shared-file-storage-dir, file-storage-paths lists it beside the file directory', () => {
	const inventory = inventoryFromYaml(sharedSite);
	const argv = initArgv(inventory);
	assert.deepEqual(argv.slice(argv.indexOf('--enabled-disk-templates=file,plain,sharedfile'), argv.indexOf('--mac-prefix')), [
		'--enabled-disk-templates=file,plain,sharedfile',
		'--file-storage-dir',
		'/srv/ganeti/file-storage',
		'--shared-file-storage-dir',
		shared,
	]);
	assert.equal(pathsFile(hostStep.plan(inventory, bareFacts({files: {[fileStoragePathsPath]: null}})), null), `/srv/ganeti/file-storage\n${shared}\n`);
	const kept = hostStep.plan(inventory, bareFacts({files: {[fileStoragePathsPath]: `# mine\n${shared}\n`}}));
	assert.equal(pathsFile(kept, null), `# mine\n${shared}\n/srv/ganeti/file-storage\n`, 'a directory listed already is not listed twice');
	const instance = inventory.instances[0]!;
	const add = addArgv(inventory, instance);
	assert.deepEqual(add.slice(0, 4), ['gnt-instance', 'add', '-t', 'sharedfile']);
});

test('the shared directory named without sharedfile enabled is still listed and given, ready for when it is enabled', () => {
	const inventory = inventoryFromYaml(withShared(labText));
	const argv = initArgv(inventory);
	assert.equal(argv[argv.indexOf('--shared-file-storage-dir') + 1], shared);
	assert.equal(pathsFile(hostStep.plan(inventory, bareFacts({files: {[fileStoragePathsPath]: null}})), null), `/srv/ganeti/file-storage\n${shared}\n`);
});

test('without it, neither the flag nor the path', () => {
	const inventory = inventoryFromYaml(labText);
	assert.ok(!initArgv(inventory).includes('--shared-file-storage-dir'));
	assert.equal(pathsFile(hostStep.plan(inventory, bareFacts({files: {[fileStoragePathsPath]: null}})), null), '/srv/ganeti/file-storage\n');
});
