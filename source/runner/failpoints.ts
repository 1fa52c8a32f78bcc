// Fault injection for the resume tests: GANETI_WIZARD_FAILPOINT=<point>:<n>
// SIGKILLs the wizard the n-th time (1-based) it passes <point>;
// GANETI_WIZARD_FAILPOINT=<point>@<action id> the first time it passes <point>
// in that action (whatever ran before it; file-candidate knows no action, so
// only its count aims it). Points:
//   after-effect     an action's change is made, its progress not yet recorded
//   after-action     an action is recorded done
//   file-candidate   a file's checked candidate is written, not yet renamed
//   command-running  a changing command has been started (counted at its start;
//                    the kill comes a second later, or when it ends if sooner)
// Unset in normal use; a kill -9 is what an operator's lost SSH session does.
const spec = process.env['GANETI_WIZARD_FAILPOINT'] ?? '';
const aimed = /^([a-z-]+)@(.+)$/.exec(spec);
const [target, countText] = aimed ? [aimed[1]] : spec ? spec.split(':') : [];
const targetAction = aimed?.[2];
const wanted = Number(countText ?? 1);
let seen = 0;

/** Counts a pass of `point` (in the action `actionId`, when known); true on the pass that must kill the wizard. */
export function failpointReached(point: string, actionId?: string): boolean {
	if (point !== target) return false;
	if (targetAction !== undefined) return actionId === targetAction;
	seen += 1;
	return seen === wanted;
}

export function failpoint(point: string, actionId?: string): void {
	if (failpointReached(point, actionId)) die();
}

/** What a lost session does to the wizard: SIGKILL to itself is delivered before kill() returns. */
export function die(): void {
	process.kill(process.pid, 'SIGKILL');
}
