// Bundles every entry point with esbuild. `node scripts/build.mjs [--only name,name] [--watch]`.
// Targets: extension (VS Code host, cjs), cli, child (runs inside the user's node),
// webview (browser). Everything ships from dist/; node_modules never reaches the VSIX.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodeBase = { bundle: true, platform: 'node', logLevel: 'warning', absWorkingDir: root };
// Each bundle is compiled for the oldest Node that runs it:
// - the extension runs in the editor's extension host (VS Code 1.90, engines.vscode, ships Node 20);
// - the CLI runs on the user's node (engines.node: >= 20.6);
// - the child and probe bundles run inside the user's function, on every Lambda Node runtime
//   the probe supports (nodejs20.x and later).
const editorNode = { ...nodeBase, target: 'node20' };
const userNode = { ...nodeBase, target: 'node20' };
const lambdaNode = { ...nodeBase, target: 'node20' };

/** Leaves `import('./lazy-entry')` (src/vscode/lazy.ts) as a run-time import of dist/extension-lazy.js. */
const lazyEntryExternal = {
  name: 'extension-lazy-entry',
  setup(build) {
    build.onResolve({ filter: /^\.\/lazy-entry$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './extension-lazy.js', external: true } : undefined));
  },
};

/**
 * The child runtime loads sucrase only for TypeScript files: `./typescript` stays a separate
 * bundle (dist/child/typescript.js) that bootstrap.js and esm-hooks.mjs require on demand.
 */
const lazyTypeScript = {
  name: 'lazy-typescript',
  setup(build) {
    build.onResolve({ filter: /^\.\/typescript$/ }, () => ({ path: './typescript.js', external: true }));
  },
};
/**
 * The child runtime loads the instrumenter (and acorn, over half of its code) only when the
 * child must instrument a file itself: `../../instrument/instrument` stays a separate bundle
 * (dist/child/instrument.js) that runtime.js requires on demand.
 */
const lazyInstrumenter = {
  name: 'lazy-instrumenter',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/\.\.\/instrument\/instrument$/ }, (args) =>
      /[\\/]src[\\/]core[\\/]runtime[\\/]child[\\/]entries[\\/]bootstrap\.ts$/.test(args.importer) && args.kind === 'require-call' ? { path: './instrument.js', external: true } : undefined,
    );
  },
};
/**
 * The host bundles (CLI, extension) instrument JavaScript handlers only (prepare-handler.ts)
 * and never strip TypeScript: the same lazy require points at the shipped child bundle
 * rather than pulling sucrase into them.
 */
const hostTypeScript = {
  name: 'host-typescript',
  setup(build) {
    // Only the runtime's own lazy require: sucrase's files import './typescript' modules of their own.
    build.onResolve({ filter: /^\.\/typescript$/ }, (args) =>
      /[\\/]src[\\/]core[\\/]runtime[\\/]instrument[\\/]instrument\.ts$/.test(args.importer) ? { path: './child/typescript.js', external: true } : undefined,
    );
  },
};
/** ESM output has no `require`; the lazy bundle above is CommonJS, loaded through one. */
const esmRequireBanner = "import { createRequire as __warmStateCreateRequire } from 'node:module'; const require = __warmStateCreateRequire(import.meta.url);";

const targets = {
  // The extension's heavy half (src/vscode/lazy-entry.ts: detector, template reader, engine,
  // AWS SDK) is its own bundle, imported on first use, so activation parses only the glue.
  extension: [
    { ...editorNode, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', format: 'cjs', external: ['vscode'], plugins: [lazyEntryExternal] },
    { ...editorNode, entryPoints: ['src/vscode/lazy-entry.ts'], outfile: 'dist/extension-lazy.js', format: 'cjs', external: ['vscode'], plugins: [hostTypeScript] },
  ],
  cli: [{ ...userNode, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', format: 'cjs', banner: { js: '#!/usr/bin/env node' }, plugins: [hostTypeScript] }],
  child: [
    // bootstrap.js is the small entry the host spawns: it loads runtime.js (the real bootstrap)
    // through V8's code cache (src/core/runtime/child/entries/code-cache-loader.ts).
    { ...lambdaNode, entryPoints: ['src/core/runtime/child/entries/code-cache-loader.ts'], outfile: 'dist/child/bootstrap.js', format: 'cjs' },
    { ...lambdaNode, entryPoints: ['src/core/runtime/child/entries/bootstrap.ts'], outfile: 'dist/child/runtime.js', format: 'cjs', plugins: [lazyTypeScript, lazyInstrumenter] },
    // The instrumenter and acorn, required by runtime.js only when the child instruments a file itself.
    { ...lambdaNode, entryPoints: ['src/core/runtime/instrument/instrument.ts'], outfile: 'dist/child/instrument.js', format: 'cjs', plugins: [lazyTypeScript] },
    { ...lambdaNode, entryPoints: ['src/core/deployed/probe/lambda/capture-worker.ts'], outfile: 'dist/child/capture-worker.js', format: 'cjs' },
    { ...lambdaNode, entryPoints: ['src/core/runtime/child/entries/client-import.ts'], outfile: 'dist/child/index.mjs', format: 'esm' },
    { ...lambdaNode, entryPoints: ['src/core/runtime/child/entries/esm-hooks.ts'], outfile: 'dist/child/esm-hooks.mjs', format: 'esm', plugins: [lazyTypeScript], banner: { js: esmRequireBanner } },
    // Not child code (it never loads the user's): the heap analyser, a process of its own.
    { ...userNode, entryPoints: ['src/core/runtime/heap/analyser-entry.ts'], outfile: 'dist/child/heap-analyser.js', format: 'cjs' },
    // Sucrase alone, required by the two above only when a TypeScript file loads.
    { ...lambdaNode, entryPoints: ['src/core/runtime/instrument/typescript.ts'], outfile: 'dist/child/typescript.js', format: 'cjs' },
    // The cloud probe's entry, shipped inside the Lambda layer the extension publishes.
    // ESM so it can import() ESM handlers; `require` is recreated for the bundled CJS code.
    {
      ...lambdaNode,
      entryPoints: ['src/core/deployed/probe/lambda/shim.ts'],
      outfile: 'dist/child/probe-shim.mjs',
      format: 'esm',
      banner: { js: esmRequireBanner },
    },
  ],
  webview: [{ bundle: true, platform: 'browser', target: 'es2022', format: 'iife', logLevel: 'warning', absWorkingDir: root, entryPoints: ['media/src/main.ts'], outfile: 'dist/media/panel.js' }],
};

function copyWebviewAssets() {
  mkdirSync(join(root, 'dist/media'), { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    cpSync(join(root, 'node_modules/@vscode/codicons/dist', file), join(root, 'dist/media', file));
  }
  cpSync(join(root, 'media/panel.css'), join(root, 'dist/media/panel.css'));
}

const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const names = onlyIndex >= 0 ? args[onlyIndex + 1].split(',') : Object.keys(targets);
for (const name of names) {
  if (!targets[name]) throw new Error(`unknown build target ${name}; known: ${Object.keys(targets).join(', ')}`);
}

const started = Date.now();
await Promise.all(names.flatMap((name) => targets[name].map((options) => esbuild.build(options))));
if (names.includes('webview')) copyWebviewAssets();
console.log(`built ${names.join(', ')} in ${Date.now() - started} ms`);
