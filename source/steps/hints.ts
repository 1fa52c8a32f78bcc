// Known failures and their fixes, for the failure screen. Each entry matches a
// piece of the output (Ganeti's own messages, or the first words of the
// wizard's checks) and, where the same words mean different things in
// different places, the id of the action that failed.
import type {Action} from '../actions/action.js';

type Hint = {
	/** Matched against the failed command's output. */
	output: RegExp;
	/** Only for actions whose id matches (default: any action). */
	action?: RegExp;
	hint: string;
};

const masterNetdevHint =
	"Ganeti's master netdev is missing: it is cluster.master_netdev (by default network.bridge.name), which the network step brings up (ifup br0). Bring it up, or set cluster.master_netdev to an interface that exists (ip link lists them), then retry.";

const hints: Hint[] = [
	// Ganeti's node name and addresses (gnt-cluster init), and the wizard's checks of them.
	{
		output: /resolves to a loopback address|resolves to 127\.\d+\.\d+\.\d+, a loopback address|a loopback address \(Debian/,
		hint: 'Debian maps the hostname to 127.0.1.1 in /etc/hosts, so Ganeti would name the node after a loopback address. Replace that line by "<private address> <node FQDN> <hostname>" (the cluster step does it unless host.manage_etc_hosts is false), then retry.',
	},
	{
		output: /Ganeti would name this node|does not belong to this host|this host's name resolves/,
		hint: 'Ganeti names the node after what the hostname resolves to (files first, then DNS). The hostname must resolve to the node FQDN at its private address: check /etc/hosts and that the private DNS answers (dig <node FQDN>), or fix host.hostname and host.private_address, then retry.',
	},
	{
		output: /Cluster IP already active|cluster address \S+ is already in use on this host|cluster address \S+ answers on the network/,
		hint: 'The cluster address must be unused: Ganeti adds it to the master netdev itself. Remove it where it is configured (ip -4 addr; another machine on the network), or choose another cluster.address and its DNS record.',
	},
	{
		output: /the cluster name \S+ does not resolve|the cluster name \S+ resolves to/,
		hint: 'The cluster name must resolve to cluster.address through the private DNS: check the dns step ran and that /etc/resolv.conf lists the private name server first (with systemd-resolved: resolvectl query <cluster FQDN>, and the drop-in /etc/systemd/resolved.conf.d/ganeti-wizard.conf).',
	},
	// A missing interface: the hint names the recipe field that chose it.
	{
		output: /Invalid master netdev/,
		hint: masterNetdevHint,
	},
	{
		output: /Cannot find device|does not exist\./,
		action: /^cluster\.check\.master-netdev$/,
		hint: masterNetdevHint,
	},
	{
		output: /Missing bridges/,
		hint: "The instances' bridge is missing: it is cluster.nic_link (by default network.bridge.name), which the network step brings up (ifup br0). Bring it up, or set cluster.nic_link to a bridge that exists (ip link lists them), then retry.",
	},
	{
		output: /Cannot find device|does not exist\./,
		action: /^preflight\.public-interface$/,
		hint: 'The public interface is missing: set host.public_interface to the interface that reaches the outside world (ip link lists them), then retry.',
	},
	{
		output: /Cannot find device|does not exist\./,
		action: /^(cluster|instances|preflight)\./,
		hint: 'The interface is missing: the bridge (network.bridge.name) and lo:1 come from the network step (ifup br0), the public interface from host.public_interface (ip link lists them). Bring it up, or fix that field, then retry.',
	},
	{
		output: /the cluster has instances the recipe does not list/,
		hint: 'The wizard never removes an instance, and an instance missing from the recipe loses its DNS name and DHCP entry (its lease is not renewed). Put it back under instances (same name; its MAC is kept in the saved answers), or shut it down and gnt-instance remove it, then retry.',
	},
	// Storage.
	{
		output: /volume group '?\S+?'? (missing|too small)|the volume group \S+ (does not exist|has \d+ MiB)/,
		hint: 'plain and drbd disks need an LVM volume group of at least 20 GiB: give storage.disk (a blank disk the wizard partitions) or an existing storage.vg, extend the group with vgextend, or use file disks.',
	},
	{
		output: /is not empty \(it holds|already contains a|signature detected/,
		hint: 'The wizard only partitions a blank disk and never wipes one. Pick another storage.disk (lsblk shows what is in use), or name an existing partition in storage.partition.',
	},
	{
		output: /file-storage-paths|No paths are valid/,
		hint: 'Ganeti 3.0 accepts file disks only under the directories listed in /etc/ganeti/file-storage-paths (the host step writes it from storage.file_storage_dir and storage.shared_file_storage_dir).',
	},
	// Leftovers and a cluster that is already there.
	{
		output: /Cluster is already initialised|holds files of|contains non-directory entries|Remove left-overs/,
		hint: 'Another cluster left its state in /var/lib/ganeti. If it still runs: gnt-cluster destroy --yes-do-it. If not: move the files of /var/lib/ganeti (not its directories) aside, then retry.',
	},
	{
		output: /This is not the master node|Not master, exiting/,
		hint: 'The node no longer resolves to the name it had at init (often the hostname or /etc/hosts changed since): restore "<private address> <node FQDN> <hostname>" in /etc/hosts, then service ganeti restart.',
	},
	// SSH.
	{
		output: /Failed to find SSH public keys|ssh_host_rsa_key\.pub: No such file/,
		hint: 'The SSH host keys are missing: ssh-keygen -A creates them (and openssh-server must be installed), then retry.',
	},
	{
		output: /ssh problem: .*Connection refused|nothing answers on \S+ port 22/,
		hint: 'sshd is not running or not listening on the node address: service ssh start. Ganeti reaches every node, itself included, over SSH.',
	},
	{
		output: /Permission denied \(publickey/,
		hint: "With --no-ssh-init (cluster.ssh_init: false) Ganeti uses root's own key to log in to the node: the cluster step authorises it in /root/.ssh/authorized_keys; check that sshd allows root logins with a key (PermitRootLogin prohibit-password).",
	},
	// Node setup inside containers and VMs.
	{
		output: /sysrq-trigger|procfs filesystem doesn't seem to be mounted/,
		hint: 'This host has no /proc/sysrq-trigger (a container or a restricted VM): add ENODESETUP to cluster.verify_ignore if that is expected here.',
	},
	// Hypervisors and instances.
	{
		output: /kvm_path' fails validation|\/usr\/bin\/kvm.*not found/,
		hint: 'KVM needs qemu: apt-get install qemu-system-x86 (the host step installs it for hypervisor kvm). Without /dev/kvm, add kvm_flag: disabled to cluster.hypervisor_parameters.',
	},
	{
		output: /OS '?\S+'? not found|OS \S+ .*invalid|No guest OS|Guest OS '\S+' is not allowed/,
		hint: 'The OS definition is not installed on the node: gnt-os list shows the ones there (debootstrap+default comes with the package ganeti-instance-debootstrap). Install it, or set the instance\'s install.os (instances[].install.os) to one of them.',
	},
	{
		output: /No valid allocation solutions|Can't compute nodes using iallocator/,
		hint: 'The allocator found no room: check free memory (gnt-node list) and disk space, or lower the instance\'s memory or disk_size (instances[].memory, instances[].disk_size).',
	},
	{
		output: /Instance '\S+' already exists|already exists in the cluster/,
		hint: 'An instance of that name is already there (perhaps from an interrupted run still finishing: gnt-job list). Retry once the job is done, or give the new instance another instances[].name.',
	},
	{
		output: /Could not resolve|Name or service not known|Temporary failure in name resolution/,
		action: /^instances\./,
		hint: 'Ganeti checks that an instance name resolves: the dns step must have added it (instances[].name in dns.vms_domain), and /etc/resolv.conf must point at the private name server.',
	},
	// The private name server (named, or the wizard's second named beside someone else's).
	{
		output: /(?:)/,
		action: /^dns\.named$/,
		hint: "named did not start or reload. named-checkconf -z /etc/bind/named.conf (and /etc/bind/ganeti-wizard/named.conf, when the wizard runs a named of its own) shows errors in the files; named's log (journalctl -t named) says why it stopped, e.g. another server on port 53 of a private address (ss -lnup 'sport = :53').",
	},
	// Packages.
	{
		output: /Unable to locate package|has no installation candidate|not installed: /,
		hint: 'Some packages are missing or unknown to apt: run apt-get update (Debian 12 has all of them in main), then retry.',
	},
];

/**
 * What the wizard knows about this failure's usual cause and its fix. Takes the
 * failed action or its id (the runner passes the action).
 */
export function hintFor(action: Action | string, output: string): string | undefined {
	const actionId = typeof action === 'string' ? action : action.id;
	return hints.find(entry => (!entry.action || entry.action.test(actionId)) && entry.output.test(output))?.hint;
}
