import assert from 'node:assert/strict';
import { InvocationHistory } from '../../src/core/model';
import { describeGrowth, estimateInvocationsLeft, formatBytes, itemCount, slope } from '../../src/core/model/memory-trend';
import type { CapturedVariable, RawInvocation, RetainedMeasurement, ValueNode } from '../../src/core/model/snapshot';

const str = (value: string): ValueNode => ({ type: 'string', value, length: value.length, truncated: false });
const arr = (n: number): ValueNode => ({ type: 'array', className: 'Array', length: n, items: Array.from({ length: Math.min(n, 3) }, () => str('B')), truncated: n > 3 });
const moduleVar = (name: string, value: ValueNode, total: number): CapturedVariable => ({ name, kind: 'var', value, size: { total, exact: true } });
const MB = 1048576;

function raw(n: number, overrides: Partial<RawInvocation> = {}): RawInvocation {
  return {
    source: 'local', cold: n === 1, requestId: `r${n}`, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, billedDurationMs: 1,
    initDurationMs: null, memorySizeMB: 128, maxMemoryUsedMB: 40, response: null, error: null, logs: '',
    moduleScope: [moduleVar('arrayB', arr(n), n * 2), moduleVar('client', { type: 'object', className: 'Client', properties: [], truncated: false }, 0)],
    handlerScope: [], parameters: [], memory: { rssBytes: 40 * MB, heapUsedBytes: 5 * MB + n * 100 * 1024, externalBytes: 1 * MB },
    reset: null, captureError: null, runtimeVersion: 'v20.0.0', generation: 1, ...overrides,
  };
}

function measurement(arrayBBytes: number): RetainedMeasurement {
  return {
    bindings: [{ name: 'arrayB', retainedBytes: arrayBBytes, sharedWith: [] }, { name: 'client', retainedBytes: 2048, sharedWith: [] }],
    snapshotMs: 10, analysisMs: 20, snapshotBytes: 1000, heapObjects: 50,
  };
}

describe('model: memory trend', () => {
  it('counts items as a user would', () => {
    assert.equal(itemCount(arr(7)), 7);
    assert.equal(itemCount(str('abcd')), 4);
    assert.equal(itemCount({ type: 'map', className: 'Map', size: 12, entries: [], truncated: true }), 12);
    assert.equal(itemCount({ type: 'binary', className: 'Buffer', byteLength: 10, length: 10, preview: [], truncated: true }), 10);
    assert.equal(itemCount({ type: 'object', className: 'Object', properties: [], truncated: true }), null, 'a cut object has an unknown count');
    assert.equal(itemCount({ type: 'number', value: 3 }), null);
  });

  it('fits a least-squares slope and formats bytes', () => {
    assert.equal(slope([[0, 1], [1, 2], [2, 3]]), 1);
    assert.equal(slope([[0, 5]]), 0);
    assert.equal(formatBytes(1.2 * MB), '1.2 MB');
    assert.equal(formatBytes(12 * 1024), '12 KB');
    assert.equal(formatBytes(512), '512 B');
  });

  it('estimates the invocations left from the memory left and the growth per invocation, never for noise', () => {
    assert.deepEqual(estimateInvocationsLeft(128, 28, MB, 'heap'), { invocationsLeft: 100, bytesPerInvocation: MB, basis: 'heap' });
    assert.equal(estimateInvocationsLeft(128, 28, 100, 'heap').invocationsLeft, null);
    assert.equal(estimateInvocationsLeft(128, 200, MB, 'heap').invocationsLeft, 0, 'over the limit already');
  });

  it('gives records a heap-based estimate once ten heap readings rise along a line, never from three or from noise', () => {
    const history = new InvocationHistory();
    const records = Array.from({ length: 10 }, (_, i) => history.add(raw(i + 1)));
    assert.equal(records[2].memoryEstimate, undefined, 'three readings are no trend: uncollected garbage moves them as much');
    assert.equal(records[8].memoryEstimate, undefined, 'nine are not a full window');
    const estimate = records[9].memoryEstimate;
    assert.ok(estimate && estimate.basis === 'heap');
    assert.equal(Math.round(estimate.bytesPerInvocation), 100 * 1024);
    assert.equal(estimate.invocationsLeft, Math.floor((88 * MB) / (100 * 1024)));
    const flat = new InvocationHistory();
    for (let n = 1; n <= 10; n++) flat.add(raw(n, { memory: { rssBytes: 1, heapUsedBytes: 5 * MB } }));
    assert.equal(flat.latest()?.memoryEstimate, undefined, 'a flat heap has no estimate');
    // A sawtooth (allocation, then a collection) rises overall but is no line: no estimate.
    const sawtooth = new InvocationHistory();
    for (let n = 1; n <= 10; n++) sawtooth.add(raw(n, { memory: { rssBytes: 1, heapUsedBytes: 5 * MB + (n % 3) * 2 * MB + n * 1024 } }));
    assert.equal(sawtooth.latest()?.memoryEstimate, undefined, 'a sawtooth has no estimate');
  });

  it('says growth in items and, once measured, in retained bytes; the estimate then follows retained growth', () => {
    const history = new InvocationHistory();
    history.add(raw(1));
    history.add(raw(2));
    history.annotateRetained(measurement(200 * 1024));
    history.add(raw(3));
    const third = history.annotateRetained(measurement(300 * 1024));
    assert.ok(third);
    const arrayB = third.moduleScope.find((v) => v.name === 'arrayB');
    assert.ok(arrayB?.growing);
    assert.equal(arrayB.retainedBytes, 300 * 1024);
    assert.deepEqual(arrayB.itemSeries, [1, 2, 3]);
    assert.deepEqual(arrayB.retainedSeries, [{ invocation: 2, bytes: 200 * 1024 }, { invocation: 3, bytes: 300 * 1024 }]);
    assert.equal(describeGrowth(arrayB), 'arrayB: 3 items, +1 per invocation, retains 300 KB, +100 KB per invocation');
    assert.deepEqual(third.retained, { snapshotMs: 10, analysisMs: 20, snapshotBytes: 1000, heapObjects: 50 });
    assert.equal(third.memoryEstimate?.basis, 'retained');
    assert.equal(third.memoryEstimate?.bytesPerInvocation, 100 * 1024);
    // The record handed out before the measurement is not changed under its holder.
    assert.equal(history.records()[1].moduleScope.find((v) => v.name === 'arrayB')?.retainedBytes, 200 * 1024);
  });

  it('shows items without bytes before any measurement', () => {
    const history = new InvocationHistory();
    for (const n of [1, 2, 3]) history.add(raw(n));
    const arrayB = history.latest()?.moduleScope.find((v) => v.name === 'arrayB');
    assert.ok(arrayB);
    assert.equal(describeGrowth(arrayB), 'arrayB: 3 items, +1 per invocation');
  });
});
