// Lines that must not appear twice in a configuration file: a rerun that
// appended instead of replacing (a second nameserver, host entry, zone, key or
// source line) shows up here. Blank lines, comments and lines of punctuation
// only ("};", ")") may repeat, and so may the few lines that repeat by design.
const commentStart = /^\s*(#|;|\/\/)/;
const punctuationOnly = /^[\s{}();]*$/;

/** Lines each file legitimately repeats. */
const repeatable: Array<{path: RegExp; line: RegExp}> = [
	// Every zone stanza says it.
	{path: /^\/etc\/bind\/named\.conf\.local$/, line: /^\s*type master;$/},
];

export function duplicateLines(path: string, content: string): string[] {
	const seen = new Set<string>();
	const duplicated = new Set<string>();
	for (const raw of content.split('\n')) {
		const line = raw.trimEnd();
		if (commentStart.test(line) || punctuationOnly.test(line)) continue;
		if (repeatable.some(entry => entry.path.test(path) && entry.line.test(line))) continue;
		// /etc/hosts and resolv.conf: the same entry with other spacing is the same entry.
		const key = line.trim().split(/\s+/).join(' ');
		if (seen.has(key)) duplicated.add(key);
		seen.add(key);
	}
	if (path === '/etc/hosts') for (const name of hostNamesTwice(content)) duplicated.add(name);
	return [...duplicated].filter(Boolean);
}

/** A name given to two IPv4 addresses in /etc/hosts (Debian names localhost on ::1 too). */
function hostNamesTwice(content: string): string[] {
	const owner = new Map<string, string>();
	const twice: string[] = [];
	for (const line of content.split('\n')) {
		const fields = line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
		if (fields[0]?.includes(':')) continue;
		for (const name of fields.slice(1)) {
			if (owner.has(name) && owner.get(name) !== fields[0]) twice.push(`${name} (on ${owner.get(name)} and ${fields[0]})`);
			owner.set(name, fields[0]!);
		}
	}
	return twice;
}
