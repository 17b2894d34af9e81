/** Lambda's own log lines around an invocation (START / END / REPORT), formatted like the real ones. */

import { billedDuration, formatEndLine, formatStartLine, reportFields, type ReportLine } from './report';
import type { LambdaError } from '../model/snapshot';

// One formatter for Lambda's platform lines, shared with the deployed client and the local
// endpoint (lambda/report.ts); the local log keeps one line per entry, without REPORT's trailing tab.
export { billedDuration };

export type ReportFigures = Pick<ReportLine, 'requestId' | 'durationMs' | 'billedDurationMs' | 'memorySizeMB' | 'maxMemoryUsedMB' | 'initDurationMs'>;

export function startLine(requestId: string): string {
  return `${formatStartLine(requestId)}\n`;
}

export function endLine(requestId: string): string {
  return `${formatEndLine(requestId)}\n`;
}

export function reportLine(figures: ReportFigures): string {
  return `${reportFields({ ...figures, status: null, errorType: null })}\n`;
}

/**
 * The request id a runtime client writes in a console line outside any invocation (module
 * scope at init, and the init failure's own line): 3.x prints its unset global
 * (`logTextToStdout` reads `global[Symbol.for('aws.lambda.runtime.requestId')]`, src/LogPatch.js),
 * 4.x its InvokeStore's placeholder (`InvokeStoreBase.getRequestId`, `?? "-"`). Neither clears
 * the id when an invocation ends: output between invocations keeps the last one.
 */
export function requestIdOutsideInvocation(client: 3 | 4): string {
  return client === 3 ? 'undefined' : '-';
}

/**
 * The label of the ERROR line a failed init writes before its error document. 3.x: `run()`
 * rejects and its `uncaughtException` listener logs `Uncaught Exception` (src/index.mjs); 4.x:
 * `createRuntime` logs `Init Error` itself (dist/utils/runtime-setup.js).
 */
export function initFailureLabel(client: 3 | 4): string {
  return client === 3 ? 'Uncaught Exception' : 'Init Error';
}

export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/**
 * The error of a timed-out invocation as Lambda's Invoke answers it today (payload
 * `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out after
 * 1.00 seconds"}`; before 2025 it was `{"errorMessage":"<time> <id> Task timed out ..."}`, the
 * log line's words, which the runtime interface emulator still answers).
 */
export function timeoutError(requestId: string, timeoutSeconds: number): LambdaError {
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: ${timeoutMessage(timeoutSeconds)}`, trace: [] };
}

/** Init ran past its limit (INIT_LIMIT_MS) in any backend. */
export function initTimeoutError(limitMs: number): LambdaError {
  return { errorType: 'Runtime.InitTimeout', errorMessage: `Init timed out after ${(limitMs / 1000).toFixed(2)} seconds`, trace: [] };
}

/** An invocation its environment's end cut off (a reset, the endpoint stopping), in the words every backend answers it with. */
export function resetDuringInvocationError(requestId: string): LambdaError {
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: the environment was reset during the invocation`, trace: [] };
}

export function bytesToMB(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}
