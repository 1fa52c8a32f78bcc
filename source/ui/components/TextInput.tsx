// A one-line text field: typing, pasting, ←/→, Home/End, Backspace/Delete,
// Ctrl-U to clear; Enter submits. The cursor is an inverse cell.
import {useRef, useState} from 'react';
import {Text} from 'ink';
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
		if (key.home || (key.ctrl && input === 'a')) return set(text, 0);
		if (key.end || (key.ctrl && input === 'e')) return set(text, text.length);
		if (key.ctrl && input === 'u') return set(text.slice(here), 0);
		if (key.backspace || key.delete) {
			// Terminals send DEL (0x7f) for Backspace, which Ink reports as "delete".
			if (here === 0) return;
			return set(text.slice(0, here - 1) + text.slice(here), here - 1);
		}
		if (key.ctrl || key.meta || key.escape || key.tab || key.upArrow || key.downArrow || key.pageUp || key.pageDown) return;
		// Printable text only: a paste arrives as one string.
		const typed = input.replace(/[\u0000-\u001F\u007F]/g, '');
		if (!typed) return;
		set(text.slice(0, here) + typed + text.slice(here), here + typed.length);
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
