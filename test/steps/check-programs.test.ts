// The steps' Python programs are files under source/checks/, run by path: each
// compiles and passes a small lint, each is one the steps run, and no argv a
// plan shows carries program text.
import assert from 'node:assert/strict';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {after, test} from 'node:test';
import {$} from 'zx';
import {buildInventory, type Inventory} from '../../source/inventory/inventory.js';
import {siteBytes} from '../../source/inventory/mac.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {siteIdentity} from '../../source/site/compare.js';
import {allSteps} from '../../source/steps/index.js';
import {checkPath, instancesDownFilter, programNames} from '../../source/steps/programs.js';
import {bareFacts} from '../../source/steps/step.js';
import {inventoryFromYaml, seedInventory} from '../render/fixtures.js';
import {need} from '../support/need.js';
import {gcc20, labWithNodes, twoNodesText} from '../support/two-nodes.js';

const checks = new URL('../../source/checks/', import.meta.url).pathname;
const files = readdirSync(checks).filter(name => name.endsWith('.py')).sort();
const programs = files.filter(name => name !== 'common.py').map(name => basename(name, '.py'));
const cache = mkdtempSync(join(tmpdir(), 'check-programs-'));
after(() => rmSync(cache, {recursive: true, force: true}));

test('every program compiles and passes the lint; the source tree gets no __pycache__', async t => {
	if (!need(['python3'], t)) return;
	const paths = files.map(name => join(checks, name));
	const python = $({nothrow: true, quiet: true, env: {...process.env, PYTHONPYCACHEPREFIX: cache, PYTHONDONTWRITEBYTECODE: '1'}});
	const compiled = await python`python3 -m py_compile ${paths}`;
	assert.equal(compiled.exitCode, 0, compiled.stderr);
	const linted = await python`python3 ${new URL('../support/lint-python.py', import.meta.url).pathname} ${paths}`;
	assert.equal(linted.exitCode, 0, linted.stdout + linted.stderr);
	assert.ok(!readdirSync(checks).includes('__pycache__'), 'no __pycache__ under source/checks');
});

test('every program under source/checks is one programs.ts names, and each is found by path', () => {
	assert.deepEqual(programs, [...programNames].sort(), 'source/checks/*.py (but common.py) and programNames');
	for (const name of programNames) assert.equal(checkPath(name), join(checks, `${name}.py`));
	const common = /^from common import fail$/m;
	for (const name of programs) {
		const text = readFileSync(join(checks, `${name}.py`), 'utf8');
		assert.match(text, /^# .+\n# /, `${name}.py starts with a comment saying what it does`);
		assert.match(text, /exit/i, `${name}.py: its comment gives the exit codes`);
		if (/\bfail\(/.test(text)) assert.match(text, common, `${name}.py takes fail from common.py`);
	}
	assert.ok(readFileSync(join(checks, 'start-instances.py'), 'utf8').includes(`'${instancesDownFilter}'`), 'start-instances.py asks for the instances of instancesDownFilter, as the probe does');
});

/** Every argv anywhere in `value` (an action's own, its inverse, its probes', a checkpoint's live details). */
function argvs(value: unknown, found: string[][] = []): string[][] {
	if (Array.isArray(value)) for (const item of value) argvs(item, found);
	else if (value && typeof value === 'object') {
		for (const [key, item] of Object.entries(value)) {
			if ((key === 'argv' || key === 'inverse') && Array.isArray(item) && item.every(part => typeof part === 'string')) found.push(item as string[]);
			else argvs(item, found);
		}
	}
	return found;
}

function plannedArgvs(inventory: Inventory): string[][] {
	return allSteps.flatMap(step => argvs(step.plan(inventory, bareFacts())));
}

/** A git commit's message (`-m MESSAGE`) is what the plan says it commits, not program text: it may run to several lines. */
function withoutCommitMessage(argv: string[]): string[] {
	const message = argv.indexOf('-m');
	return argv.includes('git') && argv.includes('commit') && message >= 0 ? argv.filter((_, index) => index !== message + 1) : argv;
}

test('no argv the steps plan for the seed recipe (or the lab one, two nodes with one leaving, a joining node with ssh_init) carries program text', () => {
	const lab = inventoryFromYaml(readFileSync(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8'));
	// The master of two nodes, the second one removed from the site (gone from its recipe): it must leave the cluster.
	const oneLeft = parseRecipe(labWithNodes(gcc20));
	const leaving = buildInventory(oneLeft, {macs: {}, addresses: {}}, siteBytes(siteIdentity(oneLeft)), ['node2.node.farm']).inventory;
	// The node joining a site where Ganeti manages SSH (cluster.ssh_init: true).
	const sshInit = parseRecipe(twoNodesText.replace(/^cluster:\n/m, 'cluster:\n  ssh_init: true\n'));
	const joining = buildInventory(sshInit, {macs: {}, addresses: {}}, siteBytes(siteIdentity(sshInit)), [], 'node2').inventory;
	const run = new Set<string>();
	for (const [site, inventory] of [['seed', seedInventory()], ['lab', lab], ['two nodes', leaving], ['joining with ssh_init', joining]] as const) {
		const planned = plannedArgvs(inventory);
		assert.ok(planned.length > 20, `${site}: the steps plan commands (${planned.length})`);
		for (const argv of planned) {
			for (const part of withoutCommitMessage(argv)) {
				assert.ok(!part.includes('\n'), `${site}: an argument holds a newline: ${JSON.stringify(argv).slice(0, 300)}`);
				assert.ok(part.length <= 200, `${site}: an argument of ${part.length} characters: ${JSON.stringify(argv).slice(0, 300)}`);
			}
			assert.ok(!argv.includes('-c') || argv[0] !== 'python3', `${site}: python3 -c: ${JSON.stringify(argv).slice(0, 300)}`);
			if (argv[0] === 'python3') run.add(basename(argv.find(part => part.endsWith('.py'))!, '.py'));
		}
	}
	assert.deepEqual([...run].sort(), [...programNames].sort(), 'the sites run every program');
});
