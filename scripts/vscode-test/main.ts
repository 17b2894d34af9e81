// `npm run test:vscode`: the integration suite inside a real VS Code extension host, then
// the end-to-end suite driving the packaged extension in code-server through Chromium.
// Ends with one plain line `N passed, N failed` for the whole run.
//
//   node scripts/test-vscode.mjs [--only integration|e2e] [--grep TEXT]
//
// Nothing is skipped silently: a suite that cannot run counts as failed with its reason,
// unless WARM_STATE_SKIP_VSCODE_TESTS=1 is set (a developer's opt-out; CI never sets it).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeAllBrowsers } from './browser';
import { runEndToEndSuite } from './e2e';
import { ensureEnvironment, MissingPrerequisiteError, type TestEnvironment } from './environment';
import { compileIntegrationSuite, runIntegrationSuite, type SuiteResult } from './integration';
import { runToCompletion, stopAll } from './processes';

interface Options {
  only: 'integration' | 'e2e' | undefined;
  grep: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { only: undefined, grep: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--only') {
      const value = argv[++i];
      if (value !== 'integration' && value !== 'e2e') throw new Error(`--only takes integration or e2e, not ${value}`);
      options.only = value;
    } else if (arg === '--grep') {
      options.grep = argv[++i];
    } else {
      throw new Error(`unknown argument ${arg}; usage: node scripts/test-vscode.mjs [--only integration|e2e] [--grep TEXT]`);
    }
  }
  return options;
}

function banner(text: string): void {
  console.log(`\n[vscode-test] ===== ${text} =====`);
}

async function runSuite(name: string, body: () => Promise<SuiteResult>): Promise<SuiteResult> {
  banner(name);
  const started = Date.now();
  try {
    const result = await body();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`[vscode-test] ${result.name}: ${result.passed} passed, ${result.failed} failed (${seconds} s)${result.error ? `\n[vscode-test] ${result.name} FAILED: ${result.error}` : ''}`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.log(`[vscode-test] ${name} could not run: ${message}`);
    return { name, passed: 0, failed: 1, error: message.split('\n')[0] };
  }
}

export async function main(root: string, argv: readonly string[]): Promise<number> {
  if (process.env.WARM_STATE_SKIP_VSCODE_TESTS === '1') {
    const line = '!'.repeat(78);
    console.log(`${line}\n!! WARM_STATE_SKIP_VSCODE_TESTS=1: the VS Code integration and end-to-end suites were SKIPPED.\n!! Nothing about the extension in a real VS Code was checked. Unset it to run them.\n${line}`);
    return 0;
  }
  const options = parseOptions(argv);
  const started = Date.now();
  const artifacts = join(root, 'test-artifacts');
  const runDir = join(artifacts, 'vscode-run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });

  let environment: TestEnvironment;
  try {
    environment = await ensureEnvironment(root);
  } catch (error) {
    const reason = error instanceof MissingPrerequisiteError ? error.message : `could not prepare code-server: ${(error as Error).message}`;
    console.log(`[vscode-test] cannot run the VS Code suites: ${reason}`);
    console.log('[vscode-test] (a developer may opt out with WARM_STATE_SKIP_VSCODE_TESTS=1; CI never does)');
    console.log('0 passed, 1 failed');
    return 1;
  }

  const results: SuiteResult[] = [];
  if (options.only !== 'e2e') {
    results.push(
      await runSuite('integration suite (mocha in the extension host)', async () => {
        await runToCompletion('build', process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
        await compileIntegrationSuite(root);
        return runIntegrationSuite({ root, environment, stateDir: join(runDir, 'integration'), grep: options.grep });
      }),
    );
  }
  if (options.only !== 'integration') {
    results.push(
      await runSuite('end-to-end suite (packaged .vsix in code-server, driven through Chromium)', async () => {
        await runToCompletion('npm run package', 'npm', ['run', 'package', '--silent'], { cwd: root, captureOutput: true });
        console.log('[vscode-test] packaged warm-state.vsix');
        return runEndToEndSuite({ root, environment, stateDir: join(runDir, 'e2e'), vsix: join(root, 'warm-state.vsix'), artifacts, grep: options.grep });
      }),
    );
  }

  await closeAllBrowsers();
  await stopAll();
  banner('summary');
  for (const result of results) {
    console.log(`  ${result.failed === 0 ? 'ok  ' : 'FAIL'} ${result.name}: ${result.passed} passed, ${result.failed} failed${result.error ? ` (${result.error})` : ''}`);
  }
  console.log(`  artifacts: ${artifacts} (logs under ${runDir}); took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

/** Closes every browser and process this run started; used on failure and on signals. */
export async function shutdown(): Promise<void> {
  await closeAllBrowsers();
  await stopAll();
}
