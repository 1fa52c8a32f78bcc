// A spinner and the time since `since`, redrawn ten times a second.
import {useEffect, useState} from 'react';
import {Text} from 'ink';
import {formatElapsed} from '../text.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function Spinner({since, label}: {since?: number; label?: string}) {
	const [tick, setTick] = useState(0);
	useEffect(() => {
		const timer = setInterval(() => setTick(value => value + 1), 100);
		return () => clearInterval(timer);
	}, []);
	return (
		<Text>
			<Text color="cyan">{frames[tick % frames.length]}</Text>
			{label ? ` ${label}` : ''}
			{since !== undefined ? <Text dimColor> {formatElapsed(Date.now() - since)}</Text> : null}
		</Text>
	);
}
