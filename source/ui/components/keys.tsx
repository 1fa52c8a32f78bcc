// Keyboard handling shared by every screen: input only where the terminal can
// give raw keystrokes (useInput throws otherwise), and only for the screen in
// front (the help overlay silences the screen under it without unmounting it).
import {createContext, useCallback, useContext, useEffect, useRef} from 'react';
import {useInput, useStdin, type Key} from 'ink';

export const KeysActive = createContext(true);

/**
 * Set by a screen while it takes free text: q and ? are then letters to type,
 * not "quit" and "help".
 */
export const TextEntry = createContext<{set: (taking: boolean) => void}>({set() {}});

export function useKeys(handler: (input: string, key: Key) => void, active = true): void {
	const {isRawModeSupported} = useStdin();
	const front = useContext(KeysActive);
	// Ink re-subscribes a new handler only in a passive effect, which can run
	// after the next key arrives: that key would see the previous render's
	// state. Calling through a ref set at render always reaches the latest one.
	const latest = useRef(handler);
	latest.current = handler;
	const stable = useCallback((input: string, key: Key) => latest.current(input, key), []);
	useInput(stable, {isActive: Boolean(isRawModeSupported) && front && active});
}

/** Declares that the calling screen takes free text while mounted (and `taking`). */
export function useTextEntry(taking = true): void {
	const entry = useContext(TextEntry);
	useEffect(() => {
		entry.set(taking);
		return () => entry.set(false);
	}, [entry, taking]);
}

/**
 * What `q` (and Ctrl-C) do right now. Empty: leave the wizard. A running step
 * sets it to answer its pending question with "quit" first.
 */
export const QuitHandler = createContext<{current: (() => void) | undefined}>({current: undefined});
