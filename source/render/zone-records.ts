// Reads the A records back out of a zone file (ours, or one edited by hand in
// the usual one-record-per-line style), so a change can be described as
// "add rodo1.osm.vm.farm 10.10.1.50". Not a full zone parser: $ORIGIN, $TTL,
// comments, an optional TTL and class are understood; other records ignored.

export type ARecord = {fqdn: string; address: string};

const aLine = /^(\S*)\s+(?:\d+[smhdw]?\s+)?(?:IN\s+)?(?:\d+[smhdw]?\s+)?A\s+(\d+\.\d+\.\d+\.\d+)\s*(?:;.*)?$/i;

/**
 * Each line of a zone file that `pattern` matches, with its owner made
 * absolute: a blank owner is the previous line's (RFC 1035 section 5.1),
 * "@" the origin, a relative name under $ORIGIN (the zone until one says
 * otherwise). Comment lines are skipped.
 */
function* recordLines(text: string, zone: string, pattern: RegExp): Generator<{owner: string; match: RegExpExecArray; origin: string}> {
	let origin = zone;
	let previous = zone;
	for (const raw of text.split('\n')) {
		const line = raw.replace(/\r$/, '');
		if (/^\s*;/.test(line)) continue;
		const directive = /^\$ORIGIN\s+(\S+)/i.exec(line);
		if (directive) {
			origin = directive[1]!.replace(/\.$/, '');
			continue;
		}
		const match = pattern.exec(line);
		if (!match) {
			const owner = /^([^\s;$]\S*)/.exec(line);
			if (owner) previous = absolute(owner[1]!, origin);
			continue;
		}
		const owner = match[1] ? absolute(match[1], origin) : previous;
		previous = owner;
		yield {owner, match, origin};
	}
}

/** The A records of a zone file, owners absolute and lower-case. */
export function parseARecords(text: string, zone: string): ARecord[] {
	return [...recordLines(text, zone, aLine)].map(({owner, match}) => ({fqdn: owner.toLowerCase(), address: match[2]!}));
}

function absolute(name: string, origin: string): string {
	if (name === '@') return origin;
	if (name.endsWith('.')) return name.slice(0, -1);
	return `${name}.${origin}`;
}

/** "add x 10.0.0.1", "remove y 10.0.0.2", "change z 10.0.0.3 -> 10.0.0.4", in the new records' order. */
export function describeRecordChanges(before: ARecord[], after: ARecord[]): string[] {
	const group = (records: ARecord[]): Map<string, string[]> => {
		const byName = new Map<string, string[]>();
		for (const record of records) byName.set(record.fqdn, [...(byName.get(record.fqdn) ?? []), record.address]);
		return byName;
	};
	const old = group(before);
	const now = group(after);
	const changes: string[] = [];
	for (const [fqdn, addresses] of now) {
		const previous = old.get(fqdn);
		const text = addresses.join(' ');
		if (!previous) changes.push(`add ${fqdn} ${text}`);
		else if (previous.join(' ') !== text) changes.push(`change ${fqdn} ${previous.join(' ')} -> ${text}`);
	}
	for (const [fqdn, addresses] of old) if (!now.has(fqdn)) changes.push(`remove ${fqdn} ${addresses.join(' ')}`);
	return changes;
}

export type PtrRecord = {
	/** The address the owner name stands for, e.g. "10.10.1.50". */
	address: string;
	/** The name it points to, without the trailing dot. */
	fqdn: string;
};

const ptrLine = /^(\S*)\s+(?:\d+[smhdw]?\s+)?(?:IN\s+)?(?:\d+[smhdw]?\s+)?PTR\s+(\S+)\s*(?:;.*)?$/i;

/**
 * The PTR records of a reverse zone file (ours, or edited by hand one record a
 * line), with their owners turned back into IPv4 addresses: "50" in zone
 * "1.10.10.in-addr.arpa" is 10.10.1.50 (RFC 1035 section 3.5). Owners that
 * are no full address (a classless delegation's names) are left out.
 */
export function parsePtrRecords(text: string, zone: string): PtrRecord[] {
	const records: PtrRecord[] = [];
	for (const {owner, match, origin} of recordLines(text, zone, ptrLine)) {
		const reversed = /^((?:\d{1,3}\.){3}\d{1,3})\.in-addr\.arpa$/i.exec(owner);
		if (reversed) records.push({address: reversed[1]!.split('.').reverse().join('.'), fqdn: absolute(match[2]!, origin).toLowerCase()});
	}
	return records;
}
