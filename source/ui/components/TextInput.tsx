// A one-line text field: typing, pasting, ←/→, Home/End, Backspace (and
// Ctrl-H), Ctrl-U, Ctrl-W, Ctrl-A, Ctrl-E; Enter submits. The cursor is an
// inverse cell. Ink's own keys (arrows, Home, End) come as flags; control
// characters and text, even in one burst, are edited by line-edit.ts.
import {useRef, useState} from 'react';
import {Text} from 'ink';
import {typeInto} from '../line-edit.js';
import {useKeys, useTextEntry} from './keys.js';

type Props = {
	value: string;
	onChange: (value: string) => void;
	onSubmit: (value: string) => void;
	/** ↑/↓: replace the value with the previous/next of these. */
	suggestions?: string[];
	active?: boolean;
	placeholder?: string;
};

export function TextInput({value, onChange, onSubmit, suggestions = [], active = true, placeholder}: Props) {
	const [cursor, setCursor] = useState(value.length);
	const [suggestion, setSuggestion] = useState(-1);
	// Keys can arrive faster than React re-renders: each one must see the text
	// the previous one left, not the text of the last render.
	const latest = useRef({value, cursor});
	if (latest.current.value !== value) latest.current = {value, cursor: Math.min(latest.current.cursor, value.length)};
	const at = Math.min(cursor, value.length);
	useTextEntry(active);

	const set = (next: string, nextCursor: number) => {
		latest.current = {value: next, cursor: nextCursor};
		if (next !== value) onChange(next);
		setCursor(nextCursor);
	};

	useKeys((input, key) => {
		const {value: text, cursor: position} = latest.current;
		const here = Math.min(position, text.length);
		if (key.return) {
			onSubmit(text);
			return;
		}
		if ((key.upArrow || key.downArrow) && suggestions.length > 0) {
			const next = (suggestion + (key.downArrow ? 1 : -1) + suggestions.length) % suggestions.length;
			setSuggestion(next);
			set(suggestions[next]!, suggestions[next]!.length);
			return;
		}
		if (key.leftArrow) return set(text, Math.max(0, here - 1));
		if (key.rightArrow) return set(text, Math.min(text.length, here + 1));
		if (key.home) return set(text, 0);
		if (key.end) return set(text, text.length);
		if (key.meta || key.escape || key.tab || key.upArrow || key.downArrow || key.pageUp || key.pageDown) return;
		// Ink names a lone control key (Ctrl-U arrives as ctrl + "u"); in a burst it stays a character.
		const raw = key.ctrl && /^[a-z]$/.test(input) ? String.fromCharCode(input.charCodeAt(0) - 96) : key.backspace || key.delete ? '\u007F' : input;
		// Text typed ahead with its Enter ("web1\r") is one burst too: edit, then submit.
		const [typed, ...submitted] = raw.split(/[\r\n]/);
		// A ? on its own opens the wizard's help; inside pasted or typed-ahead text it is a character.
		if (raw === '?') return;
		const edited = typeInto({text, cursor: here}, typed!);
		set(edited.text, edited.cursor);
		if (submitted.length > 0) onSubmit(edited.text);
	}, active);

	if (value === '' && placeholder) {
		return (
			<Text>
				<Text inverse> </Text>
				<Text dimColor>{placeholder}</Text>
			</Text>
		);
	}
	return (
		<Text>
			{value.slice(0, at)}
			<Text inverse>{at < value.length ? value[at] : ' '}</Text>
			{value.slice(at + 1)}
		</Text>
	);
}
