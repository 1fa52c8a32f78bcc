// Which face the interactive wizard shows: the Ink TUI only where it can work
// (a real terminal both ways, not TERM=dumb, not CI, no --plain); inquirer
// prompts otherwise; and without a terminal at all, nothing interactive.

export type InterfaceChoice =
	| {kind: 'tui'}
	| {kind: 'plain'; reason: string}
	/** --yes: no questions, line output (the CLI's apply path). */
	| {kind: 'unattended'}
	/** No terminal to ask on, and no --yes: print `message` (one line) and exit 2. */
	| {kind: 'refuse'; message: string};

export type InterfaceFacts = {
	stdinIsTTY: boolean;
	stdoutIsTTY: boolean;
	env: NodeJS.ProcessEnv;
	/** --plain */
	plain: boolean;
	/** --yes */
	yes: boolean;
};

export function chooseInterface({stdinIsTTY, stdoutIsTTY, env, plain, yes}: InterfaceFacts): InterfaceChoice {
	if (yes) return {kind: 'unattended'};
	if (!stdinIsTTY || !stdoutIsTTY) {
		const which = !stdinIsTTY && !stdoutIsTTY ? 'stdin and stdout are' : !stdinIsTTY ? 'stdin is' : 'stdout is';
		return {kind: 'refuse', message: `${which} not a terminal, so nobody can answer; run unattended with \`ganeti-wizard apply --recipe FILE --yes\``};
	}
	if (plain) return {kind: 'plain', reason: '--plain'};
	if (!env['TERM'] || env['TERM'] === 'dumb') return {kind: 'plain', reason: `TERM=${env['TERM'] ?? ''} cannot draw the full-screen wizard`};
	if (env['CI'] !== undefined) return {kind: 'plain', reason: 'CI is set'};
	return {kind: 'tui'};
}

/** The same decision for this process. */
export function chooseInterfaceHere(flags: {plain: boolean; yes: boolean}): InterfaceChoice {
	return chooseInterface({stdinIsTTY: Boolean(process.stdin.isTTY), stdoutIsTTY: Boolean(process.stdout.isTTY), env: process.env, ...flags});
}
