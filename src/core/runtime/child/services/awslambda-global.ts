/**
 * The `awslambda` global both runtime interface clients define before the handler module
 * loads: `streamifyResponse` (marks a handler as streaming) and `HttpResponseStream` (the
 * HTTP integration prelude); the 4.x client adds `InvokeStore`. docs/runtime-profiles.md,
 * "The awslambda global", cites the client functions (3.x `_loadUserApp`, 4.x `setupGlobals`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LambdaError } from '../../../model/snapshot';

/** The marks streamifyResponse puts on a handler (the clients' `Symbol.for` keys). */
export const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** NUL bytes between the JSON prelude and the body. */
const PRELUDE_DELIMITER_LENGTH = 8;

/** What HttpResponseStream.from needs of a response stream (response-stream.ts makes one). */
interface PreludeTarget {
  setContentType(contentType: string): void;
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
}

class HttpResponseStream {
  /** The body gets the JSON prelude and the NUL delimiter before its first write. */
  static from<T extends PreludeTarget>(stream: T, prelude: unknown): T {
    stream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    const text = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(text);
      write(new Uint8Array(PRELUDE_DELIMITER_LENGTH));
    };
    return stream;
  }
}

function streamifyResponse<T extends object>(handler: T, options?: { highWaterMark?: unknown }): T {
  const marked = handler as Record<symbol, unknown>;
  marked[HANDLER_STREAMING] = STREAM_RESPONSE;
  if (typeof options?.highWaterMark === 'number') marked[HANDLER_HIGHWATERMARK] = parseInt(String(options.highWaterMark));
  return handler;
}

/** Where the invoke store keeps the current invocation's context. */
interface ContextSlot {
  get(): Record<PropertyKey, unknown> | undefined;
  /** The context `set` writes to: made when missing in the default mode, an error without one in Managed Instances (as the clients' stores do). */
  writable(): Record<PropertyKey, unknown>;
  run<R>(context: Record<PropertyKey, unknown>, fn: () => R): R;
}

/** One invocation at a time (the default mode): the context of the latest one. */
function singleSlot(): ContextSlot {
  let current: Record<PropertyKey, unknown> | undefined;
  return {
    get: () => current,
    writable: () => (current ??= {}),
    run(context, fn) {
      current = context;
      return fn();
    },
  };
}

/** Managed Instances: the context of the invocation whose code runs now, as the client's InvokeStoreMulti keeps it. */
function asyncSlot(storage: AsyncLocalStorage<Record<PropertyKey, unknown>>): ContextSlot {
  const getStore = storage.getStore.bind(storage);
  const run = storage.run.bind(storage) as ContextSlot['run'];
  const writable = (): Record<PropertyKey, unknown> => {
    const store = getStore();
    if (!store) throw new Error('No context available');
    return store;
  };
  return { get: getStore, writable, run };
}

/**
 * The 4.x client's invoke store (from `@aws/lambda-invoke-store`): the current invocation's
 * request id for code that is not handed the context.
 */
function createInvokeStore(slot: ContextSlot): object {
  const requestIdKey = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
  const protectedKeys: unknown[] = [requestIdKey, Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID'), Symbol.for('_AWS_LAMBDA_TENANT_ID')];
  return {
    getContext: () => slot.get(),
    hasContext: () => slot.get() !== undefined,
    get: (key: PropertyKey) => slot.get()?.[key],
    set(key: PropertyKey, value: unknown) {
      if (protectedKeys.includes(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
      slot.writable()[key] = value;
    },
    run: <R>(context: Record<PropertyKey, unknown>, fn: () => R): R => slot.run(context, fn),
    getRequestId: () => (slot.get()?.[requestIdKey] as string | undefined) ?? '-',
    getXRayTraceId: () => slot.get()?.[Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID')],
    getTenantId: () => slot.get()?.[Symbol.for('_AWS_LAMBDA_TENANT_ID')],
  };
}

export interface AwsLambdaGlobal {
  /** Runs `fn` (the handler's call) as the invocation `requestId` for the 4.x store. */
  runInvocation<R>(requestId: string, fn: () => R): R;
}

/**
 * Defines `globalThis.awslambda` as the profile's client does, unless
 * AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is `1` or `true`. 3.x replaces any existing value;
 * 4.x keeps what is there and adds its members. `concurrent`: Managed Instances, where the
 * store follows each invocation's async context.
 */
export function installAwsLambdaGlobal(client: 3 | 4, noGlobalSetting: string | undefined, concurrent = false): AwsLambdaGlobal {
  const none: AwsLambdaGlobal = { runInvocation: (_requestId, fn) => fn() };
  if (noGlobalSetting === '1' || noGlobalSetting === 'true') return none;
  const global = globalThis as { awslambda?: Record<string, unknown> };
  if (client === 3) {
    global.awslambda = { streamifyResponse, HttpResponseStream };
    return none;
  }
  const slot = concurrent ? asyncSlot(new AsyncLocalStorage()) : singleSlot();
  global.awslambda = { ...global.awslambda, InvokeStore: createInvokeStore(slot), streamifyResponse, HttpResponseStream };
  return { runInvocation: (requestId, fn) => slot.run({ [Symbol.for('_AWS_LAMBDA_REQUEST_ID')]: requestId }, fn) };
}

/**
 * Whether the handler streams its response, read at init as both clients do; a mark other than
 * `'response'` fails the init (`Runtime.MalformedStreamingHandler`).
 */
export function streamingMark(handler: object): boolean | LambdaError {
  const mark = (handler as Record<symbol, unknown>)[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark === STREAM_RESPONSE) return true;
  return { errorType: 'Runtime.MalformedStreamingHandler', errorMessage: 'Only response streaming is supported.', trace: [] };
}
