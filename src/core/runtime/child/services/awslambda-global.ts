/**
 * The `awslambda` global both runtime interface clients define before the handler module
 * loads: `streamifyResponse` (marks a handler as streaming) and `HttpResponseStream` (the
 * HTTP integration prelude); the 4.x client adds `InvokeStore`. docs/runtime-profiles.md,
 * "The awslambda global", cites the client functions (3.x `_loadUserApp`, 4.x `setupGlobals`).
 */
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

/**
 * The 4.x client's invoke store (from `@aws/lambda-invoke-store`, single-concurrency flavour):
 * the current invocation's request id for code that is not handed the context.
 */
function createInvokeStore(): object {
  const requestIdKey = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
  const protectedKeys: unknown[] = [requestIdKey, Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID'), Symbol.for('_AWS_LAMBDA_TENANT_ID')];
  let current: Record<PropertyKey, unknown> | undefined;
  return {
    getContext: () => current,
    hasContext: () => current !== undefined,
    get: (key: PropertyKey) => current?.[key],
    set(key: PropertyKey, value: unknown) {
      if (protectedKeys.includes(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
      current = current ?? {};
      current[key] = value;
    },
    run<R>(context: Record<PropertyKey, unknown>, fn: () => R): R {
      current = context;
      return fn();
    },
    getRequestId: () => (current?.[requestIdKey] as string | undefined) ?? '-',
    getXRayTraceId: () => current?.[Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID')],
    getTenantId: () => current?.[Symbol.for('_AWS_LAMBDA_TENANT_ID')],
  };
}

export interface AwsLambdaGlobal {
  /** The 4.x store, told about each invocation (null under 3.x or without the global). */
  enterInvocation(requestId: string): void;
}

/**
 * Defines `globalThis.awslambda` as the profile's client does, unless
 * AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is `1` or `true`. 3.x replaces any existing value;
 * 4.x keeps what is there and adds its members.
 */
export function installAwsLambdaGlobal(client: 3 | 4, noGlobalSetting: string | undefined): AwsLambdaGlobal {
  const none: AwsLambdaGlobal = { enterInvocation: () => undefined };
  if (noGlobalSetting === '1' || noGlobalSetting === 'true') return none;
  const slot = globalThis as { awslambda?: Record<string, unknown> };
  if (client === 3) {
    slot.awslambda = { streamifyResponse, HttpResponseStream };
    return none;
  }
  const store = createInvokeStore() as { run(context: object, fn: () => void): void };
  slot.awslambda = { ...slot.awslambda, InvokeStore: store, streamifyResponse, HttpResponseStream };
  return { enterInvocation: (requestId) => store.run({ [Symbol.for('_AWS_LAMBDA_REQUEST_ID')]: requestId }, () => undefined) };
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
