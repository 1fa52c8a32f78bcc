// Fault injection for the resume tests: GANETI_WIZARD_FAILPOINT=<point>:<n>
// SIGKILLs the wizard the n-th time (1-based) it passes <point>. Points:
//   after-effect     an action's change is made, its progress not yet recorded
//   after-action     an action is recorded done
//   file-candidate   a file's checked candidate is written, not yet renamed
//   command-running  a changing command has been started (counted at its start;
//                    the kill comes a second later, or when it ends if sooner)
// Unset in normal use; a kill -9 is what an operator's lost SSH session does.
const spec = process.env['GANETI_WIZARD_FAILPOINT'];
const [target, countText] = spec ? spec.split(':') : [];
const wanted = Number(countText ?? 1);
let seen = 0;

/** Counts a pass of `point`; true on the pass that must kill the wizard. */
export function failpointReached(point: string): boolean {
	if (point !== target) return false;
	seen += 1;
	return seen === wanted;
}

export function failpoint(point: string): void {
	if (failpointReached(point)) die();
}

/** What a lost session does to the wizard: SIGKILL to itself is delivered before kill() returns. */
export function die(): void {
	process.kill(process.pid, 'SIGKILL');
}
