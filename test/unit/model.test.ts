import assert from 'node:assert/strict';
import { InvocationHistory, isGrowing, extendSeries, valuesEqual, changeOf, previewValue, describeExtent } from '../../src/core/model';
import type { CapturedVariable, RawInvocation, ValueNode } from '../../src/core/model/snapshot';

const str = (value: string): ValueNode => ({ type: 'string', value, length: value.length, truncated: false });
const arr = (...items: string[]): ValueNode => ({ type: 'array', className: 'Array', length: items.length, items: items.map(str), truncated: false });
const variable = (name: string, value: ValueNode, total: number, kind: CapturedVariable['kind'] = 'var'): CapturedVariable => ({ name, kind, value, size: { total, exact: true } });
const bArray = (n: number) => variable('arrayB', arr(...Array<string>(n).fill('B')), n * 2);

function raw(overrides: Partial<RawInvocation> = {}): RawInvocation {
  return {
    source: 'local', cold: false, requestId: 'r', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, billedDurationMs: 1,
    initDurationMs: null, memorySizeMB: 128, maxMemoryUsedMB: 40, response: null, error: null, logs: '',
    moduleScope: [], handlerScope: [], parameters: [], memory: { rssBytes: 1, heapUsedBytes: 1 }, reset: null,
    captureError: null, runtimeVersion: 'v20.0.0', generation: 1, ...overrides,
  };
}

describe('model: growth', () => {
  it('needs 3 strictly increasing points', () => {
    assert.equal(isGrowing([]), false);
    assert.equal(isGrowing([2]), false);
    assert.equal(isGrowing([2, 4]), false, 'two points are not enough');
    assert.equal(isGrowing([2, 4, 6]), true, 'three increasing points are');
    assert.equal(isGrowing([2, 4, 4]), false, 'a plateau is not growth');
    assert.equal(isGrowing([6, 4, 2]), false);
    assert.equal(isGrowing([9, 1, 2, 3]), true, 'only the last three count');
    assert.equal(isGrowing([1, 2, 3, 3]), false, 'stopping ends the flag');
    assert.equal(isGrowing([1, 2, 3], 4), false, 'a stricter threshold is honoured');
  });
  it('keeps the most recent points of a series', () => {
    assert.deepEqual(extendSeries([1, 2, 3], 4, 3), [2, 3, 4]);
    assert.deepEqual(extendSeries([], 7), [7]);
  });
});

describe('model: value comparison', () => {
  it('compares nodes structurally', () => {
    assert.equal(valuesEqual(arr('B'), arr('B')), true);
    assert.equal(valuesEqual(arr('B'), arr('B', 'B')), false);
    assert.equal(valuesEqual(str('a'), { type: 'number', value: 1 }), false);
    assert.equal(valuesEqual({ type: 'number', value: 'NaN' }, { type: 'number', value: 'NaN' }), true);
  });
  it('a size change is a change even when the shown values match', () => {
    const cut: ValueNode = { type: 'array', className: 'Array', length: 100, items: [], truncated: true };
    assert.equal(changeOf({ name: 'a', value: cut, sizeTotal: 100 }, { name: 'a', value: cut, sizeTotal: 100 }), 'unchanged');
    assert.equal(changeOf({ name: 'a', value: cut, sizeTotal: 101 }, { name: 'a', value: cut, sizeTotal: 100 }), 'changed');
    assert.equal(changeOf({ name: 'a', value: cut }, undefined), 'added');
  });
});

describe('model: InvocationHistory', () => {
  it('numbers invocations from 1 and analyses the freeze scenario', () => {
    const history = new InvocationHistory();
    const handler = [variable('arrayC', arr(), 0, 'local'), variable('arrayD', arr('D'), 2, 'local')];
    const records = [1, 2, 3].map((n) => history.add(raw({
      cold: n === 1,
      moduleScope: [variable('arrayA', arr(), 0), bArray(n)],
      handlerScope: handler,
    })));
    assert.deepEqual(records.map((r) => r.invocation), [1, 2, 3]);
    const [first, second, third] = records;
    assert.deepEqual(first.moduleScope.map((v) => v.change), ['added', 'added']);
    assert.deepEqual(second.moduleScope.map((v) => [v.name, v.change]), [['arrayA', 'unchanged'], ['arrayB', 'changed']]);
    assert.deepEqual(second.handlerScope.map((v) => v.change), ['unchanged', 'unchanged']);
    const b = third.moduleScope.find((v) => v.name === 'arrayB');
    assert.ok(b);
    assert.deepEqual(b.sizeSeries, [2, 4, 6]);
    assert.equal(b.size, 6);
    assert.equal(b.growing, true);
    assert.deepEqual(third.growing, ['arrayB']);
    assert.deepEqual(second.growing, [], 'two points are not growth yet');
    assert.equal(third.moduleScope.find((v) => v.name === 'arrayA')?.growing, false);
  });

  it('a new generation starts over: everything added, series restarted', () => {
    const history = new InvocationHistory();
    for (let n = 1; n <= 3; n++) history.add(raw({ cold: n === 1, moduleScope: [bArray(n)] }));
    const after = history.add(raw({ cold: true, generation: 2, moduleScope: [bArray(1)] }));
    assert.equal(after.invocation, 4);
    assert.equal(after.moduleScope[0].change, 'added');
    assert.deepEqual(after.moduleScope[0].sizeSeries, [2]);
    assert.equal(after.moduleScope[0].growing, false);
  });

  it('removed variables appear once with their last value', () => {
    const history = new InvocationHistory();
    history.add(raw({ moduleScope: [variable('a', str('x'), 1), variable('b', str('y'), 1)], handlerScope: [variable('t', str('z'), 1, 'block')] }));
    const second = history.add(raw({ moduleScope: [variable('a', str('x'), 1)], handlerScope: [] }));
    assert.deepEqual(second.moduleScope.map((v) => [v.name, v.change]), [['a', 'unchanged'], ['b', 'removed']]);
    const removed = second.moduleScope[1];
    assert.deepEqual(removed.value, str('y'));
    assert.equal(removed.growing, false);
    assert.deepEqual(second.handlerScope, [{ name: 't', kind: 'block', value: str('z'), change: 'removed' }]);
    const third = history.add(raw({ moduleScope: [variable('a', str('x'), 1)] }));
    assert.deepEqual(third.moduleScope.map((v) => v.name), ['a']);
  });

  it('an invocation without capture keeps the baseline and shows empty scopes', () => {
    const history = new InvocationHistory();
    history.add(raw({ moduleScope: [bArray(1)] }));
    const crashed = history.add(raw({ moduleScope: null, handlerScope: null, parameters: null, captureError: 'crashed' }));
    assert.deepEqual([crashed.moduleScope, crashed.handlerScope, crashed.parameters, crashed.growing], [[], [], [], []]);
    const next = history.add(raw({ moduleScope: [bArray(2)] }));
    assert.equal(next.moduleScope[0].change, 'changed');
    assert.deepEqual(next.moduleScope[0].sizeSeries, [2, 4]);
  });

  it('keeps a bounded number of records without renumbering', () => {
    const history = new InvocationHistory({ limit: 2 });
    for (let n = 1; n <= 5; n++) history.add(raw());
    assert.deepEqual(history.records().map((r) => r.invocation), [4, 5]);
    assert.equal(history.size, 5);
    assert.equal(history.latest()?.invocation, 5);
    history.clear();
    assert.equal(history.add(raw()).invocation, 1);
  });

  it('bounds size series and honours a growth threshold option', () => {
    const history = new InvocationHistory({ seriesLimit: 4, growthPoints: 4 });
    let last;
    for (let n = 1; n <= 3; n++) last = history.add(raw({ moduleScope: [bArray(n)] }));
    assert.equal(last?.moduleScope[0].growing, false);
    for (let n = 4; n <= 6; n++) last = history.add(raw({ moduleScope: [bArray(n)] }));
    assert.deepEqual(last?.moduleScope[0].sizeSeries, [6, 8, 10, 12]);
    assert.equal(last?.moduleScope[0].growing, true);
  });

  it('passes every raw field through and adds the analysis fields', () => {
    const history = new InvocationHistory();
    const input = raw({ requestId: 'abc', response: { ok: 1 }, parameters: [variable('event', str('e'), 1, 'parameter')] });
    const record = history.add(input);
    const { moduleScope: _m, handlerScope: _h, parameters: _p, ...rest } = input;
    for (const [key, value] of Object.entries(rest)) assert.deepEqual(record[key as keyof typeof record], value, key);
    assert.deepEqual(record.parameters, [{ name: 'event', kind: 'parameter', value: str('e'), change: 'added' }]);
    assert.deepEqual(Object.keys(record).slice(0, 1), ['invocation']);
  });
});

describe('model: previewValue, inspect style (the CLI)', () => {
  const formatValue = (node: ValueNode, width?: number) => previewValue(node, 'inspect', width);
  it('formats the scenario values like Node', () => {
    assert.equal(formatValue(arr()), '[]');
    assert.equal(formatValue(arr('B', 'B')), "[ 'B', 'B' ]");
    assert.equal(formatValue({ type: 'object', className: 'Object', properties: [{ name: 'a', value: { type: 'number', value: 1 } }, { name: 'b c', value: str("it's") }], truncated: false }), "{ a: 1, 'b c': 'it\\'s' }");
    assert.equal(formatValue({ type: 'map', className: 'Map', size: 3, entries: [{ key: str('k'), value: { type: 'boolean', value: true } }], truncated: true }), "Map(3) { 'k' => true, … 2 more }");
  });
  it('formats every other node type', () => {
    const cases: [ValueNode, string][] = [
      [{ type: 'number', value: '-0' }, '-0'],
      [{ type: 'bigint', value: '10' }, '10n'],
      [{ type: 'undefined' }, 'undefined'],
      [{ type: 'null' }, 'null'],
      [{ type: 'symbol', description: 's' }, 'Symbol(s)'],
      [{ type: 'set', className: 'Set', size: 1, items: [{ type: 'number', value: 1 }], truncated: false }, 'Set(1) { 1 }'],
      [{ type: 'function', name: 'test', kind: 'arrow' }, '[Function: test]'],
      [{ type: 'function', name: 'K', kind: 'class' }, '[class K]'],
      [{ type: 'date', iso: null }, 'Invalid Date'],
      [{ type: 'regexp', source: 'a', flags: 'g' }, '/a/g'],
      [{ type: 'error', className: 'TypeError', message: 'bad', stack: null }, 'TypeError: bad'],
      [{ type: 'binary', className: 'Buffer', byteLength: 20, length: 20, preview: [1, 255], truncated: true }, '<Buffer 01 ff … 18 more>'],
      [{ type: 'binary', className: 'Float64Array', byteLength: 16, length: 2, preview: [1.5, 2], truncated: false }, 'Float64Array(2) [1.5, 2]'],
      [{ type: 'promise', state: 'pending', value: null }, 'Promise { <pending> }'],
      [{ type: 'proxy' }, 'Proxy'],
      [{ type: 'weak', className: 'WeakMap' }, 'WeakMap { <not enumerable> }'],
      [{ type: 'ref', path: '$' }, '[Circular]'],
      [{ type: 'ref', path: '$.a' }, '[Ref $.a]'],
      [{ type: 'accessor', hasGetter: true, hasSetter: false }, '[Getter]'],
      [{ type: 'uninitialized' }, '<not yet initialised>'],
      [{ type: 'depth-limit', className: 'Array', summary: 'Array(3)' }, '[Array(3)]'],
    ];
    for (const [node, text] of cases) assert.equal(formatValue(node), text, node.type);
  });
  it('stays within its width', () => {
    const long = arr(...Array<string>(50).fill('item'));
    const text = formatValue(long, 30);
    assert.ok(text.length <= 30, text);
    assert.match(text, /more/);
    assert.equal(formatValue(str('x'.repeat(100)), 20).length, 20);
  });
  it('describes extents for growth messages', () => {
    assert.equal(describeExtent(arr('B', 'B')), 'Array(2)');
    assert.equal(describeExtent(str('abc')), '3 chars');
  });
});
