// Zone serials in the YYYYMMDDnn convention, decided from the file on disk and
// the new content, so the serial changes exactly when the zone does:
//   same records as on disk      -> the serial on disk is kept;
//   different (or no file)       -> max(old + 1, today's YYYYMMDD00),
// where old is the larger of the file's serial and the last one the wizard wrote.
// So it still increases after more than 99 changes in a day (it then runs into
// the next day's numbers) and when the clock goes back. Pure: `now` is given.

/** Stands for the serial in a rendered zone body; "{" never occurs in a DNS name. */
export const serialPlaceholder = '{serial}';

/** The largest serial a zone can carry (32 bits). */
const maxSerial = 4_294_967_295;

/** YYYYMMDD00 for the UTC day of `now`. */
export function dayBase(now: Date): number {
	return (now.getUTCFullYear() * 10_000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate()) * 100;
}

// The SOA's serial: the first number after "SOA <mname> <rname>", parenthesis,
// line breaks and comments allowed in between (as in the seed's zones).
const soaSerial = /\bSOA\s+\S+\s+\S+\s*\(?(?:\s|;[^\n]*\n)*(\d+)/i;

/** The serial of a zone file and where it sits in the text, or null. */
export function findSerial(text: string): {serial: number; index: number; length: number} | null {
	const match = soaSerial.exec(text);
	if (!match) return null;
	const digits = match[1]!;
	return {serial: Number(digits), index: match.index + match[0].length - digits.length, length: digits.length};
}

export function withSerial(body: string, serial: number): string {
	return body.replace(serialPlaceholder, String(serial));
}

/**
 * The serial for `body` (which holds the placeholder) given the file now on
 * disk and the last serial the wizard wrote for this zone (0 when none), which
 * keeps serials increasing even when the file was replaced or removed by hand.
 */
export function nextSerial(current: string | null, body: string, now: Date, lastWritten = 0): number {
	const found = current === null ? null : findSerial(current);
	if (found && current !== null) {
		const unchanged = current.slice(0, found.index) + serialPlaceholder + current.slice(found.index + found.length) === body;
		if (unchanged) return found.serial;
	}
	const next = Math.max(Math.max(found?.serial ?? 0, lastWritten) + 1, dayBase(now));
	// RFC 1982 arithmetic would wrap; in practice a serial this high means a broken file.
	return Math.min(next, maxSerial);
}
