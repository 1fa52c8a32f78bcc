// The network, DNS and DHCP plans of random valid sites: well-formed (unique
// ids, triggers naming real actions, history around the writes) and idempotent
// (planned again against what they wrote, they plan the same files).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import type {Action, FileAction} from '../../source/actions/action.js';
import {dhcpStep} from '../../source/steps/dhcp.js';
import {dnsStep} from '../../source/steps/dns.js';
import {networkStep} from '../../source/steps/network.js';
import {bareFacts, type Facts} from '../../source/steps/step.js';
import {arbitraryRecipe} from '../support/random-recipe.js';
import {inventoryFromObject} from '../render/fixtures.js';

const steps = [networkStep, dnsStep, dhcpStep];
const site = fc.tuple(arbitraryRecipe(), fc.integer({min: 1, max: 2 ** 31 - 1})).map(([recipe, seed]) => inventoryFromObject(recipe, seed));
const files = (actions: Action[]): FileAction[] => actions.filter((action): action is FileAction => action.kind === 'file');

function factsAfter(actions: Action[], now: Date): Facts {
	const written = Object.fromEntries(files(actions).map(file => [file.path, file.content]));
	const serials = Object.fromEntries(files(actions).flatMap(file => (file.serial ? [[file.serial.zone, file.serial.value]] : [])));
	return bareFacts({files: written, committed: written, serials, now, resolvers: ['192.0.2.53']});
}

test('random sites: plans are well formed and idempotent', () => {
	fc.assert(
		fc.property(site, fc.date({min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true}), (inventory, later) => {
			const all: Action[] = [];
			for (const step of steps) {
				const facts = bareFacts({resolvers: ['192.0.2.53']});
				const first = step.plan(inventory, facts);
				const second = step.plan(inventory, factsAfter(first, later));
				assert.deepEqual(files(second), files(first), `${step.id} is not idempotent`);
				// Every file a plan writes, it declared reading (to compare, to serial, to merge).
				const reads = new Set(step.reads?.(inventory) ?? []);
				for (const file of files(first)) {
					if (file.path.startsWith('/etc/bind/') || file.path.startsWith('/etc/dhcp/')) assert.ok(reads.has(file.path), `${file.path} not in ${step.id}.reads`);
				}
				all.push(...first);
			}
			const ids = all.map(action => action.id);
			assert.equal(new Set(ids).size, ids.length, 'action ids are unique');
			const known = new Set(ids);
			// A file without a checker of its own is checked whole, on a stage, before it is written.
			const staged = new Map(all.flatMap(action => (action.kind === 'command' && action.stage ? action.stage.files.map(file => [file.path, all.indexOf(action)] as const) : [])));
			for (const action of all) {
				const triggers = action.kind === 'service' ? action.after : action.kind === 'command' ? action.rerunAfter : undefined;
				for (const trigger of triggers ?? []) assert.ok(known.has(trigger), `${action.id} waits on unknown ${trigger}`);
				if (action.kind === 'command') assert.ok(action.argv.every(part => part !== ''), `${action.id} has an empty argument`);
				if (action.kind === 'file') assert.ok(action.check || (staged.get(action.path) ?? Infinity) < all.indexOf(action) || action.path === '/etc/resolv.conf', `${action.path} has no checker`);
			}
			for (const dir of ['bind', 'dhcp']) {
				const position = (id: string) => ids.indexOf(id);
				const step = dir === 'bind' ? 'dns' : 'dhcp';
				if (position(`${step}.git.init`) < 0) continue;
				const writes = all.filter(action => action.kind === 'file' && action.path.startsWith(`/etc/${dir}/`)).map(action => position(action.id));
				assert.ok(position(`${step}.git.outside.commit`) < Math.min(...writes), 'hand changes are committed before the writes');
				assert.ok(position(`${step}.git.commit`) > Math.max(...writes), 'the wizard\'s commit follows the writes');
			}
		}),
		{numRuns: 100},
	);
});
