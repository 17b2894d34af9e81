import assert from 'node:assert/strict';
import {
  billedDuration,
  decodeLogResult,
  encodeLogTail,
  formatEndLine,
  formatReportLine,
  formatStartLine,
  functionOutput,
  parseLogTail,
  parseReportLine,
} from '../../src/core/lambda/report';

// A tail as Lambda returns it for a cold invocation of the freeze demo (tabs as Lambda writes them).
const COLD_TAIL = [
  'START RequestId: 6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f Version: $LATEST',
  "2026-11-26T15:00:00.000Z\t6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f\tINFO\tArray B: [ 'B' ]",
  'END RequestId: 6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f',
  'REPORT RequestId: 6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f\tDuration: 2.09 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\tInit Duration: 154.14 ms\t',
  '',
].join('\n');

describe('remote report: Lambda log tails', () => {
  it('decodes a base64 LogResult and parses START and REPORT of a cold start', () => {
    const tail = parseLogTail(decodeLogResult(Buffer.from(COLD_TAIL).toString('base64')));
    assert.equal(tail.requestId, '6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f');
    assert.equal(tail.version, '$LATEST');
    assert.equal(tail.startMissing, false);
    assert.deepEqual(tail.report, {
      requestId: '6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f',
      durationMs: 2.09,
      billedDurationMs: 3,
      memorySizeMB: 128,
      maxMemoryUsedMB: 67,
      initDurationMs: 154.14,
      restoreDurationMs: null,
      status: null,
      errorType: null,
    });
  });

  it('reads a warm REPORT (no Init Duration), a timeout status and SnapStart restore', () => {
    const warm = parseReportLine('REPORT RequestId: a\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t');
    assert.equal(warm?.initDurationMs, null);
    assert.equal(warm?.maxMemoryUsedMB, 70);
    const timeout = parseReportLine(
      'REPORT RequestId: b\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 80 MB\tStatus: timeout',
    );
    assert.equal(timeout?.status, 'timeout');
    const restored = parseReportLine(
      'REPORT RequestId: c\tDuration: 5.5 ms\tBilled Duration: 100 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tRestore Duration: 300.12 ms\tBilled Restore Duration: 120 ms\t',
    );
    assert.equal(restored?.restoreDurationMs, 300.12);
    assert.equal(restored?.initDurationMs, null);
  });

  it('refuses lines that are not complete REPORT lines', () => {
    assert.equal(parseReportLine('START RequestId: a Version: 1'), null);
    assert.equal(parseReportLine('REPORT RequestId: a\tDuration: 1 ms'), null);
    assert.equal(parseReportLine('REPORT RequestId: a\tDuration: x ms\tBilled Duration: 1 ms\tMemory Size: 1 MB\tMax Memory Used: 1 MB'), null);
  });

  it('reports a tail without REPORT and one whose START was cut off', () => {
    const noReport = parseLogTail('START RequestId: r Version: 7\nhello\nEND RequestId: r\n');
    assert.equal(noReport.report, null);
    assert.equal(noReport.version, '7');
    const cut = parseLogTail(COLD_TAIL.slice(COLD_TAIL.indexOf('\n') + 1));
    assert.equal(cut.startMissing, true);
    assert.equal(cut.report?.initDurationMs, 154.14);
    assert.equal(parseLogTail('').startMissing, false);
    assert.equal(decodeLogResult(undefined), '');
  });

  it('formats lines that parse back to the same figures', () => {
    const report = { requestId: 'id-1', durationMs: 12.3456, billedDurationMs: 13, memorySizeMB: 128, maxMemoryUsedMB: 60, initDurationMs: 99.5, status: null, errorType: null };
    const line = formatReportLine(report);
    assert.ok(line.endsWith('\t'));
    assert.deepEqual(parseReportLine(line), { ...report, durationMs: 12.35, restoreDurationMs: null });
    const text = [formatStartLine('id-1'), formatEndLine('id-1'), line].join('\n');
    assert.equal(parseLogTail(text).version, '$LATEST');
    assert.equal(billedDuration(0.2), 1);
    assert.equal(billedDuration(12.01), 13);
  });

  it('keeps only the last 4 KB of a long log, on a character boundary', () => {
    const [startLine, ...rest] = COLD_TAIL.split('\n');
    const long = `${startLine}\n${'é'.repeat(3000)}\n${rest.join('\n')}`;
    const encoded = encodeLogTail(long);
    const bytes = Buffer.from(encoded, 'base64');
    assert.ok(bytes.length <= 4096 && bytes.length >= 4095, `length ${bytes.length}`);
    const decoded = decodeLogResult(encoded);
    assert.ok(!decoded.includes('\uFFFD'), 'no broken character at the cut');
    assert.ok(decoded.endsWith(rest.join('\n')));
    assert.equal(parseLogTail(decoded).startMissing, true);
    assert.equal(decodeLogResult(encodeLogTail('short')), 'short');
  });

  it("keeps what the function wrote and leaves out Lambda's START, END and REPORT lines", () => {
    assert.deepEqual(functionOutput(COLD_TAIL), { head: ["2026-11-26T15:00:00.000Z\t6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f\tINFO\tArray B: [ 'B' ]"], tail: [], omittedChars: 0 });
    const id = '6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f';
    const quiet = `${formatStartLine(id)}\n${formatEndLine(id)}\nREPORT RequestId: ${id}\tDuration: 1.00 ms\n`;
    assert.deepEqual(functionOutput(quiet), { head: [], tail: [], omittedChars: 0 }, 'a quiet invocation gives no line');
    // Init output comes before START; a multi-line message keeps its lines; a line that only mentions END is the function's.
    const cold = `2026-11-26T15:00:00.000Z\tundefined\tINFO\tloading\n${formatStartLine(id)}\nfirst\nsecond\n  END RequestId: said by the function\n${formatEndLine(id)}\n`;
    assert.deepEqual(functionOutput(cold).head, ['2026-11-26T15:00:00.000Z\tundefined\tINFO\tloading', 'first', 'second', '  END RequestId: said by the function']);
  });

  it('shows the first and last lines of a long log, each cut to a length, and counts what it left out', () => {
    const id = '6f9a1c2e-1111-4c55-9b5e-0a1b2c3d4e5f';
    const limits = { headLines: 3, tailLines: 2, lineChars: 10 };
    const body = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    const log = `${formatStartLine(id)}\n${body}\n${formatEndLine(id)}\nREPORT RequestId: ${id}\tDuration: 1.00 ms\n`;
    const shown = functionOutput(log, limits);
    assert.deepEqual(shown.head, ['line 0', 'line 1', 'line 2']);
    assert.deepEqual(shown.tail, ['line 8', 'line 9']);
    assert.equal(shown.omittedChars, 'line 3\nline 4\nline 5\nline 6\nline 7'.length);
    // Exactly as many lines as fit: nothing is left out, Lambda's lines between them are not counted.
    assert.deepEqual(functionOutput(`${formatStartLine(id)}\na\nb\nc\nd\n${formatEndLine(id)}\ne\n`, limits), { head: ['a', 'b', 'c'], tail: ['d', 'e'], omittedChars: 0 });
    assert.deepEqual(functionOutput(`${'x'.repeat(25)}\nshort\n`, limits).head, ['xxxxxxxxxx… (line cut at 10 characters)', 'short']);
    // Megabytes of output: only the ends are read into lines.
    const huge = `${formatStartLine(id)}\n${'y'.repeat(9).concat('\n').repeat(1_000_000)}${formatEndLine(id)}\n`;
    const big = functionOutput(huge, limits);
    assert.deepEqual([big.head.length, big.tail.length], [3, 2]);
    assert.ok(big.omittedChars > 9_000_000, `${big.omittedChars}`);
    // Nothing but blank lines: looked at from each end a bounded number of times, not walked through.
    const blank = functionOutput('\n'.repeat(5_000_000), limits);
    assert.deepEqual([blank.head, blank.tail], [[], []]);
    assert.ok(blank.omittedChars > 4_000_000);
    // A CR of CRLF output is not shown; a cut never splits a character written as a surrogate pair.
    assert.deepEqual(functionOutput('one\r\n\r\ntwo\r\n', limits).head, ['one', 'two']);
    assert.deepEqual(functionOutput(`${'a'.repeat(9)}😀tail\n`, limits).head, ['aaaaaaaaa… (line cut at 10 characters)']);
  });
});
