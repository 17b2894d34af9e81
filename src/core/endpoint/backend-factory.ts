/**
 * Chooses how the endpoint runs each function. Plain Node.js functions run in the warm local
 * environment (the engine) when one is available. A function whose configuration has
 * layers, an AWS_LAMBDA_EXEC_WRAPPER (e.g. the Warm State probe attached) or NODE_OPTIONS, or a
 * custom runtime, runs through the Lambda Runtime API instead, because only that path loads
 * wrappers, node options and /opt layers the way Lambda does. That path runs one process, so
 * such a function has one environment (one invocation at a time).
 */
import type { BackendContext, BackendFactory } from './backend';
import { createLocalEnvironmentBackend, type CreateEnvironment } from './local-environment-backend';
import { createRuntimeApiBackend, isNodeRuntime, type RuntimeApiBackendOptions } from './runtime/runtime-api-backend';

/** Variables that make a Node.js function run through the Runtime API: they change how node starts (`--require /opt/...`, a wrapper script). */
export const RUNTIME_API_VARIABLES = ['AWS_LAMBDA_EXEC_WRAPPER', 'NODE_OPTIONS'] as const;

/** The variable of `variables` that makes its function run through the Runtime API, if any (any case: Windows reads `node_options` as NODE_OPTIONS). */
export function runtimeApiVariable(variables: Readonly<Record<string, string>> | undefined): string | undefined {
  const names = Object.keys(variables ?? {});
  return names.find((name) => (RUNTIME_API_VARIABLES as readonly string[]).includes(name.toUpperCase()));
}

export function needsRuntimeApi(context: BackendContext): boolean {
  const configuration = context.configuration;
  return (
    !isNodeRuntime(configuration.Runtime) ||
    (configuration.Layers?.length ?? 0) > 0 ||
    runtimeApiVariable(configuration.Environment?.Variables) !== undefined ||
    !context.code.file
  );
}

export function createBackendFactory(options: { createEnvironment?: CreateEnvironment; runtime?: RuntimeApiBackendOptions } = {}): BackendFactory {
  return (context) =>
    options.createEnvironment && !needsRuntimeApi(context)
      ? createLocalEnvironmentBackend(context, options.createEnvironment)
      : createRuntimeApiBackend(context, options.runtime);
}
