// Moves of an instance between nodes, as one-action steps the engine applies
// and journals like any other change (its inverse moves it back): live
// migration (gnt-instance migrate) or failover (gnt-instance failover: stop,
// then start on the target). Only disk templates whose disks the target can
// reach move: Ganeti refuses the others ("Instance's disk layout 'file' does
// not allow failovers").
import type {CommandAction} from '../actions/action.js';
import type {InventoryInstance} from '../inventory/inventory.js';
import type {StepDefinition} from './step.js';

/** Disk templates whose instances can change node (gnt-instance(8): internally or externally mirrored). */
export const movableTemplates = ['drbd', 'sharedfile', 'diskless'] as const;

export type Move = {how: 'migrate' | 'failover'; instance: InventoryInstance; from: string | null; to: string; shutdownTimeoutSeconds: number};

/** The command of a move to `to` (a node FQDN). */
export function moveArgv(move: Move, to = move.to): string[] {
	const fqdn = move.instance.fqdn;
	// -n picks the target of externally mirrored disks (sharedfile); a DRBD instance goes to its secondary.
	const target = move.instance.disk_template === 'drbd' ? [] : ['-n', to];
	return move.how === 'migrate'
		? // A stopped instance cannot migrate; --allow-failover then moves it the only way left.
			['gnt-instance', 'migrate', '-f', '--allow-failover', ...target, fqdn]
		: ['gnt-instance', 'failover', '-f', `--shutdown-timeout=${move.shutdownTimeoutSeconds}`, ...target, fqdn];
}

/** The step of one move: satisfied when Ganeti already lists the instance on `to`. */
export function moveStep(move: Move): StepDefinition {
	const fqdn = move.instance.fqdn;
	const action: CommandAction = {
		kind: 'command',
		id: `moves.${fqdn}.${move.how}`,
		title: `${move.how} ${fqdn} to ${move.to}${move.how === 'failover' ? ` (shutdown timeout ${move.shutdownTimeoutSeconds} s)` : ''}`,
		argv: moveArgv(move),
		satisfiedWhen: {argv: ['gnt-instance', 'list', '--no-headers', '-o', 'pnode', '--filter', `name == ${JSON.stringify(fqdn)}`], stdoutIncludes: move.to},
		timeoutMs: 30 * 60_000,
		...(move.from ? {inverse: moveArgv(move, move.from)} : {inverseNote: 'the node it ran on was not known (a rehearsal): move it back with the opposite vm command'}),
	};
	return {id: 'moves', title: `${move.how === 'migrate' ? 'Migrate' : 'Fail over'} ${fqdn}`, requires: [], plan: () => [action]};
}
