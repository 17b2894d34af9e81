/**
 * Console output in the Lambda Node.js runtime's text format:
 * `<ISO time>\t<requestId>\t<LEVEL>\t<message>\n`, with `undefined` as the request id during
 * init, as on Lambda. Lambda also turns newlines inside a message into `\r` for CloudWatch;
 * we keep `\n` because the output is read in a terminal or a panel, not in CloudWatch.
 */
import { format } from 'node:util';
import { isoNow } from './intrinsics';

export interface LambdaConsole {
  setRequestId(id: string | undefined): void;
  /** Writes one Lambda-format line (used for the runtime's own `Invoke Error` lines too). */
  line(level: string, message: string): void;
}

/**
 * `requestIdOf`: Managed Instances, where many invocations run at once: the request id of the
 * invocation whose code is running (its async context), as the 4.x client's InvokeStore gives it.
 */
export function installLambdaConsole(write: (text: string) => void, requestIdOf?: () => string | undefined): LambdaConsole {
  let requestId: string | undefined;
  const line = (level: string, message: string): void => {
    const id = requestIdOf ? requestIdOf() : requestId;
    // The saved Date: the runtime's own lines must not run a Date the user replaced (fake timers).
    write(`${isoNow()}\t${id ?? 'undefined'}\t${level}\t${message}\n`);
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
    target[method] = (...args: unknown[]): void => line(level, format(...args));
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
