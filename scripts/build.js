// Bundles the CLI: a bundled Ink app starts in about half the time of one that
// resolves hundreds of modules at start-up. Code splitting keeps what each
// command loads lazily (Ink, inquirer, zx) in chunks of their own. The
// steps' Python programs (source/checks/*.py) go to dist/checks/, where the
// bundle finds them.
import {copyFile, mkdir, readdir, rm} from 'node:fs/promises';
import {build} from 'esbuild';

// Ink imports react-devtools-core only when DEV is set; it is not a dependency.
const noDevtools = {
	name: 'no-react-devtools',
	setup(context) {
		context.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'stub'}));
		context.onLoad({filter: /.*/, namespace: 'stub'}, () => ({contents: 'export default {initialize() {}, connectToDevTools() {}};', loader: 'js'}));
	},
};

await rm('dist', {recursive: true, force: true});
await build({
	entryPoints: {cli: 'source/cli.tsx'},
	outdir: 'dist',
	bundle: true,
	splitting: true,
	chunkNames: 'chunks/[name]-[hash]',
	platform: 'node',
	format: 'esm',
	target: 'node20',
	jsx: 'automatic',
	sourcemap: 'linked',
	// React's production build: the development one checks and warns on every render.
	define: {'process.env.NODE_ENV': '"production"'},
	// Fewer bytes for V8 to parse before the first frame; the source map keeps stack traces readable.
	minify: true,
	plugins: [noDevtools],
	// Some bundled CommonJS dependencies call require(); give the ESM bundle one.
	banner: {js: "import {createRequire as __createRequire} from 'node:module';const require = __createRequire(import.meta.url);"},
	logLevel: 'warning',
});

await mkdir('dist/checks');
for (const name of await readdir('source/checks')) if (name.endsWith('.py')) await copyFile(`source/checks/${name}`, `dist/checks/${name}`);
