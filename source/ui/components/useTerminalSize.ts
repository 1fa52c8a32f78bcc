// Rows and columns of the terminal, following resizes. Screens size their
// scrolling parts from it so a frame never outgrows the terminal (Ink would
// then clear and redraw the whole screen on every update).
import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export function useTerminalSize(): {rows: number; columns: number} {
	const {stdout} = useStdout();
	const read = () => ({rows: stdout.rows || 24, columns: stdout.columns || 80});
	const [size, setSize] = useState(read);
	useEffect(() => {
		const update = () => setSize(read());
		stdout.on('resize', update);
		return () => {
			stdout.off('resize', update);
		};
	}, [stdout]);
	return size;
}
