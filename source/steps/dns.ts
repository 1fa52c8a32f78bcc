// The private name server: zones derived from the inventory, bind's options and
// zone list, each checked by bind's own checker before it is installed, all of
// /etc/bind kept in git, bind reloaded after a change, and the host's resolver
// pointed at it (Ganeti resolves its node and cluster names through it).
import type {Action, FileAction} from '../actions/action.js';
import type {Inventory} from '../inventory/inventory.js';
import {renderNamedLocal, renderNamedOptions} from '../render/bind.js';
import {renderResolvConf} from '../render/resolv.js';
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

/** The files of /etc/bind the wizard owns, for `reads` and `readsCommitted`. */
function bindPaths(inventory: Inventory): string[] {
	const zones = zoneFiles(inventory);
	return [zones.forward.path, ...zones.reverse.map(entry => entry.path), namedConfLocalPath, namedConfOptionsPath];
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
	const name = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
	const records = describeRecordChanges(parseARecords(baseline(facts, forward) ?? '', inventory.zone), parseARecords(forward.content, inventory.zone));
	const changed = files.filter(file => baseline(facts, file) !== file.content);
	// Reverse zones change with the records; name them only when no record explains it.
	const updates = changed.filter(file => records.length === 0 || !zonePaths.has(file.path)).map(file => `update ${name(file.path)}`);
	return [...records, ...updates];
}

export const dnsStep: StepDefinition = {
	id: 'dns',
	title: 'Private DNS (bind9)',
	requires: ['network'],
	reads: inventory => [...bindPaths(inventory), resolvConfPath],
	readsCommitted: inventory => bindPaths(inventory),
	plan(inventory, facts): Action[] {
		const rendered = renderZones(inventory);
		const zones = rendered.map(zone => zoneFile(zone, facts));
		const local: FileAction = {
			kind: 'file',
			id: 'dns.local',
			title: `list the private zones in ${namedConfLocalPath}`,
			path: namedConfLocalPath,
			content: renderNamedLocal(rendered),
			mode: 0o644,
			owner: bindOwner,
			check: {argv: ['named-checkconf', '{}']},
		};
		const options: FileAction = {
			kind: 'file',
			id: 'dns.options',
			title: `write bind's options (${namedConfOptionsPath})`,
			path: namedConfOptionsPath,
			content: renderNamedOptions(inventory, facts.resolvers),
			mode: 0o644,
			owner: bindOwner,
			check: {argv: ['named-checkconf', '{}']},
		};
		const files: FileAction[] = [...zones, local, options];
		const fileIds = files.map(file => file.id);
		const changes = describe(inventory, facts, zones[0]!, new Set(zones.map(zone => zone.path)), files);
		return [
			...historyBefore('dns', bindDirectory, files, facts),
			{
				// The whole configuration with every zone loaded, as named will read
				// it, BEFORE any file is installed: a copy of /etc/bind with the new
				// files laid over it, checked chrooted there.
				kind: 'command',
				id: 'dns.checkconf',
				title: 'check the new bind configuration and its zones together',
				argv: ['named-checkconf', '-t', '{stage}', '-z', namedConfPath],
				readOnly: true,
				idempotent: true,
				// Debian's zones read root hints from /usr/share/dns; named-checkconf changes
				// into the options' "directory" (/var/cache/bind).
				stage: {copy: [bindDirectory, '/usr/share/dns'], files: files.map(({path, content}) => ({path, content})), needs: namedConfPath, emptyDirectories: ['/var/cache/bind']},
			},
			...files,
			// Nothing changed since the last commit: nothing to commit, no message naming unchanged files.
			...(changes.length > 0 ? historyAfter('dns', bindDirectory, commitMessage(changes)) : []),
			{kind: 'service', id: 'dns.named', title: 'reload bind (named)', service: 'named', operation: 'reload', after: fileIds},
			{
				kind: 'file',
				id: 'dns.resolv',
				title: `resolve through the private name server first (${resolvConfPath})`,
				path: resolvConfPath,
				content: renderResolvConf(facts.files[resolvConfPath] ?? null, inventory),
				mode: 0o644,
			},
		];
	},
};
