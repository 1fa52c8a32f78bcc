// Runs the built command (dist/cli.js, what the installed `ganeti-wizard` runs).
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const seedRecipe = fileURLToPath(new URL('../../recipes/gcc-compile-farm.yaml', import.meta.url));

export type CliResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string};

export function runCli(args: string[], options: {env?: Record<string, string>; cwd?: string; input?: string} = {}): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {
			cwd: options.cwd,
			env: {...process.env, NO_COLOR: '1', ...options.env},
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => (stdout += chunk));
		child.stderr.on('data', chunk => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code, signal) => resolve({code, signal, stdout, stderr}));
		child.stdin.end(options.input ?? '');
	});
}
