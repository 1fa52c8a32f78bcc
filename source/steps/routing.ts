// VMs that keep their address on whichever node runs them (recipe
// network.routing: ospf): routed /32s announced over OSPF by the wizard's own
// bird, an "anycast gateway" (every node's bridge holds the same gateway
// address) and proxy ARP on the bridge so VMs of one subnet on different
// nodes reach each other. On this node: forwarding and proxy ARP on, the
// wizard's bird configured and started beside any other bird, a /32 for each
// instance this node runs, and the Ganeti hooks that move those /32s with the
// instances. With routing: none the step plans nothing (and the site lists it
// not at all).
import type {Action, CommandAction, FileAction} from '../actions/action.js';
import {recipeNodeOf, type Inventory, type InventoryInstance} from '../inventory/inventory.js';
import {birdConfPath, birdInitScriptPath, birdInstanceName, birdPasswordPath, renderBirdConf, renderBirdInitScript, renderBirdPassword, vmRouteProtocol, type BirdSettings} from '../render/bird.js';
import {renderRouteHook, routeHookPath, routeHookPaths} from '../render/ganeti-hooks.js';
import {proxyArpKey} from '../render/interfaces.js';
import {ipForwardPath} from './network.js';
import type {Facts, StepDefinition} from './step.js';

/** Where the kernel shows proxy ARP of `bridge` (read before the change, for undo). */
export const proxyArpPath = (bridge: string): string => `/proc/sys/net/ipv4/conf/${bridge}/proxy_arp`;
/** What a new interface gets: proxy ARP of a bridge not made yet will start from it. */
export const defaultProxyArpPath = '/proc/sys/net/ipv4/conf/default/proxy_arp';

/** Whether the site routes VMs between nodes. */
export const routesBetweenNodes = (inventory: Inventory): boolean => inventory.recipe.network.routing === 'ospf';

/**
 * The instances whose /32 this node holds. With one node, every instance of
 * the site; once the site has several nodes, those whose primary is this one
 * (the hooks keep it so after migrations and failovers).
 */
export function instancesHere(inventory: Inventory): InventoryInstance[] {
	// Ganeti's word when the master was asked; otherwise where vm add made it: the master.
	const where = (instance: InventoryInstance) => inventory.placement?.[instance.fqdn] ?? inventory.master.fqdn;
	return inventory.instances.filter(instance => where(instance) === inventory.node.fqdn);
}

/** The bird settings of this node: router id and announced /32 = its private address; OSPF on the public interface. */
export function birdSettings(inventory: Inventory): BirdSettings {
	const {network} = inventory.recipe;
	return {
		routerId: inventory.node.address,
		ospfInterface: recipeNodeOf(inventory).public_interface,
		bridge: network.bridge.name,
		privateAddress: inventory.node.address,
		acceptedNetworks: [network.vms_subnet, network.nodes_subnet],
		cluster: {address: inventory.cluster.address, netdev: inventory.cluster.masterNetdev},
	};
}

/** The site's OSPF password; a routed inventory always has one (buildInventory). */
function sitePassword(inventory: Inventory): string {
	if (inventory.ospfPassword === undefined) throw new Error('a routed site\'s inventory has no OSPF password: build it with buildInventory');
	return inventory.ospfPassword;
}

/** The argv of `ip route add|del` for an instance's /32 (proto 203 marks the wizard's). */
export function vmRouteArgv(verb: 'add' | 'del', address: string, bridge: string): string[] {
	return ['ip', 'route', verb, `${address}/32`, 'dev', bridge, 'proto', String(vmRouteProtocol)];
}

/** A sysctl set to 1, reversed to the value read before (or why that is unknown). */
function sysctlOn(id: string, title: string, key: string, before: string | undefined, unknown: string): CommandAction {
	return {
		kind: 'command',
		id,
		title,
		argv: ['sysctl', '-q', '-w', `${key}=1`],
		satisfiedWhen: {argv: ['sysctl', '-n', key], stdoutIncludes: '1'},
		...(before ? {inverse: ['sysctl', '-q', '-w', `${key}=${before}`]} : {inverseNote: unknown}),
	};
}

function kernelSettings(inventory: Inventory, facts: Facts): CommandAction[] {
	const bridge = inventory.recipe.network.bridge.name;
	const actions: CommandAction[] = [];
	// With NAT the network step turned forwarding on already, and journalled the value found.
	if (!inventory.recipe.network.nat) {
		actions.push(sysctlOn('routing.forwarding', 'forward IPv4 packets (net.ipv4.ip_forward=1)', 'net.ipv4.ip_forward', facts.files[ipForwardPath]?.trim(), `the value before is unknown: ${ipForwardPath} cannot be read here`));
	}
	// A bridge not there yet when planned gets the default's value when it is made.
	const before = (facts.files[proxyArpPath(bridge)] ?? facts.files[defaultProxyArpPath])?.trim();
	actions.push(sysctlOn('routing.proxy-arp', `answer ARP on ${bridge} for VMs on other nodes (proxy_arp=1)`, proxyArpKey(bridge), before, `the value before is unknown: ${proxyArpPath(bridge)} cannot be read here`));
	return actions;
}

function birdActions(inventory: Inventory): Action[] {
	const password: FileAction = {
		kind: 'file',
		id: 'routing.bird-password',
		title: `the site's OSPF password, the same on every node (${birdPasswordPath}, root's only)`,
		path: birdPasswordPath,
		content: renderBirdPassword(sitePassword(inventory)),
		mode: 0o600,
		// Journalled for undo like every file, never shown in a plan or by `changes`.
		secret: true,
	};
	const config: FileAction = {
		kind: 'file',
		id: 'routing.bird-config',
		title: `configure the wizard's bird (${birdConfPath})`,
		path: birdConfPath,
		content: renderBirdConf(birdSettings(inventory)),
		mode: 0o644,
		check: {argv: ['bird', '-p', '-c', '{}']},
	};
	const script: FileAction = {
		kind: 'file',
		id: 'routing.bird-script',
		title: `the init script of the wizard's bird (${birdInitScriptPath})`,
		path: birdInitScriptPath,
		content: renderBirdInitScript(),
		mode: 0o755,
		check: {argv: ['sh', '-n', '{}']},
	};
	return [
		password,
		config,
		script,
		{
			kind: 'command',
			id: 'routing.bird-boot',
			title: `start the wizard's bird at boot (update-rc.d ${birdInstanceName} defaults)`,
			argv: ['update-rc.d', birdInstanceName, 'defaults'],
			satisfiedWhen: {argv: ['find', '/etc/rc2.d', '-name', `S??${birdInstanceName}`], stdoutIncludes: birdInstanceName},
			inverse: ['update-rc.d', birdInstanceName, 'remove'],
		},
		{kind: 'service', id: 'routing.bird', title: `start or reload the wizard's bird (${birdInstanceName})`, service: birdInstanceName, operation: 'reload', after: [password.id, config.id, script.id]},
	];
}

function routeActions(inventory: Inventory): CommandAction[] {
	const bridge = inventory.recipe.network.bridge.name;
	return instancesHere(inventory).map(instance => ({
		kind: 'command',
		id: `routing.route.${instance.name}`,
		title: `route ${instance.address}/32 (${instance.name}) to ${bridge}, where it runs`,
		argv: vmRouteArgv('add', instance.address, bridge),
		satisfiedWhen: {argv: ['ip', '-4', 'route', 'show', `${instance.address}/32`, 'dev', bridge, 'proto', String(vmRouteProtocol)], stdoutIncludes: instance.address},
		inverse: vmRouteArgv('del', instance.address, bridge),
	}));
}

function hookActions(inventory: Inventory): FileAction[] {
	const content = renderRouteHook({
		nodeName: inventory.node.fqdn,
		bridge: inventory.recipe.network.bridge.name,
		addresses: Object.fromEntries(inventory.instances.map(instance => [instance.fqdn, instance.address])),
	});
	return routeHookPaths.map(hpath => ({
		kind: 'file',
		id: `routing.hook.${hpath}`,
		title: `move the VMs' /32 routes with them after ${hpath} (${routeHookPath(hpath)})`,
		path: routeHookPath(hpath),
		content,
		mode: 0o755,
		check: {argv: ['sh', '-n', '{}']},
	}));
}

export const routingStep: StepDefinition = {
	id: 'routing',
	title: 'VM routes between nodes (OSPF, bird2)',
	requires: ['network'],
	reads: inventory => (routesBetweenNodes(inventory) ? [ipForwardPath, proxyArpPath(inventory.recipe.network.bridge.name), defaultProxyArpPath] : []),
	plan(inventory, facts): Action[] {
		if (!routesBetweenNodes(inventory)) return [];
		return [...kernelSettings(inventory, facts), ...birdActions(inventory), ...routeActions(inventory), ...hookActions(inventory)];
	},
};
