/**
 * What the host takes from a child that runs user code: bounded frames, and messages checked
 * field by field and against the protocol's order (child-messages.ts).
 */
import assert from 'node:assert/strict';
import type { CapturedVariable } from '../../src/core/model/snapshot';
import { ChildMessageGate, ConcurrentMessageGate, decodeChildMessage } from '../../src/core/runtime/child-messages';
import { FrameSplitter, FrameTooLargeError } from '../../src/core/runtime/frames';
import { findingFromWire, type WireCrossTalkFinding } from '../../src/core/runtime/protocol';

const VARIABLE: CapturedVariable = { name: 'cache', kind: 'var', value: { type: 'array', className: 'Array', length: 1, items: [{ type: 'number', value: 1 }], truncated: false }, size: { total: 1, exact: true } };

function result(requestId: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'result',
    requestId,
    durationMs: 1,
    responseJson: '{"ok":true}',
    error: null,
    moduleScope: [VARIABLE],
    handlerScope: [],
    parameters: null,
    captureError: null,
    captureMs: 0.1,
    pendingAtFreeze: null,
    pendingRan: null,
    memory: { rssBytes: 1, heapUsedBytes: 1 },
    maxRssBytes: 1,
    ...fields,
  });
}
const settled = (requestId: string): string => JSON.stringify({ type: 'settled', requestId, durationMs: 1 });
const READY = JSON.stringify({ type: 'ready', initDurationMs: 5, nodeVersion: 'v20.0.0', maxRssBytes: 1 });
const FATAL = JSON.stringify({ type: 'fatal', reason: 'uncaught-exception', error: { errorType: 'Error', errorMessage: 'x', trace: [] } });

function violation(gate: Pick<ChildMessageGate, 'accept'>, text: string): string {
  const accepted = gate.accept(text);
  assert.equal(accepted.ok, false, `accepted ${text.slice(0, 80)}`);
  return accepted.ok ? '' : accepted.violation;
}

describe('runtime: bounded message frames', () => {
  it('refuses a frame over the maximum, with or without its newline, before holding more than the maximum', () => {
    const withNewline = new FrameSplitter(10);
    assert.deepEqual(withNewline.push(Buffer.from('{"a":1}\n')), ['{"a":1}']);
    assert.throws(() => withNewline.push(Buffer.from('{"a":"12345"}\n')), FrameTooLargeError);
    assert.throws(() => withNewline.push(Buffer.from('{}\n')), FrameTooLargeError, 'and nothing after it');

    const endless = new FrameSplitter(10);
    assert.deepEqual(endless.push(Buffer.from('123456')), []);
    assert.throws(() => endless.push(Buffer.from('78901')), /more than 10 bytes/);
  });

  it('takes a frame of exactly the maximum', () => {
    const splitter = new FrameSplitter(10);
    assert.deepEqual(splitter.push(Buffer.from('1234567890\n')), ['1234567890']);
  });
});

describe('runtime: checking what the child sends', () => {
  it('checks every field of every message type, deep into captured values', () => {
    assert.equal(decodeChildMessage(result('r')).ok, true);
    const refused = (text: string): string => {
      const decoded = decodeChildMessage(text);
      assert.equal(decoded.ok, false, text);
      return decoded.ok ? '' : decoded.violation;
    };
    assert.match(refused(result('r', { moduleScope: [null] })), /"result" message with an invalid moduleScope/);
    assert.match(refused(result('r', { moduleScope: [{ ...VARIABLE, value: { type: 'array', className: 'Array', length: 1, items: [{ type: 'nope' }], truncated: false } }] })), /invalid moduleScope/);
    assert.match(refused(result('r', { handlerScope: [{ ...VARIABLE, size: { total: -1, exact: true } }] })), /invalid handlerScope/);
    assert.match(refused(result('r', { durationMs: 'NaN' })), /invalid durationMs/);
    assert.match(refused(result('r', { error: { errorType: 'E', errorMessage: 1, trace: [] } })), /invalid error/);
    const withoutResponse = JSON.parse(result('r')) as Record<string, unknown>;
    delete withoutResponse.responseJson;
    assert.match(refused(JSON.stringify(withoutResponse)), /invalid responseJson/);
    // The response travels as JSON text (or null when the invocation failed), never as a value.
    assert.match(refused(result('r', { responseJson: { ok: true } })), /invalid responseJson/);
    assert.equal(decodeChildMessage(result('r', { responseJson: null })).ok, true);
    assert.match(refused('{"type":"ready"}'), /"ready" message with an invalid initDurationMs/);
    assert.match(refused('{"type":"hello"}'), /unknown type "hello"/);
    assert.match(refused('[1]'), /without a type/);
    assert.match(refused('\u001b[2Jnot json'), /not JSON \("\?\[2Jnot json"\)/);
  });

  it('takes cross-talk findings in their wire form and rebuilds the record\'s finding from the result\'s request id', () => {
    const wire: WireCrossTalkFinding = ['state.currentUser', 1, 3, 'b', 3, 5];
    const decoded = decodeChildMessage(result('a', { worker: 1, findings: [wire] }));
    assert.equal(decoded.ok, true);
    for (const bad of [['state.currentUser', 1, 3, 'b', 3], ['state.currentUser', 1, 3, null, 3, 5], ['x', -1, 3, 'b', 3, 5], { variable: 'x' }]) {
      assert.match(decodeChildMessage(result('a', { findings: [bad] })).ok ? '' : 'refused', /refused/, JSON.stringify(bad));
    }
    assert.deepEqual(findingFromWire('a', wire), {
      kind: 'cross-talk',
      variable: 'state.currentUser',
      worker: 1,
      writer: { requestId: 'a', line: 3 },
      interloper: { requestId: 'b', line: 3 },
      reader: { requestId: 'a', line: 5 },
    });
  });

  it('refuses value trees nested past any budget', () => {
    let node: unknown = { type: 'null' };
    for (let i = 0; i < 100; i++) node = { type: 'array', className: 'Array', length: 1, items: [node], truncated: false };
    assert.equal(decodeChildMessage(result('r', { moduleScope: [{ ...VARIABLE, value: node }] })).ok, false);
  });

  it('takes init once, then per invocation one result with its request id (after one settled when capturing)', () => {
    const gate = new ChildMessageGate();
    gate.expectInvocation('first');
    assert.match(violation(gate, settled('first')), /during init/);
    const fresh = new ChildMessageGate();
    fresh.expectInvocation('first');
    assert.equal(fresh.accept(READY).ok, true);
    assert.match(violation(fresh, result('first')), /while the handler ran \(expected "settled"/);
    // Without capture there is no `settled`: the result ends the invocation, and only once.
    const uncaptured = new ChildMessageGate(false);
    uncaptured.expectInvocation('first');
    assert.equal(uncaptured.accept(READY).ok, true);
    assert.match(violation(uncaptured, settled('first')), /while the handler ran \(expected "result"/);
    assert.match(violation(uncaptured, result('other')), /while the handler ran/);
    assert.equal(uncaptured.accept(result('first')).ok, true);
    assert.match(violation(uncaptured, result('first')), /between invocations/);
  });

  it('accepts the order the runtime follows, and fatal at any time', () => {
    const gate = new ChildMessageGate();
    gate.expectInvocation('a');
    for (const text of [READY, settled('a'), result('a')]) assert.equal(gate.accept(text).ok, true, text);
    gate.expectInvocation('b');
    for (const text of [settled('b'), result('b')]) assert.equal(gate.accept(text).ok, true, text);
    assert.equal(gate.accept(FATAL).ok, true, 'an uncaught exception while idle');
    assert.match(violation(gate, FATAL), /after the child reported its end/);
  });

  it('takes one heap snapshot answer per request, only between invocations', () => {
    const written = JSON.stringify({ type: 'heap-snapshot-written', ok: true, anchorKey: 'k', durationMs: 3, bindings: [{ name: 'cache', variable: 'cache' }] });
    const gate = new ChildMessageGate();
    gate.expectInvocation('a');
    for (const text of [READY, settled('a'), result('a')]) gate.accept(text);
    assert.match(violation(gate, written), /between invocations/);
    const asked = new ChildMessageGate();
    asked.expectInvocation('a');
    for (const text of [READY, settled('a'), result('a')]) asked.accept(text);
    asked.expectSnapshot();
    assert.equal(asked.accept(JSON.stringify({ type: 'heap-snapshot-written', ok: false, reason: 'too big' })).ok, true);
    assert.match(violation(asked, written), /between invocations/);
    assert.match(decodeChildMessage(JSON.stringify({ type: 'heap-snapshot-written', ok: 'yes' })).ok ? '' : 'refused', /refused/);
  });

  it('refuses a second settled, a second result, a foreign request id, and anything while idle', () => {
    const gate = new ChildMessageGate();
    gate.expectInvocation('a');
    gate.accept(READY);
    assert.match(violation(gate, settled('other')), /expected "settled" for the invocation under way/);
    const second = new ChildMessageGate();
    second.expectInvocation('a');
    second.accept(READY);
    second.accept(settled('a'));
    assert.match(violation(second, settled('a')), /after the handler settled/);
    const idle = new ChildMessageGate();
    idle.expectInvocation('a');
    for (const text of [READY, settled('a'), result('a')]) idle.accept(text);
    assert.match(violation(idle, result('a')), /between invocations/);
  });

  it('Managed Instances: many invocations under way, each result after its settled, or alone without capture', () => {
    const capturing = new ConcurrentMessageGate();
    assert.equal(capturing.accept(READY).ok, true);
    capturing.expectInvocation('a');
    capturing.expectInvocation('b');
    assert.match(violation(capturing, result('a')), /for no invocation that settled/);
    for (const text of [settled('b'), settled('a'), result('a'), result('b')]) assert.equal(capturing.accept(text).ok, true, text);
    assert.match(violation(capturing, result('a')), /for no invocation that settled/);
    const uncaptured = new ConcurrentMessageGate(false);
    assert.equal(uncaptured.accept(READY).ok, true);
    uncaptured.expectInvocation('a');
    uncaptured.expectInvocation('b');
    assert.match(violation(uncaptured, settled('a')), /for no invocation under way/);
    for (const text of [result('b'), result('a')]) assert.equal(uncaptured.accept(text).ok, true, text);
    assert.match(violation(uncaptured, result('a')), /for no invocation under way/);
  });
});
