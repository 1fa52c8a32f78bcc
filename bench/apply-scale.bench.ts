// A rehearsal apply of the seed site with 100, 200, 400 and 800 instances, in
// one process, one size after another: the time per action at each size, the
// ratio of whole applies 800/200 (linear is 4.0; the goal is at most 4.4),
// and the share of the 800-instance apply's CPU spent on bookkeeping (journal
// records, progress and saved settings, timed on the main thread where they
// run; the goal is at most 10%) against the CPU of the whole process.
//   node --import tsx bench/apply-scale.bench.ts
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseRecipe} from '../source/recipe/load.js';
import {runPlan} from '../source/runner/run.js';
import {openSession} from '../source/session.js';
import {bookkeeping} from '../source/site/bookkeeping.js';

const sizes = [100, 200, 400, 800];
const seed = readFileSync(new URL('../recipes/gcc-compile-farm.yaml', import.meta.url), 'utf8');

/** The seed's site on a /20 VM network with `count` instances installed from an OS definition. */
function recipeText(count: number): string {
	const instances = Array.from({length: count}, (_, index) => [`  - name: vm${index}.bench`, '    disk_template: plain', '    disk_size: 10G', '    memory: 512M', '    vcpus: 1', '    install: {os: debootstrap+default}'].join('\n'));
	return `${seed
		.replace('vms_subnet: 10.10.1.0/24', 'vms_subnet: 10.10.16.0/20')
		.replace('address: 10.10.1.1', 'address: 10.10.16.1')
		.replace('range: [10.10.1.200, 10.10.1.249]', 'range: [10.10.31.200, 10.10.31.249]')
		.replace(/\ninstances:\n[\s\S]*$/, '\ninstances:\n')}${instances.join('\n')}\n`;
}

async function applyOnce(count: number): Promise<{ms: number; actions: number; cpuMicros: number; bookkeepingMicros: number}> {
	const work = mkdtempSync(join(tmpdir(), 'gw-bench-apply-'));
	try {
		const recipe = parseRecipe(recipeText(count), `bench-${count}`);
		const session = await openSession({root: join(work, 'root'), stateDir: join(work, 'state'), unattended: true}, {recipe, origin: `bench-${count}`});
		const cpu = process.cpuUsage();
		const kept = bookkeeping.cpuMicros;
		const started = performance.now();
		const result = await runPlan(session.context, () => undefined, {atCheckpoint: async () => 'pass'});
		const ms = performance.now() - started;
		const used = process.cpuUsage(cpu);
		if (result.outcome !== 'done') throw new Error(`${count} instances: ${result.outcome} at ${result.stoppedAt?.action.id}: ${result.stoppedAt?.message}`);
		const actions = result.steps.reduce((sum, step) => sum + step.actions.length, 0);
		return {ms, actions, cpuMicros: used.user + used.system, bookkeepingMicros: bookkeeping.cpuMicros - kept};
	} finally {
		rmSync(work, {recursive: true, force: true});
	}
}

bookkeeping.measuring = true;
await applyOnce(20); // warm-up: module loading and JIT out of the figures
const figures = new Map<number, Awaited<ReturnType<typeof applyOnce>>>();
for (const count of sizes) {
	const figure = await applyOnce(count);
	figures.set(count, figure);
	console.log(`${String(count).padStart(4)} instances: ${figure.actions} actions in ${(figure.ms / 1000).toFixed(2)} s, ${((figure.ms / figure.actions) * 1000).toFixed(0)} µs per action, bookkeeping ${((100 * figure.bookkeepingMicros) / figure.cpuMicros).toFixed(1)}% of CPU`);
}
const ratio = figures.get(800)!.ms / figures.get(200)!.ms;
const share = figures.get(800)!.bookkeepingMicros / figures.get(800)!.cpuMicros;
console.log(`whole apply 800/200: ${ratio.toFixed(2)} (linear 4.0, goal at most 4.4); bookkeeping at 800: ${(100 * share).toFixed(1)}% of CPU (goal at most 10%)`);
