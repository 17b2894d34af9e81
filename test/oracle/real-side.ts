/**
 * The oracle side: the real runtime interface client of the profile, on the profile's Node,
 * driven through the Runtime API by the local endpoint's emulator (runtime-api-backend.ts).
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { clientEntry, clientPackageDir, PROFILES, profileNode, type OracleProfile } from '../../scripts/oracle/clients';
import { createRuntimeApiBackend, type RuntimeApiResult } from '../../src/core/endpoint/runtime/runtime-api-backend';
import { EndpointState } from '../../src/core/endpoint/state';
import { errorFields, consoleLines, type InvocationOutcome, type OracleCase } from './outcome';
import { bootstrapNodeArgs } from './runtime-image';

export const FUNCTION_NAME = 'oracle-function';
export const MEMORY_MB = 128;
export const TIMEOUT_SECONDS = 3;
const REGION = 'us-east-1';

export function realRuntimeDirs(root: string, profile: OracleProfile): string[] {
  const packageDir = clientPackageDir(root, PROFILES[profile].client);
  // The package, and the prefix holding the 3.x entry shim next to node_modules; also by their
  // real paths (a worktree's .cache may be a symlink, and Node names modules by real path).
  const dirs = [packageDir, dirname(dirname(packageDir))];
  return [...new Set([...dirs, ...dirs.map((dir) => realpathSync(dir))])];
}

export async function runReal(root: string, testCase: OracleCase, profile: OracleProfile): Promise<InvocationOutcome[]> {
  const results = await runRealResults(root, testCase, profile, null);
  return results.map((result) => toOutcome(result, testCase.compareLogs === true));
}

/**
 * The real client's results as the Runtime API saw them (payload and logs), one per event;
 * `optDir` stands in for /opt (the function's layers, extracted) when there is one.
 */
export async function runRealResults(root: string, testCase: OracleCase, profile: OracleProfile, optDir: string | null): Promise<RuntimeApiResult[]> {
  const served = new EndpointState(REGION).addFunction({
    name: FUNCTION_NAME,
    code: { taskRoot: testCase.taskRoot },
    runtime: profile,
    handler: testCase.handler,
    memoryMB: MEMORY_MB,
    timeoutSeconds: TIMEOUT_SECONDS,
    environment: testCase.env,
  });
  const { configuration } = served;
  const backend = createRuntimeApiBackend(
    { name: FUNCTION_NAME, code: served.code, configuration, optDir, region: REGION },
    { nodePath: await profileNode(root, profile), clientEntry: clientEntry(root, PROFILES[profile].client), nodeArgs: bootstrapNodeArgs(profile) },
  );
  const results: RuntimeApiResult[] = [];
  try {
    for (const event of testCase.events) {
      const payload = Buffer.from(JSON.stringify(event));
      const clientContext = testCase.clientContext === undefined ? {} : { clientContext: testCase.clientContext };
      results.push(await backend.invoke({ requestId: randomUUID(), event, payload, configuration, ...clientContext }));
    }
  } finally {
    await backend.dispose();
  }
  return results;
}

export function toOutcome(result: RuntimeApiResult, withLogs: boolean): InvocationOutcome {
  const text = result.payload.toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // A streamed response is whatever bytes the handler wrote.
  }
  const logs = withLogs ? { logs: consoleLines(result.logs) } : {};
  if (result.failedPhase === null) return { cold: result.cold, kind: 'response', response: body, ...logs };
  return { cold: result.cold, kind: result.failedPhase === 'init' ? 'init-error' : 'error', ...errorFields(body), ...logs };
}
