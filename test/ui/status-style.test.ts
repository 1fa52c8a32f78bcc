// One colour per status, for the line output (chalk) and the TUI (Ink props).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Chalk} from 'chalk';
import type {ActionStatus} from '../../source/actions/action.js';
import {statusTextProps, styleStatus} from '../../source/ui/status-style.js';

const statuses: ActionStatus[] = ['pending', 'running', 'done', 'satisfied', 'failed', 'waiting', 'skipped'];

test('the TUI and the lines colour each status alike: dim for pending, the named colour otherwise', () => {
	const paint = new Chalk({level: 1});
	for (const status of statuses) {
		const props = statusTextProps(status);
		const expected = props.dimColor ? paint.dim('x') : paint[props.color as 'red']('x');
		assert.equal(styleStatus(status, 'x', paint), expected, status);
	}
	assert.deepEqual(statusTextProps('pending'), {dimColor: true});
	assert.deepEqual(statusTextProps('failed'), {color: 'red', dimColor: false});
	assert.equal(styleStatus('done', 'x', new Chalk({level: 0})), 'x', 'no colour when colour is off');
});
