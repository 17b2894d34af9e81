// Runs the end-to-end suite (test/e2e/*.e2e.ts) with mocha in this process: the tests start
// their own code-server instances with the packaged .vsix installed and drive the browser
// workbench through playwright-core. They get what they need through E2E_CONTEXT_ENV
// (plain JSON), read by test/e2e/support/context.ts.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import type { TestEnvironment } from './environment';
import type { SuiteResult } from './integration';

export const E2E_CONTEXT_ENV = 'WARM_STATE_E2E_CONTEXT';

export interface EndToEndContext {
  readonly root: string;
  readonly environment: TestEnvironment;
  /** Server state, workspaces and logs of this run. */
  readonly stateDir: string;
  /** The packaged extension, installed with --install-extension. */
  readonly vsix: string;
  /** test-artifacts/: screenshots for the README land here. */
  readonly artifacts: string;
}

export interface EndToEndOptions extends EndToEndContext {
  readonly grep?: string;
}

export async function runEndToEndSuite(options: EndToEndOptions): Promise<SuiteResult> {
  const name = 'end to end (browser)';
  if (!existsSync(options.vsix)) return { name, passed: 0, failed: 1, error: `${options.vsix} is missing: npm run package did not produce it` };
  mkdirSync(options.stateDir, { recursive: true });
  const context: EndToEndContext = { root: options.root, environment: options.environment, stateDir: options.stateDir, vsix: options.vsix, artifacts: options.artifacts };
  process.env[E2E_CONTEXT_ENV] = JSON.stringify(context);

  const mocha = new Mocha({ reporter: 'spec', timeout: 120_000, slow: 30_000, color: process.stdout.isTTY ?? false });
  if (options.grep) mocha.grep(options.grep);
  const dir = join(options.root, 'test', 'e2e');
  for (const file of readdirSync(dir).filter((entry) => entry.endsWith('.e2e.ts')).sort()) mocha.addFile(join(dir, file));
  await mocha.loadFilesAsync();
  const stats = await new Promise<{ passes: number; failures: number }>((resolve) => {
    const runner = mocha.run(() => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0 }));
  });
  mocha.dispose();
  if (stats.passes + stats.failures === 0) return { name, passed: 0, failed: 1, error: 'the end-to-end suite ran no test' };
  return { name, passed: stats.passes, failed: stats.failures };
}
