// Shell quoting for display and for the rehearsal's command record; zx's own
// quoting, the same that runs every real command.
import {quote} from 'zx/core';

export function quoteArgv(argv: readonly string[]): string {
	return argv.map(part => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(part) ? part : quote(part))).join(' ');
}

/**
 * POSIX shell quoting, for a command line that another machine's login shell
 * parses (ssh hands the remote command to it as one string): every POSIX
 * shell reads '...' alike, while zx's $'...' is bash's own.
 */
export function quotePosix(argv: readonly string[]): string {
	return argv.map(part => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(part) ? part : `'${part.replaceAll("'", `'\\''`)}'`)).join(' ');
}
