// A recipe saved from the wizard carries the MACs and addresses of its site:
// the ones the state directory kept, else the ones a plan would generate.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {buildInventory} from '../../source/inventory/inventory.js';
import {siteBytes} from '../../source/inventory/mac.js';
import {loadRecipeFile} from '../../source/recipe/load.js';
import {Progress} from '../../source/runner/progress.js';
import {pinGenerated} from '../../source/session.js';
import {siteIdentity} from '../../source/site/compare.js';

const {recipe: seed} = await loadRecipeFile('recipes/gcc-compile-farm.yaml');
const unpinned = {...seed, instances: seed.instances.map(({mac: _mac, address: _address, ...instance}) => instance)};

test('with nothing kept: the values the next plan generates, written in; given values stay', () => {
	const state = mkdtempSync(join(tmpdir(), 'pin-'));
	try {
		const planned = buildInventory(unpinned, {macs: {}, addresses: {}}, siteBytes(siteIdentity(unpinned))).inventory.instances[0]!;
		const pinned = pinGenerated(unpinned, join(state, 'none'));
		assert.equal(pinned.instances[0]!.mac, planned.mac);
		assert.equal(pinned.instances[0]!.address, planned.address);
		assert.deepEqual(pinGenerated(seed, join(state, 'none')), seed, 'a recipe that gives them is unchanged');
		assert.equal(existsSync(join(state, 'none')), false, 'read without writing');
	} finally {
		rmSync(state, {recursive: true, force: true});
	}
});

test("with values the site kept (generated earlier, from other answers): those, so a replay elsewhere gives this site's files", () => {
	const state = mkdtempSync(join(tmpdir(), 'pin-'));
	try {
		new Progress(state, {node: seed.host.hostname}).keepGenerated({macs: {'rodo1.osm': '52:54:00:12:34:56'}, addresses: {'rodo1.osm': '10.10.1.99'}});
		const pinned = pinGenerated(unpinned, state);
		assert.equal(pinned.instances[0]!.mac, '52:54:00:12:34:56');
		assert.equal(pinned.instances[0]!.address, '10.10.1.99');
	} finally {
		rmSync(state, {recursive: true, force: true});
	}
});
