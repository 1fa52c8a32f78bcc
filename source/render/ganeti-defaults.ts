// /etc/default/ganeti with Ganeti's network daemons bound to the node's
// private address. Started through /usr/lib/ganeti/daemon-util, each daemon
// gets the arguments of $<DAEMON>_ARGS from this file (sourced as shell), and
// without "-b ADDRESS" ganeti-noded (TCP 1811), ganeti-confd (UDP 1814),
// ganeti-mond (TCP 1815) and ganeti-metad (TCP 80) listen on every address
// (`ganeti-noded --help`: "Bind address (default: '0.0.0.0')"), the public one
// of a shared machine included. ganeti-rapi keeps its own bind address when it
// has one (Debian ships "-b 127.0.0.1"), else gets loopback. ganeti-luxid,
// ganeti-wconfd and ganeti-kvmd talk over Unix sockets only. Every other line
// stays as it is; applying this to its own output changes nothing.

/** The daemons bound to the node's private address, by their variable in /etc/default/ganeti. */
export const privateDaemons = ['NODED_ARGS', 'CONFD_ARGS', 'MOND_ARGS', 'METAD_ARGS'] as const;

const bindOption = /(?:^|\s)(?:-b\s*\S+|--bind(?:=|\s+)\S+)/;

/** The value of `NAME="value"` (or NAME=value, or 'value'), unquoted, or undefined when the line is another. */
function valueOf(line: string, name: string): string | undefined {
	const match = new RegExp(`^\\s*${name}=(?:"([^"]*)"|'([^']*)'|(\\S*))\\s*$`).exec(line);
	return match ? (match[1] ?? match[2] ?? match[3] ?? '') : undefined;
}

function withBind(value: string, address: string): string {
	return `${value.replace(new RegExp(bindOption.source, 'g'), ' ').replace(/\s+/g, ' ').trim()} -b ${address}`.trim();
}

/**
 * `current` (null when the file is absent) with NODED_ARGS, CONFD_ARGS,
 * MOND_ARGS and METAD_ARGS binding `address` (an IPv4 address of this node),
 * their other options kept, and RAPI_ARGS bound to 127.0.0.1 unless it
 * already names an address.
 */
export function withDaemonAddresses(current: string | null, address: string): string {
	const lines = (current ?? '# Default arguments for Ganeti daemons\n').split('\n');
	if (lines.at(-1) === '') lines.pop();
	const wanted = new Map<string, (value: string) => string>([
		...privateDaemons.map(name => [name, (value: string) => withBind(value, address)] as const),
		['RAPI_ARGS', (value: string) => (bindOption.test(value) ? value : withBind(value, '127.0.0.1'))],
	]);
	const seen = new Set<string>();
	const out = lines.map(line => {
		for (const [name, rewrite] of wanted) {
			const value = valueOf(line, name);
			if (value === undefined) continue;
			seen.add(name);
			return `${name}="${rewrite(value)}"`;
		}
		return line;
	});
	for (const [name, rewrite] of wanted) {
		if (!seen.has(name)) out.push(`${name}="${rewrite('')}"`);
	}
	return `${out.join('\n')}\n`;
}
