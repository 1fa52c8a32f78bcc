// Shell quoting for display and for the rehearsal's command record; zx's own
// quoting, the same that runs every real command.
import {quote} from 'zx/core';

export function quoteArgv(argv: readonly string[]): string {
	return argv.map(part => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(part) ? part : quote(part))).join(' ');
}
