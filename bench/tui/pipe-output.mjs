// Baseline for the streaming benchmark: plain Node piping a child's output to
// the terminal. Prints its own resource usage (JSON) to the file given.
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';

const [lines, usageFile] = process.argv.slice(2);
const child = spawn('awk', [`BEGIN { for (i = 1; i <= ${Number(lines)}; i++) printf "Get:%d http://deb.debian.org/debian bookworm/main amd64 package-%d 1.0-1 [%d kB]\\n", i, i, i % 997 }`], {stdio: ['ignore', 'pipe', 'inherit']});
child.stdout.pipe(process.stdout, {end: false});
child.on('close', () => {
	const usage = process.resourceUsage();
	writeFileSync(usageFile, JSON.stringify({userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000, maxRssKb: usage.maxRSS}));
	process.exit(0);
});
