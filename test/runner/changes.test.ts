// The wizard's changes as the journal has them: one entry per file (from the
// version found before the first write to the last one written), per command
// and per service; undo's own records and everything before a finished undo
// left out. And the undo plan made from them, newest change first.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {wizardChanges} from '../../source/site/changes.js';
import type {Change, Inverse, JournalRecord} from '../../source/site/journal.js';
import {planUndo} from '../../source/steps/undo.js';

let clock = 0;
function begin(step: string, id: string, change: Change, inverse?: Inverse): JournalRecord {
	clock += 1;
	return {type: 'action', phase: 'begin', run: 'r', at: `2026-01-01T00:00:${String(clock).padStart(2, '0')}Z`, node: 'gcc20', step, id, title: id, fingerprint: 'f', seq: clock, change, ...(inverse ? {inverse} : {})};
}

const blobs: Record<string, string> = {a: 'original\n', b: 'first write\n', c: 'second write\n'};
const blob = (digest: string) => blobs[digest] ?? null;

const journal: JournalRecord[] = [
	begin('network', 'network.interfaces', {kind: 'file', path: '/etc/network/interfaces', before: {sha256: 'a'}, after: {sha256: 'b'}}, {restore: '/etc/network/interfaces', to: {sha256: 'a'}}),
	begin('network', 'network.nat', {kind: 'command', argv: ['iptables', '-t', 'nat', '-A', 'X'], probe: {argv: ['iptables', '-t', 'nat', '-C', 'X']}}, {argv: ['iptables', '-t', 'nat', '-D', 'X']}),
	begin('dns', 'dns.zone.farm', {kind: 'file', path: '/etc/bind/db.farm', before: {absent: true}, after: {sha256: 'b'}, createdDirectories: ['/etc/bind']}, {restore: '/etc/bind/db.farm', to: {absent: true}}),
	begin('dns', 'dns.named', {kind: 'service', service: 'named', operation: 'reload', wasRunning: false}, {argv: ['service', 'named', 'stop']}),
	begin('network', 'network.interfaces', {kind: 'file', path: '/etc/network/interfaces', before: {sha256: 'b'}, after: {sha256: 'c'}}, {restore: '/etc/network/interfaces', to: {sha256: 'b'}}),
	begin('undo', 'undo.network.nat', {kind: 'command', argv: ['iptables', '-t', 'nat', '-D', 'X']}, {note: 'n'}),
];

test('a file written twice is one change, from the version found first to the last one written; undo records are left out', () => {
	const changes = wizardChanges(journal);
	assert.deepEqual(changes.map(change => change.id), ['network.nat', 'dns.zone.farm', 'dns.named', 'network.interfaces']);
	const file = changes.find(change => change.kind === 'file' && change.path === '/etc/network/interfaces');
	assert.deepEqual(file && file.kind === 'file' ? [file.before, file.after] : [], [{sha256: 'a'}, {sha256: 'c'}]);
	assert.deepEqual(wizardChanges([...journal, {type: 'undone', run: 'r', at: 'x', kept: []}]), [], 'nothing since a finished undo');
	assert.equal(wizardChanges(journal, 'another-node').length, 0);
});

test('the undo plan: newest first, a file where the wizard first wrote it, the original back when the file holds the wizard\'s last version, a created file removed with its directories, a hand edit kept', () => {
	const changes = wizardChanges(journal);
	const options = {stateDir: '/state', blob};
	const plan = planUndo(changes, {files: {'/etc/network/interfaces': 'second write\n', '/etc/bind/db.farm': 'first write\n'}}, options);
	// The interfaces file, rewritten last, goes back only once the rule added after its first write is gone (ifdown needs its stanzas too).
	assert.deepEqual(plan.actions.map(action => action.id), ['undo.service.named', 'undo.file./etc/bind/db.farm', 'undo.network.nat', 'undo.file./etc/network/interfaces']);
	const [stop, remove, nat, restore] = plan.actions;
	assert.equal(restore?.kind === 'file' && restore.content, 'original\n');
	assert.deepEqual(stop?.kind === 'command' && stop.satisfiedWhen, {not: {argv: ['service', 'named', 'status']}});
	assert.deepEqual(remove?.kind === 'remove' && remove.directories, ['/etc/bind']);
	assert.deepEqual(nat?.kind === 'command' && [nat.argv, nat.satisfiedWhen], [['iptables', '-t', 'nat', '-D', 'X'], {not: {argv: ['iptables', '-t', 'nat', '-C', 'X']}}]);
	assert.deepEqual(plan.kept, []);

	const edited = planUndo(changes, {files: {'/etc/network/interfaces': 'second write\nby hand\n', '/etc/bind/db.farm': 'first write\n'}}, options);
	assert.deepEqual(edited.kept, [{path: '/etc/network/interfaces', reason: 'changed by someone else after the wizard wrote it'}]);
	assert.ok(!edited.actions.some(action => action.id === 'undo.file./etc/network/interfaces'), 'never overwritten');
	const lost = planUndo(changes, {files: {'/etc/network/interfaces': 'second write\n'}}, {stateDir: '/state', blob: digest => (digest === 'a' ? null : blob(digest))});
	assert.match(lost.kept[0]?.reason ?? '', /missing from the state directory/);
});
