/**
 * What the differential suite compares per invocation, the same shape for both sides, and the
 * normalisations applied to both before comparing: only where a side embeds something that
 * cannot be equal (absolute paths of its own files, request ids, timestamps).
 */
import type { OracleProfile } from '../../scripts/oracle/clients';

export interface InvocationOutcome {
  cold: boolean;
  /**
   * `response`: the invocation answered. `error`: it failed. `init-error`: the runtime's init
   * failed and this invocation reports it (Lambda: `Runtime.*` from `/runtime/init/error`).
   * `refused`: the local engine would not run it at all (no Lambda equivalent).
   */
  kind: 'response' | 'error' | 'init-error' | 'refused';
  response?: unknown;
  errorType?: string;
  errorMessage?: string;
  /** The console lines the invocation logged (consoleLines), when the case compares logs. */
  logs?: string[];
}

export interface OracleCase {
  /** Unique and readable: the test title and the mismatch list use it. */
  name: string;
  /** LAMBDA_TASK_ROOT, absolute. */
  taskRoot: string;
  /** Lambda's `Handler` setting. */
  handler: string;
  /** One invocation per event, in order, in one execution environment. */
  events: unknown[];
  profiles: readonly OracleProfile[];
  env?: Record<string, string>;
  /** Invoke's ClientContext (decoded) given to every invocation of the case. */
  clientContext?: unknown;
  /**
   * Compare the console lines too: state that only shows in logs (the freeze demo), the request
   * id written outside an invocation, the runtime's init and invoke error lines.
   */
  compareLogs?: boolean;
}

export interface Normalisation {
  /** The task root, written `/var/task` as on Lambda. */
  taskRoot: string;
  /** Folders of one side's runtime code (the client package, Warm State's dist), written `/var/runtime`. */
  runtimeDirs: string[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

/**
 * The normalisations, all of them. Paths are written as Lambda shows them, so a normalised
 * message reads as the deployed function's would:
 * - a path inside the side's own runtime code becomes `/var/runtime/<file name>` (the real client
 *   here lives under .cache/oracle, Warm State's runtime under dist/child; on Lambda the client
 *   is one bundle, /var/runtime/index.mjs), written as a path or a file URL;
 * - the task root's absolute path becomes `/var/task` (a path or a file URL);
 * - request ids (UUIDs) become `<requestId>` and ISO timestamps `<time>` (platform errors and
 *   log lines embed them).
 * Nothing else: error types, messages, responses and module state must be equal as they are.
 */
export function normaliseText(text: string, how: Normalisation): string {
  let out = text;
  for (const dir of how.runtimeDirs) {
    const escaped = escapeRegExp(dir);
    out = out.replace(new RegExp(`(?:file://)?${escaped}/[^\\s'"):]+`, 'g'), (path) => `${path.startsWith('file:') ? 'file://' : ''}/var/runtime/${path.slice(path.lastIndexOf('/') + 1)}`);
  }
  const root = escapeRegExp(how.taskRoot);
  out = out.replace(new RegExp(`(file://)?${root}`, 'g'), (_match, url: string | undefined) => `${url ?? ''}/var/task`);
  return out.replace(UUID, '<requestId>').replace(ISO_TIME, '<time>');
}

export function normaliseOutcome(outcome: InvocationOutcome, how: Normalisation): InvocationOutcome {
  const normalised: InvocationOutcome = { cold: outcome.cold, kind: outcome.kind };
  if (outcome.response !== undefined) normalised.response = normaliseValue(outcome.response, how);
  if (outcome.errorType !== undefined) normalised.errorType = outcome.errorType;
  if (outcome.errorMessage !== undefined) normalised.errorMessage = normaliseText(outcome.errorMessage, how);
  if (outcome.logs !== undefined) normalised.logs = outcome.logs.map((line) => normaliseText(line, how));
  return normalised;
}

function normaliseValue(value: unknown, how: Normalisation): unknown {
  if (typeof value === 'string') return normaliseText(value, how);
  if (Array.isArray(value)) return value.map((item) => normaliseValue(item, how));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normaliseValue(item, how)]));
  }
  return value;
}

/** The runtime's own ERROR lines: a label, a space, a tab, then the error as JSON (`toFormatted`). */
const RUNTIME_ERROR_LINE = /^(Uncaught Exception|Unhandled Promise Rejection|Init Error|Invoke Error) \t(\{.*\})$/;

/**
 * The console lines of a Lambda-format log (`time\trequestId\tLEVEL\tmessage`), each written
 * `requestId\tLEVEL\tmessage`: the request id column shows what a client writes outside an
 * invocation (`undefined`, `-`), a real id is normalised later. A runtime error line keeps its
 * label and the error's type and message: the stack in its JSON is each side's own code.
 */
export function consoleLines(logs: string): string[] {
  const lines: string[] = [];
  for (const line of logs.split('\n')) {
    const match = /^\S+\t(\S+)\t([A-Z]+)\t(.*)$/.exec(line);
    if (!match) continue;
    const [, requestId, level, message] = match as unknown as [string, string, string, string];
    lines.push(`${requestId}\t${level}\t${runtimeErrorLine(message) ?? message.replace(/\r/g, '\n')}`);
  }
  return lines;
}

function runtimeErrorLine(message: string): string | null {
  const match = RUNTIME_ERROR_LINE.exec(message);
  if (!match) return null;
  try {
    const { errorType, errorMessage } = JSON.parse(match[2] as string) as { errorType?: unknown; errorMessage?: unknown };
    return `${match[1] as string} \t${JSON.stringify({ errorType, errorMessage })}`;
  } catch {
    return message;
  }
}

/** The error fields of a Lambda error document, or a note saying the payload was not one. */
export function errorFields(payload: unknown): { errorType?: string; errorMessage?: string } {
  if (payload === null || typeof payload !== 'object') return { errorMessage: `not an error document: ${JSON.stringify(payload)}` };
  const { errorType, errorMessage } = payload as { errorType?: unknown; errorMessage?: unknown };
  return {
    ...(typeof errorType === 'string' ? { errorType } : {}),
    ...(typeof errorMessage === 'string' ? { errorMessage } : {}),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
