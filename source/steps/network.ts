// The node's private network: its address on lo:1 with the private range
// blackholed, the VM bridge, and NAT out the public interface. Configured with
// ifupdown (checked by `ifup --no-act` before installation) so it survives a
// reboot, then brought up now; each live change is probed first, so running
// the step again adds nothing twice.
import type {Action, FileAction} from '../actions/action.js';
import {parseCidr} from '../inventory/addresses.js';
import {recipeNodeOf} from '../inventory/inventory.js';
import {conflictingInterfaces, installedMasqueradeRule, interfacesPath, masqueradeRule, privateAlias, renderInterfaces, withInterfacesSource, wizardInterfacesPath} from '../render/interfaces.js';
import type {StepDefinition} from './step.js';

const ifupCheck = {argv: ['ifup', '--no-act', '-i', '{}', '-a']};
/** Read before the change: undo sets it back to what it was. */
export const ipForwardPath = '/proc/sys/net/ipv4/ip_forward';

export const networkStep: StepDefinition = {
	id: 'network',
	title: 'Private network, bridge and NAT',
	requires: ['host'],
	// With NAT off, the installed file says whether a rule of the wizard's is live.
	reads: inventory => [interfacesPath, ...(inventory.recipe.network.nat ? [ipForwardPath] : [wizardInterfacesPath])],
	plan(inventory, facts): Action[] {
		const {recipe} = inventory;
		const bridge = recipe.network.bridge;
		const range = recipe.network.private_range;
		const current = facts.files[interfacesPath] ?? null;
		const actions: Action[] = [];

		const conflicts = conflictingInterfaces(current, inventory);
		if (conflicts.length > 0) {
			// Two stanzas for one interface make ifupdown apply both; the operator decides which goes.
			actions.push({
				kind: 'checkpoint',
				id: 'network.conflict',
				title: `${interfacesPath} already configures ${conflicts.join(' and ')}`,
				instructions: `Remove the stanzas for ${conflicts.join(' and ')} from ${interfacesPath}: the wizard configures them in ${wizardInterfacesPath}. Then continue.`,
				details: [
					{label: 'File', value: interfacesPath},
					{label: 'Interfaces', value: conflicts.join(', ')},
				],
			});
		}

		// NAT turned off after it was on: the live rule goes too, before the file
		// that names it (a run killed in between still finds it there).
		const leftRule = recipe.network.nat ? null : installedMasqueradeRule(facts.files[wizardInterfacesPath] ?? null);
		if (leftRule) {
			actions.push({
				kind: 'command',
				id: 'network.nat-off',
				title: `stop masquerading ${leftRule[2]} out ${leftRule[4]} (network.nat is false)`,
				argv: ['iptables', '-t', 'nat', '-D', ...leftRule],
				satisfiedWhen: {not: {argv: ['iptables', '-t', 'nat', '-C', ...leftRule]}},
				inverseNote: 'the rule was the wizard\'s own (network.nat): before the wizard there was none',
			});
		}

		const ours: FileAction = {
			kind: 'file',
			id: 'network.interfaces',
			title: `configure ${privateAlias} and ${bridge.name} (${wizardInterfacesPath})`,
			path: wizardInterfacesPath,
			content: renderInterfaces(inventory),
			mode: 0o644,
			check: ifupCheck,
		};
		const source: FileAction = {
			kind: 'file',
			id: 'network.source',
			title: `have ${interfacesPath} read ${wizardInterfacesPath}`,
			path: interfacesPath,
			content: withInterfacesSource(current),
			mode: 0o644,
			check: ifupCheck,
		};
		const {prefix} = parseCidr(recipe.network.vms_subnet);
		actions.push(
			ours,
			source,
			{
				kind: 'command',
				id: 'network.lo1',
				title: `bring up ${privateAlias} (${inventory.node.address})`,
				argv: ['ifup', privateAlias],
				inverse: ['ifdown', privateAlias],
				satisfiedWhen: {argv: ['ip', '-4', 'addr', 'show', 'dev', 'lo'], stdoutIncludes: `inet ${inventory.node.address}/32 `},
			},
			{
				// Also an `up` line of lo:1; here on its own so a run killed inside ifup still gets it.
				kind: 'command',
				id: 'network.blackhole',
				title: `blackhole ${range} (no private address leaves through ${recipeNodeOf(inventory).public_interface})`,
				argv: ['ip', 'route', 'replace', 'blackhole', range],
				inverse: ['ip', 'route', 'del', 'blackhole', range],
				satisfiedWhen: {argv: ['ip', 'route', 'show', 'type', 'blackhole'], stdoutIncludes: `blackhole ${range}`},
			},
		);
		// NAT before the bridge: br0's post-up sets ip_forward too, and the value found before must be the one journalled.
		if (recipe.network.nat) {
			const rule = masqueradeRule(inventory);
			const previous = facts.files[ipForwardPath]?.trim();
			actions.push(
				{
					kind: 'command',
					id: 'network.forwarding',
					title: 'forward IPv4 packets (net.ipv4.ip_forward=1)',
					argv: ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
					satisfiedWhen: {argv: ['sysctl', '-n', 'net.ipv4.ip_forward'], stdoutIncludes: '1'},
					...(previous ? {inverse: ['sysctl', '-q', '-w', `net.ipv4.ip_forward=${previous}`]} : {inverseNote: `the value before is unknown: ${ipForwardPath} cannot be read here`}),
				},
				{
					kind: 'command',
					id: 'network.nat',
					title: `masquerade ${range} out ${recipeNodeOf(inventory).public_interface}`,
					argv: ['iptables', '-t', 'nat', '-A', ...rule],
					satisfiedWhen: {argv: ['iptables', '-t', 'nat', '-C', ...rule]},
					inverse: ['iptables', '-t', 'nat', '-D', ...rule],
				},
			);
		}
		actions.push(
			{
				kind: 'command',
				id: 'network.bridge',
				title: `bring up ${bridge.name} (${bridge.address}/${prefix})`,
				argv: ['ifup', bridge.name],
				// ifupdown's bridge hook deletes the bridge it made.
				inverse: ['ifdown', bridge.name],
				satisfiedWhen: {argv: ['ip', '-4', 'addr', 'show', 'dev', bridge.name], stdoutIncludes: `inet ${bridge.address}/${prefix} `},
			},
		);
		return actions;
	},
};
