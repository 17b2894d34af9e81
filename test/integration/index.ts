/**
 * Entry of the integration suite, loaded by the extension host of a real VS Code.
 * Exports run() as @vscode/test-electron expects (extensionTestsPath), so the same
 * compiled files run under code-server here (scripts/test-vscode.mjs) and under desktop
 * VS Code elsewhere (scripts/vscode-test/run-electron.mjs).
 *
 * Optional environment (set through the launcher's extensionEnvironment):
 * - WARM_STATE_TEST_RESULTS: a file to write `{passed, failed, pending, failures}` to; the
 *   code-server launcher reads the outcome from it rather than from any log.
 * - WARM_STATE_TEST_LINE_PREFIX: prefix for every reporter line, so the launcher can tell
 *   the suite's output from the rest of the window's console.
 * - WARM_STATE_TEST_GREP: run only the tests whose title matches.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

interface Failure {
  title: string;
  message: string;
}

function prefixReporterOutput(prefix: string): void {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const original = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    const text = args.length === 0 ? '' : format(...args);
    original(text.split('\n').map((line) => prefix + line).join('\n'));
  };
}

export async function run(): Promise<void> {
  const prefix = process.env.WARM_STATE_TEST_LINE_PREFIX;
  if (prefix) prefixReporterOutput(prefix);
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: process.env.WARM_STATE_TEST_COLOR === '1',
    // Invocations start a Node child process on a shared 2-core machine.
    timeout: 60_000,
    slow: 5_000,
  });
  if (process.env.WARM_STATE_TEST_GREP) mocha.grep(process.env.WARM_STATE_TEST_GREP);
  // Suites run in file-name order: the files are numbered where order matters.
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }

  const failures: Failure[] = [];
  const stats = await new Promise<{ passes: number; failures: number; pending: number }>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 }));
      runner.on('fail', (test, error: Error) => failures.push({ title: test.fullTitle(), message: error?.message ?? String(error) }));
    } catch (error) {
      reject(error);
    }
  });

  const resultsPath = process.env.WARM_STATE_TEST_RESULTS;
  if (resultsPath) {
    writeFileSync(resultsPath, JSON.stringify({ passed: stats.passes, failed: stats.failures, pending: stats.pending, failures }, null, 2));
  }
  if (stats.failures > 0) throw new Error(`${stats.failures} integration test(s) failed`);
  if (stats.passes === 0) throw new Error('the integration suite ran no test');
}
