#!/usr/bin/env node
// `npm run test:vscode`: the extension in a real VS Code (code-server + Chromium).
// The work is in scripts/vscode-test/*.ts (type-checked with the project); this file
// registers tsx to load them and owns the process's exit: every browser and server the run
// started is closed on success, on failure and on Ctrl-C / SIGTERM.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Both loaders: the .ts files are CommonJS here (no "type": "module"), mocha imports them.
registerEsm();
registerCjs();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const loaded = await import('./vscode-test/main.ts');
// A CommonJS module seen from ESM: its exports are on `default`.
const { main, shutdown } = loaded.main ? loaded : loaded.default;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[vscode-test] ${signal}: closing every browser and code-server this run started...`);
    shutdown().finally(() => {
      console.log('[vscode-test] interrupted');
      console.log('0 passed, 1 failed');
      process.exit(130);
    });
  });
}

let code = 1;
try {
  code = await main(root, process.argv.slice(2));
} catch (error) {
  console.error('[vscode-test] the runner itself failed:', error);
  console.log('0 passed, 1 failed');
} finally {
  await shutdown();
}
process.exit(code);
