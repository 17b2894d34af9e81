/**
 * Console output in the Lambda Node.js runtime's text format:
 * `<ISO time>\t<requestId>\t<LEVEL>\t<message>\n`. Before the first invocation the request id
 * is what the profile's client writes there (`undefined` or `-`, set at init:
 * lambda/log-lines.ts `requestIdOutsideInvocation`); after an invocation it stays the last
 * one's, as both clients leave it. Lambda also turns newlines inside a message into `\r` for CloudWatch;
 * we keep `\n` because the output is read in a terminal or a panel, not in CloudWatch.
 */
import { format } from 'node:util';
import { isoNow, jsonStringify } from './intrinsics';

export interface LambdaConsole {
  /** The request id of the lines from now on (an invocation's, or the client's text before the first). */
  setRequestId(id: string): void;
  /** Writes one Lambda-format line (used for the runtime's own `Invoke Error` lines too). */
  line(level: string, message: string): void;
}

/**
 * `requestIdOf`: Managed Instances, where many invocations run at once: the request id of the
 * invocation whose code is running (its async context), as the 4.x client's InvokeStore gives
 * it, and the lines are JSON, as that client always writes them in this mode (its
 * `formatJsonMessage`): `{"timestamp","level","requestId","message"}`, `"-"` outside any
 * invocation, one message kept as the value it is, several formatted, a logged Error's fields
 * added.
 */
export function installLambdaConsole(write: (text: string) => void, requestIdOf?: () => string | undefined): LambdaConsole {
  let requestId = 'undefined';
  const line = (level: string, message: string): void => {
    if (requestIdOf) {
      write(`${jsonStringify({ timestamp: isoNow(), level, requestId: requestIdOf() ?? '-', message })}\n`);
      return;
    }
    // The saved Date: the runtime's own lines must not run a Date the user replaced (fake timers).
    write(`${isoNow()}\t${requestId}\t${level}\t${message}\n`);
  };
  const log = (level: string, args: unknown[]): void => {
    if (!requestIdOf) return line(level, format(...args));
    write(`${jsonLine(level, requestIdOf() ?? '-', args)}\n`);
  };
  const levels: Array<[keyof Console, string]> = [
    ['log', 'INFO'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['debug', 'DEBUG'],
  ];
  const target = console as unknown as Record<string, unknown>;
  for (const [method, level] of levels) {
    target[method] = (...args: unknown[]): void => log(level, args);
  }
  target.trace = (...args: unknown[]): void => {
    const stack = new Error().stack?.split('\n').slice(2).join('\n') ?? '';
    line('TRACE', `Trace: ${format(...args)}\n${stack}`);
  };
  return {
    setRequestId(id) {
      requestId = id;
    },
    line,
  };
}

/**
 * A console call as the 4.x client writes it in Managed Instances mode. The user's own values
 * go through the global JSON.stringify, as there (a toJSON of theirs runs, in their own call).
 */
function jsonLine(level: string, id: string, args: unknown[]): string {
  const record: Record<string, unknown> = { timestamp: isoNow(), level, requestId: id };
  if (args.length === 1) {
    record.message = args[0];
    try {
      return JSON.stringify(record, (_key, value: unknown) => (value instanceof Error ? { errorType: value.constructor?.name ?? 'UnknownError', errorMessage: value.message, stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : [] } : value));
    } catch {
      record.message = format(args[0]);
      return jsonStringify(record);
    }
  }
  record.message = format(...args);
  const error = args.find((arg): arg is Error => arg instanceof Error);
  if (error) {
    record.errorType = error.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  try {
    return JSON.stringify(record);
  } catch {
    return jsonStringify({ timestamp: record.timestamp, level, requestId: id, message: record.message });
  }
}
