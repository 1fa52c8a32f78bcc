// Fault injection for the resume tests: GANETI_WIZARD_FAILPOINT=<point>:<n>
// SIGKILLs the wizard the n-th time (1-based) it passes <point>. Points:
//   after-effect     an action's change is made, its progress not yet recorded
//   after-action     an action is recorded done
//   file-candidate   a file's checked candidate is written, not yet renamed
//   command-running  a changing command has been started and is still running
// Unset in normal use; a kill -9 is what an operator's lost SSH session does.
const spec = process.env['GANETI_WIZARD_FAILPOINT'];
const [target, countText] = spec ? spec.split(':') : [];
const wanted = Number(countText ?? 1);
let seen = 0;

export function failpoint(point: string): void {
	if (point !== target) return;
	seen += 1;
	if (seen === wanted) process.kill(process.pid, 'SIGKILL');
}

export function failpointArmed(point: string): boolean {
	return point === target && seen + 1 === wanted;
}
