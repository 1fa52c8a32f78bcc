// A vertical list: ↑/↓ (or k/j) to move, Enter to choose. Shows at most
// `visible` items around the highlighted one.
import {useRef, useState} from 'react';
import {Box, Text} from 'ink';
import {useKeys} from './keys.js';

export type Item<V extends string> = {value: V; label: string; hint?: string; disabled?: boolean};

type Props<V extends string> = {
	items: ReadonlyArray<Item<V>>;
	onSelect: (value: V) => void;
	/** Called as the highlight moves. */
	onHighlight?: (value: V) => void;
	initial?: V;
	active?: boolean;
	visible?: number;
	/** Letters that choose an item at once (e.g. {r: 'retry'}). */
	shortcuts?: Partial<Record<string, V>>;
};

export function Select<V extends string>({items, onSelect, onHighlight, initial, active = true, visible = 10, shortcuts = {}}: Props<V>) {
	const start = Math.max(0, items.findIndex(item => item.value === initial && !item.disabled));
	const [index, setIndex] = useState(items[start]?.disabled ? items.findIndex(item => !item.disabled) : start);
	const current = Math.min(index, items.length - 1);
	// Keys of a burst (a paste, typing ahead, a slow link) arrive before React
	// renders again: each must move from where the previous one left the highlight.
	const latest = useRef(current);
	latest.current = Math.min(latest.current, items.length - 1);

	const move = (delta: number) => {
		for (let next = latest.current + delta; next >= 0 && next < items.length; next += delta) {
			if (!items[next]!.disabled) {
				latest.current = next;
				setIndex(next);
				onHighlight?.(items[next]!.value);
				return;
			}
		}
	};

	useKeys((input, key) => {
		if (key.upArrow || input === 'k') return move(-1);
		if (key.downArrow || input === 'j') return move(1);
		if (key.return) {
			const item = items[latest.current];
			if (item && !item.disabled) onSelect(item.value);
			return;
		}
		const shortcut = shortcuts[input];
		if (shortcut !== undefined && items.some(item => item.value === shortcut && !item.disabled)) onSelect(shortcut);
	}, active);

	const first = Math.max(0, Math.min(current - Math.floor(visible / 2), items.length - visible));
	const shown = items.slice(first, first + visible);
	const labelWidth = Math.max(...items.map(item => item.label.length));
	return (
		<Box flexDirection="column">
			{first > 0 ? <Text dimColor>  ↑ {first} more</Text> : null}
			{shown.map((item, offset) => {
				const selected = first + offset === current;
				// A hint wider than the screen goes on under itself, between words: nothing is cut.
				return (
					<Box key={item.value}>
						<Box flexShrink={0}>
							<Text color={selected ? 'cyan' : undefined} bold={selected} dimColor={item.disabled}>
								{selected ? '❯ ' : '  '}
								{item.hint ? item.label.padEnd(labelWidth) : item.label}
							</Text>
						</Box>
						{item.hint ? (
							<Box marginLeft={2}>
								<Text dimColor wrap="wrap">
									{item.hint}
								</Text>
							</Box>
						) : null}
					</Box>
				);
			})}
			{first + visible < items.length ? <Text dimColor>  ↓ {items.length - first - visible} more</Text> : null}
		</Box>
	);
}
