// Starts and stops code-server instances for the tests: a fresh user-data and extensions
// directory each time, the speed-ups from DESIGN.md section 6, and Node 24 on PATH for the
// server only (the machine's Node is 20).
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestEnvironment } from './environment';
import { runToCompletion, startProcess, stopProcess, type StartedProcess } from './processes';

export interface CodeServerOptions {
  /** Folder under test-artifacts/ for this server's user data, extensions and log. */
  readonly stateDir: string;
  /** false starts the server with workspace trust on, so a new folder opens restricted. */
  readonly trustAllWorkspaces: boolean;
  /** Allows the development payload (extensionDevelopmentPath / extensionTestsPath). */
  readonly smokeTestDriver?: boolean;
  /** Packaged extensions installed with --install-extension before the server starts. */
  readonly installVsix?: readonly string[];
  /** Extra user settings. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Extra environment for the server and, through it, the extension host. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logPath: string;
  stop(): Promise<void>;
}

/** Built-in extensions nothing here needs; skipping them took a start from 32 s to 20 s. */
const SKIPPED_BUILTINS = [
  'vscode.git', 'vscode.git-base', 'vscode.github', 'vscode.github-authentication', 'vscode.microsoft-authentication',
  'vscode.merge-conflict', 'vscode.npm', 'vscode.grunt', 'vscode.gulp', 'vscode.jake', 'vscode.debug-auto-launch',
  'vscode.debug-server-ready', 'vscode.emmet', 'vscode.extension-editing', 'vscode.markdown-language-features',
  'vscode.markdown-math', 'vscode.ipynb', 'vscode.notebook-renderers', 'vscode.references-view', 'vscode.search-result',
  'vscode.simple-browser', 'vscode.media-preview', 'vscode.tunnel-forwarding', 'vscode.configuration-editing',
  'vscode.css-language-features', 'vscode.html-language-features', 'vscode.json-language-features',
  'vscode.php-language-features', 'ms-vscode.js-debug', 'ms-vscode.js-debug-companion', 'ms-vscode.vscode-js-profile-table',
  // The TypeScript server is the heaviest of all; the basics (language ids, grammar) stay.
  'vscode.typescript-language-features', 'GitHub.copilot-chat', 'vscode.mermaid-markdown-features', 'vscode.prompt',
  'vscode.terminal-suggest',
];

const BASE_SETTINGS: Record<string, unknown> = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'workbench.colorTheme': 'Default Light Modern',
};

/** (Re)writes the user settings; a running workbench picks the change up (e.g. a colour theme). */
export function writeUserSettings(userDataDir: string, settings: Readonly<Record<string, unknown>>): void {
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The server's environment, which its extension host (and so the handlers the extension
 * runs) inherits: the developer's own, without the npm_* variables of `npm run`. The server
 * itself runs on Node 24 by its absolute path; PATH keeps the developer's `node` first, as a
 * user's editor would see it.
 */
function serverEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...inherited, ...extra, VSCODE_SKIP_BUILTIN_EXTENSIONS: SKIPPED_BUILTINS.join(',') };
}

function nodeBin(environment: TestEnvironment): string {
  return join(environment.nodeBinDir, 'node');
}

async function waitForHealthy(url: string, server: StartedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | string | undefined;
  void server.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`code-server exited (${exitCode}) before it was ready`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(150);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

export async function startCodeServer(environment: TestEnvironment, options: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = join(options.stateDir, 'user-data');
  const extensionsDir = join(options.stateDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, options.settings ?? {});
  const env = serverEnv(options.env);
  const common = ['--config', '/dev/null', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  for (const vsix of options.installVsix ?? []) {
    await runToCompletion('code-server --install-extension', nodeBin(environment), [environment.codeServerBin, ...common, '--install-extension', vsix], {
      env,
      captureOutput: true,
    });
  }

  const port = await freePort();
  const args = [
    environment.codeServerBin,
    ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (options.trustAllWorkspaces) args.push('--disable-workspace-trust');
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');

  const logPath = join(options.stateDir, 'code-server.log');
  const logFd = openSync(logPath, 'w');
  const server = startProcess('code-server', nodeBin(environment), args, { env, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(url, server, 30_000);
  } catch (error) {
    await stopProcess(server);
    throw new Error(`${(error as Error).message}; see ${logPath}`);
  }
  return { url, port, userDataDir, extensionsDir, logPath, stop: () => stopProcess(server) };
}

/** A private copy of a workspace, so runs never share state or write into the repository. */
export function makeTempDir(parent: string, prefix: string): string {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, prefix));
}
