#!/usr/bin/env node
// The same integration suite under desktop VS Code, via @vscode/test-electron, for machines
// that can download VS Code (this one cannot: there `npm run test:vscode` uses code-server).
//   node scripts/vscode-test/run-electron.mjs        (VSCODE_VERSION=stable|insiders|1.90.0)
import { runTests } from '@vscode/test-electron';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { execFileSync } from 'node:child_process';

registerEsm();
registerCjs();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const loaded = await import('./integration.ts');
const { compileIntegrationSuite, prepareWorkspace } = loaded.compileIntegrationSuite ? loaded : loaded.default;

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
const testsEntry = await compileIntegrationSuite(root);
const stateDir = join(root, 'test-artifacts', 'vscode-run', 'electron');
rmSync(stateDir, { recursive: true, force: true });
const workspace = prepareWorkspace(root, stateDir);
const resultsPath = join(stateDir, 'results.json');

let failed = 1;
let passed = 0;
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: testsEntry,
    extensionTestsEnv: { WARM_STATE_TEST_RESULTS: resultsPath },
    launchArgs: [workspace, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', join(stateDir, 'user-data')],
  });
} catch (error) {
  console.error(`[vscode-test] desktop VS Code run failed: ${error instanceof Error ? error.message : String(error)}`);
}
if (existsSync(resultsPath)) ({ passed, failed } = JSON.parse(readFileSync(resultsPath, 'utf8')));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
