// Runs the whole suite with Node's own test runner (TypeScript through tsx).
// Files under test/lab/ and test/network/ drive real daemons in namespaces:
// they run one file at a time after the rest, which runs in parallel.
import {spawn} from 'node:child_process';
import {readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';

const only = process.argv.slice(2);

function find(directory) {
	return readdirSync(directory).sort().flatMap(name => {
		const path = join(directory, name);
		if (statSync(path).isDirectory()) return name === 'support' || name === 'fixtures' ? [] : find(path);
		return /\.test\.tsx?$/.test(name) ? [path] : [];
	});
}

const all = find('test').filter(path => only.length === 0 || only.some(part => path.includes(part)));
const heavy = all.filter(path => /^test\/(lab|network)\//.test(path));
const light = all.filter(path => !heavy.includes(path));

// Each batch prints its own summary; the closing line adds them up.
function runBatch(files, concurrency) {
	return new Promise(resolve => {
		const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {stdio: ['ignore', 'pipe', 'inherit']});
		const counts = {pass: 0, fail: 0, skipped: 0};
		let text = '';
		child.stdout.on('data', chunk => {
			process.stdout.write(chunk);
			text += chunk;
		});
		child.on('close', code => {
			for (const key of Object.keys(counts)) {
				const match = new RegExp(`^\\S* ?${key} (\\d+)$`, 'm').exec(text.replaceAll(/\u001B\[[0-9;]*m/g, ''));
				if (match) counts[key] = Number(match[1]);
			}
			resolve({code, counts});
		});
	});
}

const total = {pass: 0, fail: 0, skipped: 0};
let failed = false;
for (const [files, concurrency] of [[light, 2], [heavy, 1]]) {
	if (files.length === 0) continue;
	const {code, counts} = await runBatch(files, concurrency);
	if (code !== 0) failed = true;
	for (const key of Object.keys(total)) total[key] += counts[key];
}
if (failed && total.fail === 0) total.fail = 1;
console.log(`\nSummary: ${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(failed ? 1 : 0);
