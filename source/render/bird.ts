// The wizard's own bird (BIRD 2) that carries the VMs' /32 routes between
// nodes over OSPF, beside any bird someone else configured: its own
// configuration, control socket, pid file and init script, and its own kernel
// metric, so neither bird takes the other's routes for its own (bird-2
// "kernel" protocol: routes of another metric do not clash).
//
// The design ("anycast gateway"): every node's bridge has the same gateway
// address; the node that runs a VM holds `<vm>/32 dev <bridge> proto
// <vmRouteProtocol>` (the Ganeti hooks keep it there); this bird learns those
// kernel routes and announces them into OSPF area 0 on the node-to-node link
// only, with the node's private /32; the other nodes install them via that
// node.

export const birdInstanceName = 'ganeti-wizard-bird';
export const birdDirectory = '/etc/bird/ganeti-wizard';
export const birdConfPath = `${birdDirectory}/bird.conf`;
/**
 * The OSPF password, apart from bird.conf (which plans and `changes` show):
 * root's only (mode 0600, bird runs as root), included by bird.conf with a
 * path relative to it, so a checker reads the one beside a candidate.
 */
export const birdPasswordName = 'ospf-password.conf';
export const birdPasswordPath = `${birdDirectory}/${birdPasswordName}`;
export const birdRunDirectory = `/run/${birdInstanceName}`;
export const birdControlSocket = `${birdRunDirectory}/bird.ctl`;
export const birdPidPath = `${birdRunDirectory}/bird.pid`;
export const birdInitScriptPath = `/etc/init.d/${birdInstanceName}`;

/**
 * The routing protocol number (rtnetlink's rtm_protocol, 0-255; iproute2's
 * rt_protos lists the assigned ones, none at 203) of the VM routes the wizard
 * adds: `ip route ... proto 203`. Only routes with it are announced, and only
 * those are ever deleted by the hooks.
 */
export const vmRouteProtocol = 203;
/**
 * The kernel metric of the routes this bird installs. bird-2 owns the routes
 * of `proto bird` with its own metric only, so another bird (Debian's default
 * metric is 32) keeps its routes and this one keeps its own.
 */
export const birdKernelMetric = 203;

/** What the configuration needs, whatever it is read from. */
export type BirdSettings = {
	/** OSPF router id: the node's private address (bird needs it set in a namespace whose only address is on lo). */
	routerId: string;
	/** The node-to-node interface: the only one OSPF runs on (hellos there only). */
	ospfInterface: string;
	/** The VM bridge: the /32 routes learned are those out of it. Never an OSPF interface. */
	bridge: string;
	/** The node's private address, on lo:1 as a /32, announced so nodes reach each other's. */
	privateAddress: string;
	/** Networks whose /32s this node accepts from OSPF (the VM subnet and the nodes' subnet, CIDR). */
	acceptedNetworks: string[];
	/**
	 * Ganeti's cluster address and the interface the master holds it on (its
	 * master netdev): announced by whichever node holds it, so every node
	 * reaches the master there (gnt-cluster verify checks it).
	 */
	cluster: {address: string; netdev: string};
};

/**
 * The OSPF authentication of the node-to-node interface, included into its
 * block in bird.conf (BIRD 2 User's Guide, "OSPF", interface options
 * `authentication cryptographic` and `password "..." { id; algorithm; }`):
 * every packet is signed with HMAC-SHA-256 (RFC 5709) under the site's
 * password, and a packet without a valid signature is dropped, so a host on
 * the shared link that lacks it can neither join nor inject a route. Throws
 * for a password that is not 64 hexadecimal digits (what the inventory makes;
 * nothing else may reach a bird string).
 */
export function renderBirdPassword(password: string): string {
	if (!/^[0-9a-f]{64}$/.test(password)) throw new Error('the OSPF password must be 64 hexadecimal digits');
	return `# The OSPF password of the site's nodes (HMAC-SHA-256, RFC 5709), the same on every node.
# Generated once by ganeti-wizard and kept in its site; included by bird.conf.
authentication cryptographic;
password "${password}" {
	id 1;
	algorithm hmac sha256;
};
`;
}

/**
 * bird.conf of the wizard's bird (BIRD 2 syntax, bird(8), "BIRD 2 User's
 * Guide"):
 * - `router id` = the private address;
 * - protocol kernel: `learn`s alien kernel routes and imports only the /32s
 *   of proto `vmRouteProtocol` out of the bridge (`krt_source`, `ifname`);
 *   exports OSPF routes, internal and external type 1 and 2 (the /32s arrive
 *   as external type 2, RTS_OSPF_EXT2), with metric `birdKernelMetric` and
 *   the private address as preferred source (this node's own packets to
 *   other nodes' private addresses and VMs carry it, not the public one);
 *   scans every 2 s besides netlink's notifications;
 * - protocol direct: the private /32 on lo;
 * - protocol ospf v2: area 0 on `ospfInterface` only, hello 5 s, dead after
 *   20 s, wait 2 s (the guide: wait must be greater than 1), announcing the
 *   VMs' /32s and the private /32, accepting only /32s of `acceptedNetworks`
 *   (a peer on the link cannot route anything else here), every packet
 *   signed with the site's password (`birdPasswordName` beside this file,
 *   renderBirdPassword). Hello is 5 s, not less: bird advances its
 *   cryptographic sequence number only when over a second passed since its
 *   last packet, and warns that hellos under 5 s make the authentication
 *   prone to replay (bird 2 proto/ospf/config.Y, packet.c). A moved /32
 *   still converges at once: it is flooded, not waited for.
 * Throws when the bridge is named as the OSPF interface.
 */
export function renderBirdConf(settings: BirdSettings): string {
	const {routerId, ospfInterface, bridge, privateAddress, acceptedNetworks, cluster} = settings;
	if (ospfInterface === bridge) throw new Error(`OSPF must not run on the VM bridge ${bridge}: name the node-to-node interface`);
	const accepted = acceptedNetworks.map(network => `${network}{32,32}`).join(', ');
	return `# The wizard's own bird: VM /32 routes over OSPF between the Ganeti nodes.
# Generated by ganeti-wizard; edits are replaced on its next run.
# Started by ${birdInitScriptPath} beside any other bird (/etc/bird/bird.conf is not read).

router id ${routerId};

log syslog { info, remote, warning, error, auth, fatal, bug };

protocol device {
	scan time 2;
}

# The VMs this node runs: /32 routes out of ${bridge} with proto ${vmRouteProtocol}.
protocol kernel vm_routes {
	ipv4 {
		import filter {
			if krt_source = ${vmRouteProtocol} && net.len = 32 && ifname = "${bridge}" then accept;
			reject;
		};
		export filter {
			if source ~ [RTS_OSPF, RTS_OSPF_EXT1, RTS_OSPF_EXT2] then {
				krt_prefsrc = ${privateAddress};
				accept;
			}
			reject;
		};
	};
	learn;
	scan time 2;
	metric ${birdKernelMetric};
}

# The node's private address (lo:1).
protocol direct private_address {
	ipv4 {
		import where net = ${privateAddress}/32;
	};
	interface "lo";
}

# Ganeti's cluster address, on the node that is master now (its master IP, a /32).
protocol direct cluster_address {
	ipv4 {
		import where net = ${cluster.address}/32;
	};
	interface "${cluster.netdev}";
}

protocol ospf v2 nodes {
	ipv4 {
		import where net ~ [ ${accepted} ];
		export where proto = "vm_routes" || proto = "private_address" || proto = "cluster_address";
	};
	area 0 {
		interface "${ospfInterface}" {
			type broadcast;
			hello 5;
			dead 20;
			wait 2;
			retransmit 2;
			include "${birdPasswordName}";
		};
	};
}
`;
}

/**
 * The init script (LSB, like Debian's bird2 package ships for sysvinit) that
 * starts, stops, reloads (`birdc configure`) and reports the wizard's bird:
 * `bird -c CONF -s SOCKET -P PIDFILE`, as root, socket and pid file under
 * /run/ganeti-wizard-bird.
 */
export function renderBirdInitScript(): string {
	return `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${birdInstanceName}
# Required-Start:    $remote_fs $network
# Required-Stop:     $remote_fs $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: OSPF for the Ganeti node's VM routes (a bird of its own)
### END INIT INFO
# Generated by ganeti-wizard; edits are replaced on its next run.

PATH=/sbin:/bin:/usr/sbin:/usr/bin
CONF=${birdConfPath}
SOCKET=${birdControlSocket}
PIDFILE=${birdPidPath}
BIRD=/usr/sbin/bird

case "$1" in
	start)
		install -d -m 0755 ${birdRunDirectory}
		exec start-stop-daemon --start --oknodo --quiet --pidfile "$PIDFILE" --exec "$BIRD" -- -c "$CONF" -s "$SOCKET" -P "$PIDFILE"
		;;
	stop)
		exec start-stop-daemon --stop --oknodo --quiet --retry 5 --pidfile "$PIDFILE" --exec "$BIRD"
		;;
	reload|force-reload)
		exec birdc -s "$SOCKET" configure
		;;
	restart)
		"$0" stop && exec "$0" start
		;;
	status)
		exec start-stop-daemon --status --pidfile "$PIDFILE" --exec "$BIRD"
		;;
	*)
		echo "Usage: $0 {start|stop|reload|force-reload|restart|status}" >&2
		exit 3
		;;
esac
`;
}
