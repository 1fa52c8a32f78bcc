// DHCP for the VMs: the VM subnet and a host entry per instance in a file of
// the wizard's own that dhcpd.conf includes with one line, the whole
// configuration checked by dhcpd itself before anything is installed, the
// bridge added to the interfaces dhcpd serves, /etc/dhcp kept in git, and
// dhcpd restarted after a change. Someone else's subnets, hosts and
// interfaces stay as they are.
import type {Action, CommandAction, FileAction} from '../actions/action.js';
import {describeHostChanges, dhcpdIncludePath, parseDhcpHosts, parseDhcpInterfaces, renderDhcpDefaults, renderDhcpdConf, renderDhcpdInclude} from '../render/dhcpd.js';
import {baseline, commitMessage, historyAfter, historyBefore} from './config-history.js';
import {program} from './programs.js';
import type {StepDefinition} from './step.js';

export const dhcpDirectory = '/etc/dhcp';
export const dhcpdConfPath = `${dhcpDirectory}/dhcpd.conf`;
export const dhcpDefaultsPath = '/etc/default/isc-dhcp-server';
export {dhcpdIncludePath};

export const dhcpStep: StepDefinition = {
	id: 'dhcp',
	title: 'DHCP for the VMs (isc-dhcp-server)',
	requires: ['dns'],
	reads: () => [dhcpdConfPath, dhcpdIncludePath, dhcpDefaultsPath],
	readsCommitted: () => [dhcpdConfPath, dhcpdIncludePath],
	plan(inventory, facts): Action[] {
		// DHCP turned off: leave whatever serves DHCP here (if anything) alone.
		if (!inventory.recipe.dhcp.enabled) return [];
		const bridge = inventory.recipe.network.bridge.name;
		const vms: FileAction = {
			kind: 'file',
			id: 'dhcp.vms',
			title: `write the VM subnet and its hosts (${dhcpdIncludePath})`,
			path: dhcpdIncludePath,
			content: renderDhcpdInclude(inventory),
			mode: 0o644,
			check: {argv: ['dhcpd', '-t', '-q', '-cf', '{}']},
		};
		// Checked with its include by dhcpd.whole below, before either is installed.
		const conf: FileAction = {
			kind: 'file',
			id: 'dhcp.conf',
			title: `include the VM subnet from ${dhcpdConfPath}`,
			path: dhcpdConfPath,
			content: renderDhcpdConf(facts.files[dhcpdConfPath] ?? null),
			mode: 0o644,
		};
		const whole: CommandAction = {
			kind: 'command',
			id: 'dhcp.check',
			title: 'check the new dhcpd configuration with its include',
			argv: program('dhcpd-config', '{stage}', dhcpdConfPath),
			readOnly: true,
			idempotent: true,
			stage: {copy: [dhcpDirectory], files: [vms, conf].map(({path, content}) => ({path, content})), needs: dhcpdConfPath},
		};
		const current = facts.files[dhcpDefaultsPath] ?? null;
		const defaults: FileAction = {
			kind: 'file',
			id: 'dhcp.defaults',
			title: `serve DHCP on ${bridge}${parseDhcpInterfaces(current).some(name => name !== bridge) ? ' too' : ''} (${dhcpDefaultsPath})`,
			path: dhcpDefaultsPath,
			content: renderDhcpDefaults(inventory, current),
			mode: 0o644,
			// It is sourced by the init script: it must at least be valid shell.
			check: {argv: ['sh', '-n', '{}']},
		};
		const changes = describeHostChanges(parseDhcpHosts(baseline(facts, vms) ?? ''), parseDhcpHosts(vms.content));
		if (changes.length === 0 && baseline(facts, vms) !== vms.content) changes.push('update ganeti-wizard.conf');
		if (baseline(facts, conf) !== conf.content) changes.push('include dhcpd.d/ganeti-wizard.conf');
		return [
			...historyBefore('dhcp', dhcpDirectory, [vms, conf], facts),
			whole,
			vms,
			conf,
			...(changes.length > 0 ? historyAfter('dhcp', dhcpDirectory, commitMessage(changes)) : []),
			defaults,
			{
				kind: 'service',
				id: 'dhcp.dhcpd',
				title: 'restart dhcpd (isc-dhcp-server)',
				service: 'isc-dhcp-server',
				operation: 'restart',
				after: [vms.id, conf.id, defaults.id],
			},
		];
	},
};
