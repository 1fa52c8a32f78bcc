// /etc/default/ganeti: Ganeti's network daemons bound to the node's private
// address, the file's other lines and options kept, valid shell (the file is
// sourced by daemon-util), and a second pass changes nothing.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {withDaemonAddresses} from '../../source/render/ganeti-defaults.js';

// Debian 12's ganeti package ships this file.
const debian = `# Default arguments for Ganeti daemons
NODED_ARGS=""
RAPI_ARGS="-b 127.0.0.1 --require-authentication"
CONFD_ARGS=""
MOND_ARGS=""
WCONFD_ARGS=""
LUXID_ARGS=""
KVMD_ARGS=""
`;

/** The variables as daemon-util sees them: the file sourced by bash. */
function sourced(content: string): Record<string, string> {
	const directory = mkdtempSync(join(tmpdir(), 'gw-ganeti-defaults-'));
	try {
		const path = join(directory, 'ganeti');
		writeFileSync(path, content);
		const names = ['NODED_ARGS', 'RAPI_ARGS', 'CONFD_ARGS', 'MOND_ARGS', 'METAD_ARGS', 'WCONFD_ARGS', 'EXTRA_NODED_ARGS'];
		const result = spawnSync('bash', ['-c', `set -eu; . "$1"; for name in ${names.join(' ')}; do printf '%s=%s\\n' "$name" "\${!name-unset}"; done`, 'bash', path], {encoding: 'utf8'});
		assert.equal(result.status, 0, result.stderr);
		return Object.fromEntries(result.stdout.trim().split('\n').map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
	} finally {
		rmSync(directory, {recursive: true, force: true});
	}
}

test("Debian's file: noded, confd, mond and metad bind the private address; rapi keeps loopback and its options", () => {
	const content = withDaemonAddresses(debian, '10.10.0.20');
	assert.deepEqual(sourced(content), {
		NODED_ARGS: '-b 10.10.0.20',
		RAPI_ARGS: '-b 127.0.0.1 --require-authentication',
		CONFD_ARGS: '-b 10.10.0.20',
		MOND_ARGS: '-b 10.10.0.20',
		METAD_ARGS: '-b 10.10.0.20',
		WCONFD_ARGS: '',
		EXTRA_NODED_ARGS: 'unset',
	});
	assert.equal(withDaemonAddresses(content, '10.10.0.20'), content, 'a second pass changes nothing');
	assert.ok(content.startsWith('# Default arguments for Ganeti daemons\n'), 'the comment stays');
});

test("an operator's options stay; an earlier bind address, in any spelling, is replaced; a missing file is made", () => {
	const edited = 'NODED_ARGS="--syslog -b 0.0.0.0"\nMOND_ARGS=\'--bind=0.0.0.0 -d\'\nCONFD_ARGS="--bind 192.0.2.1"\nKVMD_ARGS=-d\nRAPI_ARGS=""\n# a note\nEXTRA_NODED_ARGS="-d"\n';
	const variables = sourced(withDaemonAddresses(edited, '10.10.0.20'));
	assert.equal(variables['NODED_ARGS'], '--syslog -b 10.10.0.20');
	assert.equal(variables['MOND_ARGS'], '-d -b 10.10.0.20');
	assert.equal(variables['CONFD_ARGS'], '-b 10.10.0.20');
	assert.equal(variables['RAPI_ARGS'], '-b 127.0.0.1', 'rapi without an address gets loopback');
	assert.equal(variables['EXTRA_NODED_ARGS'], '-d');
	assert.deepEqual(sourced(withDaemonAddresses(null, '10.10.0.20'))['NODED_ARGS'], '-b 10.10.0.20');
});
