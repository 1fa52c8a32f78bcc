// DHCP for the VMs: dhcpd.conf with a host entry per instance, checked by
// dhcpd itself before it is installed, dhcpd limited to the bridge, /etc/dhcp
// kept in git, and dhcpd restarted after a change.
import type {Action, FileAction} from '../actions/action.js';
import {describeHostChanges, parseDhcpHosts, renderDhcpDefaults, renderDhcpdConf} from '../render/dhcpd.js';
import {baseline, commitMessage, historyAfter, historyBefore} from './config-history.js';
import type {StepDefinition} from './step.js';

export const dhcpDirectory = '/etc/dhcp';
export const dhcpdConfPath = `${dhcpDirectory}/dhcpd.conf`;
export const dhcpDefaultsPath = '/etc/default/isc-dhcp-server';

export const dhcpStep: StepDefinition = {
	id: 'dhcp',
	title: 'DHCP for the VMs (isc-dhcp-server)',
	requires: ['dns'],
	reads: () => [dhcpdConfPath, dhcpDefaultsPath],
	readsCommitted: () => [dhcpdConfPath],
	plan(inventory, facts): Action[] {
		// DHCP turned off: leave whatever serves DHCP here (if anything) alone.
		if (!inventory.recipe.dhcp.enabled) return [];
		const conf: FileAction = {
			kind: 'file',
			id: 'dhcp.conf',
			title: `write dhcpd's configuration (${dhcpdConfPath})`,
			path: dhcpdConfPath,
			content: renderDhcpdConf(inventory),
			mode: 0o644,
			check: {argv: ['dhcpd', '-t', '-q', '-cf', '{}']},
		};
		const defaults: FileAction = {
			kind: 'file',
			id: 'dhcp.defaults',
			title: `serve DHCP on ${inventory.recipe.network.bridge.name} only (${dhcpDefaultsPath})`,
			path: dhcpDefaultsPath,
			content: renderDhcpDefaults(inventory),
			mode: 0o644,
			// It is sourced by the init script: it must at least be valid shell.
			check: {argv: ['sh', '-n', '{}']},
		};
		const changes = describeHostChanges(parseDhcpHosts(baseline(facts, conf) ?? ''), parseDhcpHosts(conf.content));
		if (changes.length === 0 && baseline(facts, conf) !== conf.content) changes.push('update dhcpd.conf');
		return [
			...historyBefore('dhcp', dhcpDirectory, [conf], facts),
			conf,
			...(changes.length > 0 ? historyAfter('dhcp', dhcpDirectory, commitMessage(changes)) : []),
			defaults,
			{
				kind: 'service',
				id: 'dhcp.dhcpd',
				title: 'restart dhcpd (isc-dhcp-server)',
				service: 'isc-dhcp-server',
				operation: 'restart',
				after: [conf.id, defaults.id],
			},
		];
	},
};
