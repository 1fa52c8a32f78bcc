// What every host with processes promises the runner (source/host/host.ts),
// as tests that run against any of them: this machine's real host, and a
// node reached over SSH. Each file that calls hostContract() says how to open
// its host and gives it a fresh folder on that host to work in.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {CheckFailedError} from '../../../source/host/filesystem.js';
import type {Host} from '../../../source/host/host.js';
import {program} from '../../../source/steps/programs.js';

export type ContractSubject = {
	host: Host;
	/** A fresh, empty folder on the host, for the contract's files. */
	folder: string;
	/** A service that runs on the host (serviceRunning answers true), when there is one. */
	runningService?: string;
};

const as = {actionId: 'contract', argv: []};

async function userId(host: Host, database: 'passwd' | 'group', name: string): Promise<number> {
	const line = (await host.readFile(`/etc/${database}`))?.split('\n').find(entry => entry.startsWith(`${name}:`));
	assert.ok(line, `${name} is in /etc/${database}`);
	return Number(line.split(':')[2]);
}

async function inode(host: Host, path: string): Promise<string> {
	const result = await host.probe(['stat', '-c', '%i', path]);
	assert.equal(result?.exitCode, 0, result?.stderr);
	return result!.stdout.trim();
}

/** Registers the contract's tests under `name`; `open` runs once before them, `close` once after. */
export function hostContract(name: string, open: () => Promise<ContractSubject>, close: () => Promise<void>): void {
	describe(name, () => {
		let host: Host;
		let folder: string;
		let subject: ContractSubject;
		before(async () => {
			subject = await open();
			({host, folder} = subject);
		});
		after(close);

		test('writeFile makes a new file with the mode and owner given, and leaves no candidate', async () => {
			await host.writeFile(`${folder}/etc/a.conf`, 'one\n', {mode: 0o640, owner: {user: 'daemon', group: 'daemon'}});
			assert.equal(await host.readFile(`${folder}/etc/a.conf`), 'one\n');
			const info = await host.stat(`${folder}/etc/a.conf`);
			assert.deepEqual(info, {mode: 0o640, uid: await userId(host, 'passwd', 'daemon'), gid: await userId(host, 'group', 'daemon'), size: 4});
			assert.deepEqual(await host.list(`${folder}/etc`), ['a.conf']);
		});

		test('writeFile replaces the file by a new one renamed over it, keeping its mode and owner', async () => {
			const old = await inode(host, `${folder}/etc/a.conf`);
			await host.writeFile(`${folder}/etc/a.conf`, 'two\n', {mode: 0o600});
			assert.equal(await host.readFile(`${folder}/etc/a.conf`), 'two\n');
			assert.notEqual(await inode(host, `${folder}/etc/a.conf`), old, 'a new file took the old one\'s name');
			const info = await host.stat(`${folder}/etc/a.conf`);
			assert.equal(info?.mode, 0o640);
			assert.equal(info?.uid, await userId(host, 'passwd', 'daemon'));
			assert.deepEqual(await host.list(`${folder}/etc`), ['a.conf']);
		});

		test('writeFile keeps an owner that has no name, and refuses a new file to a user that does not exist', async () => {
			const kept = `${folder}/etc/numeric`;
			await host.writeFile(kept, 'one\n', {mode: 0o644});
			assert.equal((await host.run(['chown', '4242:4243', kept])).exitCode, 0);
			await host.writeFile(kept, 'two\n', {mode: 0o644});
			assert.deepEqual(await host.stat(kept), {mode: 0o644, uid: 4242, gid: 4243, size: 4});
			await host.remove(kept, []);
			await assert.rejects(host.writeFile(`${folder}/etc/stranger`, 'x\n', {mode: 0o644, owner: {user: 'no-such-user', group: 'daemon'}}), /cannot set owner no-such-user:daemon on .*: no such user or group/);
			assert.equal(await host.stat(`${folder}/etc/stranger`), null);
		});

		test('the checker judges the candidate beside the target; a refusal leaves the target untouched', async () => {
			const target = `${folder}/etc/a.conf`;
			const refusal = await host.writeFile(target, 'bad\nworse\n', {mode: 0o644, check: ['sh', '-c', 'echo "$0:2: not good"; exit 1', '{}']}).then(
				() => undefined,
				(error: unknown) => error,
			);
			assert.ok(refusal instanceof CheckFailedError, `a CheckFailedError, not ${String(refusal)}`);
			assert.match(refusal.message, /was not installed: sh rejected it: .*not good \(line 2: worse\)/);
			assert.equal(await host.readFile(target), 'two\n');
			assert.deepEqual(await host.list(`${folder}/etc`), ['a.conf'], 'the refused candidate is removed');
			// Accepted: the checker saw a candidate in the target's own folder, with the new content.
			const besideTarget = ['sh', '-c', 'case "$0" in "$1"/.*.ganeti-wizard-new) grep -qx good "$0";; *) exit 1;; esac', '{}', `${folder}/etc`];
			await host.writeFile(target, 'good\n', {mode: 0o644, check: besideTarget});
			assert.equal(await host.readFile(target), 'good\n');
		});

		test('readFile, readLink, stat and list answer for what is there, null or empty for what is not', async () => {
			const odd = `${folder}/it's a "name" $HOME`;
			await host.writeFile(odd, 'odd\n', {mode: 0o600});
			assert.equal(await host.readFile(odd), 'odd\n');
			assert.equal((await host.run(['ln', '-s', 'etc/a.conf', `${folder}/link`])).exitCode, 0);
			assert.equal(await host.readLink(`${folder}/link`), 'etc/a.conf');
			assert.equal(await host.readFile(`${folder}/link`), 'good\n', 'a read follows the link');
			assert.equal(await host.readLink(odd), null, 'not a link');
			assert.equal(await host.readLink(`${folder}/absent`), null);
			assert.equal(await host.readFile(`${folder}/absent`), null);
			assert.equal(await host.readFile(`${folder}/etc/a.conf/below`), null, 'below a file');
			assert.equal(await host.stat(`${folder}/absent`), null);
			assert.deepEqual(await host.list(`${folder}/absent`), []);
			assert.deepEqual(await host.list(folder), ['etc', `it's a "name" $HOME`, 'link']);
			assert.equal((await host.stat(`${folder}/etc`))?.mode, 0o755);
		});

		test('readBytes reads bytes at an offset of a large sparse file; fewer at its end, none past it or for a directory, null when absent', async () => {
			const image = `${folder}/image's.iso`;
			// 3 GiB, sparse: only the header is read.
			assert.equal((await host.run(['truncate', '-s', '3G', image])).exitCode, 0);
			assert.equal((await host.run(['sh', '-c', 'printf "\\001CD001\\377" | dd of="$0" bs=1 seek=32768 conv=notrunc status=none', image])).exitCode, 0);
			assert.deepEqual(await host.readBytes(image, 32768, 7), Buffer.from([1, 0x43, 0x44, 0x30, 0x30, 0x31, 0xff]));
			assert.deepEqual(await host.readBytes(image, 3 * 2 ** 30 - 2, 5), Buffer.alloc(2), 'the last two bytes');
			assert.deepEqual(await host.readBytes(image, 3 * 2 ** 30 + 10, 5), Buffer.alloc(0), 'past the end');
			assert.deepEqual(await host.readBytes(folder, 0, 5), Buffer.alloc(0), 'a directory');
			assert.equal(await host.readBytes(`${folder}/absent.iso`, 0, 5), null);
			await host.remove(image, []);
		});

		test('remove removes the file, then each directory left empty, deepest first', async () => {
			await host.writeFile(`${folder}/x/y/file`, 'f\n', {mode: 0o644});
			await host.writeFile(`${folder}/x/keep`, 'k\n', {mode: 0o644});
			await host.remove(`${folder}/x/y/file`, [`${folder}/x/y`, `${folder}/x`]);
			assert.deepEqual(await host.list(`${folder}/x`), ['keep'], 'y went, x was not empty');
			await host.remove(`${folder}/x/keep`, [`${folder}/x`]);
			assert.equal(await host.stat(`${folder}/x`), null);
			await host.remove(`${folder}/x/absent`, [`${folder}/x`]);
		});

		test('run passes input, env and every argument as given, and reports the exit code and stderr', async () => {
			assert.deepEqual(await host.run(['cat'], {input: 'hello\n'}), {exitCode: 0, stdout: 'hello\n', stderr: ''});
			const failing = await host.run(['sh', '-c', 'echo "$GREETING"; echo oops >&2; exit 3'], {env: {GREETING: "hi 'there'"}});
			assert.deepEqual(failing, {exitCode: 3, stdout: "hi 'there'\n", stderr: 'oops\n'});
			const printed = await host.run(['printf', '%s|', 'a b', "it's", '$HOME', '', '*', 'line\nbreak']);
			assert.equal(printed.stdout, "a b|it's|$HOME||*|line\nbreak|");
		});

		test('run hands the output to onLines in batches, every line counted', async () => {
			const batches: string[][] = [];
			let printed = 0;
			const result = await host.run(['seq', '1', '500'], {
				onLines: (lines, count) => {
					batches.push(lines);
					printed += count;
				},
			});
			assert.equal(result.exitCode, 0);
			assert.equal(printed, 500);
			assert.equal(batches.at(-1)?.at(-1), '500');
		});

		test('run ends a command at its timeout, and nothing of it is left running', async () => {
			const result = await host.run(['sh', '-c', 'sleep 60; echo late', 'contract-timeout'], {timeoutMs: 500});
			assert.notEqual(result.exitCode, 0);
			assert.doesNotMatch(result.stdout, /late/);
			assert.equal((await host.probe(['pgrep', '-f', '[c]ontract-timeout']))?.exitCode, 1, 'no process of it is left');
		});

		test('run stops a command when its signal aborts', async () => {
			const controller = new AbortController();
			const result = await host.run(['sh', '-c', 'echo started; sleep 60; echo late', 'contract-abort'], {signal: controller.signal, onLines: () => controller.abort()});
			assert.notEqual(result.exitCode, 0);
			assert.match(result.stdout, /started/);
			assert.doesNotMatch(result.stdout, /late/);
			assert.equal((await host.probe(['pgrep', '-f', '[c]ontract-abort']))?.exitCode, 1, 'no process of it is left');
		});

		test('probe runs a read-only command and returns its output', async () => {
			assert.deepEqual(await host.probe(['cat', `${folder}/etc/a.conf`]), {exitCode: 0, stdout: 'good\n', stderr: ''});
			assert.equal((await host.probe(['test', '-e', `${folder}/absent`]))?.exitCode, 1);
		});

		test('check runs on a stage: copies of live directories (without .git), candidates laid over them', async () => {
			const live = `${folder}/live`;
			await host.writeFile(`${live}/a.conf`, 'live\n', {mode: 0o644});
			await host.writeFile(`${live}/.git/HEAD`, 'ref\n', {mode: 0o644});
			const stage = {copy: [live], files: [{path: `${live}/b.conf`, content: 'candidate\n'}], needs: `${live}/a.conf`, emptyDirectories: [`${live}/empty`]};
			const argv = ['sh', '-c', 'cat "$0/a.conf" "$0/b.conf"; test -d "$0/empty"; test ! -e "$0/.git"', `{stage}${live}`];
			const outcome = await host.check(argv, stage);
			assert.deepEqual(outcome, {ran: {exitCode: 0, stdout: 'live\ncandidate\n', stderr: ''}});
			assert.equal(await host.stat(`${live}/b.conf`), null, 'the live directory has no candidate');
			assert.deepEqual(await host.check(argv, {...stage, needs: `${live}/absent`}), {unchecked: `${live}/absent is not there to check the files with`});
			const rooted = await host.check(['test', '-f', `{root}${folder.slice(1)}/live/a.conf`]);
			assert.equal('ran' in rooted && rooted.ran.exitCode, 0, '{root} is the host\'s root');
		});

		test('a check program of source/checks runs on the host, beside its common.py', async () => {
			const name = (await host.probe(['hostname']))!.stdout.trim().split('.')[0]!;
			const passing = await host.check(program('hostname', name));
			assert.ok('ran' in passing);
			assert.deepEqual(passing.ran, {exitCode: 0, stdout: `this machine is ${name}\n`, stderr: ''});
			const failing = await host.probe(program('hostname', 'no-such-node'));
			assert.equal(failing?.exitCode, 1);
			assert.match(failing!.stdout, /^this machine is called .*, the recipe calls it no-such-node: set host.hostname to /);
			assert.equal(await host.holds({argv: program('hostname', name)}, as), true);
			assert.equal((await host.run(program('hostname', 'no-such-node'))).exitCode, 1);
		});

		test('holds, recorded and serviceRunning ask the host itself', async () => {
			const file = `${folder}/etc/a.conf`;
			assert.equal(await host.holds({exists: file}, as), true);
			assert.equal(await host.holds({exists: `${folder}/absent`}, as), false);
			assert.equal(await host.holds({not: {exists: file}}, as), false);
			assert.equal(await host.holds({argv: ['cat', file], stdoutIncludes: 'good'}, as), true);
			assert.equal(await host.holds({argv: ['cat', file], stdoutIncludes: 'bad'}, as), false);
			assert.equal(await host.holds({argv: ['cat', file], stdoutEmpty: true}, as), false);
			assert.equal(await host.holds({argv: ['cat', `${folder}/absent`]}, as), false);
			assert.equal(await host.recorded(as), false);
			assert.equal(await host.serviceRunning('no-such-service', as), false);
			if (subject.runningService) assert.equal(await host.serviceRunning(subject.runningService, as), true);
		});
	});
}
