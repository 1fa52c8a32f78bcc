// DHCP clients in a peer namespace: busybox udhcpc (the client of the Debian
// installer, whose trouble with the seed's off-subnet router started this) and
// ISC dhclient with Debian's own dhclient-script. Both apply what they get the
// way a guest would: address, default route, resolver.
import type {NamespaceHost} from '../support/lab.js';

/**
 * Applies a udhcpc lease like the installer does: the address with its
 * prefix, then a default route via each router, which fails (and so leaves
 * no default route) when the router is not on the address's subnet.
 */
const udhcpcScript = `#!/bin/sh
case "$1" in
deconfig)
	ip -4 address flush dev "$interface"
	ip link set "$interface" up
	;;
bound|renew)
	ip -4 address flush dev "$interface"
	ip address add "$ip/$mask" dev "$interface"
	for gateway in $router; do ip route replace default via "$gateway" dev "$interface"; done
	env | grep -E '^(ip|mask|router|dns|domain|hostname|serverid)=' > /run/udhcpc.lease
	;;
esac
`;

export type Lease = {
	/** Address with prefix, as configured on the interface ("10.10.1.50/24"), or null. */
	address: string | null;
	/** The default route's gateway, or null. */
	gateway: string | null;
	/** What the server sent, by udhcpc's variable names (udhcpc only). */
	options: Record<string, string>;
	exitCode: number;
	output: string;
};

async function configured(peer: NamespaceHost, interfaceName: string): Promise<Pick<Lease, 'address' | 'gateway'>> {
	const addresses = await peer.run(['ip', '-4', '-o', 'address', 'show', 'dev', interfaceName]);
	const routes = await peer.run(['ip', '-4', 'route', 'show', 'default']);
	return {
		address: /inet (\S+)/.exec(addresses)?.[1] ?? null,
		gateway: new RegExp(`^default via (\\S+) dev ${interfaceName}\\b`, 'm').exec(routes)?.[1] ?? null,
	};
}

/** Asks for a lease with udhcpc; gives up after `tries` discovers one second apart. */
export async function udhcpc(peer: NamespaceHost, options: {interfaceName?: string; tries?: number} = {}): Promise<Lease> {
	const interfaceName = options.interfaceName ?? 'eth0';
	await peer.writeFile('/run/udhcpc.script', udhcpcScript, {mode: 0o755});
	await peer.exec(['rm', '-f', '/run/udhcpc.lease']);
	const tries = options.tries ?? 5;
	const result = await peer.exec(['busybox', 'udhcpc', '-f', '-q', '-n', '-i', interfaceName, '-s', '/run/udhcpc.script', '-t', String(tries), '-T', '1', '-A', '1'], {
		timeoutMs: (tries + 5) * 1000,
	});
	const lease = (await peer.readFile('/run/udhcpc.lease')) ?? '';
	const values = Object.fromEntries(lease.split('\n').filter(Boolean).map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
	return {...(await configured(peer, interfaceName)), options: values, exitCode: result.exitCode, output: result.stdout + result.stderr};
}

/** Asks for a lease with ISC dhclient and Debian's dhclient-script (one attempt). */
export async function dhclient(peer: NamespaceHost, options: {interfaceName?: string; timeoutSeconds?: number} = {}): Promise<Lease> {
	const interfaceName = options.interfaceName ?? 'eth0';
	const timeout = options.timeoutSeconds ?? 10;
	// dhclient reads its timeout from its configuration file only.
	await peer.writeFile('/run/dhclient-test.conf', `timeout ${timeout};\nretry 1;\n`);
	const result = await peer.exec(
		['dhclient', '-1', '-v', '-cf', '/run/dhclient-test.conf', '-lf', '/var/lib/dhcp/dhclient-test.leases', '-pf', '/run/dhclient-test.pid', interfaceName],
		{timeoutMs: (timeout + 10) * 1000},
	);
	return {...(await configured(peer, interfaceName)), options: {}, exitCode: result.exitCode, output: result.stdout + result.stderr};
}
