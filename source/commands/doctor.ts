// doctor: compares Ganeti's instances and NICs with the site, the zones and
// dhcpd's host entries, and names every drift with the command that fixes it.
// Read-only. Exit 0 with no drift, 1 with drift (or when Ganeti cannot be asked).
import {findDrift, type FixCommands} from '../drift/compare.js';
import {readVmFacts} from '../drift/facts.js';
import {openSession} from '../session.js';
import type {CommandFlags} from './flags.js';

/** The wizard's commands with the operator's own --root and --state-dir. */
export function fixCommands(flags: CommandFlags): FixCommands {
	const where: string[] = [];
	if (flags.root) where.push('--root', flags.root);
	if (flags.stateDir) where.push('--state-dir', flags.stateDir);
	const command = (...words: string[]) => ['ganeti-wizard', ...words, ...where].join(' ');
	return {apply: command('apply', '--yes'), vmAdd: command('vm', 'add'), vmRemove: command('vm', 'remove')};
}

export async function doctor(flags: CommandFlags): Promise<number> {
	const session = await openSession({...flags, unattended: true, readOnly: true});
	const facts = await readVmFacts(session.host, session.inventory);
	if (facts.ganeti === null) {
		const problem = `cannot compare with Ganeti: ${facts.ganetiProblem}`;
		if (flags.json) process.stdout.write(`${JSON.stringify({drift: null, problem})}\n`);
		else process.stderr.write(`${problem}\n`);
		return 1;
	}
	const drifts = findDrift(session.inventory, facts, fixCommands(flags));
	if (flags.json) {
		process.stdout.write(`${JSON.stringify({drift: drifts})}\n`);
	} else if (drifts.length === 0) {
		process.stdout.write(`No drift: Ganeti's ${facts.ganeti.length} instance${facts.ganeti.length === 1 ? '' : 's'}, the site, the zones and dhcpd's host entries agree.\n`);
	} else {
		const lines = drifts.flatMap(drift => [`✗ ${drift.kind} ${drift.subject}: ${drift.problem}`, `  fix: ${drift.fix}`]);
		lines.push(`${drifts.length} drift${drifts.length === 1 ? '' : 's'} found.`);
		process.stdout.write(`${lines.join('\n')}\n`);
	}
	return drifts.length === 0 ? 0 : 1;
}
