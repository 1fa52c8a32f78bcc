// The answers at a glance: one line per part of the site.
import {getPath, type Draft} from './draft.js';

/** Six lines that say what the site will be. */
export function summaryLines(draft: Draft): Array<[string, string]> {
	const get = (...path: Array<string | number>) => {
		const value = getPath(draft, path);
		return value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value);
	};
	const lines: Array<[string, string]> = [
		['Host', `${get('host', 'hostname')} · public ${get('host', 'public_interface')}${get('host', 'public_address') ? ` ${get('host', 'public_address')}` : ''} · private ${get('host', 'private_address')}`],
		['Networks', `range ${get('network', 'private_range')} · nodes ${get('network', 'nodes_subnet')} · VMs ${get('network', 'vms_subnet')} · bridge ${get('network', 'bridge', 'name') || 'br0'} ${get('network', 'bridge', 'address')}`],
		['DNS', `zone ${get('dns', 'zone')} · forwarders ${get('dns', 'forwarders') || "this host's resolvers"}`],
		['Storage', `${get('storage', 'disk') ? `${get('storage', 'disk')} (LVM on ${get('storage', 'partition')}) → ` : 'existing '}volume group ${get('storage', 'vg')}`],
		['Cluster', `${get('cluster', 'name')} ${get('cluster', 'address')} · ${get('cluster', 'hypervisor')}`],
	];
	const instances = Array.isArray(draft.instances) ? draft.instances : [];
	if (instances.length === 0) lines.push(['VMs', 'none']);
	for (const [index] of instances.entries()) {
		const medium = get('instances', index, 'install', 'iso') ? `ISO ${get('instances', index, 'install', 'iso')}` : `OS ${get('instances', index, 'install', 'os')}`;
		lines.push([index === 0 ? 'VMs' : '', `${get('instances', index, 'name')} · disk ${get('instances', index, 'disk_size')} · memory ${get('instances', index, 'memory')} · ${get('instances', index, 'vcpus')} vcpu · ${medium}`]);
	}
	return lines;
}
