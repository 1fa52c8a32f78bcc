// Applies a step's actions inside a lab host the way the runner applies them on
// a real one: file candidates checked by their checker before they replace the
// live file, commands skipped when their probe says they are satisfied,
// services started or reloaded through `service`. Tests use it to prove the
// planned argv and files against real daemons.
import {existsSync} from 'node:fs';
import {chown, readlink, rename} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {probeArgv, type Action, type Probe, type Stage} from '../../source/actions/action.js';
import {probeBind, probeResolver} from '../../source/host/facts.js';
import type {Inventory} from '../../source/inventory/inventory.js';
import {bareFacts, type Facts, type StepDefinition} from '../../source/steps/step.js';
import type {NamespaceHost} from './lab.js';

export type Outcome = 'wrote' | 'unchanged' | 'ran' | 'satisfied' | 'checked' | 'started' | 'reloaded' | 'restarted' | 'stopped';
export type Applied = {id: string; outcome: Outcome};

/**
 * Facts as the wizard would probe them inside the lab: current and committed
 * files, and bind's configuration and the resolver, parsed by the wizard's own
 * parsers (the upstream resolvers stay as `overrides` say: none by default).
 */
export async function labFacts(host: NamespaceHost, step: StepDefinition, inventory: Inventory, overrides: Partial<Facts> = {}): Promise<Facts> {
	const files: Record<string, string | null> = {};
	for (const path of step.reads?.(inventory) ?? []) files[path] = await host.readFile(path);
	const committed: Record<string, string | null> = {};
	for (const path of step.readsCommitted?.(inventory) ?? []) {
		// No repository, nothing committed: spare a git process per file.
		const repository = existsSync(host.path(`${dirname(path)}/.git`));
		const result = repository ? await host.exec(['git', '-C', dirname(path), 'show', `HEAD:./${basename(path)}`]) : undefined;
		committed[path] = result?.exitCode === 0 ? result.stdout : null;
	}
	const reader = {
		readFile: (path: string) => host.readFile(path),
		readLink: (path: string) => readlink(host.path(path)).catch(() => null),
	};
	const {resolver} = await probeResolver(reader);
	return bareFacts({files, committed, now: new Date(), resolver, bind: await probeBind(reader), ...overrides});
}

async function probeSays(host: NamespaceHost, probe: Probe): Promise<boolean> {
	if ('not' in probe) return !(await probeSays(host, probe.not));
	const result = await host.exec(probeArgv(probe));
	if (result.exitCode !== 0) return false;
	if ('argv' in probe && probe.stdoutEmpty && result.stdout.trim() !== '') return false;
	if ('argv' in probe && probe.stdoutIncludes !== undefined && !result.stdout.includes(probe.stdoutIncludes)) return false;
	return true;
}

export type ApplyOptions = {
	/**
	 * Run each file's own checker before installing it (default true). Batches
	 * of many sites turn it off and rely on the step's whole-configuration check.
	 */
	fileChecks?: boolean;
};

/** uid and gid of a user and group as the lab's own /etc/passwd and /etc/group say. */
async function ownerIds(host: NamespaceHost, owner: {user: string; group: string}): Promise<[number, number]> {
	const find = (database: string | null, name: string): number => {
		const line = (database ?? '').split('\n').find(entry => entry.startsWith(`${name}:`));
		const id = line?.split(':')[2];
		if (id === undefined) throw new Error(`no ${name} in the lab's user or group database`);
		return Number(id);
	};
	return [find(await host.readFile('/etc/passwd'), owner.user), find(await host.readFile('/etc/group'), owner.group)];
}

/**
 * The runner's scratch tree for a staged check, made inside the lab. Its own
 * folder each time: labs share the machine's /tmp when the checkout is there.
 */
async function stageInLab(host: NamespaceHost, stage: Stage): Promise<string> {
	const scratch = (await host.run(['mktemp', '-d', '/tmp/ganeti-wizard-stage-XXXXXX'])).trim();
	for (const directory of stage.copy) {
		await host.run(['mkdir', '-p', join(scratch, dirname(directory))]);
		await host.run(['cp', '-a', directory, join(scratch, directory)]);
	}
	for (const directory of stage.emptyDirectories ?? []) await host.run(['mkdir', '-p', join(scratch, directory)]);
	for (const file of stage.files) {
		await host.run(['mkdir', '-p', join(scratch, dirname(file.path))]);
		await host.writeFile(join(scratch, file.path), file.content);
	}
	return scratch;
}

/** Applies `actions` in order inside `host`; throws on the first failure, naming the action. */
export async function applyActions(host: NamespaceHost, actions: Action[], options: ApplyOptions = {}): Promise<Applied[]> {
	const applied: Applied[] = [];
	for (const action of actions) {
		switch (action.kind) {
			case 'file': {
				if ((await host.readFile(action.path)) === action.content) {
					applied.push({id: action.id, outcome: 'unchanged'});
					break;
				}
				const candidate = join(dirname(action.path), `.${basename(action.path)}.ganeti-wizard-new`);
				await host.writeFile(candidate, action.content, {mode: action.mode});
				if (action.owner) await chown(host.path(candidate), ...(await ownerIds(host, action.owner)));
				if (action.check && options.fileChecks !== false) {
					const argv = action.check.argv.map(part => (part === '{}' ? candidate : part));
					const result = await host.exec(argv);
					if (result.exitCode !== 0) {
						await host.exec(['rm', '-f', candidate]);
						throw new Error(`${action.id}: ${argv.join(' ')} rejected ${action.path} (exit ${result.exitCode}): ${(result.stdout + result.stderr).trim()}`);
					}
				}
				await rename(host.path(candidate), host.path(action.path));
				applied.push({id: action.id, outcome: 'wrote'});
				break;
			}
			case 'command': {
				if (!action.readOnly && action.satisfiedWhen && (await probeSays(host, action.satisfiedWhen))) {
					applied.push({id: action.id, outcome: 'satisfied'});
					break;
				}
				const scratch = action.stage ? await stageInLab(host, action.stage) : '';
				const argv = action.argv.map(part => part.replaceAll('{stage}', scratch));
				const result = await host.exec(argv, {env: action.env ?? {}, timeoutMs: action.timeoutMs ?? 60_000});
				if (scratch) await host.run(['rm', '-rf', scratch]);
				if (result.exitCode !== 0) throw new Error(`${action.id}: ${argv.join(' ')} exited ${result.exitCode}: ${(result.stdout + result.stderr).trim()}`);
				applied.push({id: action.id, outcome: action.readOnly ? 'checked' : 'ran'});
				break;
			}
			case 'service': {
				const running = (await host.exec(['service', action.service, 'status'])).exitCode === 0;
				const operation = action.operation === 'stopped' ? 'stop' : running && action.operation !== 'running' ? action.operation : 'start';
				if (action.operation === 'running' && running) {
					applied.push({id: action.id, outcome: 'satisfied'});
					break;
				}
				const result = await host.exec(['service', action.service, operation]);
				if (result.exitCode !== 0) throw new Error(`${action.id}: service ${action.service} ${operation} exited ${result.exitCode}: ${(result.stdout + result.stderr).trim()}`);
				applied.push({id: action.id, outcome: operation === 'start' ? 'started' : operation === 'stop' ? 'stopped' : operation === 'reload' ? 'reloaded' : 'restarted'});
				break;
			}
			case 'checkpoint':
				throw new Error(`${action.id}: unexpected checkpoint: ${action.instructions}`);
		}
	}
	return applied;
}

/** Plans `step` with facts read from the lab and applies it there. */
export async function planAndApply(
	host: NamespaceHost,
	step: StepDefinition,
	inventory: Inventory,
	options: ApplyOptions & {facts?: Partial<Facts>; only?: (action: Action) => boolean} = {},
): Promise<{actions: Action[]; applied: Applied[]}> {
	const actions = step.plan(inventory, await labFacts(host, step, inventory, options.facts));
	return {actions, applied: await applyActions(host, actions.filter(options.only ?? (() => true)), options)};
}
