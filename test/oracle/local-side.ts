/**
 * The side under test: Warm State's local environment (the engine the CLI and the extension
 * drive), with the profile's Node and the profile passed as `runtime`.
 */
import { join, posix } from 'node:path';
import { profileNode, type OracleProfile } from '../../scripts/oracle/clients';
import type { RawInvocation } from '../../src/core/model/snapshot';
import type { WarmEnvironment } from '../../src/core/runtime/environment-api';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';
import { infoLines, type InvocationOutcome, type OracleCase } from './outcome';
import { FUNCTION_NAME, MEMORY_MB, TIMEOUT_SECONDS } from './real-side';

/** Warm State's own runtime files, as messages and stacks name them. */
export function localRuntimeDirs(root: string): string[] {
  return [join(root, 'dist')];
}

/**
 * The handler setting as the local environment takes it: the setting itself (the child reads
 * it as the client does), with the host's reading of it, the module's path (without an
 * extension) and the export path, split where Lambda's clients split it (the last path segment,
 * at its first dot; no dot: the whole segment is the module and the export is empty).
 */
export function localHandler(taskRoot: string, handler: string): { file: string; handlerExport: string; handler: string } {
  const base = posix.basename(handler);
  const moduleRoot = handler.slice(0, handler.length - base.length);
  const dot = base.indexOf('.');
  const moduleName = dot < 0 ? base : base.slice(0, dot);
  return { file: join(taskRoot, moduleRoot, moduleName), handlerExport: dot < 0 ? '' : base.slice(dot + 1), handler };
}

export async function runLocal(root: string, testCase: OracleCase, profile: OracleProfile): Promise<InvocationOutcome[]> {
  const target = localHandler(testCase.taskRoot, testCase.handler);
  let environment: WarmEnvironment;
  try {
    environment = createLocalEnvironment({
      ...target,
      taskRoot: testCase.taskRoot,
      nodePath: await profileNode(root, profile),
      runtime: profile,
      functionName: FUNCTION_NAME,
      memoryMB: MEMORY_MB,
      timeoutSeconds: TIMEOUT_SECONDS,
      env: testCase.env ?? {},
    });
  } catch (error) {
    return testCase.events.map(() => refused((error as Error).message));
  }
  const outcomes: InvocationOutcome[] = [];
  try {
    for (const event of testCase.events) {
      try {
        outcomes.push(toOutcome(await environment.invoke(event), testCase.compareLogs === true));
      } catch (error) {
        outcomes.push(refused((error as Error).message));
      }
    }
  } finally {
    await environment.dispose();
  }
  return outcomes;
}

function refused(message: string): InvocationOutcome {
  return { cold: true, kind: 'refused', errorMessage: message };
}

function toOutcome(record: RawInvocation, withLogs: boolean): InvocationOutcome {
  const logs = withLogs ? { logs: infoLines(record.logs) } : {};
  if (!record.error) return { cold: record.cold, kind: 'response', response: record.response, ...logs };
  return {
    cold: record.cold,
    kind: record.reset === 'init-error' ? 'init-error' : 'error',
    errorType: record.error.errorType,
    errorMessage: record.error.errorMessage,
    ...logs,
  };
}
