// The SSH keys that bind a site's nodes together, read from the nodes
// themselves before a plan (they are facts, not recipe values): every node's
// root key is authorised on every node, itself included, and every node holds
// the master's host keys. With `gnt-cluster init --no-ssh-init`, Ganeti 3.0
// connects to a node with -oHostKeyAlias=<cluster name> and checks the key
// against the one line init wrote in /var/lib/ganeti/known_hosts: the
// master's RSA host key, which is why the nodes share it.

/** One SSH host key file of the master, to be laid on the other nodes as it is. */
export type HostKeyFile = {path: string; content: string; mode: number};

export type NodeKeys = {
	/** Each node's root public key (one line, "ssh-rsa AAAA... comment"), by node name; absent while a node has none. */
	rootKeys: Record<string, string>;
	/** The master's host keys (/etc/ssh/ssh_host_*_key and .pub); empty when unknown (a rehearsal without them). */
	hostKeys: HostKeyFile[];
};

/** Where root's key pair lives on every node (the cluster step makes it when root has none). */
export const rootKeyPath = '/root/.ssh/id_rsa';
export const authorizedKeysPath = '/root/.ssh/authorized_keys';
/** The host key types OpenSSH's ssh-keygen -A makes, each a private file and its .pub. */
export const hostKeyTypes = ['rsa', 'ecdsa', 'ed25519'] as const;

/** Paths of the host key files of `hostKeyTypes`: private key (0600) and public key (0644). */
export function hostKeyPaths(): Array<{path: string; mode: number}> {
	return hostKeyTypes.flatMap(type => [
		{path: `/etc/ssh/ssh_host_${type}_key`, mode: 0o600},
		{path: `/etc/ssh/ssh_host_${type}_key.pub`, mode: 0o644},
	]);
}
