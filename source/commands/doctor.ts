// doctor: compares Ganeti's instances and NICs with the site, the zones and
// dhcpd's host entries, and names every drift with the command that fixes it.
// Read-only. Exit 0 with no drift, 1 with drift (or when Ganeti cannot be asked
// on a real host; a rehearsal, which has none, compares the rest).
import {findDrift, type FixCommands} from '../drift/compare.js';
import {readVmFacts} from '../drift/facts.js';
import {UsageError} from '../errors.js';
import {otherNodeRuns} from '../node-runs.js';
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

/**
 * Prints every drift with its fix; `--json`: `{"drift":[...]}`, plus
 * `"unchecked"` (what could not be compared, one sentence) when Ganeti could
 * not be asked. A rehearsal has no Ganeti daemons: the site is compared with
 * the zones and dhcpd's host entries, one line says what was not checked,
 * and the exit is 0 when none of that drifted. On a real host a Ganeti that
 * cannot be asked is itself a failure (exit 1), after the same comparison.
 */
export async function doctor(flags: CommandFlags & {node?: string}): Promise<number> {
	const session = await openSession({...flags, unattended: true, readOnly: true});
	const facts = await readVmFacts(session.host, session.inventory);
	const drifts = flags.node === undefined || flags.node === session.inventory.master.name ? findDrift(session.inventory, facts, fixCommands(flags)) : [];
	// Every other node serves the site's names and leases on its own bridge: its zones and
	// dhcpd entries are compared with the site too (Ganeti is the master's to answer).
	const others = otherNodeRuns(session, {readOnly: true}).filter(run => flags.node === undefined || run.node.name === flags.node);
	if (flags.node !== undefined && others.length === 0 && flags.node !== session.inventory.master.name) {
		throw new UsageError(`--node: "${flags.node}" is not a node of the site (its nodes: ${session.inventory.nodes.map(node => node.name).join(', ')})`);
	}
	try {
		for (const run of others) {
			const own = await readVmFacts(run.host, run.context.inventory);
			for (const drift of findDrift(run.context.inventory, {...own, ganeti: null}, fixCommands(flags))) drifts.push({...drift, subject: `${drift.subject} on ${run.node.name}`});
		}
	} finally {
		for (const run of others) await run.host.close?.();
	}
	const rehearsal = session.host.kind === 'rehearsal';
	const unchecked =
		facts.ganeti !== null
			? undefined
			: rehearsal
				? "Not checked in a rehearsal (no Ganeti daemons to ask): Ganeti's instances and their NICs against the site (an instance the site lacks, a VM Ganeti lacks, a NIC's MAC)."
				: `cannot compare with Ganeti: ${facts.ganetiProblem}`;
	if (flags.json) {
		process.stdout.write(`${JSON.stringify({drift: drifts, ...(unchecked ? {unchecked} : {})})}\n`);
	} else {
		const lines: string[] = [];
		if (drifts.length === 0) {
			lines.push(
				facts.ganeti !== null
					? `No drift: Ganeti's ${facts.ganeti.length} instance${facts.ganeti.length === 1 ? '' : 's'}, the site, the zones and dhcpd's host entries agree.`
					: "No drift: the site, the zones and dhcpd's host entries agree.",
			);
		} else {
			lines.push(...drifts.flatMap(drift => [`✗ ${drift.kind} ${drift.subject}: ${drift.problem}`, `  fix: ${drift.fix}`]));
			lines.push(`${drifts.length} drift${drifts.length === 1 ? '' : 's'} found.`);
		}
		process.stdout.write(`${lines.join('\n')}\n`);
		// What was left out goes with the verdict: on stderr when it fails the run.
		if (unchecked) (rehearsal ? process.stdout : process.stderr).write(`${unchecked}\n`);
	}
	return drifts.length === 0 && (facts.ganeti !== null || rehearsal) ? 0 : 1;
}
