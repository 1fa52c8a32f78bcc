// The checkpoint: where the VNC console is, a tunnel command to copy, and the
// operator's "finished" or "later".
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import type {CheckpointAction} from '../../source/actions/action.js';
import {CheckpointScreen, type CheckpointChoice} from '../../source/ui/screens/CheckpointScreen.js';
import {tunnelCommand} from '../../source/ui/tunnel.js';
import {keys, nextCall, press, waitFor} from './support/ink.js';

const install: CheckpointAction = {
	kind: 'checkpoint',
	id: 'instances.rodo1.osm.install',
	title: 'install the OS of rodo1.osm over VNC',
	instructions: 'Connect to the console and run the Debian installer. Choose the network settings DHCP offers.',
	details: [
		{label: 'VNC address', value: '10.10.0.20'},
		{label: 'VNC port', value: '11000'},
		{label: 'VNC password file', value: '/etc/ganeti/vnc-cluster-password'},
	],
};

test('tunnel command from the VNC details, a given one, or a console address', () => {
	assert.equal(tunnelCommand(install, 'root@198.51.100.20'), 'ssh -N -L 5900:10.10.0.20:11000 root@198.51.100.20');
	assert.equal(tunnelCommand({...install, details: [{label: 'SSH tunnel', value: 'ssh -L 5901:10.10.0.20:11001 gcc20'}]}, 'x'), 'ssh -L 5901:10.10.0.20:11001 gcc20');
	assert.equal(tunnelCommand({...install, details: [{label: 'VNC console', value: '10.10.0.20:11002'}]}, 'root@gcc20'), 'ssh -N -L 5900:10.10.0.20:11002 root@gcc20');
	assert.equal(tunnelCommand({...install, details: []}, 'root@gcc20'), undefined);
});

test('checkpoint: the console details and the tunnel alone on its line; Enter says the install finished', async () => {
	const chosen = nextCall<CheckpointChoice>();
	const screen = render(<CheckpointScreen action={install} sshTarget="root@198.51.100.20" mode="real" onChoose={chosen.callback} />);
	const frame = await waitFor(screen.lastFrame, 'The install has finished');
	assert.match(frame, /Your turn: install the OS of rodo1\.osm over VNC/);
	assert.match(frame, /VNC address +10\.10\.0\.20/);
	assert.match(frame, /VNC port +11000/);
	assert.match(frame, /VNC password file +\/etc\/ganeti\/vnc-cluster-password/);
	// Copyable: nothing else on the tunnel's line.
	assert.ok(frame.split('\n').includes('ssh -N -L 5900:10.10.0.20:11000 root@198.51.100.20'));
	await press(screen.stdin, keys.enter);
	assert.equal(await chosen.value, 'done');
	screen.unmount();
});

test('checkpoint: "not yet" waits (the next start comes back here)', async () => {
	const chosen = nextCall<CheckpointChoice>();
	const screen = render(<CheckpointScreen action={install} sshTarget="root@gcc20" mode="rehearsal" onChoose={chosen.callback} />);
	const frame = await waitFor(screen.lastFrame, 'Not yet');
	assert.match(frame, /Rehearsal: there is no VM to install/);
	await press(screen.stdin, keys.down, keys.enter);
	assert.equal(await chosen.value, 'wait');
	screen.unmount();
});
