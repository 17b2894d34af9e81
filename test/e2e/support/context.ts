/** What the runner (scripts/vscode-test/e2e.ts) hands the end-to-end tests. */
import type { EndToEndContext } from '../../../scripts/vscode-test/e2e';

export function e2eContext(): EndToEndContext {
  const raw = process.env.WARM_STATE_E2E_CONTEXT;
  if (!raw) throw new Error('the end-to-end tests run through `npm run test:vscode` (WARM_STATE_E2E_CONTEXT is not set)');
  return JSON.parse(raw) as EndToEndContext;
}
