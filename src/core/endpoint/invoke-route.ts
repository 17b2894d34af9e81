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
import { errors, functionArn } from './service-error';
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
  // Each concurrent invocation takes an environment of its own; none left: Lambda's 429. The
  // check and the count it guards (run() counts at once) share one turn after the await.
  const backend = await pool.get(fn);
  if (fn.inFlight >= Math.min(fn.reservedConcurrency, backend.capacity)) throw errors.throttled();

  const run = () => runOnce(pool, fn, event, request.body);
  if (invocationType === 'Event') {
    fn.inFlight++;
    const requestId = randomUUID();
    return {
      status: 202,
      body: Buffer.alloc(0),
      headers: { 'x-amzn-RequestId': requestId },
      after: async () => {
        fn.inFlight--;
        await run().catch(() => undefined);
      },
    };
  }
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

function header(request: RouteRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
