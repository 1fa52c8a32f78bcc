// vm migrate NAME / vm failover NAME: moves an instance of the site to another
// node (--node NAME, or the only other one), through the engine, so the move
// is journalled with its inverse (a move back) and `changes` lists it. The
// instance keeps its address: the routing hooks move its /32 to the node it
// now runs on, and every node's dhcpd knows its MAC.
import {UsageError} from '../errors.js';
import {lineReporter} from '../ui/lines.js';
import {summarize} from '../ui/unattended.js';
import {readPlacement} from '../node-runs.js';
import {runPlan} from '../runner/run.js';
import {openSession} from '../session.js';
import {movableTemplates, moveStep, type Move} from '../steps/moves.js';
import {exitCodes} from './apply.js';
import {continueCommand, type CommandFlags} from './flags.js';
import type {VmFlags} from './vm.js';

/** Default seconds a guest has to answer ACPI before a failover stops it hard (Ganeti's own default is 120). */
export const defaultShutdownTimeoutSeconds = 30;
/** An hour: a guest that takes longer to shut down is not shutting down. */
const maxShutdownTimeoutSeconds = 3600;

export async function move(flags: CommandFlags, how: Move['how'], name: string, vmFlags: VmFlags): Promise<number> {
	if (flags.recipe !== undefined) throw new UsageError(`vm ${how} works on the saved site: leave --recipe out`);
	const timeout = vmFlags.shutdownTimeout ?? String(defaultShutdownTimeoutSeconds);
	if (!/^[0-9]+$/.test(timeout) || Number(timeout) > maxShutdownTimeoutSeconds) {
		throw new UsageError(`--shutdown-timeout: "${timeout}" is not a whole number of seconds up to ${maxShutdownTimeoutSeconds} (e.g. 0 for a guest that cannot answer ACPI)`);
	}
	// Opened read-only first: a refusal leaves no trace.
	const looking = await openSession({...flags, unattended: true, readOnly: true});
	const {inventory} = looking;
	const instance = inventory.instances.find(entry => entry.name === name || entry.fqdn === name);
	if (!instance) throw new UsageError(`NAME: "${name}" is not a VM of the site (${inventory.instances.length > 0 ? `its VMs: ${inventory.instances.map(entry => entry.name).join(', ')}` : 'it has none'}); see ganeti-wizard vm list`);
	if (inventory.nodes.length < 2) throw new UsageError(`vm ${how} needs a second node to move ${instance.fqdn} to: add one with ganeti-wizard node add NAME`);
	if (!(movableTemplates as readonly string[]).includes(instance.disk_template)) {
		throw new UsageError(`NAME: ${instance.fqdn} has ${instance.disk_template} disks, which only the node that made them reaches; Ganeti moves ${movableTemplates.join(', ')} instances (vm add --disk-template sharedfile, on a site with storage.shared_file_storage_dir)`);
	}
	// Where it runs now, as Ganeti says (unknown in a rehearsal: it was made on the master).
	const from = (await readPlacement(looking.host))?.[instance.fqdn] ?? null;
	const current = from ?? inventory.master.fqdn;
	let to: string;
	if (vmFlags.node !== undefined) {
		const target = inventory.nodes.find(entry => entry.name === vmFlags.node || entry.fqdn === vmFlags.node);
		if (!target) throw new UsageError(`--node: "${vmFlags.node}" is not a node of the site (its nodes: ${inventory.nodes.map(entry => entry.name).join(', ')})`);
		to = target.fqdn;
	} else {
		const others = inventory.nodes.filter(entry => entry.fqdn !== current);
		if (others.length !== 1) throw new UsageError(`--node: ${instance.fqdn} can go to ${others.map(entry => entry.name).join(' or ')}; name one with --node NAME`);
		to = others[0]!.fqdn;
	}
	const session = await openSession({...flags, unattended: true});
	const step = moveStep({how, instance, from, to, shutdownTimeoutSeconds: Number(timeout)});
	const write = (line: string) => process.stdout.write(`${line}\n`);
	const result = await runPlan({...session.context, steps: [step]}, lineReporter(write, undefined, {failureTail: true}));
	for (const line of summarize(result, continueCommand(flags))) write(line);
	return exitCodes[result.outcome];
}
