/**
 * The side under test in Managed Instances mode: Warm State's local environment with
 * `managedInstances: {workers, concurrency}`, run the way runManagedReal runs the real client
 * (same fixture, same waves, every invocation of a wave at once), giving the same shape. The
 * environment itself does not limit its invocations in flight (the session's pool does, as the
 * platform does for the real client), so this side keeps at most `concurrency` of a wave in
 * flight and starts them in the events' order, as the Runtime API emulator hands them out.
 */
import { join } from 'node:path';
import { profileNode } from '../../scripts/oracle/clients';
import { parseHandlerSetting, isHandlerSettingError } from '../../src/core/lambda/handler-setting';
import type { RawInvocation } from '../../src/core/model/snapshot';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';
import type { ManagedFixture, ManagedInvocation, ManagedRunOptions } from './managed-side';
import type { InvocationOutcome } from './outcome';
import { FUNCTION_NAME, MEMORY_MB } from './real-side';

export async function runManagedLocal(root: string, fixture: ManagedFixture, options: ManagedRunOptions): Promise<ManagedInvocation[][]> {
  const setting = parseHandlerSetting(fixture.handler);
  if (isHandlerSettingError(setting)) throw new Error(`fixture handler ${fixture.handler}: ${setting.errorMessage}`);
  const environment = createLocalEnvironment({
    file: join(fixture.taskRoot, `${setting.moduleRoot}${setting.moduleName}.mjs`),
    handlerExport: setting.exportPath,
    handler: fixture.handler,
    taskRoot: fixture.taskRoot,
    nodePath: await profileNode(root, options.runtime),
    runtime: options.runtime,
    functionName: FUNCTION_NAME,
    memoryMB: MEMORY_MB,
    timeoutSeconds: options.timeoutSeconds ?? 3,
    env: options.environment ?? {},
    managedInstances: { workers: options.workers, concurrency: options.concurrency },
  });
  const invoke = async (event: unknown): Promise<ManagedInvocation> => {
    const record = await environment.invoke(event);
    return {
      requestId: record.requestId,
      event,
      outcome: toOutcome(record),
      ...(record.worker !== undefined ? { worker: record.worker } : {}),
      logs: record.logs,
    };
  };
  const waves: ManagedInvocation[][] = [];
  try {
    for (const wave of options.waves) waves.push(await inOrderAtMost(options.concurrency, wave, invoke));
    return waves;
  } finally {
    await environment.dispose();
  }
}

/** `run` on every item, started in order, at most `limit` of them running at once; results in order. */
async function inOrderAtMost<T, R>(limit: number, items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function toOutcome(record: RawInvocation): InvocationOutcome {
  if (!record.error) return { cold: record.cold, kind: 'response', response: record.response };
  return {
    cold: record.cold,
    kind: record.reset === 'init-error' ? 'init-error' : 'error',
    errorType: record.error.errorType,
    errorMessage: record.error.errorMessage,
  };
}
