/**
 * Serves a function from a warm local environment (the engine): one child process per
 * function, kept warm and frozen between invocations, with Lambda's memory and timeout.
 * The environment's RawInvocation becomes the bytes and headers Invoke returns.
 */
import type { EnvironmentOptions, WarmEnvironment } from '../runtime/environment-api';
import type { BackendContext, BackendInvocation, BackendResult, FunctionBackend } from './backend';

export type EnvironmentFactory = (options: EnvironmentOptions) => WarmEnvironment;

export function createLocalEnvironmentBackend(context: BackendContext, createEnvironment: EnvironmentFactory): FunctionBackend {
  const { code, configuration } = context;
  if (!code.file || !code.handlerExport) throw new Error(`function ${context.name} has no handler file to run locally`);
  const environment = createEnvironment({
    file: code.file,
    handlerExport: code.handlerExport,
    taskRoot: code.taskRoot,
    timeoutSeconds: configuration.Timeout,
    memoryMB: configuration.MemorySize,
    env: { ...(configuration.Environment?.Variables ?? {}) },
    functionName: configuration.FunctionName,
    region: context.region,
  });
  return {
    async invoke(invocation: BackendInvocation): Promise<BackendResult> {
      const raw = await environment.invoke(invocation.event);
      const payload = raw.error ? JSON.stringify(raw.error) : JSON.stringify(raw.response ?? null);
      return {
        requestId: raw.requestId,
        payload: Buffer.from(payload ?? 'null'),
        functionError: raw.error ? 'Unhandled' : null,
        logs: raw.logs,
      };
    },
    dispose: () => environment.dispose(),
  };
}
