// need(): a missing prerequisite skips a test with its reason outside CI and
// fails it in CI, naming the Debian package that provides it.
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {missing, need, reasonFor} from '../support/need.js';

const ci = process.env.CI;
afterEach(() => {
	if (ci === undefined) delete process.env.CI;
	else process.env.CI = ci;
});

function recorder(): {skipped: string[]; skip(message?: string): void} {
	const skipped: string[] = [];
	return {skipped, skip: message => skipped.push(message ?? '')};
}

test('present commands and alternatives pass', () => {
	const t = recorder();
	assert.equal(need(['sh', 'no-such-command-here|sh'], t), true);
	assert.deepEqual(t.skipped, []);
	assert.deepEqual(missing(['sh']), []);
});

test('outside CI a missing command skips, naming its package', () => {
	delete process.env.CI;
	const t = recorder();
	assert.equal(need(['sh', 'no-such-command-here', 'no-such-dhclient|no-such-busybox'], t), false);
	assert.equal(t.skipped.length, 1);
	assert.match(t.skipped[0]!, /needs no-such-command-here, no-such-dhclient or no-such-busybox/);
});

test('in CI a missing command fails the test with the package to install', () => {
	process.env.CI = 'true';
	const t = recorder();
	assert.throws(() => need(['dig', 'named', 'no-such-command-here'], {skip: t.skip}), (error: Error) => {
		// Only what is missing is named; known commands say which package provides them.
		assert.match(error.message, /missing in CI: needs .*no-such-command-here/);
		assert.doesNotMatch(error.message, /\bsh\b/);
		return true;
	});
	assert.deepEqual(t.skipped, []);
});

test('the reason names the Debian package of each known requirement', () => {
	assert.equal(
		reasonFor(['named', 'dhclient|busybox', 'root']),
		'needs named (Debian package bind9), dhclient (Debian package isc-dhcp-client) or busybox (Debian package busybox), root (run as root)',
	);
});
