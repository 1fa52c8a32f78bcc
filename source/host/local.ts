// The host for this machine: real at root "/", a rehearsal under any other root.
import type {Host} from './host.js';
import {RealHost} from './real.js';
import {RehearsalHost} from './rehearsal.js';
import type {Transcript} from './transcript.js';

export type LocalHostOptions = {
	root: string;
	/** The site's state directory (a rehearsal records its commands there). */
	stateDir: string;
	transcript: Transcript;
	/** The node's name, as journal records give it. */
	node?: string;
};

/** The real host at "/", otherwise a rehearsal under `root`. */
export function localHost(options: LocalHostOptions): Host {
	const node = options.node ?? 'local';
	return options.root === '/' ? new RealHost(node, options.transcript) : new RehearsalHost(node, options.root, options.stateDir, options.transcript);
}
