// The end of a run: what happened, where a rehearsal left its work, how to
// do it for real; after a real run, how to go on.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {afterRun, closing} from '../../source/ui/closing.js';

const done = {outcome: 'done' as const, steps: []};

test('after a rehearsal: the folder, commands.sh in the state directory, and the command that does it for real', () => {
	const lines = afterRun({mode: 'rehearsal', root: '/srv/try', stateDir: '/srv/try-state', stateDirFlag: true, recipePath: '/etc/sites/farm.yaml'});
	assert.deepEqual(lines, [
		'Rehearsal: the files are under /srv/try; the commands a real run would execute are in /srv/try-state/commands.sh.',
		'To do it for real, as root on this host: ganeti-wizard apply --recipe /etc/sites/farm.yaml --root / --yes',
	]);
	const unsaved = afterRun({mode: 'rehearsal', root: '/srv/try', stateDir: '/srv/try-state', stateDirFlag: true});
	assert.equal(unsaved[1], 'To do it for real, as root on this host: ganeti-wizard apply --recipe FILE --root / --yes (FILE: your answers, saved with "Save as recipe")');
});

test('after a real run: status, and plan then apply of a changed recipe; --state-dir only when it is not the default', () => {
	assert.deepEqual(afterRun({mode: 'real', root: '/', stateDir: '/var/lib/ganeti-wizard', stateDirFlag: false, recipePath: '/root/farm.yaml'}), [
		'Next: ganeti-wizard status shows the progress; after editing the recipe, ganeti-wizard plan --recipe /root/farm.yaml shows what it changes and ganeti-wizard apply --recipe /root/farm.yaml --yes makes those changes.',
	]);
	const [line] = afterRun({mode: 'real', root: '/', stateDir: '/srv/site b', stateDirFlag: true, recipePath: '/root/farm.yaml'});
	assert.match(line!, /ganeti-wizard status --state-dir '\/srv\/site b' shows/);
	assert.match(line!, /ganeti-wizard apply --recipe \/root\/farm\.yaml --state-dir '\/srv\/site b' --yes/);
});

test("the wizard's closing lines carry the same, after what happened", () => {
	const place = {mode: 'rehearsal' as const, root: '/srv/try', stateDir: '/srv/try-state', stateDirFlag: true, recipePath: 'site.yaml'};
	const {message} = closing(done, 'ganeti-wizard --root /srv/try', place);
	assert.equal(message[0], 'Every step is done.');
	assert.deepEqual(message.slice(1, 3), afterRun(place));
	assert.match(message[3]!, /^Run `ganeti-wizard --root \/srv\/try` again at any time/);
});
