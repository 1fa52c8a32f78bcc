// The flags every command takes, as parsed by the CLI.
export type CommandFlags = {
	recipe?: string;
	root?: string;
	stateDir?: string;
	yes: boolean;
	confirm: string[];
	json: boolean;
	plain: boolean;
	/** plan: exit 2 when changes are pending, 0 when none. */
	detailedExitcode?: boolean;
};

/** The command that continues a run with the same choices. */
export function continueCommand(flags: CommandFlags): string {
	const parts = ['ganeti-wizard', 'apply'];
	if (flags.recipe) parts.push('--recipe', flags.recipe);
	if (flags.root) parts.push('--root', flags.root);
	if (flags.stateDir) parts.push('--state-dir', flags.stateDir);
	parts.push('--yes');
	return parts.join(' ');
}
