// A spinner and the time since `since`. It redraws itself ten times a second,
// unless given the time to draw (`at`) by something that redraws anyway.
import {useEffect, useState} from 'react';
import {Text} from 'ink';
import {formatElapsed} from '../text.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function Spinner({since, label, at}: {since?: number; label?: string; at?: number}) {
	const [ownClock, setOwnClock] = useState(Date.now);
	useEffect(() => {
		if (at !== undefined) return;
		const timer = setInterval(() => setOwnClock(Date.now()), 100);
		return () => clearInterval(timer);
	}, [at === undefined]);
	const now = at ?? ownClock;
	return (
		<Text>
			<Text color="cyan">{frames[Math.floor(now / 100) % frames.length]}</Text>
			{label ? ` ${label}` : ''}
			{since !== undefined ? <Text dimColor> {formatElapsed(Math.max(0, now - since))}</Text> : null}
		</Text>
	);
}
