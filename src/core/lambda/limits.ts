/**
 * Size limits: Lambda's own (the synchronous payload limit), and the caps an invocation record
 * keeps to (what Lambda has no limit for, but a record printed by the CLI, kept in the editor's
 * history and posted to the panel must have). Shared by the child, the local environment and the
 * local Lambda endpoint, so every face enforces the same numbers. Documented in
 * docs/snapshot-format.md (#size-limits).
 */
import type { LambdaError, RawInvocation, TruncatedField } from '../model/snapshot';
import { PAYLOAD_LIMIT_BYTES } from './defaults';

// Saved as the module loads: in the child that is before any user code, which may replace
// String.prototype.slice, Buffer.byteLength or put index setters on Array.prototype later.
const apply = Reflect.apply;
const defineProperty = Reflect.defineProperty;
const stringSlice = String.prototype.slice;
const utf8ByteLength = Buffer.byteLength;

// Here too, for the code that enforces the record's limits beside it (defined in defaults.ts,
// which the editor loads at activation, as event text is checked then).
export { PAYLOAD_LIMIT_BYTES };

/** What Lambda answers when a function's response is over the payload limit. */
export function responseSizeTooLarge(): LambdaError {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${PAYLOAD_LIMIT_BYTES} bytes).`,
    trace: [],
  };
}

/**
 * True when `json` (the text of a response) is over the payload limit in UTF-8. A text whose
 * UTF-16 length is already over it needs no count: it has at least that many bytes.
 */
export function isOverPayloadLimit(json: string): boolean {
  return json.length > PAYLOAD_LIMIT_BYTES || utf8ByteLength(json, 'utf8') > PAYLOAD_LIMIT_BYTES;
}

/** Per-string and per-list caps of a `{errorType, errorMessage, trace}` error. */
export interface ErrorLimits {
  typeChars: number;
  messageChars: number;
  traceLines: number;
  traceLineChars: number;
}

/**
 * What a record keeps of an error: the message up to 64 Ki characters, the first 100 trace
 * lines of at most 1 Ki characters each (the first stack line repeats the message), a type of
 * at most 1 Ki characters. Anything cut ends with `…`.
 */
export const RECORD_ERROR_LIMITS: ErrorLimits = { typeChars: 1024, messageChars: 64 * 1024, traceLines: 100, traceLineChars: 1024 };

/**
 * What the child sends: twice the record's caps, so that the host, which applies the record's
 * caps itself, always sees that something was cut and says so (`truncatedFields`), while a
 * 20 MB message never fills the pipe.
 */
export const TRANSPORT_ERROR_LIMITS: ErrorLimits = {
  typeChars: RECORD_ERROR_LIMITS.typeChars * 2,
  messageChars: RECORD_ERROR_LIMITS.messageChars * 2,
  traceLines: RECORD_ERROR_LIMITS.traceLines * 2,
  traceLineChars: RECORD_ERROR_LIMITS.traceLineChars * 2,
};

const ELLIPSIS = '…';

function cutText(text: string, limit: number): string {
  return text.length > limit ? (apply(stringSlice, text, [0, limit - ELLIPSIS.length]) as string) + ELLIPSIS : text;
}

/**
 * `error` within `limits`; `cut` says whether anything was shortened or dropped. Plain loops and
 * the saved built-ins above: the child runs this after user code, which may have replaced
 * Array.prototype's methods (elements are defined with a null-prototype descriptor, so neither
 * an index setter on Array.prototype nor a `get` getter on Object.prototype is consulted).
 */
export function limitLambdaError(error: LambdaError, limits: ErrorLimits): { error: LambdaError; cut: boolean } {
  const errorType = cutText(error.errorType, limits.typeChars);
  const errorMessage = cutText(error.errorMessage, limits.messageChars);
  let cut = errorType !== error.errorType || errorMessage !== error.errorMessage || error.trace.length > limits.traceLines;
  const trace: string[] = [];
  for (let i = 0; i < error.trace.length && i < limits.traceLines; i++) {
    const line = cutText(error.trace[i], limits.traceLineChars);
    if (line !== error.trace[i]) cut = true;
    defineProperty(trace, i, { __proto__: null, value: line, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
  }
  return cut ? { error: { errorType, errorMessage, trace }, cut } : { error, cut };
}

/**
 * Output kept per invocation (and per init) in a record's `logs`: the first and the last
 * 1 Mi characters, with a line saying how much was cut in between.
 */
export const LOG_HEAD_CHARS = 1024 * 1024;
export const LOG_TAIL_CHARS = 1024 * 1024;

export function logCutLine(cutChars: number): string {
  return `\n[Warm State cut ${cutChars} characters of output here: the logs of one invocation keep their first ${LOG_HEAD_CHARS} and last ${LOG_TAIL_CHARS} characters]\n`;
}

/** An invocation's outcome within the record's limits, and what Invoke returns for it. */
export interface LimitedOutcome {
  response: unknown;
  error: LambdaError | null;
  /** The error was cut to RECORD_ERROR_LIMITS. */
  errorCut: boolean;
  /** Invoke's payload: the response's JSON, or the error's when the function failed. */
  payload: string;
}

/**
 * The response's JSON, or null when it cannot be written: a value parsed from a forged message
 * can be nested deeper than JSON.stringify's recursion reaches (the child's own JSON.stringify
 * would have failed on such a value first).
 */
function serialized(response: unknown): string | null {
  try {
    return JSON.stringify(response) ?? 'null';
  } catch {
    return null;
  }
}

function unserializable(): LambdaError {
  return { errorType: 'Runtime.SerializationError', errorMessage: 'The response could not be serialized to JSON (nested too deep).', trace: [] };
}

/**
 * A response over the payload limit becomes Lambda's `Function.ResponseSizeTooLarge` error and
 * an error is cut to RECORD_ERROR_LIMITS. One function for the record and for the payload an
 * endpoint returns before the record is built, so the two never differ.
 */
export function limitOutcome(response: unknown, error: LambdaError | null): LimitedOutcome {
  if (error === null) {
    const payload = serialized(response);
    if (payload !== null && !isOverPayloadLimit(payload)) return { response, error, errorCut: false, payload };
    error = payload === null ? unserializable() : responseSizeTooLarge();
    response = null;
  }
  const limited = limitLambdaError(error, RECORD_ERROR_LIMITS);
  return { response, error: limited.error, errorCut: limited.cut, payload: JSON.stringify(limited.error) };
}

/**
 * Invoke's payload for a result that carries the response as JSON text (null: the function
 * failed with `error`): the text itself, or within the same limits as limitOutcome's, which gives
 * the same payload for the parsed response. No parse and no second stringify on the way out.
 */
export function limitPayload(responseJson: string | null, error: LambdaError | null): { payload: string; failed: boolean } {
  if (error !== null) return { payload: limitOutcome(null, error).payload, failed: true };
  if (responseJson !== null && isOverPayloadLimit(responseJson)) return { payload: limitOutcome(null, responseSizeTooLarge()).payload, failed: true };
  return { payload: responseJson ?? 'null', failed: false };
}

/**
 * `raw` within the record's limits (limitOutcome), every cut named in `truncatedFields` (with
 * `logs` when the caller cut the output; empty: no cut).
 */
export function applyRecordLimits(raw: RawInvocation, logsCut: boolean): RawInvocation {
  const truncated = new Set<TruncatedField>(raw.truncatedFields ?? []);
  if (logsCut) truncated.add('logs');
  const { response, error, errorCut } = limitOutcome(raw.response, raw.error);
  if (errorCut) truncated.add('error');
  return { ...raw, response, error, truncatedFields: [...truncated] };
}
