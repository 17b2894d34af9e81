/**
 * Serves a function from warm local environments (the engine), kept warm and frozen between
 * invocations, with Lambda's memory and timeout. Concurrent requests scale out: each gets an
 * environment of its own (its own cold start and module state) up to the function's limit,
 * the most recently used idle one first; the route throttles beyond it (and the pool would).
 * The environment's RawInvocation becomes the bytes and headers Invoke returns; nothing is
 * masked (the caller gets what Lambda returns).
 */
import { isRuntimeProfileName } from '../lambda/runtime-profiles';
import type { EarlyPayload, EnvironmentOptions, WarmEnvironment } from '../runtime/environment-api';
import { DEFAULT_MAX_ENVIRONMENTS, EnvironmentPool } from '../runtime/environment-pool';
import { limitOutcome } from '../lambda/limits';
import type { BackendContext, BackendInvocation, BackendPayload, BackendResult, FunctionBackend } from './backend';
import { defaultHandlerString } from './state';

/** Makes a local environment (the engine's createLocalEnvironment, or a test double). */
export type CreateEnvironment = (options: EnvironmentOptions) => WarmEnvironment;

export function createLocalEnvironmentBackend(context: BackendContext, createEnvironment: CreateEnvironment): FunctionBackend {
  const { configuration } = context;
  // A function served from a file runs its export until UpdateFunctionConfiguration names
  // another Handler; from then on, as on Lambda, it runs what the setting names.
  const code = configuration.Handler === defaultHandlerString(context.code) ? context.code : { ...context.code, loadByHandler: true };
  if (!code.file || (!code.handlerExport && !code.loadByHandler)) throw new Error(`function ${context.name} has no handler file to run locally`);
  const options: EnvironmentOptions = {
    file: code.file,
    handlerExport: code.handlerExport ?? '',
    // The configuration's Handler (UpdateFunctionConfiguration may change it), read by the child as the client reads it.
    ...(code.loadByHandler ? { handler: configuration.Handler } : {}),
    taskRoot: code.taskRoot,
    timeoutSeconds: configuration.Timeout,
    memoryMB: configuration.MemorySize,
    env: { ...(configuration.Environment?.Variables ?? {}) },
    functionName: configuration.FunctionName,
    region: context.region,
    // The function's configuration plays the template's part: its Runtime is what the endpoint
    // reports (`warm-state serve` registers the profile it chose), so the environment runs as it.
    ...(isRuntimeProfileName(configuration.Runtime) ? { runtime: configuration.Runtime, runtimeSource: 'template' as const } : {}),
    ...(context.managedInstances ? { managedInstances: context.managedInstances } : {}),
    // Invoke answers with the payload and the log tail only: scopes captured here would be
    // thrown away, and capture is most of an invocation's cost (BENCHMARKS.md (a)).
    capture: false,
  };
  const maxEnvironments = context.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS;
  const environments = new EnvironmentPool({ create: () => createEnvironment(options), maxEnvironments });
  return {
    capacity: maxEnvironments * (context.managedInstances?.concurrency ?? 1),
    async invoke(invocation: BackendInvocation): Promise<BackendResult> {
      const onPayload = invocation.onPayload;
      // Set in a callback, which control-flow narrowing does not follow: typed, not inferred from null.
      let answered = null as BackendPayload | null;
      const raw = await environments.invoke(invocation.event, {
        ...(invocation.clientContext === undefined ? {} : { clientContext: invocation.clientContext }),
        ...(onPayload && {
          onPayload: (early: EarlyPayload) => {
            answered = { requestId: early.requestId, payload: Buffer.from(early.payload), functionError: early.failed ? 'Unhandled' : null };
            onPayload(answered);
          },
        }),
      });
      if (answered) return { ...answered, logs: raw.logs };
      // The record keeps the limits limitOutcome applies: the payload an early answer would have given.
      const { payload, error } = limitOutcome(raw.response, raw.error);
      return { requestId: raw.requestId, payload: Buffer.from(payload), functionError: error ? 'Unhandled' : null, logs: raw.logs };
    },
    dispose: () => environments.dispose(),
  };
}
