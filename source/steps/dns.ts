// The private name server: zones derived from the inventory, bind's
// configuration for them, each file checked by bind's own checker before it is
// installed, all of /etc/bind kept in git, named reloaded after a change, and
// the host's resolver pointed at it (Ganeti resolves its node and cluster names
// through it).
//
// Where the private zones are served depends on the bind found here:
// - Debian's stock configuration (or the wizard's own): the wizard owns
//   named.conf.options and named.conf.local, as the seed did by hand;
// - someone else's (their zones, options, listen addresses): their files stay
//   as they are and a second named serves the private zones on the private
//   addresses only. When their named listens on every address, or on a
//   private one, nothing can keep both: planning stops before any change.
//
// The resolver stays the operator's: a plain /etc/resolv.conf gets the private
// server first; with systemd-resolved, a drop-in routes only the private zones
// to it and /etc/resolv.conf is left alone.
import type {Action, CommandAction, FileAction} from '../actions/action.js';
import {RecipeError} from '../errors.js';
import type {Inventory} from '../inventory/inventory.js';
import {listenAddresses, renderNamedLocal, renderNamedOptions} from '../render/bind.js';
import {instanceConfPath, instanceInitScriptPath, instanceName, instanceWorkDirectory, renderInstanceConf, renderInstanceInitScript} from '../render/named-instance.js';
import {renderResolvConf} from '../render/resolv.js';
import {renderResolvedDropIn, resolvedDropInDirectory, resolvedDropInPath} from '../render/resolved.js';
import {nextSerial, withSerial} from '../render/serial.js';
import {describeRecordChanges, parseARecords} from '../render/zone-records.js';
import {bindDirectory, renderZones, zoneFiles, type ZoneText} from '../render/zones.js';
import {baseline, commitMessage, historyAfter, historyBefore, type ManagedFile} from './config-history.js';
import type {Facts, StepDefinition} from './step.js';

export const namedConfOptionsPath = `${bindDirectory}/named.conf.options`;
export const namedConfLocalPath = `${bindDirectory}/named.conf.local`;
export const namedConfPath = `${bindDirectory}/named.conf`;
export const resolvConfPath = '/etc/resolv.conf';

const bindOwner = {user: 'root', group: 'bind'};

/** The files of /etc/bind the wizard may own, for `reads` and `readsCommitted`. */
function bindPaths(inventory: Inventory): string[] {
	const zones = zoneFiles(inventory);
	return [zones.forward.path, ...zones.reverse.map(entry => entry.path), namedConfLocalPath, namedConfOptionsPath, instanceConfPath];
}

/**
 * Where the private zones go: `own` (bind's configuration is Debian's stock or
 * the wizard's: take it over) or `beside` (someone else's: a second named).
 * Throws a one-line RecipeError, before any change, when their named listens
 * on every address or on a private one, so no second named could listen there.
 */
export function bindPlacement(inventory: Inventory, facts: Pick<Facts, 'bind'>): 'own' | 'beside' {
	const bind = facts.bind;
	if (!bind || bind.stock) return 'own';
	const ours = listenAddresses(inventory);
	const addresses = ours.join(' and ');
	if ('everywhere' in bind.listen) {
		throw new RecipeError(
			[`named here serves a configuration of its own and ${bind.listen.everywhere}, so the private zones cannot get a named of their own on ${addresses}: list the addresses it serves (e.g. listen-on { 127.0.0.1; <public address>; };), then run again`],
			namedConfOptionsPath,
		);
	}
	const taken = bind.listen.addresses.filter(address => ours.includes(address));
	if (taken.length > 0) {
		throw new RecipeError([`named here already listens on the private address ${taken.join(' and ')}: remove it from listen-on (the private zones get a named of their own there), then run again`], namedConfOptionsPath);
	}
	return 'beside';
}

/** Refuses, before any change, a resolv.conf that is a link to a file another program writes. */
export function checkResolver(facts: Pick<Facts, 'resolver'>): void {
	const {manager, link} = facts.resolver;
	if (manager !== 'other-link') return;
	throw new RecipeError(
		[`is a link to ${link}, which another program writes, so the private name server cannot be put first there: make /etc/resolv.conf a plain file, or a link to systemd-resolved's stub (/run/systemd/resolve/stub-resolv.conf), then run again`],
		resolvConfPath,
	);
}

/** A zone file with its serial: kept when the zone is unchanged, increased otherwise. */
function zoneFile(zone: ZoneText, facts: Facts): FileAction {
	const serial = nextSerial(facts.files[zone.path] ?? null, zone.body, facts.now, facts.serials[zone.name] ?? 0);
	return {
		kind: 'file',
		id: `dns.zone.${zone.name}`,
		title: `write zone ${zone.name} (${zone.path})`,
		path: zone.path,
		content: withSerial(zone.body, serial),
		mode: 0o644,
		owner: bindOwner,
		check: {argv: ['named-checkzone', zone.name, '{}']},
		serial: {zone: zone.name, value: serial},
	};
}

/** What the commit says: record changes, else which files changed. */
function describe(inventory: Inventory, facts: Facts, forward: ManagedFile, zonePaths: Set<string>, files: ManagedFile[]): string[] {
	const name = (path: string): string => path.slice(bindDirectory.length + 1);
	const records = describeRecordChanges(parseARecords(baseline(facts, forward) ?? '', inventory.zone), parseARecords(forward.content, inventory.zone));
	const changed = files.filter(file => baseline(facts, file) !== file.content);
	// Reverse zones change with the records; name them only when no record explains it.
	const updates = changed.filter(file => records.length === 0 || !zonePaths.has(file.path)).map(file => `update ${name(file.path)}`);
	return [...records, ...updates];
}

/** The configuration files of the placement: their paths, contents, checks. */
function configurationFiles(inventory: Inventory, facts: Facts, placement: 'own' | 'beside', rendered: ZoneText[]): FileAction[] {
	const file = (id: string, title: string, path: string, content: string): FileAction => ({
		kind: 'file',
		id,
		title,
		path,
		content,
		mode: 0o644,
		owner: bindOwner,
		check: {argv: ['named-checkconf', '{}']},
	});
	if (placement === 'beside') {
		// Checked whole by dns.checkconf only: on its own, named-checkconf wants its
		// working directory, which the step makes after the files are in place.
		const {check: _check, ...instance} = file('dns.instance', `configure a named of its own for the private zones (${instanceConfPath})`, instanceConfPath, renderInstanceConf(inventory, facts.resolvers, rendered));
		return [instance];
	}
	return [
		file('dns.local', `list the private zones in ${namedConfLocalPath}`, namedConfLocalPath, renderNamedLocal(rendered)),
		file('dns.options', `write bind's options (${namedConfOptionsPath})`, namedConfOptionsPath, renderNamedOptions(inventory, facts.resolvers)),
	];
}

/** The host's resolver: resolv.conf when it is a plain file, a resolved drop-in when resolved writes it. */
function resolverActions(inventory: Inventory, facts: Facts, rendered: ZoneText[]): Action[] {
	if (facts.resolver.manager === 'systemd-resolved') {
		const dropIn: FileAction = {
			kind: 'file',
			id: 'dns.resolved',
			title: `route only the private zones to the private name server (${resolvedDropInPath})`,
			path: resolvedDropInPath,
			content: renderResolvedDropIn(inventory, rendered.map(zone => zone.name)),
			mode: 0o644,
		};
		// Its directory is kept under git as /etc/bind is: hand changes (others' drop-ins) first, then the wizard's.
		const changed = baseline(facts, dropIn) !== dropIn.content;
		const zones = rendered.map(zone => `~${zone.name}`).join(' ');
		return [
			...historyBefore('dns.resolved', resolvedDropInDirectory, [dropIn], facts),
			dropIn,
			...(changed ? historyAfter('dns.resolved', resolvedDropInDirectory, `route ${zones} to ${inventory.node.address}`) : []),
			{kind: 'service', id: 'dns.resolved-restart', title: 'restart systemd-resolved', service: 'systemd-resolved', operation: 'restart', after: [dropIn.id]},
		];
	}
	return [
		{
			kind: 'file',
			id: 'dns.resolv',
			title: `resolve through the private name server first (${resolvConfPath})`,
			path: resolvConfPath,
			content: renderResolvConf(facts.files[resolvConfPath] ?? null, inventory),
			mode: 0o644,
		},
	];
}

/** The second named's init script, working directory and boot links. */
function instanceService(): {script: FileAction; setup: CommandAction[]} {
	const script: FileAction = {
		kind: 'file',
		id: 'dns.instance-script',
		title: `the init script of the private named (${instanceInitScriptPath})`,
		path: instanceInitScriptPath,
		content: renderInstanceInitScript(),
		mode: 0o755,
		check: {argv: ['sh', '-n', '{}']},
	};
	const setup: CommandAction[] = [
		{
			kind: 'command',
			id: 'dns.instance-directory',
			title: `make the private named's working directory (${instanceWorkDirectory})`,
			argv: ['install', '-d', '-o', 'bind', '-g', 'bind', '-m', '0775', instanceWorkDirectory],
			satisfiedWhen: {exists: instanceWorkDirectory},
		},
		{
			kind: 'command',
			id: 'dns.instance-boot',
			title: `start the private named at boot (update-rc.d ${instanceName} defaults)`,
			argv: ['update-rc.d', instanceName, 'defaults'],
			// Its start link in runlevel 2 (the number before the name is insserv's order).
			satisfiedWhen: {argv: ['find', '/etc/rc2.d', '-name', `S??${instanceName}`], stdoutIncludes: instanceName},
			inverse: ['update-rc.d', instanceName, 'remove'],
		},
	];
	return {script, setup};
}

export const dnsStep: StepDefinition = {
	id: 'dns',
	title: 'Private DNS (bind9)',
	requires: ['network'],
	reads: inventory => [...bindPaths(inventory), resolvConfPath, resolvedDropInPath],
	readsCommitted: inventory => [...bindPaths(inventory), resolvedDropInPath],
	plan(inventory, facts): Action[] {
		checkResolver(facts);
		const placement = bindPlacement(inventory, facts);
		const rendered = renderZones(inventory);
		const zones = rendered.map(zone => zoneFile(zone, facts));
		const files: FileAction[] = [...zones, ...configurationFiles(inventory, facts, placement, rendered)];
		const fileIds = files.map(file => file.id);
		const changes = describe(inventory, facts, zones[0]!, new Set(zones.map(zone => zone.path)), files);
		const configuration = placement === 'beside' ? instanceConfPath : namedConfPath;
		const service = placement === 'beside' ? instanceService() : undefined;
		return [
			...historyBefore('dns', bindDirectory, files, facts),
			{
				// The whole configuration with every zone loaded, as named will read
				// it, BEFORE any file is installed: a copy of /etc/bind with the new
				// files laid over it, checked chrooted there.
				kind: 'command',
				id: 'dns.checkconf',
				title: 'check the new bind configuration and its zones together',
				argv: ['named-checkconf', '-t', '{stage}', '-z', configuration],
				readOnly: true,
				idempotent: true,
				// Debian's zones read root hints from /usr/share/dns; named-checkconf changes
				// into the options' "directory" (/var/cache/bind).
				stage: {
					copy: [bindDirectory, '/usr/share/dns'],
					files: files.map(({path, content}) => ({path, content})),
					// The second named reads Debian's default zones; the first, named.conf.
					needs: placement === 'beside' ? `${bindDirectory}/named.conf.default-zones` : namedConfPath,
					emptyDirectories: placement === 'beside' ? ['/var/cache/bind', instanceWorkDirectory] : ['/var/cache/bind'],
				},
			},
			...files,
			// Nothing changed since the last commit: nothing to commit, no message naming unchanged files.
			...(changes.length > 0 ? historyAfter('dns', bindDirectory, commitMessage(changes)) : []),
			...(service
				? [
						service.script,
						...service.setup,
						{kind: 'service', id: 'dns.named', title: `reload the private named (${instanceName})`, service: instanceName, operation: 'reload', after: [...fileIds, service.script.id]} as Action,
					]
				: [{kind: 'service', id: 'dns.named', title: 'reload bind (named)', service: 'named', operation: 'reload', after: fileIds} as Action]),
			...resolverActions(inventory, facts, rendered),
		];
	},
};
