/**
 * What a record and the host keep of what a handler produces: bounded logs, records within
 * their size limits, and the end of a process tree on Windows.
 */
import assert from 'node:assert/strict';
import type { RawInvocation } from '../../src/core/model/snapshot';
import { applyRecordLimits, limitLambdaError, limitOutcome, limitPayload, PAYLOAD_LIMIT_BYTES, RECORD_ERROR_LIMITS, TRANSPORT_ERROR_LIMITS } from '../../src/core/lambda/limits';
import { OutputCollector } from '../../src/core/runtime/output-collector';
import { windowsTreeKill } from '../../src/core/runtime/process-group';
import { outputMarker, responseFromWire } from '../../src/core/runtime/protocol';

describe('runtime: bounded logs', () => {
  it('keeps the first and the last characters of a phase, says how much was cut between, and keeps markers working', () => {
    const collector = new OutputCollector(2, { headChars: 10, tailChars: 10 });
    collector.push('stdout', 'HEAD-START');
    for (let i = 0; i < 100; i++) collector.push(i % 2 ? 'stdout' : 'stderr', 'x'.repeat(7));
    collector.push('stdout', 'TAIL-END');
    collector.push('stdout', outputMarker('req'));
    collector.push('stderr', outputMarker('req'));
    collector.push('stdout', 'next phase');
    const text = collector.takeThrough('req');
    assert.equal(collector.takeCutChars(), 700 - 2);
    assert.ok(text.startsWith('HEAD-START\n[Warm State cut 698 characters of output here'), text);
    assert.ok(text.endsWith(']\nxxTAIL-END'), text);
    assert.equal(collector.takeThrough('later'), 'next phase', 'the next phase has its own budget');
    assert.equal(collector.takeCutChars(), 0);
  });

  it('never holds back more than a marker: a marker prefix followed by endless text is text', () => {
    const collector = new OutputCollector(1);
    collector.push('stdout', `a${outputMarker('x').slice(0, 4)}${'y'.repeat(1000)}`);
    assert.equal(collector.take().length, 1005);
    collector.push('stdout', `\u0000ws:${'z'.repeat(200)}\u0000after${outputMarker('real')}`);
    assert.equal(collector.takeThrough('real'), `\u0000ws:${'z'.repeat(200)}\u0000after`, 'a 200-character "id" is no marker');
  });
});

describe('runtime: record size limits', () => {
  const raw = (fields: Partial<RawInvocation>): RawInvocation => ({
    source: 'local',
    cold: false,
    requestId: 'r',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    billedDurationMs: 1,
    initDurationMs: null,
    memorySizeMB: 128,
    maxMemoryUsedMB: 60,
    response: null,
    error: null,
    logs: '',
    moduleScope: null,
    handlerScope: null,
    parameters: null,
    memory: null,
    reset: null,
    captureError: null,
    runtimeVersion: 'v20.0.0',
    generation: 1,
    ...fields,
  });

  it("answers a response over Lambda's 6 MiB like Lambda, and passes one of exactly 6 MiB", () => {
    const atLimit = 'a'.repeat(PAYLOAD_LIMIT_BYTES - 2); // plus the JSON quotes
    assert.equal(applyRecordLimits(raw({ response: atLimit }), false).response, atLimit);
    const over = applyRecordLimits(raw({ response: `${atLimit}é` }), false);
    assert.equal(over.response, null);
    assert.equal(over.error?.errorType, 'Function.ResponseSizeTooLarge');
    assert.equal(over.error?.errorMessage, 'Response payload size exceeded maximum allowed payload size (6291456 bytes).');
    assert.deepEqual(over.truncatedFields, [], 'an error as on Lambda, not a cut');
  });

  it('cuts an error to its limits and names what was cut; a record within them is unchanged', () => {
    const small = raw({ error: { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom', '    at x'] } });
    assert.deepEqual(applyRecordLimits(small, false), { ...small, truncatedFields: [] });
    const huge = 'm'.repeat(20 * 1024 * 1024);
    const limited = applyRecordLimits(raw({ error: { errorType: 'Error', errorMessage: huge, trace: [`Error: ${huge}`, ...Array.from({ length: 500 }, () => '    at x')] } }), true);
    assert.equal(limited.error?.errorMessage.length, RECORD_ERROR_LIMITS.messageChars);
    assert.ok(limited.error?.errorMessage.endsWith('…'));
    assert.equal(limited.error?.trace.length, RECORD_ERROR_LIMITS.traceLines);
    assert.equal(limited.error?.trace[0].length, RECORD_ERROR_LIMITS.traceLineChars);
    assert.deepEqual(limited.truncatedFields, ['logs', 'error']);
    assert.ok(JSON.stringify(limited).length < 200 * 1024);
  });

  it('leaves the host something to cut whenever the child cut an error on its way', () => {
    const message = 'm'.repeat(TRANSPORT_ERROR_LIMITS.messageChars * 3);
    const sent = limitLambdaError({ errorType: 'E', errorMessage: message, trace: [] }, TRANSPORT_ERROR_LIMITS);
    assert.equal(sent.cut, true);
    assert.equal(limitLambdaError(sent.error, RECORD_ERROR_LIMITS).cut, true);
  });
});

describe('runtime: ending a process tree on Windows', () => {
  it('uses taskkill on the whole tree, forced', () => {
    assert.deepEqual(windowsTreeKill(4242), { command: 'taskkill', args: ['/T', '/F', '/PID', '4242'] });
  });
});

describe("runtime: Invoke's payload from the response's JSON text", () => {
  it('is the text itself, or the payload limitOutcome gives for the parsed response', () => {
    const longError = { errorType: 'Boom', errorMessage: 'x'.repeat(300 * 1024), trace: ['at a', 'at b'] };
    const cases: Array<{ value: unknown; error: typeof longError | null }> = [
      { value: { ok: true, list: [1, 'two', null] }, error: null },
      { value: 'r'.repeat(PAYLOAD_LIMIT_BYTES - 2), error: null },
      { value: 'r'.repeat(PAYLOAD_LIMIT_BYTES - 1), error: null },
      { value: null, error: null },
      { value: null, error: longError },
    ];
    for (const { value, error } of cases) {
      const fromText = limitPayload(error ? null : JSON.stringify(value), error);
      const fromValue = limitOutcome(value, error);
      assert.equal(fromText.payload, fromValue.payload);
      assert.equal(fromText.failed, fromValue.error !== null);
    }
    assert.equal(limitPayload('{"a":1}', null).payload, '{"a":1}', 'no parse, no second stringify');
  });

  it("gives the record the text's parse, and keeps text that is not JSON (a forged message's) as text", () => {
    assert.deepEqual(responseFromWire('{"__proto__":{"x":1},"n":[1e21]}'), JSON.parse('{"__proto__":{"x":1},"n":[1e21]}'));
    assert.equal(responseFromWire(null), null);
    assert.equal(responseFromWire('not json'), 'not json');
  });

  it('turns a parsed response too deep to stringify (a forged one) into a SerializationError, not an exception', () => {
    const deep = responseFromWire(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    const limited = limitOutcome(deep, null);
    assert.equal(limited.response, null);
    assert.equal(limited.error?.errorType, 'Runtime.SerializationError');
    assert.equal(JSON.parse(limited.payload).errorType, 'Runtime.SerializationError');
  });
});
