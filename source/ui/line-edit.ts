// Editing one line of text the way a terminal's line discipline and readline
// do, for the TUI's text field. Ink reports escape sequences (arrows, Home,
// End) as keys, but a burst of control characters and text (Ctrl-U then the
// new value, typed ahead or pasted) arrives as one string: it is applied here
// one character at a time, in order.

export type Line = {text: string; cursor: number};

/** What a single control character does (stty(1) erase, kill, werase; readline's Ctrl-A, Ctrl-E). */
const controls: Record<string, (line: Line) => Line> = {
	// Backspace: DEL (what terminals send) and Ctrl-H (BS).
	'\u007F': backspace,
	'\b': backspace,
	// Ctrl-U: the line discipline's "kill": everything before the cursor.
	'\u0015': ({text, cursor}) => ({text: text.slice(cursor), cursor: 0}),
	// Ctrl-W: "werase": the word before the cursor, and the spaces after it.
	'\u0017': ({text, cursor}) => {
		const start = /\S*\s*$/.exec(text.slice(0, cursor))!.index;
		return {text: text.slice(0, start) + text.slice(cursor), cursor: start};
	},
	'\u0001': ({text}) => ({text, cursor: 0}),
	'\u0005': ({text}) => ({text, cursor: text.length}),
};

function backspace({text, cursor}: Line): Line {
	return cursor === 0 ? {text, cursor} : {text: text.slice(0, cursor - 1) + text.slice(cursor), cursor: cursor - 1};
}

/**
 * Applies `input` (text and control characters, as one burst) to `line`:
 * printable characters are inserted at the cursor, the controls above edit,
 * any other control character (Tab, Escape, a stray newline) is dropped.
 */
export function typeInto(line: Line, input: string): Line {
	let next = {text: line.text, cursor: Math.min(line.cursor, line.text.length)};
	for (const character of input) {
		const control = controls[character];
		if (control) next = control(next);
		else if (!/[\u0000-\u001F\u007F]/.test(character)) next = {text: next.text.slice(0, next.cursor) + character + next.text.slice(next.cursor), cursor: next.cursor + character.length};
	}
	return next;
}
