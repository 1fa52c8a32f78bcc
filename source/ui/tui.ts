// Starts the Ink wizard. Only Ink and React are needed for the first frame:
// the screens, the recipe rules and whatever the CLI must open (saved
// progress, the host adapter) load behind it, so the operator sees the wizard
// at once.
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

/**
 * Runs the wizard until the operator leaves or the run ends. `options` may be
 * a function that opens what the wizard needs: it is called after the first
 * frame is on screen.
 */
export async function startTui(options: WizardOptions | (() => Promise<WizardOptions>), streams: TuiStreams = {}): Promise<WizardExit> {
	applyColourPolicy();
	// React is CommonJS: through a bundle, only its default export is sure to be there.
	const [{render, Box, Text}, {default: React}] = await Promise.all([import('ink'), import('react')]);
	const {createElement} = React;
	const header = (detail: string) =>
		createElement(Box, {flexDirection: 'column'}, createElement(Text, {bold: true, color: 'cyan'}, 'ganeti-wizard'), createElement(Text, {dimColor: true}, detail));
	const instance = render(header('starting…'), {
		...(streams.stdin ? {stdin: streams.stdin} : {}),
		...(streams.stdout ? {stdout: streams.stdout} : {}),
		...(streams.stderr ? {stderr: streams.stderr} : {}),
		// Ctrl-C is the wizard's to handle: it answers a pending question or stops the run cleanly.
		exitOnCtrlC: false,
	});
	let exit: WizardExit = {outcome: 'quit', message: []};
	try {
		const [{App}, ready] = await Promise.all([import('../app.js'), typeof options === 'function' ? options() : options]);
		instance.rerender(
			createElement(App, {
				options: ready,
				onExit: (result: WizardExit) => {
					exit = result;
				},
			}),
		);
	} catch (error) {
		instance.rerender(header(''));
		instance.unmount();
		throw error;
	}
	await instance.waitUntilExit();
	return exit;
}
