/**
 * The local Lambda endpoint: an HTTP server on 127.0.0.1 that answers the Lambda API
 * routes Warm State needs, so `aws lambda invoke --endpoint-url`, SDK scripts and Warm
 * State's own deployed mode reach warm local functions.
 *
 * Every request passes the same gates, cheapest first, and nothing is read from a body until
 * the gates before it are passed: the Host guard, the route, the caller's key and permission
 * (auth.ts; routes that add code want a key whose signature can be checked), the route's body
 * limit, then the SigV4 signature over the body. A refused body is dropped unread (http.ts),
 * never buffered.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authenticator, type AccessPolicy } from './auth';
import type { BackendFactory } from './backend';
import { BackendPool } from './backends';
import { configurationRoutes } from './configuration-routes';
import { connectionClosed, discardBody, readBody, send, sendError } from './http';
import { functionErrorType, invokeRoute } from './invoke-route';
import { functionOutput } from '../lambda/report';
import { layerRoutes } from './layer-routes';
import { CONTROL_BODY_LIMIT, RouteTable, routePath, type AfterOutcome, type FunctionLogs } from './router';
import { createRunKey, writeRunKey, type RunKey } from './run-key';
import { errors, ServiceError } from './service-error';
import { EndpointState, type FunctionRegistration } from './state';
import { localRegion } from '../lambda/environment';

export interface EndpointOptions {
  /** 0 picks a free port. */
  port: number;
  functions: FunctionRegistration[];
  backendFactory: BackendFactory;
  /** Region of the ARNs the endpoint reports and of its functions' AWS_REGION; default the caller's (localRegion; serve and the editor pass callerRegion's). */
  region?: string;
  /** Principals besides the run's own key, and whether any signature is let in (unverified). */
  access?: AccessPolicy;
  /**
   * Where to write the run's key pair (mode 0600) so Warm State's CLI and extension find it, by
   * port; removed on close. Without it the key is only in `LambdaEndpoint.credentials`.
   */
  keyFile?: (port: number) => string;
  /** Called for every request after it is answered (the CLI prints a line per call: requestLine). */
  onRequest?: (entry: RequestEntry) => void;
  /**
   * Called with each invocation's log (Lambda's text, START to REPORT) once it is complete, after
   * its request's onRequest (for an early answer, once the environment has read it): what the
   * function wrote is seen where the endpoint runs, as Lambda's goes to CloudWatch whoever invoked.
   */
  onFunctionLogs?: (functionName: string, logs: string) => void;
}

/** One answered request (or what became of a queued invocation), for the request log. */
export interface RequestEntry extends AfterOutcome {
  method: string;
  path: string;
  /** The caller's connection had closed when the answer was ready (it gave up, or the endpoint is stopping): nobody received it. */
  undelivered?: boolean;
}

/** `POST /path -> 200, the function failed (TypeError) (3 ms)`: what the request log prints. */
export function requestLine(entry: RequestEntry): string {
  const outcome = entry.errorType ? `${entry.status} ${entry.errorType}` : entry.functionError ? `${entry.status}, the function failed (${entry.functionError})` : String(entry.status);
  const undelivered = entry.undelivered ? ', not delivered: the connection had closed' : '';
  return `${entry.method} ${entry.path} -> ${outcome}${undelivered} (${entry.ms} ms)`;
}

/**
 * What a function wrote in an invocation, a line each after its name (`orders | 2026-...  INFO  ...`):
 * the log without Lambda's START, END and REPORT lines, so a quiet invocation gives none; at most
 * the first and last lines of a long one (functionOutput), with a line saying what was left out.
 */
export function functionLogLines(functionName: string, logs: string): string[] {
  const { head, tail, omittedChars } = functionOutput(logs);
  const lines = omittedChars > 0 ? [...head, `… ${omittedChars} characters of output not shown here …`, ...tail] : [...head, ...tail];
  return lines.map((line) => `${functionName} | ${line}`);
}

export interface LambdaEndpoint {
  /** e.g. http://127.0.0.1:3001 */
  url: string;
  port: number;
  state: EndpointState;
  /** The run's key pair: requests signed with it are verified and may change anything. */
  credentials: RunKey;
  /** The file holding the key pair, when `keyFile` was given. */
  keyFile: string | null;
  close(): Promise<void>;
}

function isLocalHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

/** How long close() waits for requests under way to be logged once their environments are gone. */
const CLOSE_GRACE_MS = 2000;

export async function startLambdaEndpoint(options: EndpointOptions): Promise<LambdaEndpoint> {
  const state = new EndpointState(options.region ?? localRegion(process.env));
  for (const registration of options.functions) state.addFunction(registration);
  const pool = new BackendPool(state, options.backendFactory);
  const routes = new RouteTable([invokeRoute(state, pool), ...configurationRoutes(state, pool), ...layerRoutes(state)]);
  const credentials = createRunKey();
  const access = options.access ?? {};
  const auth = new Authenticator({
    ...access,
    principals: { ...access.principals, [credentials.accessKeyId]: { secretAccessKey: credentials.secretAccessKey } },
  });

  // What the owner does with a log never fails a request or an invocation.
  const showLogs = (logs: FunctionLogs | null | undefined): void => {
    if (!logs || !options.onFunctionLogs) return;
    try {
      options.onFunctionLogs(logs.functionName, logs.text);
    } catch {
      // (a terminal that went away)
    }
  };

  /**
   * Requests being handled and log lines still to come for answered ones: close() waits for
   * them (a moment at most), so that the owner's last lines come before it returns, not after.
   */
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>): void => {
    pending.add(work);
    const done = () => pending.delete(work);
    work.then(done, done);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : target.slice(queryAt + 1);
    let pathname = rawPath;
    let status = 500;
    let errorType: string | null = null;
    let functionError: string | null = null;
    let logs: Promise<FunctionLogs> | undefined;
    let undelivered = false;
    try {
      // DNS rebinding guard: a web page whose name resolves to 127.0.0.1 must not reach the
      // functions (it could sign requests itself); only local host names are served.
      if (!isLocalHost(request.headers.host)) {
        throw new ServiceError(403, 'AccessDeniedException', `The local endpoint only answers requests addressed to 127.0.0.1 or localhost, not ${String(request.headers.host)}`);
      }
      const routed = routePath(rawPath);
      if (routed === null) throw errors.unknownOperation(method, rawPath);
      pathname = routed;
      const match = routes.match(method, pathname);
      if (!match) throw errors.unknownOperation(method, pathname);
      const { route, params } = match;
      const admission = auth.admit(request.headers, route.action, (region) => route.resource(params, region));
      if (route.addsCode && !admission.principal?.secretAccessKey) {
        throw errors.codeChangeRefused(admission.caller.arn, route.action, route.resource(params, admission.caller.region), route.addsCode);
      }
      const limit = route.maxBody ?? CONTROL_BODY_LIMIT;
      const body = await readBody(request, limit, () => errors.requestTooLarge(limit, route.action.replace(/^lambda:/, '')));
      const caller = await auth.verify(admission, { method, rawPath, rawQuery, headers: request.headers, body });
      const reply = await route.handle({ method, params, query: new URLSearchParams(rawQuery), headers: request.headers, body, region: caller.region, caller });
      status = reply.status;
      undelivered = connectionClosed(request, response);
      send(response, reply.status, reply.body, reply.headers);
      if (reply.headers['X-Amz-Function-Error']) functionError = functionErrorType(reply.body);
      logs = reply.logs;
      // A queued invocation's fate gets a line of its own once known, its log under it.
      if (reply.after) {
        track(
          reply.after().then(({ logs: queuedLogs, ...outcome }) => {
            options.onRequest?.({ method, path: `${pathname} (queued)`, ...outcome });
            showLogs(queuedLogs);
          }),
        );
      }
    } catch (error) {
      const serviceError = error instanceof ServiceError ? error : errors.internal(error instanceof Error ? error.message : String(error));
      status = serviceError.status;
      errorType = serviceError.errorType;
      if (!request.complete) discardBody(request);
      undelivered = connectionClosed(request, response);
      if (!response.headersSent) sendError(response, serviceError);
      else response.destroy();
    }
    options.onRequest?.({ method, path: pathname, status, errorType, functionError, ms: Date.now() - started, ...(undelivered ? { undelivered } : {}) });
    if (logs) track(logs.then(showLogs));
  };

  const server = createServer((request, response) => {
    track(handle(request, response));
  });
  // Keep-alive sockets would hold close() open; the SDK reconnects as needed.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // 127.0.0.1 only: other machines never reach it; local users need the run's key (auth.ts).
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const keyFile = options.keyFile?.(port) ?? null;
  let removeKeyFile: () => void = () => undefined;
  try {
    if (keyFile) removeKeyFile = writeRunKey(keyFile, credentials, url);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  return {
    url,
    port,
    state,
    credentials,
    keyFile,
    close: async () => {
      removeKeyFile();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.dispose();
      // Invocations cut off by the dispose end at once (their log lines follow them: wait again
      // while more come); a request still reading its body may not end: not past the grace time.
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (pending.size > 0 && Date.now() < deadline) {
        await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, deadline - Date.now()).unref())]);
      }
    },
  };
}
