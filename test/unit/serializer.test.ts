import assert from 'node:assert/strict';
import { createCapture, installSerializer, type CaptureFunction } from '../../src/core/runtime/child/services/serializer';
import { CAPTURE_GLOBAL_KEY } from '../../src/core/runtime/child/services/runtime-globals';
import { DEFAULT_BUDGETS, type CaptureBudgets } from '../../src/core/runtime/environment-api';
import type { ValueNode } from '../../src/core/model/snapshot';

const capture: CaptureFunction = createCapture();
const one = (value: unknown, budgets: CaptureBudgets = DEFAULT_BUDGETS) => capture(budgets, [value])[0];
const node = (value: unknown, budgets?: CaptureBudgets): ValueNode => one(value, budgets).value;

function prop(n: ValueNode, name: string): ValueNode {
  assert.equal(n.type, 'object');
  if (n.type !== 'object') throw new Error('not an object');
  const found = n.properties.find((p) => p.name === name);
  assert.ok(found, `property ${name} missing`);
  return found.value;
}

describe('serializer: primitives', () => {
  it('strings keep their length and truncation', () => {
    assert.deepEqual(node('hi'), { type: 'string', value: 'hi', length: 2, truncated: false });
    const long = node('x'.repeat(500));
    assert.deepEqual(long, { type: 'string', value: 'x'.repeat(200), length: 500, truncated: true });
  });
  it('numbers spell out what JSON cannot carry', () => {
    assert.deepEqual(node(42), { type: 'number', value: 42 });
    assert.deepEqual(node(-0), { type: 'number', value: '-0' });
    assert.deepEqual(node(NaN), { type: 'number', value: 'NaN' });
    assert.deepEqual(node(Infinity), { type: 'number', value: 'Infinity' });
    assert.deepEqual(node(-Infinity), { type: 'number', value: '-Infinity' });
  });
  it('bigint, boolean, undefined, null, symbol', () => {
    assert.deepEqual(node(12345678901234567890n), { type: 'bigint', value: '12345678901234567890' });
    assert.deepEqual(node(true), { type: 'boolean', value: true });
    assert.deepEqual(node(undefined), { type: 'undefined' });
    assert.deepEqual(node(null), { type: 'null' });
    assert.deepEqual(node(Symbol('tag')), { type: 'symbol', description: 'tag' });
    assert.deepEqual(node(Symbol()), { type: 'symbol', description: '' });
  });
});

describe('serializer: functions', () => {
  it('names functions and tells their kinds apart', () => {
    function plain() { return 1; }
    const arrow = (a: number) => a;
    async function asyncFn() { return 1; }
    function* gen() { yield 1; }
    class Klass {}
    const kinds = [plain, arrow, asyncFn, gen, Klass, plain.bind(null), Math.max].map((f) => node(f));
    assert.deepEqual(kinds, [
      { type: 'function', name: 'plain', kind: 'function' },
      { type: 'function', name: 'arrow', kind: 'arrow' },
      { type: 'function', name: 'asyncFn', kind: 'async' },
      { type: 'function', name: 'gen', kind: 'generator' },
      { type: 'function', name: 'Klass', kind: 'class' },
      { type: 'function', name: 'bound plain', kind: 'bound' },
      { type: 'function', name: 'max', kind: 'native' },
    ]);
  });
  it('methods are functions, even when named like a keyword', () => {
    const o = { classify() { return 1; }, class() { return 2; }, arrowish: (x: number) => x };
    assert.deepEqual([o.classify, o.class, o.arrowish].map((f) => node(f)), [
      { type: 'function', name: 'classify', kind: 'function' },
      { type: 'function', name: 'class', kind: 'function' },
      { type: 'function', name: 'arrowish', kind: 'arrow' },
    ]);
  });
  it('does not call a static name getter', () => {
    let calls = 0;
    class Sneaky { static get name() { calls++; return 'x'; } }
    const n = node(Sneaky);
    assert.equal(calls, 0);
    assert.deepEqual(n, { type: 'function', name: '', kind: 'class' });
  });
});

describe('serializer: containers', () => {
  it('arrays with items, class names and truncation', () => {
    assert.deepEqual(node(['B', 2]), {
      type: 'array', className: 'Array', length: 2, truncated: false,
      items: [{ type: 'string', value: 'B', length: 1, truncated: false }, { type: 'number', value: 2 }],
    });
    class MyList extends Array<number> {}
    const list = MyList.from([1, 2, 3]);
    const n = node(list, { ...DEFAULT_BUDGETS, items: 2 });
    assert.equal(n.type, 'array');
    if (n.type !== 'array') return;
    assert.equal(n.className, 'MyList');
    assert.equal(n.length, 3);
    assert.equal(n.items.length, 2);
    assert.equal(n.truncated, true);
  });
  it('holes read as undefined', () => {
    // eslint-disable-next-line no-sparse-arrays
    const n = node([1, , 3]);
    assert.equal(n.type === 'array' && n.items[1].type, 'undefined');
  });
  it('plain objects, class instances, symbol keys, null prototype', () => {
    class Point { x = 1; y = 2; }
    const n = node(new Point());
    assert.equal(n.type === 'object' && n.className, 'Point');
    assert.deepEqual(prop(n, 'y'), { type: 'number', value: 2 });
    const sym = node({ [Symbol('s')]: 1 });
    assert.deepEqual(prop(sym, '[Symbol(s)]'), { type: 'number', value: 1 });
    const bare = node(Object.create(null));
    assert.equal(bare.type === 'object' && bare.className, 'Object');
  });
  it('non-enumerable own properties are not listed', () => {
    const o = {};
    Object.defineProperty(o, 'hidden', { value: 1, enumerable: false });
    assert.deepEqual(node(o), { type: 'object', className: 'Object', properties: [], truncated: false });
  });
  it('Map and Set with entries', () => {
    const m = node(new Map<unknown, unknown>([['a', 1], [{ k: 1 }, [2]]]));
    assert.equal(m.type, 'map');
    if (m.type !== 'map') return;
    assert.equal(m.size, 2);
    assert.deepEqual(m.entries[0], { key: { type: 'string', value: 'a', length: 1, truncated: false }, value: { type: 'number', value: 1 } });
    assert.equal(m.entries[1].key.type, 'object');
    const s = node(new Set([1, 'two']));
    assert.deepEqual(s, {
      type: 'set', className: 'Set', size: 2, truncated: false,
      items: [{ type: 'number', value: 1 }, { type: 'string', value: 'two', length: 3, truncated: false }],
    });
  });
  it('depth budget stops nesting with a summary', () => {
    const deep = { a: { b: { c: [1, 2, 3] } } };
    const n = node(deep, { ...DEFAULT_BUDGETS, depth: 2 });
    const c = prop(prop(prop(n, 'a'), 'b'), 'c');
    assert.deepEqual(c, { type: 'depth-limit', className: 'Array', summary: 'Array(3)' });
  });
  it('node budget truncates the tree', () => {
    const wide = Array.from({ length: 40 }, (_, i) => ({ i, j: [i, i] }));
    const n = node(wide, { ...DEFAULT_BUDGETS, nodes: 20 });
    assert.equal(n.type, 'array');
    if (n.type !== 'array') return;
    assert.equal(n.truncated, true);
    assert.ok(n.items.length < 40);
    assert.ok(JSON.stringify(n).split('"type"').length - 1 <= 22, 'about as many nodes as the budget');
  });
});

describe('serializer: special objects', () => {
  it('Date, invalid Date, RegExp', () => {
    assert.deepEqual(node(new Date(0)), { type: 'date', iso: '1970-01-01T00:00:00.000Z' });
    assert.deepEqual(node(new Date(NaN)), { type: 'date', iso: null });
    assert.deepEqual(node(/a+b/gimsuy), { type: 'regexp', source: 'a+b', flags: 'gimsuy' });
  });
  it('Error whose name or message is a getter: the stack is not formatted, the getters never run', () => {
    let calls = 0;
    class AppError extends Error { override get name() { calls++; return 'AppError'; } }
    const withNameGetter = node(new AppError('boom'));
    const withMessageGetter = new Error('x');
    Object.defineProperty(withMessageGetter, 'message', { get() { calls++; return 'sneaky'; } });
    const messageNode = node(withMessageGetter);
    assert.equal(calls, 0);
    assert.equal(withNameGetter.type === 'error' && withNameGetter.stack, null);
    assert.equal(messageNode.type === 'error' && messageNode.stack, null);
    // A plain error still shows its stack.
    const plainNode = node(new Error('plain'));
    assert.ok(plainNode.type === 'error' && plainNode.stack?.startsWith('Error: plain'));
  });
  it('RegExp with an own flags getter: the getter never runs', () => {
    let calls = 0;
    const re = /x/g;
    Object.defineProperty(re, 'flags', { get() { calls++; return 'zzz'; } });
    Object.defineProperty(re, 'global', { get() { calls++; return false; } });
    assert.deepEqual(node(re), { type: 'regexp', source: 'x', flags: 'g' });
    assert.equal(calls, 0);
  });
  it('Errors: class, message, stack read as data', () => {
    class MyError extends Error {}
    const n = node(new MyError('boom'));
    assert.equal(n.type, 'error');
    if (n.type !== 'error') return;
    assert.equal(n.className, 'MyError');
    assert.equal(n.message, 'boom');
    assert.match(n.stack ?? '', /boom/);
  });
  it('Errors: a stack getter put there by user code never runs (V8\'s own accessor on Node 21+ does)', () => {
    let calls = 0;
    const error = new Error('boom');
    Object.defineProperty(error, 'stack', { get() { calls++; return 'sneaky'; }, configurable: true });
    const n = node(error);
    assert.equal(n.type === 'error' && n.stack, null);
    assert.equal(n.type === 'error' && n.message, 'boom');
    assert.equal(calls, 0);
    // Error.captureStackTrace gives a plain object the same stack property as an error.
    const captured = new Error('captured');
    Error.captureStackTrace(captured);
    assert.match((node(captured) as { stack?: string | null }).stack ?? '', /^Error: captured/);
  });
  it('Errors: a user Error.prepareStackTrace is not run, stack is null', () => {
    const saved = Error.prepareStackTrace;
    let calls = 0;
    Error.prepareStackTrace = () => { calls++; return 'custom'; };
    try {
      const err = new Error('lazy');
      const n = node(err);
      assert.equal(calls, 0);
      assert.equal(n.type === 'error' && n.stack, null);
    } finally {
      Error.prepareStackTrace = saved;
    }
  });
  it('Buffer, typed arrays, ArrayBuffer, DataView as binary', () => {
    assert.deepEqual(node(Buffer.from([1, 2, 3])), { type: 'binary', className: 'Buffer', byteLength: 3, length: 3, preview: [1, 2, 3], truncated: false });
    const f = node(new Float64Array(20));
    assert.equal(f.type, 'binary');
    if (f.type !== 'binary') return;
    assert.equal(f.className, 'Float64Array');
    assert.equal(f.byteLength, 160);
    assert.equal(f.length, 20);
    assert.equal(f.preview.length, 16);
    assert.equal(f.truncated, true);
    assert.deepEqual(node(new BigInt64Array([5n])), { type: 'binary', className: 'BigInt64Array', byteLength: 8, length: 1, preview: [5], truncated: false });
    const ab = new ArrayBuffer(4);
    new Uint8Array(ab).set([9, 8, 7, 6]);
    assert.deepEqual(node(ab), { type: 'binary', className: 'ArrayBuffer', byteLength: 4, length: 4, preview: [9, 8, 7, 6], truncated: false });
    assert.deepEqual(node(new DataView(ab, 1, 2)), { type: 'binary', className: 'DataView', byteLength: 2, length: 2, preview: [8, 7], truncated: false });
  });
  it('Promise state without awaiting', async () => {
    const rejected = Promise.reject(new Error('no'));
    rejected.catch(() => undefined);
    assert.deepEqual(node(new Promise(() => undefined)), { type: 'promise', state: 'pending', value: null });
    assert.deepEqual(node(Promise.resolve('<pending>')), { type: 'promise', state: 'fulfilled', value: null });
    assert.deepEqual(node(rejected), { type: 'promise', state: 'rejected', value: null });
    class MyPromise<T> extends Promise<T> {}
    assert.deepEqual(node(MyPromise.resolve(1)), { type: 'promise', state: 'fulfilled', value: null });
  });
  it('weak collections and references', () => {
    assert.deepEqual(node(new WeakMap()), { type: 'weak', className: 'WeakMap' });
    assert.deepEqual(node(new WeakSet()), { type: 'weak', className: 'WeakSet' });
    assert.deepEqual(node(new WeakRef({})), { type: 'weak', className: 'WeakRef' });
    assert.deepEqual(node(new FinalizationRegistry(() => undefined)), { type: 'weak', className: 'FinalizationRegistry' });
  });
  it('boxed primitives show their primitive value', () => {
    const n = node(new Number(7));
    assert.equal(n.type === 'object' && n.className, 'Number');
    assert.deepEqual(prop(n, '[[PrimitiveValue]]'), { type: 'number', value: 7 });
  });
});

describe('serializer: never runs user code', () => {
  it('getters that throw or count are shown as accessors, never called', () => {
    let calls = 0;
    const o = {
      get counted() { calls++; return 1; },
      get thrower(): number { throw new Error('getter ran'); },
      set onlySet(_v: number) { calls++; },
    };
    const n = node(o);
    assert.deepEqual(prop(n, 'counted'), { type: 'accessor', hasGetter: true, hasSetter: false });
    assert.deepEqual(prop(n, 'thrower'), { type: 'accessor', hasGetter: true, hasSetter: false });
    assert.deepEqual(prop(n, 'onlySet'), { type: 'accessor', hasGetter: false, hasSetter: true });
    assert.equal(one(o).size.exact, true);
    assert.equal(calls, 0);
  });
  it('array index getters are not called', () => {
    let calls = 0;
    const a = [1];
    Object.defineProperty(a, 0, { get() { calls++; return 2; } });
    assert.deepEqual(node(a), { type: 'array', className: 'Array', length: 1, truncated: false, items: [{ type: 'accessor', hasGetter: true, hasSetter: false }] });
    assert.equal(calls, 0);
  });
  it('a Proxy whose every trap throws is opaque, as a value, a property and a function', () => {
    const traps: ProxyHandler<object> = new Proxy({}, { get() { throw new Error('trap ran'); } });
    const p = new Proxy({}, traps);
    const f = new Proxy(() => 1, traps);
    assert.deepEqual(node(p), { type: 'proxy' });
    assert.deepEqual(node(f), { type: 'proxy' });
    assert.deepEqual(prop(node({ p }), 'p'), { type: 'proxy' });
    assert.deepEqual(one([p, new Map([[p, p]])]).size.exact, false);
  });
  it('an object whose prototype is a Proxy gets a fallback class name', () => {
    const proto = new Proxy({}, { getOwnPropertyDescriptor() { throw new Error('trap ran'); }, get() { throw new Error('trap ran'); } });
    const o = Object.create(proto);
    o.a = 1;
    const n = node(o);
    assert.equal(n.type === 'object' && n.className, 'Object');
  });
  it('toJSON, toString, valueOf, Symbol.toPrimitive and inspect.custom never run', () => {
    let calls = 0;
    const bump = () => { calls++; return 'x'; };
    const o = { toJSON: bump, toString: bump, valueOf: bump, [Symbol.toPrimitive]: bump, [Symbol.for('nodejs.util.inspect.custom')]: bump };
    const n = node(o);
    assert.equal(n.type, 'object');
    const all = capture(DEFAULT_BUDGETS, [o, [o], new Map([[o, o]])]);
    assert.equal(all.length, 3);
    JSON.stringify(all);
    assert.equal(calls, 0);
  });
  it('a subclassed Map or Set with overridden iteration is read with the intrinsic iterators', () => {
    let calls = 0;
    class SneakyMap extends Map<string, number> {
      override entries(): MapIterator<[string, number]> { calls++; throw new Error('entries ran'); }
      override [Symbol.iterator](): MapIterator<[string, number]> { calls++; throw new Error('iterator ran'); }
      override get size(): number { calls++; return 999; }
      override forEach(): void { calls++; }
    }
    class SneakySet extends Set<number> {
      override values(): SetIterator<number> { calls++; throw new Error('values ran'); }
    }
    const m = new SneakyMap([['a', 1]]);
    const s = new SneakySet([1, 2]);
    const n = node(m);
    assert.equal(n.type === 'map' && n.className, 'SneakyMap');
    assert.equal(n.type === 'map' && n.size, 1);
    assert.equal(n.type === 'map' && n.entries.length, 1);
    assert.equal(node(s).type === 'set' && (node(s) as { size: number }).size, 2);
    assert.deepEqual(one(m).size, { total: 1 + 1, exact: true });
    assert.equal(calls, 0);
  });
  it('built-ins patched after the serializer was created are not used', () => {
    const isolated = createCapture();
    const saved = {
      push: Array.prototype.push,
      entries: Map.prototype.entries,
      getOwnPropertyDescriptor: Object.getOwnPropertyDescriptor,
      reflectGopd: Reflect.getOwnPropertyDescriptor,
      apply: Reflect.apply,
    };
    let calls = 0;
    const trip = () => { calls++; throw new Error('patched built-in ran'); };
    try {
      Array.prototype.push = trip;
      Map.prototype.entries = trip;
      Object.getOwnPropertyDescriptor = trip;
      Reflect.getOwnPropertyDescriptor = trip;
      Reflect.apply = trip;
      const result = isolated(DEFAULT_BUDGETS, [[1, { a: new Map([[1, 2]]) }]]);
      assert.equal(result[0].value.type, 'array');
    } finally {
      Array.prototype.push = saved.push;
      Map.prototype.entries = saved.entries;
      Object.getOwnPropertyDescriptor = saved.getOwnPropertyDescriptor;
      Reflect.getOwnPropertyDescriptor = saved.reflectGopd;
      Reflect.apply = saved.apply;
    }
    assert.equal(calls, 0);
  });
});

describe('serializer: cycles and shared references', () => {
  it('a cycle becomes a ref to its path', () => {
    const o: Record<string, unknown> = { name: 'root' };
    o.self = o;
    o.list = [o];
    const n = node(o);
    assert.deepEqual(prop(n, 'self'), { type: 'ref', path: '$' });
    const list = prop(n, 'list');
    assert.deepEqual(list.type === 'array' && list.items[0], { type: 'ref', path: '$' });
    assert.deepEqual(one(o).size, { total: 3 + 4 + 1, exact: true });
  });
  it('a shared reference points at the first place it was shown', () => {
    const shared = { v: 1 };
    const n = node({ a: shared, 'b c': [shared], m: new Map([['k', shared]]) });
    const b = prop(n, 'b c');
    assert.deepEqual(b.type === 'array' && b.items[0], { type: 'ref', path: '$.a' });
    const inner = { z: 1 };
    const m = node(new Map([[inner, inner]]));
    assert.deepEqual(m.type === 'map' && m.entries[0].value, { type: 'ref', path: '$[[entries]][0].key' });
    const odd = node({ 'b c': inner, again: inner });
    assert.deepEqual(prop(odd, 'again'), { type: 'ref', path: '$["b c"]' });
  });
  it('each captured value is its own tree', () => {
    const shared = [1];
    const [a, b] = capture(DEFAULT_BUDGETS, [shared, shared]);
    assert.equal(a.value.type, 'array');
    assert.equal(b.value.type, 'array');
  });
});

describe('serializer: size measure', () => {
  it('counts lengths, sizes, bytes and keys with nested totals', () => {
    assert.deepEqual(one(['B', 'B', 'B']).size, { total: 6, exact: true });
    assert.deepEqual(one('héllo').size, { total: 6, exact: true });
    assert.deepEqual(one(42).size, { total: 0, exact: true });
    assert.deepEqual(one(Buffer.alloc(10)).size, { total: 10, exact: true });
    assert.deepEqual(one({ a: 1, b: [1, 2] }).size, { total: 4, exact: true });
    assert.deepEqual(one(new Map([['k', new Set([1, 2])]])).size, { total: 1 + 1 + 2, exact: true });
  });
  it('is a lower bound past its visit budget', () => {
    const big = Array.from({ length: 50_000 }, () => 'ab');
    const size = one(big).size;
    assert.equal(size.exact, false);
    assert.ok(size.total >= 50_000 && size.total < 50_000 * 3);
  });
});

describe('serializer: huge values stay small and fast', () => {
  // Correctness of the bounds only; timings are measured by scripts/bench.mjs.
  it('a 1,000,000-element array', () => {
    const big = new Array<number>(1_000_000).fill(7);
    const result = one(big);
    assert.equal(result.value.type === 'array' && result.value.length, 1_000_000);
    assert.equal(result.value.type === 'array' && result.value.items.length, DEFAULT_BUDGETS.items);
    assert.ok(result.size.total >= 1_000_000);
    assert.equal(result.size.exact, false);
    assert.ok(JSON.stringify(result).length < 256 * 1024);
  });
  it('a 100 MB Buffer', () => {
    const big = Buffer.alloc(100 * 1024 * 1024);
    const result = one(big);
    assert.equal(result.value.type === 'binary' && result.value.byteLength, 100 * 1024 * 1024);
    assert.deepEqual(result.size, { total: 100 * 1024 * 1024, exact: true });
    assert.ok(JSON.stringify(result).length < 2048);
  });
  it('a 100,000-entry Map', () => {
    const big = new Map<string, { n: number }>();
    for (let i = 0; i < 100_000; i++) big.set(`key${i}`, { n: i });
    const result = one(big);
    assert.equal(result.value.type === 'map' && result.value.size, 100_000);
    assert.equal(result.value.type === 'map' && result.value.entries.length, DEFAULT_BUDGETS.items);
    assert.ok(result.size.total >= 100_000);
    assert.ok(JSON.stringify(result).length < 256 * 1024);
  });
  it('many big variables together stay under the output budget', () => {
    const wide = Array.from({ length: 50 }, () => Array.from({ length: 50 }, () => 'y'.repeat(300)));
    const all = capture({ ...DEFAULT_BUDGETS, nodes: 100_000 }, [wide, wide.slice(), wide.slice()]);
    assert.ok(JSON.stringify(all).length < 256 * 1024, `${JSON.stringify(all).length} chars`);
  });
});

describe('installSerializer', () => {
  it('defines a hidden, read-only global once', () => {
    installSerializer();
    installSerializer();
    const key = Symbol.for(CAPTURE_GLOBAL_KEY);
    const desc = Object.getOwnPropertyDescriptor(globalThis, key);
    assert.ok(desc && typeof desc.value === 'function');
    assert.equal(desc.enumerable, false);
    assert.equal(desc.writable, false);
    const fn = desc.value as CaptureFunction;
    assert.deepEqual(fn(DEFAULT_BUDGETS, [1])[0].value, { type: 'number', value: 1 });
  });
});
