/**
 * Chooses how the endpoint runs each function. Plain Node.js functions run in the warm local
 * environment (the engine) when one is available. A function whose configuration has
 * layers or an AWS_LAMBDA_EXEC_WRAPPER (e.g. the Warm State probe attached), or a custom
 * runtime, runs through the Lambda Runtime API instead, because only that path loads
 * wrappers and /opt layers the way Lambda does.
 */
import type { BackendContext, BackendFactory } from './backend';
import { createLocalEnvironmentBackend, type CreateEnvironment } from './local-environment-backend';
import { createRuntimeApiBackend, isNodeRuntime, type RuntimeApiBackendOptions } from './runtime/runtime-api-backend';

export function needsRuntimeApi(context: BackendContext): boolean {
  const configuration = context.configuration;
  return (
    !isNodeRuntime(configuration.Runtime) ||
    (configuration.Layers?.length ?? 0) > 0 ||
    configuration.Environment?.Variables.AWS_LAMBDA_EXEC_WRAPPER !== undefined ||
    configuration.Environment?.Variables.NODE_OPTIONS !== undefined ||
    !context.code.file
  );
}

export function createBackendFactory(options: { createEnvironment?: CreateEnvironment; runtime?: RuntimeApiBackendOptions } = {}): BackendFactory {
  return (context) =>
    options.createEnvironment && !needsRuntimeApi(context)
      ? createLocalEnvironmentBackend(context, options.createEnvironment)
      : createRuntimeApiBackend(context, options.runtime);
}
