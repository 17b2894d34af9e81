/**
 * `POST /2015-03-31/functions/{name}/invocations`: Lambda's Invoke, answered the way the
 * service answers it (headers, status codes, error bodies), backed by the function's
 * local environment.
 */
import { randomUUID } from 'node:crypto';
import { PAYLOAD_LIMIT_BYTES, responseSizeTooLarge } from '../lambda/limits';
import { encodeLogTail } from '../lambda/report';
import type { BackendPool } from './backends';
import { ThrottledError } from '../runtime/environment-pool';
import { jsonReply, type Reply, type Route, type RouteRequest } from './router';
import { errors, functionArn, ServiceError } from './service-error';
import type { EndpointState, ServedFunction } from './state';

/** Lambda's synchronous payload limit, request and response alike. */
export const PAYLOAD_LIMIT = PAYLOAD_LIMIT_BYTES;

export function invokeRoute(state: EndpointState, pool: BackendPool): Route {
  return {
    method: 'POST',
    pattern: '/2015-03-31/functions/{name}/invocations',
    action: 'lambda:InvokeFunction',
    resource: (params, region) => functionArn(region, params.name),
    maxBody: PAYLOAD_LIMIT,
    handle: (request) => invoke(state, pool, request),
  };
}

async function invoke(state: EndpointState, pool: BackendPool, request: RouteRequest): Promise<Reply> {
  const found = state.findFunction(request.params.name);
  const qualifier = request.query.get('Qualifier') ?? found?.qualifier;
  if (!found || (qualifier !== undefined && qualifier !== '$LATEST')) {
    throw errors.functionNotFound(request.region, found?.fn.name ?? request.params.name, qualifier);
  }
  const fn = found.fn;
  let event: unknown = {};
  if (request.body.length > 0) {
    try {
      event = JSON.parse(request.body.toString('utf8'));
    } catch (error) {
      throw errors.invalidJson(error instanceof Error ? error.message : String(error));
    }
  }
  const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (invocationType === 'DryRun') return { status: 204, body: Buffer.alloc(0), headers: {} };
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event') {
    throw errors.invalidParameter(`Invalid invocation type: ${invocationType}`);
  }
  const run = () => runOnce(pool, fn, event, request.body);
  if (invocationType === 'Event') {
    // Lambda queues an asynchronous invocation and answers 202 at once; a throttled one goes
    // back to its queue and is tried again later (for up to 6 hours there; here while serving).
    return { status: 202, body: Buffer.alloc(0), headers: { 'x-amzn-RequestId': randomUUID() }, after: () => runWhenThrottlingEnds(run) };
  }
  // Each concurrent invocation takes an environment of its own; none left: Lambda's 429. The
  // check and the count it guards (run() counts at once) share one turn after the await.
  const backend = await pool.get(fn);
  if (fn.inFlight >= Math.min(fn.reservedConcurrency, backend.capacity)) throw errors.throttled();
  const result = await run();
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': result.requestId,
    'X-Amz-Executed-Version': '$LATEST',
  };
  if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
  if (header(request, 'x-amz-log-type') === 'Tail') {
    const logs = fn.reportLines ? result.logs : result.logs.replace(/^REPORT RequestId:.*\n?/gm, '');
    headers['X-Amz-Log-Result'] = encodeLogTail(logs);
  }
  return { status: 200, body: result.payload, headers };
}

async function runOnce(pool: BackendPool, fn: ServedFunction, event: unknown, payload: Buffer) {
  fn.inFlight++;
  try {
    const result = await (await pool.get(fn))
      .invoke({ requestId: randomUUID(), event, payload, configuration: fn.configuration })
      .catch((error: unknown) => {
        // The environments' own limit (an Event invocation accepted earlier finds them busy).
        throw error instanceof ThrottledError ? errors.throttled() : error;
      });
    if (result.payload.length > PAYLOAD_LIMIT) {
      // What Lambda returns when a function's response is over the limit (a local environment
      // already answers so itself; a real runtime client behind the Runtime API does not).
      const { errorType, errorMessage } = responseSizeTooLarge();
      const tooLarge = jsonReply(200, { errorType, errorMessage });
      return { ...result, payload: tooLarge.body, functionError: 'Unhandled' as const };
    }
    return result;
  } finally {
    fn.inFlight--;
  }
}

/** Waits between tries of a throttled asynchronous invocation: from the first to the longest. */
const EVENT_RETRY_FIRST_MS = 50;
const EVENT_RETRY_LONGEST_MS = 2000;

/**
 * Runs an asynchronous invocation, trying again while it is throttled; any other failure (the
 * function's own is in its result, not thrown) or the endpoint closing ends it. Nobody waits
 * for the outcome: the caller had its 202.
 */
async function runWhenThrottlingEnds(run: () => Promise<unknown>): Promise<void> {
  for (let waitMs = EVENT_RETRY_FIRST_MS; ; waitMs = Math.min(waitMs * 2, EVENT_RETRY_LONGEST_MS)) {
    try {
      await run();
      return;
    } catch (error) {
      if (!(error instanceof ServiceError && error.status === 429)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
  }
}

function header(request: RouteRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
