// Starts the Ink wizard. Ink, React and the screens are loaded here, on demand,
// so commands that never draw (plan, status, apply --yes) do not pay for them.
import chalk from 'chalk';
import type {WizardExit, WizardOptions} from './contract.js';

export type TuiStreams = {
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
};

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off, Ink's included. */
export function applyColourPolicy(env: NodeJS.ProcessEnv = process.env): void {
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') chalk.level = 0;
}

export async function startTui(options: WizardOptions, streams: TuiStreams = {}): Promise<WizardExit> {
	applyColourPolicy();
	// React is CommonJS: through a bundle, only its default export is sure to be there.
	const [{render}, {default: React}, {App}] = await Promise.all([import('ink'), import('react'), import('../app.js')]);
	const {createElement} = React;
	let exit: WizardExit = {outcome: 'quit', message: []};
	const instance = render(
		createElement(App, {
			options,
			onExit: (result: WizardExit) => {
				exit = result;
			},
		}),
		{
			...(streams.stdin ? {stdin: streams.stdin} : {}),
			...(streams.stdout ? {stdout: streams.stdout} : {}),
			...(streams.stderr ? {stderr: streams.stderr} : {}),
			// Ctrl-C is the wizard's to handle: it answers a pending question or stops the run cleanly.
			exitOnCtrlC: false,
		},
	);
	await instance.waitUntilExit();
	return exit;
}
