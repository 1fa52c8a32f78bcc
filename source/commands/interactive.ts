// The interactive wizard: a TUI on a capable terminal, line prompts otherwise.
import {UsageError} from '../session.js';
import type {CommandFlags} from './flags.js';

export async function interactive(flags: CommandFlags): Promise<number> {
	if (flags.yes) return (await import('./apply.js')).apply(flags);
	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		throw new UsageError(`not on an interactive terminal; run unattended with: ganeti-wizard apply --recipe FILE --yes`);
	}
	throw new UsageError('the interactive wizard is not available yet; use: ganeti-wizard apply --recipe FILE --yes');
}
