/**
 * Maps Lambda REST paths to handlers. Paths are matched on their decoded segments, so a
 * function name given as an ARN (URL-encoded by the SDK) arrives whole.
 */
import type { IncomingMessage } from 'node:http';
import type { Caller } from './auth';

export interface RouteRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The whole request body (never more than the route's `maxBody`). */
  body: Buffer;
  /** Region the caller signed for (the endpoint plays every region). */
  region: string;
  /** Who is calling; `verified` callers may make changes that run code. */
  caller: Caller;
}

export interface Reply {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
  /** Work to run after the reply is sent (asynchronous `Event` invocations); its outcome goes to the request log. */
  after?: () => Promise<AfterOutcome>;
  /** A synchronous invocation's log, once complete (after an early answer, later than the reply; a line saying why when it never completed). */
  logs?: Promise<FunctionLogs>;
}

/** One invocation's log (Lambda's text, START to REPORT), for the endpoint's owner to show. */
export interface FunctionLogs {
  functionName: string;
  text: string;
}

/** A request's outcome, or that of work done after its reply (a queued invocation). */
export interface AfterOutcome {
  status: number;
  /** The service's error (403 AccessDeniedException...), null when the call succeeded. */
  errorType: string | null;
  /** An invocation whose function failed (200 with X-Amz-Function-Error): its errorType; else null. */
  functionError: string | null;
  ms: number;
  /** A queued invocation that ran: its log. */
  logs?: FunctionLogs;
}

export interface Route<Result = Reply> {
  method: string;
  /** Segments; `{name}` captures one segment. */
  pattern: string;
  /** The IAM action it needs, for the endpoint's access checks (e.g. `lambda:InvokeFunction`). */
  action: string;
  /** The ARN an AccessDenied message names for this request. */
  resource: (params: Record<string, string>, region: string) => string;
  /** Largest body accepted, in bytes: anything bigger is refused before it is read (default CONTROL_BODY_LIMIT). */
  maxBody?: number;
  /**
   * Set on routes whose every call adds code a function may run (the value names it in the
   * refusal): only callers whose signature can be verified may call them, which is decided
   * before their body is read.
   */
  addsCode?: string;
  handle: (request: RouteRequest) => Promise<Result>;
}

/** Bodies of calls that carry a little JSON (configuration): far more than they need, far less than memory. */
export const CONTROL_BODY_LIMIT = 256 * 1024;

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body: Buffer.from(JSON.stringify(value)), headers: { 'Content-Type': 'application/json', ...headers } };
}

export interface RouteMatch<Result> {
  route: Route<Result>;
  params: Record<string, string>;
}

/**
 * A path the SDKs send: no dot, plain or encoded (`%2e` too is a dot segment), backslash,
 * `//host` form or character URL parsing would encode.
 */
const PLAIN_PATH = /^\/(?!\/)(?!.*%2e)[\w\-~!$&'()*+,;=:@%/]*$/i;

/**
 * The pathname routes match, as WHATWG URL parsing gives it (dot segments resolved, a backslash read
 * as `/`, a `//host/...` target taken as a host): a plain path is its own pathname, and skips
 * the parse (every Invoke's path is one). Null when URL parsing refuses the target.
 */
export function routePath(rawPath: string): string | null {
  if (PLAIN_PATH.test(rawPath)) return rawPath;
  try {
    return new URL(rawPath, 'http://127.0.0.1').pathname;
  } catch {
    // A target URL parsing refuses (e.g. `//`, `//[`, `//x:99999/`, `https:`) names no route.
    return null;
  }
}

/** A route with its pattern split once: literal segments to compare, `{name}` captures. */
interface CompiledRoute<Result> {
  route: Route<Result>;
  parts: readonly ({ literal: string } | { capture: string })[];
}

/**
 * The routes, their patterns split once (matching runs on every request, Invoke's included).
 * Matching is on non-empty segments, so `/a//b/` matches the pattern `/a/b`.
 */
export class RouteTable<Result = Reply> {
  private readonly compiled: CompiledRoute<Result>[];

  constructor(routes: readonly Route<Result>[]) {
    this.compiled = routes.map((route) => ({
      route,
      parts: segmentsOf(route.pattern).map((part) => (part.startsWith('{') && part.endsWith('}') ? { capture: part.slice(1, -1) } : { literal: part })),
    }));
  }

  match(method: string, pathname: string): RouteMatch<Result> | null {
    const segments = segmentsOf(pathname);
    for (const { route, parts } of this.compiled) {
      if (route.method !== method || parts.length !== segments.length) continue;
      const params = matchSegments(parts, segments);
      if (params) return { route, params };
    }
    return null;
  }
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** The captures when every segment fits its part (a capture that is not valid percent-encoding does not); else null. */
function matchSegments(parts: CompiledRoute<unknown>['parts'], segments: readonly string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if ('literal' in part) {
      if (part.literal !== segments[i]) return null;
      continue;
    }
    try {
      params[part.capture] = decodeURIComponent(segments[i]);
    } catch {
      return null;
    }
  }
  return params;
}
