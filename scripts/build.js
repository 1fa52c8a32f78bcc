// Bundles the CLI into one ESM file: a bundled Ink app starts in about half the
// time of one that resolves hundreds of modules at start-up.
import {build} from 'esbuild';

await build({
	entryPoints: ['source/cli.tsx'],
	outfile: 'dist/cli.js',
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	jsx: 'automatic',
	minifyWhitespace: false,
	sourcemap: 'linked',
	// Some bundled CommonJS dependencies call require(); give the ESM bundle one.
	banner: {js: "#!/usr/bin/env node\nimport {createRequire as __createRequire} from 'node:module';const require = __createRequire(import.meta.url);"},
	// Ink lazy-loads react-devtools-core only when DEV is set; never bundle it.
	external: ['react-devtools-core'],
	logLevel: 'warning',
});
