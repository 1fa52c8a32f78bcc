// The daemons' own checkers, run on rendered text in throwaway folders:
// named-checkzone, named-checkconf -z over a copy of Debian's /etc/bind,
// dhcpd -t, ifup --no-act and bird -p. Nothing here touches the live configuration.
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {$} from 'zx';
import {birdPasswordName, renderBirdPassword} from '../../source/render/bird.js';

export type CheckResult = {exitCode: number; output: string};

/** Requirements for need() (test/support/need.ts). */
export const checkerCommands = ['named-checkzone', 'named-checkconf', 'dhcpd', 'ifup', 'bird'];

async function run(argv: string[]): Promise<CheckResult> {
	const result = await $({nothrow: true, quiet: true, env: {...process.env, LC_ALL: 'C'}})`${argv}`;
	return {exitCode: result.exitCode ?? 1, output: (result.stdout + result.stderr).trim()};
}

/** Runs `use` with a fresh folder that is removed afterwards. */
export async function withFolder<T>(use: (folder: string) => Promise<T>): Promise<T> {
	const folder = mkdtempSync(join(tmpdir(), 'gw-check-'));
	try {
		return await use(folder);
	} finally {
		rmSync(folder, {recursive: true, force: true});
	}
}

/** `argv` on `text` written as `name` in a fresh folder, with `beside` (name -> text) next to it (files it includes). */
async function checkText(name: string, text: string, argv: (path: string) => string[], beside: Record<string, string> = {}): Promise<CheckResult> {
	return withFolder(async folder => {
		const path = join(folder, name);
		writeFileSync(path, text);
		for (const [other, content] of Object.entries(beside)) writeFileSync(join(folder, other), content);
		return run(argv(path));
	});
}

export const checkZone = (zone: string, text: string): Promise<CheckResult> => checkText('zone', text, path => ['named-checkzone', zone, path]);
export const checkNamedConf = (text: string): Promise<CheckResult> => checkText('named.conf', text, path => ['named-checkconf', path]);
export const checkDhcpd = (text: string): Promise<CheckResult> => checkText('dhcpd.conf', text, path => ['dhcpd', '-t', '-q', '-cf', path]);
/** bird(8) -p: parse the configuration and exit (no daemon, no socket). */
export const checkBirdConf = (text: string, beside: Record<string, string> = {[birdPasswordName]: renderBirdPassword('0'.repeat(64))}): Promise<CheckResult> =>
	checkText('bird.conf', text, path => ['bird', '-p', '-c', path], beside);
export const checkInterfaces = (text: string): Promise<CheckResult> => checkText('interfaces', text, path => ['ifup', '--no-act', '-i', path, '-a']);

/**
 * `dhcpd -t` on dhcpd's whole configuration: `files` (host paths) as the
 * tree, every `include "PATH";` line replaced by that file's text (dhcpd
 * cannot read its files under another root), the result checked as one file.
 */
export async function checkDhcpdTree(files: Record<string, string>, main = '/etc/dhcp/dhcpd.conf'): Promise<CheckResult> {
	const inline = (path: string, depth: number): string => {
		const text = files[path];
		if (text === undefined) throw new Error(`${path} is included but not in the tree`);
		if (depth > 8) throw new Error(`${path}: includes nest too deep`);
		return text.replace(/^\s*include\s+"([^"]+)"\s*;\s*$/gm, (_line, included: string) => inline(included, depth + 1));
	};
	return checkDhcpd(inline(main, 0));
}

/** A checker argv as a step gives it ("{}" = candidate path), run on `text`. */
export const runCheckArgv = (argv: string[], text: string, beside: Record<string, string> = {}): Promise<CheckResult> =>
	checkText('candidate', text, path => argv.map(part => (part === '{}' ? path : part)), beside);

export type ZoneRecord = {owner: string; type: string; data: string};

/** The zone's records as bind reads them (named-checkzone -D: canonical, absolute names). */
export async function loadZone(zone: string, text: string): Promise<ZoneRecord[]> {
	const result = await checkText('zone', text, path => ['named-checkzone', '-q', '-D', '-o', '-', zone, path]);
	if (result.exitCode !== 0) throw new Error(`named-checkzone rejected ${zone}: ${result.output}`);
	return result.output
		.split('\n')
		.filter(line => line.trim() !== '')
		.map(line => {
			const [owner, _ttl, _class, type, ...data] = line.trim().split(/\s+/);
			return {owner: owner!, type: type!, data: data.join(' ')};
		});
}

/**
 * `named-checkconf -z` as named would read it: Debian's /etc/bind (named.conf,
 * default zones) copied into a throwaway root with `files` laid over it,
 * checked chrooted there (-t), so the absolute paths in the files resolve.
 */
export async function checkBindTree(files: Array<{path: string; content: string}>): Promise<CheckResult> {
	if (!existsSync('/etc/bind/named.conf')) throw new Error('/etc/bind/named.conf is missing (Debian package bind9)');
	return withFolder(async root => {
		cpSync('/etc/bind', join(root, 'etc/bind'), {recursive: true, filter: source => !source.includes('/.git')});
		mkdirSync(join(root, 'var/cache/bind'), {recursive: true});
		// named.conf.default-zones reads the root hints from outside /etc/bind.
		if (existsSync('/usr/share/dns/root.hints')) cpSync('/usr/share/dns/root.hints', join(root, 'usr/share/dns/root.hints'));
		for (const file of files) {
			mkdirSync(dirname(join(root, file.path)), {recursive: true});
			writeFileSync(join(root, file.path), file.content);
		}
		return run(['named-checkconf', '-t', root, '-z', '/etc/bind/named.conf']);
	});
}

/** Runs the tasks at most `limit` at a time (the checkers are separate processes). */
export async function inParallel<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			const index = next++;
			results[index] = await task(items[index]!);
		}
	};
	await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
	return results;
}
