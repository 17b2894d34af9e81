// Runs the mocha suite of test/integration inside code-server's extension host.
//
// How (checked on this machine, DESIGN.md section 6): code-server started with
// `--vscode-option enable-smoke-test-driver` accepts a development payload in the page URL
// (extensionDevelopmentPath, extensionTestsPath as vscode-remote URIs). The workbench then
// loads the extension from the source tree and calls the tests' exported run(), and reports
// through window.codeAutomationLog (the extension host's console) and
// window.codeAutomationExit (0 when run() resolved, 1 when it rejected), which we expose
// before navigating. The server log says exit code 0 even on failure, so it is never read
// for the result: the outcome is the exit hook plus the results file the suite writes.
import * as esbuild from 'esbuild';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser';
import { startCodeServer } from './code-server';
import type { TestEnvironment } from './environment';

export interface SuiteResult {
  readonly name: string;
  readonly passed: number;
  readonly failed: number;
  /** Why the suite could not run or finish, when it could not. */
  readonly error?: string;
}

/** Written by test/integration/index.ts when WARM_STATE_TEST_RESULTS names a file. */
interface ResultsFile {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; message: string }[];
}

const SUITE_TIMEOUT_MS = 5 * 60_000;
/** Must match test/integration/index.ts. */
const SUITE_LINE_PREFIX = '[warm-state-suite] ';

/** test/integration/*.ts -> out/integration/*.js (cjs; `vscode` and `mocha` come from the host / node_modules). */
export async function compileIntegrationSuite(root: string): Promise<string> {
  const sourceDir = join(root, 'test', 'integration');
  const outDir = join(root, 'out', 'integration');
  rmSync(outDir, { recursive: true, force: true });
  const entryPoints = readdirSync(sourceDir)
    .filter((name) => name === 'index.ts' || name.endsWith('.test.ts'))
    .map((name) => join(sourceDir, name));
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return join(outDir, 'index.js');
}

/** The workspace the suite opens: the motivating example plus the suite's own fixtures. */
export function prepareWorkspace(root: string, stateDir: string): string {
  const workspace = join(stateDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  cpSync(join(root, 'examples', 'freeze-demo'), join(workspace, 'freeze-demo'), { recursive: true });
  cpSync(join(root, 'test', 'integration', 'workspace'), workspace, { recursive: true });
  return workspace;
}

export interface IntegrationOptions {
  readonly root: string;
  readonly environment: TestEnvironment;
  readonly stateDir: string;
  /** The extension under test; the repository itself by default. */
  readonly extensionDevelopmentPath?: string;
  /** The compiled suite entry exporting run(); out/integration/index.js by default. */
  readonly testsEntry?: string;
  /** Only tests whose full title matches. */
  readonly grep?: string;
}

export async function runIntegrationSuite(options: IntegrationOptions): Promise<SuiteResult> {
  const { root, environment, stateDir } = options;
  const name = 'integration (extension host)';
  const testsEntry = options.testsEntry ?? join(root, 'out', 'integration', 'index.js');
  const extensionDevelopmentPath = options.extensionDevelopmentPath ?? root;
  if (!existsSync(testsEntry)) return { name, passed: 0, failed: 0, error: `${testsEntry} is missing: the build step did not produce it` };
  const workspace = prepareWorkspace(root, stateDir);
  const resultsPath = join(stateDir, 'results.json');

  const server = await startCodeServer(environment, { stateDir, trustAllWorkspaces: true, smokeTestDriver: true });
  const consoleLog = createWriteStream(join(stateDir, 'window-console.log'));
  const browser = await launchBrowser(environment.chromiumPath).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let exitCode: number | undefined;
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    // Everything the window logs goes to a file; only the suite's own lines (the reporter's,
    // marked with SUITE_LINE_PREFIX by test/integration/index.ts) reach the terminal.
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      consoleLog.write(`[${type}] ${text}\n`);
      for (const line of text.split('\n')) {
        if (line.startsWith(SUITE_LINE_PREFIX)) process.stdout.write(`${line.slice(SUITE_LINE_PREFIX.length)}\n`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
      resolveExit(code);
    });

    const remote = (path: string): string => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remote(extensionDevelopmentPath)],
      ['extensionTestsPath', remote(testsEntry)],
      [
        'extensionEnvironment',
        JSON.stringify({
          WARM_STATE_TEST_RESULTS: resultsPath,
          WARM_STATE_TEST_LINE_PREFIX: SUITE_LINE_PREFIX,
          WARM_STATE_TEST_COLOR: process.stdout.isTTY ? '1' : '0',
          ...(options.grep ? { WARM_STATE_TEST_GREP: options.grep } : {}),
        }),
      ],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);

    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), SUITE_TIMEOUT_MS).unref());
    const outcome = await Promise.race([exited, timeout]);
    if (outcome === 'timeout') {
      await page.screenshot({ path: join(stateDir, 'timeout.png') }).catch(() => undefined);
      return { name, passed: 0, failed: 1, error: `the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s (screenshot: ${join(stateDir, 'timeout.png')}, server log: ${server.logPath})` };
    }
    if (!existsSync(resultsPath)) {
      return { name, passed: 0, failed: 1, error: `run() ended with exit code ${exitCode} but wrote no results file (${resultsPath}); the suite did not load or crashed` };
    }
    const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
    const agrees = (exitCode === 0) === (results.failed === 0);
    if (!agrees) return { name, passed: results.passed, failed: Math.max(results.failed, 1), error: `exit code ${exitCode} disagrees with the results file (${results.failed} failed)` };
    if (results.passed + results.failed === 0) return { name, passed: 0, failed: 1, error: 'the suite ran no test' };
    return { name, passed: results.passed, failed: results.failed };
  } finally {
    consoleLog.end();
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
