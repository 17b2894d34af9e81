/**
 * `POST /2015-03-31/functions/{name}/invocations`: Lambda's Invoke, answered the way the
 * service answers it (headers, status codes, error bodies), backed by the function's
 * local environment.
 */
import { randomUUID } from 'node:crypto';
import { PAYLOAD_LIMIT_BYTES, responseSizeTooLarge } from '../lambda/limits';
import { encodeLogTail } from '../lambda/report';
import type { BackendPayload, BackendResult } from './backend';
import type { BackendPool } from './backends';
import { ThrottledError } from '../runtime/environment-pool';
import { jsonReply, type AfterOutcome, type Reply, type Route, type RouteRequest } from './router';
import { CLIENT_CONTEXT_LIMIT, errors, ServiceError } from './service-error';
import { functionArnOf, type EndpointState, type ServedFunction } from './state';

/** Lambda's synchronous payload limit, request and response alike. */
export const PAYLOAD_LIMIT = PAYLOAD_LIMIT_BYTES;

export function invokeRoute(state: EndpointState, pool: BackendPool): Route {
  return {
    method: 'POST',
    pattern: '/2015-03-31/functions/{name}/invocations',
    action: 'lambda:InvokeFunction',
    resource: (params, region) => functionArnOf(params.name, region),
    maxBody: PAYLOAD_LIMIT,
    handle: (request) => invoke(state, pool, request),
  };
}

async function invoke(state: EndpointState, pool: BackendPool, request: RouteRequest): Promise<Reply> {
  const fn = state.resolveFunction(request.params.name, request.query.get('Qualifier'), request.region);
  let event: unknown = {};
  if (request.body.length > 0) {
    try {
      event = JSON.parse(request.body.toString('utf8'));
    } catch (error) {
      throw errors.invalidJson(error instanceof Error ? error.message : String(error));
    }
  }
  const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  // Checked for every type, as the event is (DryRun validates), ...
  const givenContext = decodeClientContext(header(request, 'x-amz-client-context'));
  if (invocationType === 'DryRun') return { status: 204, body: Buffer.alloc(0), headers: {} };
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event') {
    throw errors.invalidParameter(`Invalid invocation type: ${invocationType}`);
  }
  // ... and passed to the function for synchronous invocations only, as Lambda passes it.
  const clientContext = invocationType === 'RequestResponse' ? givenContext : undefined;
  const run = (onPayload?: (early: BackendPayload) => void) => runOnce(pool, fn, { event, payload: request.body, clientContext }, onPayload);
  if (invocationType === 'Event') return queueEvent(fn, request.body, () => run());
  // With the log tail the answer waits for the logs. Without it, it goes out as soon as the
  // payload is known, as Lambda's does (the warm local backend in the default mode tells it;
  // the Runtime API backend and Managed Instances answer with the record); the environment
  // completes the record meanwhile, and nothing after that changes what the caller was told.
  const tail = header(request, 'x-amz-log-type') === 'Tail';
  let answer: (early: BackendPayload) => void = () => undefined;
  const answered = new Promise<BackendPayload>((resolve) => (answer = resolve));
  const done = run(tail ? undefined : answer);
  const full = tail ? await done : null;
  // The early payload, or the whole result when the backend gave none before it (or failed first).
  const result = full ?? (await Promise.race([answered, done]));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': result.requestId,
    'X-Amz-Executed-Version': '$LATEST',
  };
  if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
  if (full) headers['X-Amz-Log-Result'] = encodeLogTail(fn.reportLines ? full.logs : full.logs.replace(/^REPORT RequestId:.*\n?/gm, ''));
  // The log for the request log: complete with the answer, or once the environment has read it.
  // Only an invocation answered early can fail after its answer: its request line said 200,
  // so the owner is told here what ended it instead.
  const functionName = fn.configuration.FunctionName;
  const logs = done.then(
    (completed) => ({ functionName, text: completed.logs }),
    (error: unknown) => ({ functionName, text: `[Warm State: the invocation ended after its answer, before its log was complete: ${error instanceof Error ? error.message : String(error)}]\n` }),
  );
  return { status: 200, body: result.payload, headers, logs };
}

/**
 * Runs one invocation. `onPayload` gets the payload as soon as the backend knows it: the
 * invocation stops counting against the function's concurrency then, since its environment
 * takes the next one as soon as it is done (the pool holds that one back instead of starting
 * another environment).
 */
async function runOnce(
  pool: BackendPool,
  fn: ServedFunction,
  input: { event: unknown; payload: Buffer; clientContext: unknown },
  onPayload?: (early: BackendPayload) => void,
): Promise<BackendResult> {
  // Each concurrent invocation takes an environment of its own (one that has answered and is
  // finishing counts as free: see below); none left: Lambda's 429. The check and the count it
  // guards share one turn after the await.
  const backend = await pool.get(fn);
  if (fn.inFlight >= Math.min(fn.reservedConcurrency, backend.capacity)) throw errors.throttled();
  fn.inFlight++;
  let counted = true;
  const stopCounting = () => {
    if (counted) fn.inFlight--;
    counted = false;
  };
  try {
    const early = onPayload && ((answer: BackendPayload) => {
      stopCounting();
      onPayload(withinPayloadLimit(answer));
    });
    const result = await backend
      .invoke({
        requestId: randomUUID(),
        event: input.event,
        payload: input.payload,
        configuration: fn.configuration,
        ...(input.clientContext === undefined ? {} : { clientContext: input.clientContext }),
        ...(early ? { onPayload: early } : {}),
      })
      .catch((error: unknown) => {
        // The environments' own limit, which the count above normally reaches first.
        throw error instanceof ThrottledError ? errors.throttled() : error;
      });
    return withinPayloadLimit(result);
  } finally {
    stopCounting();
  }
}

/**
 * What Lambda returns when a function's response is over the limit (a local environment
 * already answers so itself; a real runtime client behind the Runtime API does not).
 */
function withinPayloadLimit<Result extends BackendPayload>(result: Result): Result {
  if (result.payload.length <= PAYLOAD_LIMIT) return result;
  const { errorType, errorMessage } = responseSizeTooLarge();
  return { ...result, payload: jsonReply(200, { errorType, errorMessage }).body, functionError: 'Unhandled' };
}

/**
 * Lambda's payload limit for an asynchronous invocation (1 MB since October 2025, 256 KB
 * before), and what the endpoint holds per function: queued invocations keep their events in
 * memory, so there are at most EVENT_QUEUE_LIMIT of them (a caller with any key may queue them
 * under --allow-any-credentials); beyond it, 429. Lambda keeps an event for 6 hours by default.
 */
export const EVENT_PAYLOAD_LIMIT = 1024 * 1024;
export const EVENT_QUEUE_LIMIT = 100;
const EVENT_MAX_AGE_MS = 6 * 60 * 60_000;
/** Waits between tries of a throttled asynchronous invocation: from the first to the longest. */
const EVENT_RETRY_FIRST_MS = 50;
const EVENT_RETRY_LONGEST_MS = 2000;

/**
 * An asynchronous invocation (InvocationType Event): Lambda queues it and answers 202 at once;
 * a throttled one goes back to the queue and is tried again later. What became of it is the
 * reply's `after` outcome (the request log's second line for it).
 */
function queueEvent(fn: ServedFunction, body: Buffer, run: () => Promise<BackendResult>): Reply {
  if (body.length > EVENT_PAYLOAD_LIMIT) throw errors.requestTooLarge(EVENT_PAYLOAD_LIMIT);
  if (fn.queuedEvents >= EVENT_QUEUE_LIMIT) throw errors.throttled();
  fn.queuedEvents++;
  const expiresAt = Date.now() + EVENT_MAX_AGE_MS;
  return {
    status: 202,
    body: Buffer.alloc(0),
    headers: { 'x-amzn-RequestId': randomUUID() },
    after: () => runWhenThrottlingEnds(fn.configuration.FunctionName, run, expiresAt).finally(() => fn.queuedEvents--),
  };
}

/**
 * Runs a queued invocation, trying again while it is throttled and not expired. Any other
 * failure to run it (the endpoint stopped, its environment could not start) ends it; a failure
 * of the function is in its result. Nobody waits for it: the caller had its 202.
 */
async function runWhenThrottlingEnds(functionName: string, run: () => Promise<BackendResult>, expiresAt: number): Promise<AfterOutcome> {
  const started = Date.now();
  for (let waitMs = EVENT_RETRY_FIRST_MS; ; waitMs = Math.min(waitMs * 2, EVENT_RETRY_LONGEST_MS)) {
    try {
      const result = await run();
      return { status: 200, errorType: null, functionError: result.functionError ? functionErrorType(result.payload) : null, ms: Date.now() - started, logs: { functionName, text: result.logs } };
    } catch (error) {
      const serviceError = error instanceof ServiceError ? error : null;
      if (serviceError?.status !== 429 || Date.now() + waitMs > expiresAt) {
        return { status: serviceError?.status ?? 500, errorType: serviceError?.errorType ?? (error instanceof Error ? error.message : String(error)), functionError: null, ms: Date.now() - started };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
  }
}

/** Refuses bytes that are not UTF-8 (the default decoder would turn them into U+FFFD, each six bytes once escaped for a header). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The X-Amz-Client-Context header (base64 of a JSON object, as the SDKs send ClientContext),
 * decoded; undefined without one. At most CLIENT_CONTEXT_LIMIT bytes of padded base64 of UTF-8.
 */
function decodeClientContext(encoded: string | undefined): Record<string, unknown> | undefined {
  if (encoded === undefined || encoded === '') return undefined;
  if (encoded.length > CLIENT_CONTEXT_LIMIT || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw errors.invalidClientContext();
  let value: unknown;
  try {
    value = JSON.parse(STRICT_UTF8.decode(Buffer.from(encoded, 'base64')));
  } catch {
    throw errors.invalidClientContext();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw errors.invalidClientContext();
  return value as Record<string, unknown>;
}

/** The errorType of a failed invocation's payload (`Unhandled` when it names none, e.g. a custom runtime's). */
export function functionErrorType(payload: Buffer): string {
  try {
    const errorType: unknown = (JSON.parse(payload.toString('utf8')) as { errorType?: unknown } | null)?.errorType;
    return typeof errorType === 'string' && errorType !== '' ? errorType : 'Unhandled';
  } catch {
    return 'Unhandled';
  }
}

function header(request: RouteRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
