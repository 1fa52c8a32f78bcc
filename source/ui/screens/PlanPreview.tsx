// Before a step applies: its plan, scrollable, and apply / skip / back.
import {useEffect, useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import type {PlannedStep} from '../../runner/events.js';
import wrapAnsi from 'wrap-ansi';
import {KeyHelp, keyHelpLines, quitKeys, type KeyHint} from '../components/KeyHelp.js';
import {useKeys} from '../components/keys.js';
import {loadDiff, loadedDiff, planLines, wrapPlanLines} from '../plan-lines.js';

export type PreviewChoice = 'apply' | 'skip' | 'back';

const buttons: Array<{value: PreviewChoice; label: string}> = [
	{value: 'apply', label: 'Apply'},
	{value: 'skip', label: 'Skip this step'},
	{value: 'back', label: 'Back to the answers'},
];

const keyHints: KeyHint[] = [['↑↓', 'scroll'], ['←→', 'choose'], ['Enter', 'confirm'], ['a/s/b', 'apply/skip/back'], ...quitKeys];

type Props = {
	step: PlannedStep;
	/** Rows the plan may take; it scrolls inside them. */
	height: number;
	/** Columns it may take: longer lines continue on the next line. */
	width?: number;
	onChoose: (choice: PreviewChoice) => void;
};

export function PlanPreview({step, height, width = 100, onChoose}: Props) {
	const [diff, setDiff] = useState(loadedDiff);
	const [top, setTop] = useState(0);
	const [button, setButton] = useState(0);
	useEffect(() => {
		if (!diff) void loadDiff().then(setDiff);
	}, [diff]);
	const lines = useMemo(() => (diff ? wrapPlanLines(planLines(step, diff), width - 1) : []), [diff, step, width]);
	const pending = step.actions.filter(entry => entry.status !== 'satisfied' && entry.status !== 'done').length;
	const counts = `${pending} change${pending === 1 ? '' : 's'}, ${step.actions.length - pending} already so`;
	// A title or key help that wraps on a narrow terminal takes its lines from the plan: the whole screen still fits.
	const spare = (text: string) => wrapAnsi(text, width, {hard: true, trim: false}).split('\n').length - 1;
	const longest = `Plan: ${step.title} · ${counts} · lines ${lines.length}-${lines.length} of ${lines.length}`;
	const rows = Math.max(3, height - spare(longest) - (keyHelpLines(keyHints, width) - 1));
	const maxTop = Math.max(0, lines.length - rows);

	useKeys((input, key) => {
		if (key.upArrow) return setTop(value => Math.max(0, value - 1));
		if (key.downArrow) return setTop(value => Math.min(maxTop, value + 1));
		if (key.pageUp) return setTop(value => Math.max(0, value - rows));
		if (key.pageDown || input === ' ') return setTop(value => Math.min(maxTop, value + rows));
		if (key.home) return setTop(0);
		if (key.end) return setTop(maxTop);
		if (key.leftArrow) return setButton(value => Math.max(0, value - 1));
		if (key.rightArrow || key.tab) return setButton(value => Math.min(buttons.length - 1, value + 1));
		if (key.return) return onChoose(buttons[button]!.value);
		if (input === 'a') return onChoose('apply');
		if (input === 's') return onChoose('skip');
		if (input === 'b' || key.escape) return onChoose('back');
	});

	const shown = lines.slice(top, top + rows);
	return (
		<Box flexDirection="column">
			<Text>
				<Text bold>Plan: {step.title}</Text>
				<Text dimColor>
					{' '}
					· {counts}
					{lines.length > rows ? ` · lines ${top + 1}-${Math.min(lines.length, top + rows)} of ${lines.length}` : ''}
				</Text>
			</Text>
			<Box flexDirection="column" height={rows}>
				{diff ? (
					shown.map((line, index) => (
						<Text key={top + index} wrap="truncate-end" color={line.color} dimColor={line.dim} bold={line.bold}>
							{line.text || ' '}
						</Text>
					))
				) : (
					<Text dimColor>computing the differences…</Text>
				)}
			</Box>
			<Box>
				{buttons.map((entry, index) => (
					<Box key={entry.value} marginRight={2}>
						<Text inverse={index === button} bold={index === button}>
							{' '}
							{entry.label}{' '}
						</Text>
					</Box>
				))}
			</Box>
			<KeyHelp keys={keyHints} />
		</Box>
	);
}
