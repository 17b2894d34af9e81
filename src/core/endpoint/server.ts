/**
 * The local Lambda endpoint: an HTTP server on 127.0.0.1 that answers the Lambda API
 * routes Warm State needs, so `aws lambda invoke --endpoint-url`, SDK scripts and Warm
 * State's own deployed mode reach warm local functions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorize, type AccessPolicy } from './auth';
import type { BackendFactory } from './backend';
import { BackendPool } from './backends';
import { configurationRoutes } from './configuration-routes';
import { readBody, send, sendError } from './http';
import { invokeRoute, PAYLOAD_LIMIT } from './invoke-route';
import { layerRoutes } from './layer-routes';
import { matchRoute, type Route } from './router';
import { errors, ServiceError } from './service-error';
import { EndpointState, type FunctionRegistration } from './state';

/** Bodies other than Invoke's (layer zips travel base64 in JSON): Lambda's direct-upload limit plus base64. */
const CONTROL_BODY_LIMIT = 70 * 1024 * 1024;

export interface EndpointOptions {
  /** 0 picks a free port. */
  port: number;
  functions: FunctionRegistration[];
  backendFactory: BackendFactory;
  /** Region used when a request carries none (unsigned calls); default us-east-1. */
  region?: string;
  access?: AccessPolicy;
  /** Called for every request after it is answered (the CLI prints a line per call). */
  onRequest?: (entry: { method: string; path: string; status: number; errorType: string | null; ms: number }) => void;
}

export interface LambdaEndpoint {
  /** e.g. http://127.0.0.1:3001 */
  url: string;
  port: number;
  state: EndpointState;
  close(): Promise<void>;
}

function isLocalHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

export async function startLambdaEndpoint(options: EndpointOptions): Promise<LambdaEndpoint> {
  const state = new EndpointState(options.region ?? 'us-east-1');
  for (const registration of options.functions) state.addFunction(registration);
  const pool = new BackendPool(state, options.backendFactory);
  const routes: Route[] = [invokeRoute(state, pool), ...configurationRoutes(state, pool), ...layerRoutes(state)];
  const access = options.access ?? {};

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const rawPath = (request.url ?? '/').split('?')[0];
    let status = 500;
    let errorType: string | null = null;
    try {
      // DNS rebinding guard: a web page whose name resolves to 127.0.0.1 must not reach the
      // functions (it could sign requests itself); only local host names are served.
      if (!isLocalHost(request.headers.host)) {
        await readBody(request, 0);
        throw new ServiceError(403, 'AccessDeniedException', `The local endpoint only answers requests addressed to 127.0.0.1 or localhost, not ${String(request.headers.host)}`);
      }
      const match = matchRoute(routes, method, url.pathname);
      const limit = match?.route.method === 'POST' && match.route.pattern.endsWith('/invocations') ? PAYLOAD_LIMIT : CONTROL_BODY_LIMIT;
      const { body, tooLarge } = await readBody(request, limit);
      if (!match) throw errors.unknownOperation(method, url.pathname);
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? state.region;
      authorize(access, { method, rawPath, rawQuery: url.search.slice(1), headers: request.headers, body }, match.route.action, match.route.resource(match.params, region));
      const reply = await match.route.handle({ method, params: match.params, query: url.searchParams, headers: request.headers, body, tooLarge, region });
      status = reply.status;
      send(response, reply.status, reply.body, reply.headers);
      if (reply.after) void reply.after();
    } catch (error) {
      const serviceError = error instanceof ServiceError ? error : errors.internal(error instanceof Error ? error.message : String(error));
      status = serviceError.status;
      errorType = serviceError.errorType;
      if (!response.headersSent) sendError(response, serviceError);
      else response.destroy();
    }
    options.onRequest?.({ method, path: url.pathname, status, errorType, ms: Date.now() - started });
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  // Keep-alive sockets would hold close() open; the SDK reconnects as needed.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // 127.0.0.1 only: the endpoint runs user code on request and has no real authentication.
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.dispose();
    },
  };
}
