/** Turning thrown values into Lambda's `{errorType, errorMessage, trace}` shape. */
import { types } from 'node:util';
import type { LambdaError } from '../model/snapshot';

// Saved when the runtime loads, before any user code could replace it.
const isProxy = types.isProxy;

let runtimeFiles: readonly string[] = [];

/** Trace lines from these files (the bundled bootstrap, its instrumenter) and the Node internals below them are dropped. */
export function hideRuntimeFrames(...files: string[]): void {
  runtimeFiles = files;
}

function isRuntimeFrame(line: string): boolean {
  if (!/^\s+at /.test(line)) return false;
  for (let i = 0; i < runtimeFiles.length; i++) if (line.includes(runtimeFiles[i] as string)) return true;
  return false;
}

function cleanTrace(lines: string[]): string[] {
  if (runtimeFiles.length === 0) return lines;
  const first = lines.findIndex(isRuntimeFrame);
  if (first < 0) return lines;
  // Everything from our first frame down is the runtime calling the handler.
  return lines.slice(0, first);
}

/**
 * Like the Lambda runtime: an Error gives its name, message and stack lines; any other
 * thrown value gives its typeof and its string form. (Reading `name`/`message` is what the
 * real runtime does when it reports an error, so this is not capture.) Never throws: a value
 * that cannot be read still gives an ordinary error response, the environment stays warm.
 */
export function toLambdaError(thrown: unknown): LambdaError {
  // A Proxy is described without being touched: even `instanceof` runs its getPrototypeOf
  // trap (user code), and throws when the Proxy was revoked.
  if (isProxy(thrown)) return { errorType: typeof thrown, errorMessage: 'a Proxy (not inspected: reading it would run its traps)', trace: [] };
  try {
    return describeThrown(thrown);
  } catch {
    return { errorType: typeof thrown, errorMessage: 'a value that could not be read', trace: [] };
  }
}

function describeThrown(thrown: unknown): LambdaError {
  if (thrown instanceof Error) {
    let errorType = 'Error';
    try {
      errorType = typeof thrown.name === 'string' && thrown.name ? thrown.name : thrown.constructor?.name || 'Error';
    } catch {
      /* keep Error */
    }
    let trace: string[] = [];
    try {
      trace = typeof thrown.stack === 'string' ? cleanTrace(thrown.stack.split('\n')) : [];
    } catch {
      /* no stack */
    }
    let errorMessage = '';
    try {
      errorMessage = String(thrown.message);
    } catch {
      /* keep empty */
    }
    return { errorType, errorMessage, trace };
  }
  // Both clients: `typeof` and the string form (3.x `toRapidResponse`: `toString()`; 4.x
  // `formatError`: `String()`), so an object gives `[object Object]`. A value with no string
  // form (a null-prototype object) gives the clients' fallback.
  try {
    return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: UNREADABLE_ERROR, trace: [] };
  }
}

/** The clients' message when the thrown value cannot be described (`toRapidResponse`, `formatError`). */
const UNREADABLE_ERROR = 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack';

/** Init failures mapped to the runtime's error types. */
export function toInitError(thrown: unknown, handlerString: string): LambdaError {
  const base = toLambdaError(thrown);
  if (isProxy(thrown)) return base;
  const code = typeof thrown === 'object' && thrown !== null ? (thrown as { code?: unknown }).code : undefined;
  if (thrown instanceof SyntaxError) {
    return { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: `SyntaxError: ${base.errorMessage}`, trace: base.trace };
  }
  // Only require()'s code: both clients rethrow an import()'s ERR_MODULE_NOT_FOUND as it is.
  if (code === 'MODULE_NOT_FOUND') {
    return { errorType: 'Runtime.ImportModuleError', errorMessage: `Error: ${base.errorMessage}`, trace: base.trace };
  }
  void handlerString;
  return base;
}

export function handlerNotFound(handlerString: string, why: 'missing' | 'not-function'): LambdaError {
  return {
    errorType: 'Runtime.HandlerNotFound',
    errorMessage: why === 'missing' ? `${handlerString} is undefined or not exported` : `${handlerString} is not a function`,
    trace: [],
  };
}
