import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runInThisContext } from 'node:vm';
import { createCapture, type CaptureFunction } from '../../src/core/runtime/child/services/serializer';
import { createModuleProbe, readModuleScope } from '../../src/core/runtime/child/services/module-scope';
import { installFrameHooks, setFrameBudgets, startFrameCapture, takeFrameCapture } from '../../src/core/runtime/child/services/frame-hooks';
import { installHooksChannel } from '../../src/core/runtime/child/services/hooks-channel';
import { hooksNameFrom } from '../../src/core/runtime/child/services/runtime-globals';
import { encodeJson, encodeMessage } from '../../src/core/runtime/child/services/json-encode';
import { decodeSite } from '../../src/core/runtime/instrument/site-descriptor';
import { instrumentModule } from '../../src/core/runtime/instrument/instrument';
import { HostileRealm } from './hostile-realm';
import { DEFAULT_BUDGETS, type CaptureBudgets } from '../../src/core/runtime/environment-api';
import type { ValueNode } from '../../src/core/model/snapshot';

const capture: CaptureFunction = createCapture();
const HOOKS = hooksNameFrom(new Uint8Array(16).fill(9));
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
  it('Promises: named, their state and value never read (no way to read them runs no user code)', () => {
    const rejected = Promise.reject(new Error('no'));
    rejected.catch(() => undefined);
    class MyPromise<T> extends Promise<T> {}
    for (const promise of [new Promise(() => undefined), Promise.resolve('<pending>'), rejected, MyPromise.resolve(1)]) {
      assert.deepEqual(node(promise), { type: 'promise', state: 'unknown', value: null });
    }
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


/**
 * The hostile set: a program that replaced built-ins, the global `eval` and `Error`, keeps
 * settled promises of hostile values and names things as the runtime used to. Counters in every
 * replacement prove that capture (serializer, module scope, site decoding, frame hooks) and the
 * channel's encoder make zero calls into it, and the captured values are still right.
 */
const zero = (realm: HostileRealm): void => assert.deepEqual({ ...realm.calls }, {}, 'calls into user code');

describe('serializer: a hostile program', () => {
  it('patched built-ins (array methods, iterators, index accessors, Object.prototype getters, JSON, Set): capture, module scope, sites, frame hooks and the encoder call none', () => {
    const isolated = createCapture();
    const probe = createModuleProbe();
    const hooksName = hooksNameFrom(randomBytes(16));
    installFrameHooks(hooksName, isolated, { module: probe.register });
    const hooks = runInThisContext(hooksName) as { x(descriptor: string, values: unknown): void; enter(key: string, first: unknown, second: unknown): void; h: string | null };
    const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const values = [holes, { a: [1, 2], m: new Map([['k', new Set([1])]]) }, new Error('boom'), 'text'];
    const event = { n: 1 };
    const context = {};
    let captured: ReturnType<CaptureFunction>;
    let moduleScope: ReturnType<typeof readModuleScope>;
    let site: ReturnType<typeof decodeSite>;
    let frame: ReturnType<typeof takeFrameCapture>;
    let text: string;
    const moduleValues = [holes, 'ok', { deep: true }];
    const reader = (index: number): unknown => moduleValues[index];
    const bindingsJson = JSON.stringify([{ name: 'holes', kind: 'const', binding: 'holes' }, { name: 's', kind: 'let', binding: 's' }, { name: 'imp', kind: 'import', binding: '_m', property: 'deep' }]);
    const realm = HostileRealm.patchEverything();
    try {
      realm.run(() => {
        captured = isolated(DEFAULT_BUDGETS, values);
        probe.register(reader, bindingsJson);
        const registered = probe.registered();
        moduleScope = readModuleScope(registered!.reader, registered!.bindings, isolated, DEFAULT_BUDGETS);
        site = decodeSite('exit|3|a:local,b:parameter,c:let|c');
        setFrameBudgets(DEFAULT_BUDGETS);
        startFrameCapture(event, context);
        hooks.enter('k1', event, context);
        hooks.x('exit|7|event:parameter,list:const,late:let|late', [event, holes]);
        frame = takeFrameCapture(false);
        text = encodeJson({ type: 'result', moduleScope, handlerScope: frame.capture?.handlerScope ?? null, list: holes, missing: undefined, n: NaN });
      });
    } finally {
      realm.dispose();
    }
    zero(realm);
    assert.deepEqual(captured![0].value, { type: 'array', className: 'Array', length: 3, truncated: false, items: [{ type: 'number', value: 1 }, { type: 'undefined' }, { type: 'number', value: 3 }] });
    assert.equal(captured![2].value.type === 'error' && captured![2].value.message, 'boom');
    assert.deepEqual(moduleScope!.map((v) => [v.name, v.kind, v.value.type]), [['holes', 'const', 'array'], ['s', 'let', 'string'], ['imp', 'import', 'boolean']]);
    assert.deepEqual(site!, { reason: 'exit', line: 3, bindings: [{ name: 'a', kind: 'local' }, { name: 'b', kind: 'parameter' }, { name: 'c', kind: 'let' }], uninitialized: ['c'] });
    assert.deepEqual(frame!.capture?.parameters.map((v) => v.name), ['event']);
    assert.deepEqual(frame!.capture?.handlerScope.map((v) => [v.name, v.value.type]), [['list', 'array'], ['late', 'uninitialized']]);
    const decoded = JSON.parse(text!) as { list: unknown[]; n: unknown; missing?: unknown };
    assert.deepEqual(decoded.list, [1, null, 3]);
    assert.equal(decoded.n, null);
    assert.equal('missing' in decoded, false);
  });

  it('settled Promises: their values are never formatted (Proxy traps in a prototype chain, static name getter, Symbol.hasInstance, a subclass\'s getters)', () => {
    let calls = 0;
    const count = (): undefined => { calls++; return undefined; };
    const trapped = Object.create(new Proxy({}, { getOwnPropertyDescriptor: count, getPrototypeOf: () => { calls++; return null; }, get: count, has: () => { calls++; return false; } })) as object;
    class Named { static get name(): string { calls++; return 'Named'; } }
    class Instance { static [Symbol.hasInstance](): boolean { calls++; return true; } }
    class Tagged<T> extends Promise<T> { override get [Symbol.toStringTag](): string { calls++; return 'Tagged'; } }
    const rejectedWith = Promise.reject(new Named());
    rejectedWith.catch(() => undefined);
    const promises = [Promise.resolve(trapped), Promise.resolve(new Named()), Promise.resolve(new Instance()), Tagged.resolve(1), rejectedWith];
    calls = 0; // resolving with `trapped` asked it for `then`: that was the test, not capture
    for (const promise of promises) assert.deepEqual(node(promise), { type: 'promise', state: 'unknown', value: null });
    assert.deepEqual(node(new Tagged(() => undefined)), { type: 'promise', state: 'unknown', value: null });
    assert.equal(calls, 0);
  });

  it('a global Error replaced by a class with prepareStackTrace (own or inherited): never run, the stack is null, the message kept', () => {
    const SavedError = Error;
    let calls = 0;
    class WithOwn extends SavedError { static override prepareStackTrace(): string { calls++; return 'forged'; } }
    class Parent { static prepareStackTrace(): string { calls++; return 'forged'; } }
    class Inherits extends Parent {}
    for (const replacement of [WithOwn, Inherits]) {
      const realm = new HostileRealm().value(globalThis, 'Error', replacement);
      let n: ValueNode;
      try {
        n = node(new SavedError('fresh'));
      } finally {
        realm.dispose();
      }
      assert.equal(calls, 0, replacement.name);
      assert.deepEqual(n.type === 'error' && [n.message, n.stack], ['fresh', null]);
    }
    assert.equal(globalThis.Error, SavedError);
    const plain = node(new Error('plain'));
    assert.ok(plain.type === 'error' && plain.stack?.startsWith('Error: plain'), 'Node\'s own formatting still gives a stack');
  });

  it('a replaced global eval is never called for module scope', () => {
    const realm = new HostileRealm();
    realm.value(globalThis, 'eval', realm.counter('eval', () => 'forged'));
    const probe = createModuleProbe();
    let scope: ReturnType<typeof readModuleScope>;
    try {
      realm.run(() => {
        const code = instrumentModule('var a = 1;\nlet b = [2];\nexports.handler = () => a;', '/t/h.js', 'commonjs', { hooks: HOOKS, probe: true }).code;
        new Function(HOOKS, 'exports', code)({ module: probe.register }, {});
        const registered = probe.registered();
        scope = readModuleScope(registered!.reader, registered!.bindings, capture, DEFAULT_BUDGETS);
      });
    } finally {
      realm.dispose();
    }
    zero(realm);
    assert.deepEqual(scope!.map((v) => [v.name, v.value]), [['a', { type: 'number', value: 1 }], ['b', node([2])]]);
  });

  it('the hooks channel: a global lexical binding nobody can replace, not a property of globalThis, with read-only methods', () => {
    const name = hooksNameFrom(randomBytes(16));
    const hooks = { p: false, x: () => 'ours' };
    installHooksChannel(name, hooks);
    assert.equal(runInThisContext(name), hooks);
    assert.equal(Object.getOwnPropertyNames(globalThis).includes(name), false);
    assert.throws(() => runInThisContext(`${name} = {}`), TypeError);
    assert.throws(() => runInThisContext(`'use strict'; ${name}.x = () => 'forged'`), TypeError);
    assert.throws(() => runInThisContext(`'use strict'; ${name}.extra = 1`), TypeError);
    assert.equal(runInThisContext(`${name}.x()`), 'ours');
    runInThisContext(`${name}.p = true`);
    assert.equal(hooks.p, true, 'the runtime\'s own fields stay writable');
    // A user's own variable of the old fixed name is just that: it shadows nothing of ours.
    assert.equal(runInThisContext('(function () { var __warmState = {}; return typeof __warmState.refused; })()'), 'undefined');
    assert.throws(() => installHooksChannel('__warmState; globalThis.owned = 1; //', {}), /invalid hooks name/);
    assert.equal((globalThis as Record<string, unknown>).owned, undefined);
  });

  it('huge sparse arrays cost what they hold, not their length', () => {
    const huge: unknown[] = [];
    huge.length = 2 ** 32 - 1;
    huge[5] = 'near';
    huge[3_000_000_000] = 'far';
    const captured = one(huge);
    assert.equal(captured.value.type === 'array' && captured.value.length, 2 ** 32 - 1);
    assert.deepEqual(captured.value.type === 'array' && captured.value.items[5], { type: 'string', value: 'near', length: 4, truncated: false });
    assert.deepEqual(captured.size, { total: 2 ** 32 - 1 + 4 + 3, exact: true }, 'the far element is measured too');
    const holes: number[] = [1];
    holes.length = 5e7;
    assert.deepEqual(one(holes).size, { total: 5e7, exact: true });
    // Mostly present and long: bounded by the visit budget, a lower bound.
    const dense = new Array<number>(200_000).fill(1);
    delete dense[10];
    assert.deepEqual(one(dense).size, { total: 200_000, exact: false });
  });
});

describe('channel encoder (json-encode.ts)', () => {
  it('writes what JSON.stringify writes for plain data', () => {
    const data = { a: [1, 'two', null, true, { b: undefined, c: () => 1, d: Symbol('x') }, undefined], e: 'ü"\n\u2028\ud800', f: -0, g: 1e21, h: Infinity, i: {}, j: [] };
    assert.equal(encodeJson(data), JSON.stringify(data));
    for (const scalar of ['s', 1.5, false, null, undefined, NaN]) assert.equal(encodeJson(scalar), JSON.stringify(scalar) ?? 'null');
  });
  it('never asks for toJSON, never reads a hole through the prototype, never traps a Proxy', () => {
    const data = { list: [1, , 3], nested: { p: new Proxy({}, { ownKeys: () => { throw new Error('trap ran'); } }) } }; // eslint-disable-line no-sparse-arrays
    const realm = HostileRealm.patchEverything();
    let text: string;
    try {
      text = realm.run(() => encodeJson(data));
    } finally {
      realm.dispose();
    }
    zero(realm);
    assert.equal(text!, '{"list":[1,null,3],"nested":{"p":null}}');
  });
  it('nesting deeper than the stack allows recursion is written without overflowing it', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const text = encodeJson(deep);
    assert.equal(text, `${'['.repeat(200_000)}"leaf"${']'.repeat(200_000)}`);
  });
});

describe('channel messages (encodeMessage)', () => {
  /** Runtime-built data as a result message carries it: nested plain objects, arrays, a null-prototype table, a hole. */
  const message = (): Record<string, unknown> => ({
    type: 'result',
    requestId: 'r-1',
    moduleScope: [{ name: 'v0', kind: 'let', value: { type: 'number', value: -0 }, size: { total: 0, exact: true } }],
    findings: [{ kind: 'cross-talk', variable: 'state.user', worker: 0, writer: { requestId: 'r-1', line: 3 } }],
    table: Object.assign(Object.create(null) as object, { a: 1, 'ü"\n': [null, true] }),
    list: [1, , 3], // eslint-disable-line no-sparse-arrays
    missing: undefined,
    n: NaN,
  });

  it('writes what encodeJson writes, a bigint and nesting deeper than the native recursion included', () => {
    assert.equal(encodeMessage(message()), encodeJson(message()));
    assert.equal(encodeMessage({ big: 5n }), '{"big":"5"}');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.equal(encodeMessage(deep), `${'['.repeat(200_000)}"leaf"${']'.repeat(200_000)}`);
  });

  it('asks the program for nothing, whichever prototype it changed: toJSON on Object, Array or BigInt, an index, the chain', () => {
    const expected = encodeJson({ ...message(), big: 5n });
    const variants: Array<[string, (realm: HostileRealm) => void]> = [
      ['Object.prototype.toJSON', (realm) => realm.accessor(Object.prototype, 'toJSON', 'toJSON')],
      ['Array.prototype.toJSON', (realm) => realm.accessor(Array.prototype, 'toJSON', 'toJSON')],
      ['BigInt.prototype.toJSON', (realm) => realm.accessor(BigInt.prototype, 'toJSON', 'toJSON')],
      ['Array.prototype[1]', (realm) => realm.accessor(Array.prototype, 1, 'index')],
      ['Object.prototype[1]', (realm) => realm.accessor(Object.prototype, 1, 'index')],
    ];
    for (const [label, patch] of variants) {
      const realm = new HostileRealm();
      let text: string;
      try {
        patch(realm);
        text = realm.run(() => encodeMessage({ ...message(), big: 5n }));
      } finally {
        realm.dispose();
      }
      assert.deepEqual({ ...realm.calls }, {}, `calls into user code with ${label}`);
      assert.equal(text!, expected, label);
    }
    // Array.prototype given another prototype, with a toJSON getter on it.
    let asked = 0;
    const chain = Object.create(Object.prototype, { toJSON: { get: () => void asked++ } }) as object;
    Object.setPrototypeOf(Array.prototype, chain);
    let text: string;
    try {
      text = encodeMessage(message());
    } finally {
      Object.setPrototypeOf(Array.prototype, Object.prototype);
    }
    assert.equal(asked, 0, 'a getter on the chain of Array.prototype ran');
    assert.equal(text, encodeJson(message()));
  });
});
