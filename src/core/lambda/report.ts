/**
 * Lambda's platform log lines (START / END / REPORT) and the base64 log tail returned by
 * Invoke with `LogType: Tail`. Pure functions: used by the deployed client to read a
 * tail and by the local endpoint to write one.
 *
 * Formats, as Lambda writes them (fields tab-separated, REPORT ends with a tab):
 *   START RequestId: <id> Version: $LATEST
 *   END RequestId: <id>
 *   REPORT RequestId: <id>\tDuration: 2.09 ms\tBilled Duration: 157 ms\tMemory Size: 128 MB\t
 *     Max Memory Used: 67 MB\tInit Duration: 154.14 ms\t
 * Init Duration appears on the first invocation of an execution environment only; SnapStart
 * adds Restore Duration; a timeout or crash adds `Status: timeout` / `Status: error` and
 * `Error Type: ...`.
 */

/** What Lambda returns at most in X-Amz-Log-Result: the last 4 KB of the invocation's log. */
export const LOG_TAIL_BYTES = 4096;

export interface ReportLine {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** Present only on a cold start: the environment's init phase. */
  initDurationMs: number | null;
  /** SnapStart restores report this instead of Init Duration. */
  restoreDurationMs: number | null;
  /** `timeout`, `error`... when the platform reports an abnormal end, else null. */
  status: string | null;
  errorType: string | null;
}

export interface LogTail {
  /** The decoded text, as returned by Lambda. */
  text: string;
  requestId: string | null;
  /** From the START line: `$LATEST` or a version number; null when START was cut off. */
  version: string | null;
  report: ReportLine | null;
  /** True when the tail was cut at 4 KB so that its start (START line, early output) is missing. */
  startMissing: boolean;
}

/** Decodes the X-Amz-Log-Result / LogResult value. Undefined or empty gives ''. */
export function decodeLogResult(logResult: string | undefined | null): string {
  if (!logResult) return '';
  return Buffer.from(logResult, 'base64').toString('utf8');
}

/**
 * The last `maxBytes` of `text`, base64-encoded, like X-Amz-Log-Result. A cut inside a
 * multi-byte character drops the partial character so the result stays valid UTF-8.
 */
export function encodeLogTail(text: string, maxBytes = LOG_TAIL_BYTES): string {
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length > maxBytes) {
    let start = bytes.length - maxBytes;
    while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
    bytes = bytes.subarray(start);
  }
  return bytes.toString('base64');
}

const REPORT_PREFIX = 'REPORT RequestId: ';

/** Parses one REPORT line; null when the line is not a REPORT line or lacks the core figures. */
export function parseReportLine(line: string): ReportLine | null {
  const trimmed = line.replace(/\r$/, '');
  if (!trimmed.startsWith(REPORT_PREFIX)) return null;
  const fields = new Map<string, string>();
  for (const part of trimmed.split('\t')) {
    const colon = part.indexOf(': ');
    if (colon > 0) fields.set(part.slice(0, colon).trim(), part.slice(colon + 2).trim());
  }
  const requestId = fields.get('REPORT RequestId');
  const duration = milliseconds(fields.get('Duration'));
  const billed = milliseconds(fields.get('Billed Duration'));
  const memorySize = megabytes(fields.get('Memory Size'));
  const maxUsed = megabytes(fields.get('Max Memory Used'));
  if (!requestId || duration === null || billed === null || memorySize === null || maxUsed === null) return null;
  return {
    requestId,
    durationMs: duration,
    billedDurationMs: billed,
    memorySizeMB: memorySize,
    maxMemoryUsedMB: maxUsed,
    initDurationMs: milliseconds(fields.get('Init Duration')),
    restoreDurationMs: milliseconds(fields.get('Restore Duration')),
    status: fields.get('Status') ?? null,
    errorType: fields.get('Error Type') ?? null,
  };
}

function milliseconds(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d+(?:\.\d+)?) ms$/.exec(value);
  return match ? Number(match[1]) : null;
}

function megabytes(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d+) MB$/.exec(value);
  return match ? Number(match[1]) : null;
}

/** Reads a decoded log tail: the START line's request id and version, and the last REPORT line. */
export function parseLogTail(text: string): LogTail {
  const lines = text.split('\n');
  let requestId: string | null = null;
  let version: string | null = null;
  let report: ReportLine | null = null;
  let sawStart = false;
  for (const line of lines) {
    const start = /^START RequestId: (\S+)(?: Version: (\S+))?/.exec(line);
    if (start) {
      sawStart = true;
      requestId = start[1];
      version = start[2] ?? null;
      continue;
    }
    const parsed = parseReportLine(line);
    if (parsed) {
      report = parsed;
      requestId = parsed.requestId;
    }
  }
  return { text, requestId, version, report, startMissing: !sawStart && text.length > 0 };
}

/** What functionOutput shows at most of one invocation: the first and last lines, each cut to a length. */
export const FUNCTION_OUTPUT_LIMITS = { headLines: 50, tailLines: 20, lineChars: 2000 };

export interface FunctionOutput {
  /** The first lines, and the last ones when the log has more than fit in `head`. */
  head: string[];
  tail: string[];
  /** Characters between `head` and `tail` that are not shown (0: nothing left out). */
  omittedChars: number;
}

/**
 * What the function itself wrote in an invocation's log (its console and streams, an init's
 * output, the runtime's own error lines), line by line: the log without the platform's START,
 * END and REPORT lines, which say nothing a terminal's request line does not. None for a quiet
 * function. At most the first `headLines` and the last `tailLines`, each cut to `lineChars`:
 * a log can hold megabytes (a Runtime API function's output is not cut), and the lines are found
 * by walking in from both ends, never by splitting the whole text.
 */
export function functionOutput(logs: string, limits = FUNCTION_OUTPUT_LIMITS): FunctionOutput {
  // Lines looked at from each end, kept or not (blank, Lambda's own): a log of nothing but
  // newlines is not walked to its end either.
  const headLooks = limits.headLines * 2 + 8;
  const tailLooks = limits.tailLines * 2 + 8;
  const head: string[] = [];
  let from = 0;
  for (let looked = 0; from < logs.length && head.length < limits.headLines && looked < headLooks; looked++) {
    const newline = logs.indexOf('\n', from);
    const end = newline < 0 ? logs.length : newline;
    const line = shown(logs.slice(from, Math.min(end, from + limits.lineChars + PLATFORM_PREFIX_CHARS)), limits.lineChars);
    if (line !== null) head.push(line);
    from = end + 1;
  }
  const tail: string[] = [];
  let to = logs.length;
  for (let looked = 0; to > from && tail.length < limits.tailLines && looked < tailLooks; looked++) {
    const newline = logs.lastIndexOf('\n', to - 1);
    const start = Math.max(newline + 1, from);
    const line = shown(logs.slice(start, Math.min(to, start + limits.lineChars + PLATFORM_PREFIX_CHARS)), limits.lineChars);
    if (line !== null) tail.unshift(line);
    to = newline < from ? from : newline;
  }
  // Between the two walks: nothing, Lambda's own lines (a few dozen characters each), or text left out.
  const between = to - from;
  const omittedChars = between > 4096 ? between : between > 0 ? logs.slice(from, to).replace(/^(?:START|END|REPORT) RequestId: .*$/gm, '').trim().length : 0;
  return { head, tail, omittedChars };
}
const PLATFORM_LINE = /^(?:START|END|REPORT) RequestId: /;
/** Enough of a line to tell a platform line (`REPORT RequestId: ` is 18 characters), however short the cut. */
const PLATFORM_PREFIX_CHARS = 20;

/** A line as shown (its CR dropped, cut to `chars` without splitting a character); null for a blank or platform line. */
function shown(text: string, chars: number): string | null {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (line.trim() === '' || PLATFORM_LINE.test(line)) return null;
  if (line.length <= chars) return line;
  // One UTF-16 unit less rather than half of a surrogate pair.
  const at = /[\ud800-\udbff]/.test(line[chars - 1]) ? chars - 1 : chars;
  return `${line.slice(0, at)}… (line cut at ${chars} characters)`;
}

/** Lambda's `START` line. */
export function formatStartLine(requestId: string, version = '$LATEST'): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

/** Lambda's `END` line. */
export function formatEndLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** Lambda's `REPORT` line, with the trailing tab Lambda writes. Durations keep two decimals, billed ones are whole. */
export function formatReportLine(report: Omit<ReportLine, 'restoreDurationMs'> & { restoreDurationMs?: number | null }): string {
  return `${reportFields(report)}\t`;
}

/** The REPORT line's fields, tab-separated, without the trailing tab (the local log's form; built on every invocation, so plain concatenation). */
export function reportFields(report: Omit<ReportLine, 'restoreDurationMs'> & { restoreDurationMs?: number | null }): string {
  let line = `${REPORT_PREFIX}${report.requestId}\tDuration: ${report.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.round(report.billedDurationMs)} ms\tMemory Size: ${report.memorySizeMB} MB\tMax Memory Used: ${report.maxMemoryUsedMB} MB`;
  if (report.initDurationMs !== null) line += `\tInit Duration: ${report.initDurationMs.toFixed(2)} ms`;
  if (report.restoreDurationMs != null) line += `\tRestore Duration: ${report.restoreDurationMs.toFixed(2)} ms`;
  if (report.status) line += `\tStatus: ${report.status}`;
  if (report.errorType) line += `\tError Type: ${report.errorType}`;
  return line;
}

/**
 * Lambda bills whole milliseconds, rounding up (since December 2020), and since August 1, 2025
 * the init phase of an on-demand cold start as well (before, only images and custom runtimes
 * paid for it): a cold invocation's Billed Duration is its Duration and its Init Duration
 * together (`Duration: 2.54 ms  Billed Duration: 259 ms  Init Duration: 255.90 ms`).
 */
export function billedDuration(durationMs: number, initDurationMs: number | null = null): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}
