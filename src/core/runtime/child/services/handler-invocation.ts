/**
 * One invocation of the handler, the way the profile's runtime interface client calls it
 * (docs/runtime-profiles.md cites each rule):
 * - 3.x (nodejs20.x, nodejs22.x): `handler(event, context, callback)`; a returned promise, the
 *   callback or `context.succeed/fail/done` settles it, first call wins; otherwise the empty
 *   event loop answers `null` (`Runtime.handleOnceNonStreaming`, `src/CallbackContext.js`).
 * - 4.x (nodejs24.x): `await handler(event, context)`: the value, sync or not, is the response;
 *   the context has no callback members; nothing waits for the event loop
 *   (`BufferedInvokeProcessor.processInvoke`, `ContextBuilder.build`).
 * - streaming handlers (`awslambda.streamifyResponse`), both clients: `handler(event,
 *   responseStream, context)`; the streamed bytes are the response (`handleOnceStreaming`,
 *   `StreamingInvokeProcessor`).
 */
import type { LambdaError } from '../../../model/snapshot';
import { apply, dateNow, ErrorCtor, mathMax, PromiseCtor, setImmediateSaved } from './intrinsics';
import { createResponseStream } from './response-stream';

export type Handler = (event: unknown, context: object, callback: (error?: unknown, result?: unknown) => void) => unknown;

/**
 * Without a prototype: the promise an invocation returns is resolved with one (which looks its
 * `then` up), and no key of it is ever read from Object.prototype.
 */
export interface Outcome {
  response: unknown;
  error: LambdaError | undefined;
}

export const succeeded = (response: unknown): Outcome => ({ __proto__: null, response, error: undefined }) as Outcome;
export const failed = (error: LambdaError): Outcome => ({ __proto__: null, response: undefined, error }) as Outcome;

/** What the context is made of: the invoke's headers and Lambda's environment. */
export interface InvocationData {
  event: unknown;
  requestId: string;
  invokedFunctionArn: string;
  /** The caller's ClientContext, parsed as the clients parse the Lambda-Runtime-Client-Context header; undefined without one. */
  clientContext: unknown;
  deadlineMs: number;
  functionName: string;
  memoryMB: number;
  logGroupName: string | undefined;
  logStreamName: string | undefined;
}

/** What the invocation needs from the runtime around it (bootstrap.ts). */
export interface InvocationHooks {
  /** Lambda's error shape for a thrown value, as plain strings. */
  describe(thrown: unknown): LambdaError;
  /** Sets what runs when the event loop empties during the invocation (`beforeExit`), or clears it. */
  onEmptyEventLoop(hook: (() => void) | null): void;
  /** Runs right before the handler is entered (capture starts there). */
  beforeCall(event: unknown, context: object): void;
  /** A line the runtime itself logs (console.warn of the client). */
  warn(message: string): void;
}

export type ClientGeneration = 3 | 4;

/** The context keys both clients take from Lambda's environment and the invoke's headers. */
function contextData(data: InvocationData): Record<string, unknown> {
  return {
    functionVersion: '$LATEST',
    functionName: data.functionName,
    memoryLimitInMB: `${data.memoryMB}`,
    logGroupName: data.logGroupName,
    logStreamName: data.logStreamName,
    clientContext: data.clientContext,
    identity: undefined,
    invokedFunctionArn: data.invokedFunctionArn,
    awsRequestId: data.requestId,
    // Both clients read it from the invoke's tenant header; a local invoke has no tenant.
    tenantId: undefined,
    getRemainingTimeInMillis: () => mathMax(0, data.deadlineMs - dateNow()),
  };
}

/** The 4.x context (`ContextBuilder.build`): no callback members; the X-Ray trace id is a key. */
function context4(data: InvocationData): Record<string, unknown> {
  return { ...contextData(data), xRayTraceId: undefined };
}

/** `_isPromise` of the 3.x client: any truthy value with a callable `then`. */
function thenOf(value: unknown): ((...args: unknown[]) => unknown) | null {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return null;
  const then = (value as { then?: unknown }).then;
  return typeof then === 'function' ? (then as (...args: unknown[]) => unknown) : null;
}

/**
 * Calls `call` from a fresh microtask, as the runtime calls the handler: no code of anyone
 * else's runs between `beforeCall` and the call (the first function entered is the handler).
 * An await, not queueMicrotask: Node wraps that one in an AsyncResource, whose bookkeeping
 * calls methods of Array.prototype that user code may have replaced.
 */
function callSoon(call: () => void): void {
  void (async () => {
    await undefined;
    call();
  })();
}

/**
 * Follows a returned value the way `await` would: a `then` that cannot be read or throws
 * rejects the invocation (a revoked Proxy returned), it never becomes an uncaught exception.
 */
function follow(returned: unknown, onValue: (value: unknown) => void, onError: (error: unknown) => void, onNotPromise: (value: unknown) => void = onValue): void {
  let then: ((...args: unknown[]) => unknown) | null;
  try {
    then = thenOf(returned);
    if (then) apply(then, returned, [onValue, onError]);
  } catch (error) {
    onError(error);
    return;
  }
  if (!then) onNotPromise(returned);
}

/** The 3.x client: callback, context methods, a returned promise, or the empty event loop. */
function invokeClient3(fn: Handler, data: InvocationData, hooks: InvocationHooks): Promise<Outcome> {
  return new PromiseCtor<Outcome>((resolve) => {
    let finished = false;
    const finish = (outcome: Outcome): void => {
      if (finished) return;
      finished = true;
      hooks.onEmptyEventLoop(null);
      resolve(outcome);
    };
    // The callback, succeed, fail, done (and so a returned promise, which settles through
    // succeed and fail) share one flag: the first call wins, later ones are ignored
    // (`_wrappedCallbackContext`), even while a callback's result waits for the empty loop.
    let called = false;
    const firstCall = <A extends unknown[]>(complete: (...args: A) => void) => (...args: A): void => {
      if (called) return;
      called = true;
      apply(complete, undefined, args);
    };
    const outcomeOf = (error: unknown, result: unknown): Outcome => (error !== undefined && error !== null ? failed(hooks.describe(error)) : succeeded(result));
    const done = (error?: unknown, result?: unknown): void => finish(outcomeOf(error, result));
    const context: Record<string, unknown> = {
      callbackWaitsForEmptyEventLoop: true,
      succeed: firstCall((result?: unknown) => done(null, result)),
      // fail() without an error reports the string 'handled' (`_rawCallbackContext` fail).
      fail: firstCall((error?: unknown) => done(error ?? 'handled', null)),
      done: firstCall(done),
      ...contextData(data),
    };
    const succeed = context.succeed as (result: unknown) => void;
    const fail = context.fail as (error: unknown) => void;
    const callback = firstCall((error?: unknown, result?: unknown): void => {
      const outcome = outcomeOf(error, result);
      if (outcome.error || !context.callbackWaitsForEmptyEventLoop) return finish(outcome);
      // Default true: the response waits until the event loop is empty. The client posts it
      // from a setImmediate set in its `beforeExit` listener and fetches the next event from
      // another one after that: immediates other `beforeExit` listeners queue still run, and
      // log, within this invocation.
      hooks.onEmptyEventLoop(() => setImmediateSaved(() => setImmediateSaved(() => finish(outcome))));
    });
    // Nothing pending and nothing settled: the client's default `beforeExit` listener posts null.
    hooks.onEmptyEventLoop(() => finish(succeeded(null)));
    callSoon(() => {
      let returned: unknown;
      try {
        hooks.beforeCall(data.event, context);
        returned = fn(data.event, context, callback);
      } catch (error) {
        // The client hands what the handler threw to the callback: `throw undefined` is a success.
        callback(error);
        return;
      }
      // A value that is not a promise is ignored: the callback or the empty event loop answers.
      follow(returned, succeed, fail, () => undefined);
    });
  });
}

/**
 * The 4.x client: the handler's value is awaited and is the response. The client posts it
 * (or the error) after a setImmediate (`LifecycleManager.succeed`, `fail`); a promise that never
 * settles leaves the event loop empty and the process exits (no `beforeExit` listener).
 */
function invokeClient4(fn: Handler, data: InvocationData, hooks: InvocationHooks): Promise<Outcome> {
  return new PromiseCtor<Outcome>((resolve) => {
    const finish = (outcome: Outcome): void => void setImmediateSaved(() => resolve(outcome));
    const context = context4(data);
    hooks.onEmptyEventLoop(null);
    callSoon(() => {
      let returned: unknown;
      try {
        hooks.beforeCall(data.event, context);
        returned = apply(fn, undefined, [data.event, context]);
      } catch (error) {
        finish(failed(hooks.describe(error)));
        return;
      }
      follow(returned, (value) => finish(succeeded(value)), (error) => finish(failed(hooks.describe(error))));
    });
  });
}

/**
 * A streaming handler: the response is what it wrote once it ended the stream and its promise
 * resolved. A failure before the end is the invocation's error (the clients send it in the
 * stream's trailers); after the end the response stands. A stream never ended runs into the
 * timeout. The 3.x client reports its own failures as strings, the 4.x client as Errors.
 */
function invokeStreaming(fn: Handler, data: InvocationData, hooks: InvocationHooks, client: ClientGeneration): Promise<Outcome> {
  return new PromiseCtor<Outcome>((resolve) => {
    const response = createResponseStream();
    let finished = false;
    const finish = (outcome: Outcome): void => {
      if (finished) return;
      finished = true;
      resolve(outcome);
    };
    const succeed = (): void => finish(succeeded(response.body()));
    const fail = (error: unknown): void => {
      // The request to the Runtime API is complete once end() was called: no trailer can
      // carry the error any more.
      if (response.endCalled()) return response.whenEnded(succeed);
      response.close();
      finish(failed(hooks.describe(error)));
    };
    const runtimeFailure = (message: string): unknown => (client === 3 ? message : new ErrorCtor(message));
    // 3.x: the streaming context keeps callbackWaitsForEmptyEventLoop; 4.x: the usual context.
    const context = client === 3 ? { callbackWaitsForEmptyEventLoop: true, ...contextData(data) } : context4(data);
    hooks.onEmptyEventLoop(null);
    callSoon(() => {
      let returned: unknown;
      try {
        hooks.beforeCall(data.event, context);
        returned = apply(fn, undefined, [data.event, response.stream, context]);
      } catch (error) {
        fail(error);
        return;
      }
      follow(
        returned,
        (value) => {
          if (value !== undefined) hooks.warn('Streaming handlers ignore return values.');
          response.whenEnded(succeed);
        },
        fail,
        () => fail(runtimeFailure('Streaming does not support non-async handlers.')),
      );
    });
  });
}

/** Runs the handler once as the profile's client would; settles with the response or the error. */
export function invokeHandler(fn: Handler, data: InvocationData, hooks: InvocationHooks, mode: { client: ClientGeneration; streaming: boolean }): Promise<Outcome> {
  if (mode.streaming) return invokeStreaming(fn, data, hooks, mode.client);
  return mode.client === 3 ? invokeClient3(fn, data, hooks) : invokeClient4(fn, data, hooks);
}

/** The 4.x client's messages for a callback handler (`CALLBACK_ERROR_NODEJS24_ABOVE`, `CALLBACK_ERROR_NODEJS22`). */
const CALLBACK_REMOVED_NODEJS24 =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';
const CALLBACK_UNSUPPORTED_NODEJS22 =
  'ERROR: AWS Lambda does not support callback-based function handlers when using Node.js 22 with Managed Instances. To use Managed Instances, modify this function to use a supported handler signature. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

/**
 * The 4.x client's init check (`errorOnDeprecatedCallback`): a handler declaring 3 or more
 * parameters that does not stream fails the init, async or not. `executionEnv` is
 * AWS_EXECUTION_ENV, which picks the message (nodejs22.x means Managed Instances).
 */
export function deprecatedCallbackError(fn: Handler, streaming: boolean, client: ClientGeneration, executionEnv: string | undefined): LambdaError | null {
  if (client !== 4 || streaming || !(fn.length >= 3)) return null;
  const errorMessage = executionEnv === 'AWS_Lambda_nodejs22.x' ? CALLBACK_UNSUPPORTED_NODEJS22 : CALLBACK_REMOVED_NODEJS24;
  return { errorType: 'Runtime.CallbackHandlerDeprecated', errorMessage, trace: [] };
}
