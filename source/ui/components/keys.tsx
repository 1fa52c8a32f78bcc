// Keyboard handling shared by every screen: input only where the terminal can
// give raw keystrokes (useInput throws otherwise), and only for the screen in
// front (the help overlay silences the screen under it without unmounting it).
import {createContext, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState} from 'react';
import {useInput, useStdin, type Key} from 'ink';

export const KeysActive = createContext(true);

/**
 * Set by a screen while it takes free text: q and ? are then letters to type,
 * not "quit" and "help".
 */
export const TextEntry = createContext<{set: (taking: boolean) => void}>({set() {}});

type Emitter = {prependListener: (event: string, listener: (data: unknown) => void) => unknown};
type Handler = {call: (input: string, key: Key) => void; tick: () => void};

/** Key handlers of one Ink instance (by its input emitter), in the order they started listening. */
type Registry = {
	handlers: Handler[];
	/** Counts the emitter's input events; `taken` is the last one already dispatched. */
	event: number;
	taken: number;
	/** The text of the last input event, as Ink's parser cut it from the terminal's bytes. */
	raw: unknown;
	/** Keys of bursts waiting to go out one by one, and whether they are going. */
	queue: Array<[string, Key]>;
	draining: boolean;
	/** Screens holding the keys (one still loading): they wait in the queue. */
	held: number;
	/** Called at the next commit that follows a tick. */
	committed: Array<() => void>;
};

const registries = new WeakMap<object, Registry>();

function registryOf(emitter: Emitter): Registry {
	let registry = registries.get(emitter);
	if (!registry) {
		const created: Registry = {handlers: [], event: 0, taken: 0, raw: undefined, queue: [], draining: false, held: 0, committed: []};
		// First of the listeners: it numbers each input event (and keeps its text) before Ink's handlers see it.
		emitter.prependListener('input', (data: unknown) => {
			created.event++;
			created.raw = data;
		});
		registries.set(emitter, created);
		registry = created;
	}
	return registry;
}

/**
 * A burst of keys cut after each Enter: "web1\r\r" is "web1\r", then "\r".
 * Ink cuts escape sequences (arrows) into events of their own, not text.
 */
export function cutAtEnters(input: string): string[] {
	return input.match(/[^\r\n]*(?:\r\n?|\n)|[^\r\n]+$/g) ?? [input];
}

/** How many Escapes an input event of Ink's stands for: its text when that is ESC bytes alone, else none. */
export function escapeCount(raw: unknown): number {
	return typeof raw === 'string' && /^\u001B+$/.test(raw) ? raw.length : 0;
}

/**
 * Sends the queued keys one at a time to the handlers listening at that
 * moment: each key's changes are committed before the next key goes out, so
 * the screen an Enter brings hears the key after it.
 */
async function drain(registry: Registry): Promise<void> {
	registry.draining = true;
	try {
		for (let next = registry.held > 0 ? undefined : registry.queue.shift(); next; next = registry.held > 0 ? undefined : registry.queue.shift()) {
			const handlers = [...registry.handlers];
			if (handlers.length === 0) continue;
			const committed = new Promise<void>(resolve => registry.committed.push(resolve));
			for (const handler of handlers) handler.call(...next);
			// In the same render as the key's own changes: its commit says they are on screen.
			for (const handler of handlers) handler.tick();
			await committed;
		}
	} finally {
		registry.draining = false;
	}
}

export function useKeys(handler: (input: string, key: Key) => void, active = true): void {
	const {isRawModeSupported, internal_eventEmitter} = useStdin();
	const emitter = internal_eventEmitter as unknown as Emitter | undefined;
	const front = useContext(KeysActive);
	const listening = Boolean(isRawModeSupported) && front && active;
	// Calling through a ref set at render always reaches the latest handler.
	const latest = useRef(handler);
	latest.current = handler;
	const [clock, setClock] = useState(0);
	const entry = useMemo<Handler>(() => ({call: (input, key) => latest.current(input, key), tick: () => setClock(count => count + 1)}), []);
	// Ink subscribes a useInput handler only in a passive effect, which can run
	// after the next key of a burst: the screen an Enter brings would miss it.
	// Handlers join the registry as the screen commits instead.
	useLayoutEffect(() => {
		if (!listening || !emitter) return;
		const {handlers, committed} = registryOf(emitter);
		handlers.push(entry);
		// A screen that mounts has committed too: the key's changes are on screen even when the
		// component that ticked for it was unmounted before its tick rendered (an answer checked at once).
		for (const resolve of committed.splice(0)) resolve();
		return () => void handlers.splice(handlers.indexOf(entry), 1);
	}, [listening, emitter, entry]);
	useLayoutEffect(() => {
		if (clock === 0 || !emitter) return;
		for (const resolve of registryOf(emitter).committed.splice(0)) resolve();
	}, [clock, emitter]);
	// Ink's useInput turns raw mode on and parses the keys; of its handlers,
	// the first to hear an event dispatches it to the registry, once.
	const heard = useCallback(
		(input: string, key: Key) => {
			if (!emitter) return latest.current(input, key);
			const registry = registryOf(emitter);
			if (registry.taken === registry.event) return;
			registry.taken = registry.event;
			// Escapes sent together: Ink's parser makes one event of two (ESC ESC reads as Alt-Escape), and the handlers hear one Escape.
			const escapes = key.escape ? escapeCount(registry.raw) : 0;
			if (escapes > 1) {
				for (let count = 0; count < escapes; count++) registry.queue.push(['', key]);
				if (!registry.draining) void drain(registry);
				return;
			}
			const keys = cutAtEnters(input);
			// While a screen is loading, keys typed ahead wait for the screen after it (Ctrl-C never waits).
			if (registry.held > 0 && !(key.ctrl && input === 'c')) {
				for (const part of keys) registry.queue.push(part === '\r' || part === '\n' || part === '\r\n' ? ['', {...key, return: true}] : [part, key]);
				return;
			}
			// An Enter goes out through the queue too: the events Ink parsed from the same
			// bytes after it (an arrow typed ahead) wait until the screen it brings is there.
			const enter = key.return || /[\r\n]/.test(input);
			if (keys.length < 2 && !registry.draining && !enter) {
				for (const each of [...registry.handlers]) each.call(input, key);
				return;
			}
			if (keys.length < 2 && !/[\r\n]$/.test(input) && enter) {
				registry.queue.push([input, key]);
				if (!registry.draining) void drain(registry);
				return;
			}
			// An Enter with more keys after it (or keys behind such a burst): one at a time, a lone Enter as Ink reads one.
			for (const part of keys) registry.queue.push(part === '\r' || part === '\n' || part === '\r\n' ? ['', {...key, return: true}] : [part, key]);
			if (!registry.draining) void drain(registry);
		},
		[emitter],
	);
	useInput(heard, {isActive: listening});
}

/**
 * Holds the keys while the calling screen is mounted (one that shows
 * something loading, with nothing to answer yet): keys typed ahead wait, in
 * order, for the screen after it.
 */
export function useHoldKeys(): void {
	const {internal_eventEmitter} = useStdin();
	const emitter = internal_eventEmitter as unknown as Emitter | undefined;
	useLayoutEffect(() => {
		if (!emitter) return;
		const registry = registryOf(emitter);
		registry.held++;
		return () => {
			registry.held--;
			// After the commit that unmounts this screen: the next one's handlers are listening by then.
			queueMicrotask(() => {
				if (registry.held === 0 && registry.queue.length > 0 && !registry.draining) void drain(registry);
			});
		};
	}, [emitter]);
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
