// /etc/resolv.conf with the private name server first. Ganeti resolves node,
// cluster and instance names with the host's resolver (socket.getfqdn), so the
// host must ask the private bind; the previous name servers stay after it and
// bind forwards to them, so names outside the private zone resolve as before.
// The owner's search domains stay first and in their order, the private ones
// after them, so other users' short names resolve as before (a short name found
// in the owner's domains is never taken by the private zone).
// Applying this to its own output changes nothing.
import type {Inventory} from '../inventory/inventory.js';

const marker = '# ganeti-wizard: the private name server first, the previous ones after it.';

/**
 * The new /etc/resolv.conf (resolv.conf(5)) from the current one (null: none).
 * Name servers: the private one, then the current ones in their order. Search
 * domains: the current ones ("search" and "domain" folded, in their order),
 * then the nodes', VMs' and zone's domains not already among them. Idempotent.
 */
export function renderResolvConf(current: string | null, inventory: Inventory): string {
	const nameservers = [inventory.node.address];
	const search: string[] = [];
	const others: string[] = [];
	for (const raw of (current ?? '').split('\n')) {
		const line = raw.replace(/\r$/, '');
		const [keyword, ...values] = line.trim().split(/\s+/);
		if (keyword === 'nameserver' && values[0]) nameservers.push(values[0]);
		// "domain" and "search" override each other (the last wins): fold both into one search line.
		else if (keyword === 'search' || keyword === 'domain') search.push(...values);
		else if (line !== marker && line.trim() !== '') others.push(line);
	}
	search.push(inventory.nodesDomain, inventory.vmsDomain, inventory.zone);
	const lines = [...others, marker, `search ${[...new Set(search)].join(' ')}`, ...[...new Set(nameservers)].map(address => `nameserver ${address}`)];
	return `${lines.join('\n')}\n`;
}
