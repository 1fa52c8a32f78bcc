// The wizard's terminal costs, each against a baseline run the same way in the
// same run, in a pseudo-terminal of 120x40 (util-linux `script`):
//  (a) start to first frame of `ganeti-wizard` (the bundled CLI) against an
//      unbundled Ink app rendering one line. Goal: at most 0.6x.
//  (b) CPU that 100,000 lines of a child's output add to the wizard's running
//      screen (run with 100,000 lines minus run with none), against what the
//      same output adds to plain Node piping the child to the terminal.
//      Goal: at most 2x, and peak memory under 150 MB. Each round runs both
//      sizes back to back and takes their difference; the median of the
//      rounds' differences is reported, with their range.
//   node --import tsx bench/tui.bench.ts
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import {build} from 'esbuild';

const firstFrameRounds = 9;
// The wizard's own start costs ~1.2 s of CPU and varies by ±150 ms with the
// machine's load, about as much as the difference measured: many rounds.
const streamRounds = 9;
const streamLines = 100_000;
const scratch = mkdtempSync(join(tmpdir(), 'wizard-bench-'));

type Usage = {userMs: number; systemMs: number; maxRssKb: number};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** Runs argv in a 120x40 pseudo-terminal; resolves with the ms until `marker` showed up (the run is then ended). */
function untilShown(argv: string[], marker: RegExp): Promise<number> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${argv.map(quote).join(' ')}`, '/dev/null'], {stdio: ['pipe', 'pipe', 'inherit'], detached: true});
		let seen = '';
		let settled = false;
		const timer = setTimeout(() => finish(new Error(`no ${marker} within 30 s; output: ${JSON.stringify(seen.slice(-300))}`)), 30_000);
		const finish = (outcome: number | Error) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {}
			if (outcome instanceof Error) reject(outcome);
			else resolve(outcome);
		};
		child.stdout.on('data', (chunk: Buffer) => {
			// eslint-disable-next-line no-control-regex
			seen += chunk.toString('utf8').replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
			if (marker.test(seen)) finish(performance.now() - started);
		});
		child.on('exit', () => setTimeout(() => finish(new Error(`exited before ${marker}; output: ${JSON.stringify(seen.slice(-300))}`)), 50));
	});
}

/** Runs argv in a 120x40 pseudo-terminal to the end, output discarded; returns the usage it wrote to the file. */
function usageOf(argv: string[], usageFile: string): Usage {
	const result = spawnSync('script', ['-qfec', `stty cols 120 rows 40; exec ${argv.map(quote).join(' ')}`, '/dev/null'], {stdio: ['pipe', 'ignore', 'inherit'], timeout: 300_000});
	if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status ?? result.signal})`);
	return JSON.parse(readFileSync(usageFile, 'utf8')) as Usage;
}

async function firstFrame(): Promise<void> {
	const cliBuild = spawnSync(process.execPath, ['scripts/build.js'], {stdio: 'inherit'});
	if (cliBuild.status !== 0) throw new Error('npm run build failed');
	const baseline: number[] = [];
	const wizard: number[] = [];
	for (let round = 0; round < firstFrameRounds; round++) {
		baseline.push(await untilShown([process.execPath, 'bench/tui/one-line-ink.mjs'], /first frame/));
		const root = join(scratch, `rehearsal-${round}`);
		// The interactive wizard's first frame: "starting…" while the rest loads behind it.
		wizard.push(await untilShown([process.execPath, 'dist/cli.js', '--root', root, '--state-dir', `${root}-state`], /starting…|Looking at this host|Question 1 of|Saved progress|cannot be set up for real/));
	}
	const ratio = median(wizard) / median(baseline);
	console.log(`(a) first frame: wizard ${median(wizard).toFixed(0)} ms, one-line Ink app unbundled ${median(baseline).toFixed(0)} ms (medians of ${firstFrameRounds})`);
	console.log(`    ratio ${ratio.toFixed(2)}x (goal <= 0.6x) ${ratio <= 0.6 ? 'MET' : 'NOT MET'}`);
}

async function streaming(): Promise<void> {
	const bundle = join(scratch, 'stream-wizard.js');
	await build({
		entryPoints: ['bench/tui/stream-wizard.tsx'],
		outfile: bundle,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		jsx: 'automatic',
		// As scripts/build.js builds the CLI.
		define: {'process.env.NODE_ENV': '"production"'},
		minify: true,
		banner: {js: "import {createRequire as __createRequire} from 'node:module';const require = __createRequire(import.meta.url);"},
		// Ink imports react-devtools-core (not installed) only when DEV is set; an
		// external import would be hoisted into the bundle's top and fail at start.
		plugins: [
			{
				name: 'no-devtools',
				setup(builder) {
					builder.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'no-devtools'}));
					builder.onLoad({filter: /.*/, namespace: 'no-devtools'}, () => ({contents: 'export default {initialize() {}, connectToDevTools() {}};', loader: 'js'}));
				},
			},
		],
		logLevel: 'warning',
	});
	const recipe = 'recipes/gcc-compile-farm.yaml';
	const runs = {
		wizard: {0: [] as Usage[], [streamLines]: [] as Usage[]},
		runnerOnly: {0: [] as Usage[], [streamLines]: [] as Usage[]},
		pipe: {0: [] as Usage[], [streamLines]: [] as Usage[]},
	};
	const argv = {
		wizard: (lines: number, stateDir: string, usageFile: string) => [process.execPath, bundle, String(lines), stateDir, usageFile, recipe],
		runnerOnly: (lines: number, stateDir: string, usageFile: string) => [process.execPath, bundle, String(lines), stateDir, usageFile, recipe, 'no-ui'],
		pipe: (lines: number, _stateDir: string, usageFile: string) => [process.execPath, 'bench/tui/pipe-output.mjs', String(lines), usageFile],
	};
	for (let round = 0; round < streamRounds; round++) {
		for (const side of ['wizard', 'runnerOnly', 'pipe'] as const) {
			// Both sizes back to back: the pair sees the same load on the machine.
			for (const lines of [0, streamLines]) {
				const usageFile = join(scratch, `usage-${side}-${round}-${lines}.json`);
				runs[side][lines as 0].push(usageOf(argv[side](lines, join(scratch, `state-${side}-${round}-${lines}`), usageFile), usageFile));
			}
		}
	}
	const cpu = (usage: Usage) => usage.userMs + usage.systemMs;
	const perRound = (side: keyof typeof runs) => runs[side][streamLines as 0].map((usage, round) => cpu(usage) - cpu(runs[side][0][round]!));
	const added = (side: keyof typeof runs) => median(perRound(side));
	const range = (side: keyof typeof runs) => `from ${Math.min(...perRound(side)).toFixed(0)} to ${Math.max(...perRound(side)).toFixed(0)}`;
	const wizardAdded = added('wizard');
	const pipeAdded = added('pipe');
	const peak = Math.max(...runs.wizard[streamLines as 0].map(usage => usage.maxRssKb)) / 1024;
	const ratio = wizardAdded / pipeAdded;
	console.log(`(b) ${streamLines.toLocaleString('en')} lines: the wizard adds ${wizardAdded.toFixed(0)} ms CPU, a plain Node pipe ${pipeAdded.toFixed(0)} ms (medians of ${streamRounds} rounds)`);
	console.log(`    ratio ${ratio.toFixed(2)}x (goal <= 2x) ${ratio <= 2 ? 'MET' : 'NOT MET'}; wizard peak RSS ${peak.toFixed(0)} MB (goal < 150 MB) ${peak < 150 ? 'MET' : 'NOT MET'}`);
	console.log(`    across rounds the wizard adds ${range('wizard')} ms, the pipe ${range('pipe')} ms`);
	console.log(`    wizard CPU (medians): ${median(runs.wizard[0].map(cpu)).toFixed(0)} ms with no output, ${median(runs.wizard[streamLines as 0].map(cpu)).toFixed(0)} ms with ${streamLines.toLocaleString('en')} lines`);
	// The same figures taken as difference of medians, unpaired: noisier, shown for comparison.
	const unpaired = (side: keyof typeof runs) => median(runs[side][streamLines as 0].map(cpu)) - median(runs[side][0].map(cpu));
	console.log(`    as difference of medians: wizard ${unpaired('wizard').toFixed(0)} ms, pipe ${unpaired('pipe').toFixed(0)} ms, ratio ${(unpaired('wizard') / unpaired('pipe')).toFixed(2)}x`);
	const runnerPeak = Math.max(...runs.runnerOnly[streamLines as 0].map(usage => usage.maxRssKb)) / 1024;
	console.log(`    of the ${wizardAdded.toFixed(0)} ms, the runner and host adapter alone (nothing on screen) add ${added('runnerOnly').toFixed(0)} ms (${range('runnerOnly')}); their peak RSS ${runnerPeak.toFixed(0)} MB`);
}

try {
	const which = process.argv[2];
	if (which !== 'stream') await firstFrame();
	if (which !== 'first-frame') await streaming();
} finally {
	rmSync(scratch, {recursive: true, force: true});
}
