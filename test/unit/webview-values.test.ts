import * as assert from 'node:assert/strict';
import type { ValueNode } from '../../src/core/model/snapshot';
import { previewValue } from '../../src/core/model/preview';
import { childrenOf, groupIntoRanges, isExpandable, typeLabel, type ChildEntry } from '../../media/src/value-model';
import { describeEnvironment, formatBilledMs, formatMs, formatSeries } from '../../media/src/format';
import { downsample } from '../../media/src/charts';

/** The panel's one-line preview. */
const preview = (node: ValueNode, budget?: number) => previewValue(node, 'panel', budget);
const s = (value: string): ValueNode => ({ type: 'string', value, length: value.length, truncated: false });
const n = (value: number): ValueNode => ({ type: 'number', value });

describe('webview values: one-line previews of every ValueNode type', () => {
  const cases: [ValueNode, string][] = [
    [s('B'), '"B"'],
    [{ type: 'string', value: 'abc', length: 5000, truncated: true }, '"abc"… (5,000 chars)'],
    [s('line\nbreak'), '"line\\nbreak"'],
    [n(42), '42'],
    [{ type: 'number', value: 'NaN' }, 'NaN'],
    [{ type: 'number', value: '-0' }, '-0'],
    [{ type: 'number', value: '-Infinity' }, '-Infinity'],
    [{ type: 'bigint', value: '12345678901234567890' }, '12345678901234567890n'],
    [{ type: 'boolean', value: false }, 'false'],
    [{ type: 'undefined' }, 'undefined'],
    [{ type: 'null' }, 'null'],
    [{ type: 'symbol', description: 'id' }, 'Symbol(id)'],
    [{ type: 'array', className: 'Array', length: 3, items: [s('B'), s('B'), s('B')], truncated: false }, 'Array(3) ["B", "B", "B"]'],
    [{ type: 'array', className: 'Array', length: 0, items: [], truncated: false }, 'Array(0) []'],
    [{ type: 'array', className: 'Array', length: 1_000_000, items: [n(0), n(1)], truncated: true }, 'Array(1,000,000) [0, 1, …]'],
    [{ type: 'object', className: 'Object', properties: [{ name: 'a', value: n(1) }, { name: 'b c', value: s('x') }], truncated: false }, '{a: 1, "b c": "x"}'],
    [{ type: 'object', className: 'Client', properties: [{ name: 'pool', value: { type: 'object', className: 'Pool', properties: [], truncated: false } }], truncated: true }, 'Client {pool: Pool, …}'],
    [{ type: 'map', className: 'Map', size: 2, entries: [{ key: s('k'), value: n(1) }], truncated: true }, 'Map(2) {"k" => 1, …}'],
    [{ type: 'set', className: 'Set', size: 1, items: [n(7)], truncated: false }, 'Set(1) {7}'],
    [{ type: 'function', name: 'handler', kind: 'async' }, 'async ƒ handler()'],
    [{ type: 'function', name: '', kind: 'arrow' }, '() => {…}'],
    [{ type: 'function', name: 'Db', kind: 'class' }, 'class Db'],
    [{ type: 'function', name: 'gen', kind: 'generator' }, 'ƒ* gen()'],
    [{ type: 'function', name: 'push', kind: 'native' }, 'ƒ push() { [native code] }'],
    [{ type: 'date', iso: '2026-11-26T15:00:00.000Z' }, '2026-11-26T15:00:00.000Z'],
    [{ type: 'date', iso: null }, 'Invalid Date'],
    [{ type: 'regexp', source: 'a+b', flags: 'gi' }, '/a+b/gi'],
    [{ type: 'error', className: 'TypeError', message: 'bad', stack: null }, 'TypeError: bad'],
    [{ type: 'binary', className: 'Buffer', byteLength: 4, length: 4, preview: [1, 2, 3, 4], truncated: false }, 'Buffer(4) [1, 2, 3, 4]'],
    [{ type: 'promise', state: 'fulfilled', value: n(3) }, 'Promise {<fulfilled>: 3}'],
    [{ type: 'promise', state: 'pending', value: null }, 'Promise {<pending>}'],
    [{ type: 'proxy' }, 'Proxy (not inspected)'],
    [{ type: 'weak', className: 'WeakMap' }, 'WeakMap (contents not enumerable)'],
    [{ type: 'ref', path: 'arrayB' }, '↻ same value as arrayB'],
    [{ type: 'accessor', hasGetter: true, hasSetter: false }, '(getter, not invoked)'],
    [{ type: 'uninitialized' }, '<uninitialized: temporal dead zone>'],
    [{ type: 'depth-limit', className: 'Object', summary: '{…}' }, '{…} (not expanded: depth limit)'],
  ];
  for (const [node, expected] of cases) {
    it(`${node.type}: ${expected}`, () => assert.equal(preview(node), expected));
  }

  it('covers every ValueNode type of the snapshot contract', () => {
    const covered = new Set(cases.map(([node]) => node.type));
    const all: ValueNode['type'][] = [
      'string', 'number', 'bigint', 'boolean', 'undefined', 'null', 'symbol', 'array', 'object', 'map', 'set', 'function',
      'date', 'regexp', 'error', 'binary', 'promise', 'proxy', 'weak', 'ref', 'accessor', 'uninitialized', 'depth-limit',
    ];
    assert.deepEqual(all.filter((type) => !covered.has(type)), []);
  });

  it('keeps previews short and survives malformed nodes', () => {
    const long: ValueNode = { type: 'array', className: 'Array', length: 500, items: Array.from({ length: 500 }, (_, i) => s(`item-${i}`)), truncated: false };
    assert.ok(preview(long).length < 120, preview(long));
    const broken = { type: 'array', className: 5, length: 'x', items: [null, 'raw', { nope: 1 }], truncated: 'yes' } as unknown as ValueNode;
    assert.doesNotThrow(() => preview(broken));
    assert.doesNotThrow(() => childrenOf(broken));
    assert.equal(preview({ type: 'mystery' } as unknown as ValueNode), '(unknown value type mystery)');
    assert.equal(typeLabel({ type: 'map', className: 'Map', size: 0, entries: [], truncated: false }), 'Map');
  });
});

describe('webview values: children', () => {
  it('lists captured items, the length, and what was not captured', () => {
    const node: ValueNode = { type: 'array', className: 'Array', length: 1_000_000, items: [n(1), n(2)], truncated: true };
    const children = childrenOf(node);
    assert.deepEqual(children.map((c) => (c.kind === 'note' ? c.text : c.kind === 'value' ? c.name : c.name)), ['0', '1', 'length', '999,998 more items not captured']);
  });

  it('gives maps, sets, binaries, promises, errors and long strings their own children', () => {
    const names = (entries: ChildEntry[]) => entries.map((c) => (c.kind === 'note' ? `note:${c.text.split('\n')[0]}` : c.name));
    assert.deepEqual(names(childrenOf({ type: 'map', className: 'Map', size: 3, entries: [{ key: s('a'), value: n(1) }], truncated: true })), ['"a"', 'note:2 more entries not captured']);
    const objectKey: ValueNode = { type: 'object', className: 'Client', properties: [{ name: 'id', value: n(1) }], truncated: false };
    const withObjectKey = childrenOf({ type: 'map', className: 'Map', size: 1, entries: [{ key: objectKey, value: s('v') }], truncated: false });
    assert.deepEqual(names(withObjectKey), ['[0]']);
    assert.equal(withObjectKey[0].kind === 'value' && preview(withObjectKey[0].value), '{key: Client, value: "v"}');
    assert.deepEqual(names(childrenOf({ type: 'set', className: 'Set', size: 1, items: [s('x')], truncated: false })), ['0']);
    assert.deepEqual(names(childrenOf({ type: 'binary', className: 'Uint8Array', byteLength: 100, length: 100, preview: [1, 2], truncated: true })), ['0', '1', 'byteLength', 'note:98 more elements not captured']);
    assert.deepEqual(names(childrenOf({ type: 'promise', state: 'rejected', value: s('no') })), ['[[PromiseResult]]']);
    assert.deepEqual(names(childrenOf({ type: 'error', className: 'Error', message: 'm', stack: 'Error: m\n    at x' })), ['message', 'note:Error: m']);
    const longString: ValueNode = { type: 'string', value: 'a'.repeat(200), length: 10_000, truncated: true };
    assert.equal(isExpandable(longString), true);
    assert.deepEqual(names(childrenOf(longString)).slice(1), ['note:9,800 more characters not captured']);
    assert.equal(isExpandable(s('short')), false);
    assert.equal(isExpandable({ type: 'object', className: 'Object', properties: [], truncated: false }), false);
  });

  it('folds long lists into ranges with at most 100 entries per level', () => {
    const entries: ChildEntry[] = Array.from({ length: 1_000_000 }, (_, i) => ({ kind: 'value', segment: String(i), name: String(i), value: n(i) }));
    entries.push({ kind: 'note', segment: 'more', text: 'x' });
    const top = groupIntoRanges(entries);
    assert.equal(top.length, 100 + 1);
    assert.equal(top[0].kind === 'range' && top[0].name, '[0 … 9999]');
    assert.equal(top[100].kind, 'note');
    const second = top[0].kind === 'range' ? groupIntoRanges(top[0].children) : [];
    assert.equal(second.length, 100);
    assert.equal(second[1].kind === 'range' && second[1].name, '[100 … 199]');
    assert.equal(groupIntoRanges(entries.slice(0, 100)).length, 100, 'short lists stay flat');
  });
});

describe('webview values: formatting', () => {
  it('describes the environment, including resets and their reasons', () => {
    const base = { state: 'cold' as const, frozen: false, warmInvocations: 0, generation: 1, nodeVersion: 'v20.20.2', lastReset: null };
    assert.equal(describeEnvironment(base, null).label, 'Cold');
    assert.equal(describeEnvironment({ ...base, lastReset: 'timeout' }, null).label, 'Cold · timed out');
    assert.equal(describeEnvironment({ ...base, lastReset: 'out-of-memory' }, null).label, 'Cold · ran out of memory');
    assert.equal(describeEnvironment({ ...base, lastReset: 'handler file changed' }, null).label, 'Cold · handler file changed');
    assert.equal(describeEnvironment({ ...base, state: 'warm', frozen: false, warmInvocations: 2 }, null).label, 'Warm');
    assert.equal(describeEnvironment({ ...base, state: 'initializing' }, null).label, 'Initializing…');
    assert.equal(describeEnvironment(base, 'invoke-cold').label, 'Cold start…');
    assert.equal(describeEnvironment(base, 'reset').label, 'Resetting…');
  });

  it('formats durations, series and downsampling', () => {
    assert.equal(formatMs(1.234), '1.23 ms');
    assert.equal(formatMs(38.64), '38.6 ms');
    assert.equal(formatMs(1234), '1234 ms');
    assert.equal(formatMs(12_345), '12.3 s');
    assert.equal(formatBilledMs(2), '2 ms', 'billed in whole milliseconds, as the REPORT line writes them');
    assert.equal(formatBilledMs(12_000), '12000 ms');
    assert.equal(formatSeries([1, 2, 3]), '1 → 2 → 3');
    assert.equal(formatSeries(Array.from({ length: 20 }, (_, i) => i + 1)), '1 → 2 → … → 18 → 19 → 20');
    assert.deepEqual(downsample([1, 5, 2, 8, 3, 1], 3), [5, 8, 3]);
    assert.deepEqual(downsample([1, 2], 3), [1, 2]);
  });
});
