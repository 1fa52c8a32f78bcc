// Prints what detectDefaults finds on the host this process runs on, as JSON.
// The detection tests run it inside namespaces they build.
import {detectDefaults} from '../../../source/host/detect.js';
import {localHost} from '../../../source/host/local.js';
import {Transcript} from '../../../source/host/transcript.js';

const host = localHost({root: '/', stateDir: process.argv[2] ?? '/tmp', transcript: new Transcript(undefined)});
process.stdout.write(`${JSON.stringify(await detectDefaults(host))}\n`);
