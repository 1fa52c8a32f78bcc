// The wizard's running screen (step list, running pane, run store) on the real
// runner and host adapter, applying one command that prints N lines. Bundled
// by the benchmark the way the CLI is. Writes its resource usage (JSON) to the
// file given. With "no-ui" it runs the same plan with nothing on screen, which
// tells the runner's and host adapter's share from the screen's.
//   node stream-wizard.js LINES STATE_DIR USAGE_FILE RECIPE [no-ui]
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {render} from 'ink';
import {localHost} from '../../source/host/local.js';
import {Transcript} from '../../source/host/transcript.js';
import {buildInventory} from '../../source/inventory/inventory.js';
import {systemRandomBytes} from '../../source/inventory/mac.js';
import {parseRecipe} from '../../source/recipe/load.js';
import {Progress} from '../../source/runner/progress.js';
import {runPlan, type RunContext} from '../../source/runner/run.js';
import {RunPhase} from '../../source/ui/screens/RunPhase.js';

const [lines, stateDir, usageFile, recipePath, noUi] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const recipe = parseRecipe(readFileSync(recipePath, 'utf8'));
const progress = new Progress(stateDir);
const host = localHost({root: '/', stateDir, transcript: new Transcript(join(stateDir, 'transcript.log'))});
const context: RunContext = {
	host,
	progress,
	inventory: buildInventory(recipe, progress.generated, systemRandomBytes).inventory,
	steps: [
		{
			id: 'packages',
			title: 'Install packages',
			requires: [],
			plan: () => [
				{
					kind: 'command',
					id: 'packages.install',
					title: 'install the packages',
					// Lines shaped like apt's.
					argv: ['awk', `BEGIN { for (i = 1; i <= ${Number(lines)}; i++) printf "Get:%d http://deb.debian.org/debian bookworm/main amd64 package-%d 1.0-1 [%d kB]\\n", i, i, i % 997 }`],
					idempotent: true,
				},
			],
		},
	],
};

function report(): never {
	const usage = process.resourceUsage();
	writeFileSync(usageFile, JSON.stringify({userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000, maxRssKb: usage.maxRSS}));
	process.exit(0);
}

if (noUi === 'no-ui') {
	await runPlan(context, () => {}, {beforeStep: async () => 'apply'});
	report();
}

const instance = render(
	<RunPhase
		options={{
			mode: 'real',
			root: '/',
			recipe,
			progress: null,
			detect: async () => {
				throw new Error('not used');
			},
			// The operator's "apply" is taken as given: the preview is not what is measured.
			run: (_recipe, io) => runPlan(context, io.onEvent, {...io.decisions, beforeStep: async () => 'apply'}),
			saveRecipe: async () => {},
		}}
		recipe={recipe}
		startOver={false}
		initialSteps={[]}
		onEnd={() => {
			// One more frame for the last lines, then report.
			setTimeout(() => {
				instance.unmount();
				report();
			}, 100);
		}}
	/>,
	{exitOnCtrlC: false},
);
