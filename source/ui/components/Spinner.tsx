// A spinner and the time since `since`. On its own it redraws ten times a
// second; inside a screen that redraws anyway (the running pane), it is given
// the time to draw (`at`) and its frame (`step`) and keeps no clock of its own.
import {useEffect, useState} from 'react';
import {Text} from 'ink';
import {formatElapsed} from '../text.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

type Props = {
	since?: number;
	label?: string;
	/** The time to draw (ms); without it the spinner runs its own clock. */
	at?: number;
	/** Which frame to draw: one step per redraw of the screen that gives `at`. */
	step?: number;
};

export function Spinner({since, label, at, step}: Props) {
	const [ownClock, setOwnClock] = useState(Date.now);
	useEffect(() => {
		if (at !== undefined) return;
		const timer = setInterval(() => setOwnClock(Date.now()), 100);
		return () => clearInterval(timer);
	}, [at === undefined]);
	const now = at ?? ownClock;
	return (
		<Text>
			<Text color="cyan">{frames[(step ?? Math.floor(now / 100)) % frames.length]}</Text>
			{label ? ` ${label}` : ''}
			{since !== undefined ? <Text dimColor> {formatElapsed(Math.max(0, now - since))}</Text> : null}
		</Text>
	);
}
