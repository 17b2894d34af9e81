/**
 * The source hooks of handler-scope capture (frame-instrument.ts): the instrumented code must
 * parse, keep every line, behave as the original, and call the hooks with the frame's values.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { parse } from 'acorn';
import { instrumentFrames } from '../../src/core/runtime/instrument/frame-instrument';
import { parseAny, type AnyNode } from '../../src/core/runtime/instrument/handler-exits';
import { preparedCodeFor } from '../../src/core/runtime/child/services/prepared-source';
import { handlerDefinedIn, HOST_HOOKS_NAME, prepareHandler } from '../../src/core/runtime/prepare-handler';
import { hooksNameFrom } from '../../src/core/runtime/child/services/runtime-globals';

const HOOKS = hooksNameFrom(new Uint8Array(16).fill(2));

function instrument(code: string): string {
  const comments: Array<{ start: number; end: number }> = [];
  const root = parseAny(code, comments);
  assert.ok(root, 'the original parses');
  const result = instrumentFrames(code, root, 't', comments, HOOKS);
  assert.equal(result.refusal, null);
  return result.code;
}

interface HookCall {
  method: 'x' | 'r';
  descriptor: string;
  values: unknown[] | null;
}

/** Runs `code` (CommonJS-style, `exports` given) with a recording hooks object; the handler is `exports[name]`. */
function runWithHooks(code: string, name: string, event: unknown, context: unknown = {}): { result: unknown; calls: HookCall[] } {
  const calls: HookCall[] = [];
  const unknown = {};
  const hooks = {
    p: false,
    h: null as string | null,
    unknown,
    enter(key: string, first: unknown, second: unknown) {
      if (hooks.p && (first === event || second === context || (first === unknown && second === unknown))) {
        hooks.p = false;
        hooks.h = key;
      }
    },
    x: (descriptor: string, values: unknown[] | null) => calls.push({ method: 'x', descriptor, values }),
    r: (descriptor: string, values: unknown[] | null) => calls.push({ method: 'r', descriptor, values }),
    refused: () => undefined,
  };
  const sandbox = { exports: {} as Record<string, (...args: unknown[]) => unknown>, [HOOKS]: hooks };
  runInNewContext(code, sandbox);
  // Values made in the sandbox have its prototypes: compare them as JSON.
  hooks.p = true;
  let result: unknown;
  try {
    result = sandbox.exports[name]?.(event, context);
  } catch (error) {
    result = error;
  }
  hooks.p = false;
  hooks.h = null;
  const plain = (value: unknown): unknown => (value instanceof Error || (value as { stack?: unknown })?.stack ? String(value) : JSON.parse(JSON.stringify(value ?? null)));
  return { result: plain(result), calls: calls.map((call) => ({ ...call, values: call.values && (plain(call.values) as unknown[]) })) };
}

const lines = (code: string): number => code.split('\n').length;

describe('runtime: frame hooks in the source (instrumentFrames)', () => {
  it('keeps every line and the behaviour of awkward statement positions', () => {
    const code = [
      "'use strict';",
      'exports.handler = function (event) {',
      "  'use strict';",
      '  const out = []',
      '  if (event.a) return 1',
      '  else if (event.b) out.push(2); else out.push(3)',
      '  outer: for (const i of [1, 2]) { for (;;) { if (i > 1) break outer; continue outer } }',
      '  switch (event.c) { case 1: out.push(4); case 2: { out.push(5); break } default: out.push(6) }',
      '  const f = () => ({ k: out.length }), g = (x) => (x, x + 1)',
      '  class A { constructor() { this.v = 1 } get w() { return this.v } }',
      '  class B extends A { constructor() { super(); out.push(new.target === B) } }',
      '  new B()',
      '  if (event.d) { return out } else return [f().k, g(1), new A().w, out]',
      '}',
    ].join('\n');
    const instrumented = instrument(code);
    assert.equal(lines(instrumented), lines(code));
    for (const event of [{ a: 1 }, { b: 1 }, { c: 1 }, { c: 2, d: 1 }, {}]) {
      const plain = runWithHooks(code, 'handler', event).result;
      const hooked = runWithHooks(instrumented, 'handler', event);
      assert.deepEqual(hooked.result, plain, JSON.stringify(event));
      assert.ok(hooked.calls.length > 0, 'the handler was recognised and its sites called');
    }
  });

  it("keeps a function's own 'use strict' directive first, in a sloppy file", () => {
    for (const code of [
      "exports.h = function (event) {\n  'use strict';\n  return (function () { return this; })() === undefined ? 'strict' : 'sloppy';\n};",
      "exports.h = (event) => { 'use strict'; return (function () { return this; })() === undefined ? 'strict' : 'sloppy'; };",
    ]) {
      assert.equal(runWithHooks(code, 'h', {}).result, 'strict', 'the original');
      assert.equal(runWithHooks(instrument(code), 'h', {}).result, 'strict', code);
    }
  });

  it("hands each site the frame's values, dead-zone names left out", () => {
    const code = ['exports.h = async (event) => {', '  let a = 1;', '  { const b = 2; if (event.x) return a + b; }', '  const late = 3;', '  return late;', '};'].join('\n');
    const { calls } = runWithHooks(instrument(code), 'h', { x: true });
    const exit = calls.filter((call) => call.method === 'x').at(-1);
    assert.equal(exit?.descriptor, 'exit|3|b:block,a:local,late:local,event:parameter|late');
    assert.deepEqual(exit?.values, [2, 1, { x: true }]);
  });

  it('recognises only the function that received the event: helpers record nothing', () => {
    const code = ['function helper(n) { const twice = n * 2; return twice; }', 'exports.h = (event) => { const v = helper(event.n); return v; };'].join('\n');
    const { calls } = runWithHooks(instrument(code), 'h', { n: 2 });
    assert.ok(calls.every((call) => !call.descriptor.includes('twice')), 'no call from the helper');
    assert.deepEqual(calls.at(-1)?.values, [4, { n: 2 }]);
  });

  it('an expression arrow captures its parameters before its body runs', () => {
    const code = 'exports.h = (event, ctx) => ({ sum: event.a + 1 });';
    const instrumented = instrument(code);
    const { result, calls } = runWithHooks(instrumented, 'h', { a: 1 });
    assert.deepEqual(result, { sum: 2 });
    assert.deepEqual(calls, [{ method: 'x', descriptor: 'exit|1|event:parameter,ctx:parameter|', values: [{ a: 1 }, {}] }]);
  });

  it('leaves the columns of a statement that starts its own line, putting its hook after the previous token', () => {
    const code = ['exports.h = async (event) => { // first', '  const a = 1; /* note', '  */', '  if (a) {', '    throw new Error(`x${a}`); // here', '  }', '  return a', '};'].join('\n');
    const instrumented = instrument(code);
    const original = code.split('\n');
    instrumented.split('\n').forEach((line, index) => {
      const source = original[index] ?? '';
      // Every line either is unchanged or keeps the original text as its start (hooks appended).
      const trimmed = source.replace(/\s*(\/\/.*|\/\*.*)?$/, '');
      assert.ok(line.startsWith(trimmed), `line ${index + 1} keeps its columns: ${line}`);
    });
    assert.match(instrumented, /\/\/ here/);
  });

  it('refuses a script that declares the hooks global or uses with', () => {
    for (const code of [`const ${HOOKS} = 1; exports.h = () => 1;`, 'with (o) { exports.h = () => 1; }']) {
      const root = parseAny(code) as AnyNode;
      const result = instrumentFrames(code, root, 't', [], HOOKS);
      assert.equal(result.code, code);
      assert.ok(result.refusal);
    }
  });

  it('produces code that parses for large real-world sources', function () {
    this.timeout(20_000);
    const require = createRequire(__filename);
    const files = [require.resolve('acorn'), require.resolve('sucrase/dist/parser/traverser/statement.js'), require.resolve('esbuild/lib/main.js'), require.resolve('mocha/lib/runner.js')];
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      const instrumented = instrument(code);
      assert.equal(lines(instrumented), lines(code), file);
      for (const sourceType of ['script', 'module'] as const) {
        try {
          parse(instrumented, { ecmaVersion: 'latest', sourceType, allowHashBang: true, allowReturnOutsideFunction: sourceType === 'script' });
          break;
        } catch (error) {
          if (sourceType === 'module') assert.fail(`${file}: ${(error as Error).message}`);
        }
      }
    }
  });
});

describe('runtime: what the host works out about the handler file (prepareHandler)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warm-prepare-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('instruments a CommonJS JavaScript handler, and the child takes it only for the same source', () => {
    const file = join(dir, 'handler.js');
    const source = 'function helper(x) { return x; }\nexports.handler = async (event) => {\n  const n = helper(1);\n  return n;\n};\n';
    writeFileSync(file, source);
    const { prepared, handlerInFile } = prepareHandler(file, 'commonjs', true, 'handler');
    assert.equal(handlerInFile, true);
    assert.ok(prepared);
    assert.ok(prepared.code.includes(`${HOST_HOOKS_NAME}.enter("h_1"`), 'hooks keyed as the host made them, on the channel it named');
    assert.equal(prepared.code.split(`${HOST_HOOKS_NAME}.enter(`).length, 3, 'every function of the handler file is hooked');
    assert.ok(prepared.code.includes(`${HOST_HOOKS_NAME}.module(`), 'the module-scope reader is appended');
    assert.equal(preparedCodeFor(source, prepared), prepared.code);
    assert.equal(preparedCodeFor(source.replace('1', '2'), prepared), null, 'edited since: the child instruments it itself');
    assert.equal(preparedCodeFor(source, null), null);
  });

  it('says when the export is not a function written in the file (then other user files get hooks too)', () => {
    const file = join(dir, 'wrapped.js');
    writeFileSync(file, "const wrap = require('w');\nfunction base(e) { return e; }\nexports.handler = wrap(base);\n");
    const { prepared, handlerInFile } = prepareHandler(file, 'commonjs', true, 'handler');
    assert.equal(handlerInFile, false);
    assert.ok(prepared?.code.includes(`${HOST_HOOKS_NAME}.enter("h_0"`));
    assert.equal(handlerDefinedIn('export { impl as handler } from "./impl";\n', join(dir, 'h.mjs'), 'handler'), false);
  });

  it('puts in the init profile marks when asked, so the child never loads the instrumenter for them', () => {
    const file = join(dir, 'profiled.js');
    writeFileSync(file, "'use strict';\nconst a = 1;\nexports.handler = async () => a;\n");
    const profiled = prepareHandler(file, 'commonjs', true, 'handler', false, true).prepared?.code ?? '';
    assert.ok(profiled.includes(`${HOST_HOOKS_NAME}.profileMark(0)`), profiled);
    assert.ok(profiled.includes(`${HOST_HOOKS_NAME}.profileEnd(2, [{"what":"const a = 1;","line":2}`), profiled);
    const plain = prepareHandler(file, 'commonjs', true, 'handler').prepared?.code ?? '';
    assert.ok(!plain.includes('.profileMark('), 'no marks unless asked');
  });

  it('reuses its work for an unchanged file with the same options, and prepares an edited file again', () => {
    const file = join(dir, 'kept.js');
    writeFileSync(file, 'exports.handler = async () => 1;\n');
    const first = prepareHandler(file, 'commonjs', true, 'handler');
    assert.equal(prepareHandler(file, 'commonjs', true, 'handler'), first, 'the same preparation, not parsed again');
    assert.notEqual(prepareHandler(file, 'commonjs', false, 'handler'), first, 'other options: prepared for them');
    writeFileSync(file, 'exports.handler = async () => 2;\n');
    const edited = prepareHandler(file, 'commonjs', true, 'handler');
    assert.notEqual(edited, first);
    assert.equal(preparedCodeFor('exports.handler = async () => 2;\n', edited.prepared), edited.prepared?.code);
    assert.notEqual(edited.prepared?.sourceHash, first.prepared?.sourceHash);
  });

  it('leaves TypeScript and ES modules to the child, saying where the handler is', () => {
    writeFileSync(join(dir, 'h.ts'), 'export const handler = async (e: unknown) => {\n  return 1;\n};\n');
    writeFileSync(join(dir, 'h.mjs'), 'export async function handler() {\n  return 1;\n}\n');
    assert.deepEqual(prepareHandler(join(dir, 'h.ts'), 'commonjs', true, 'handler'), { prepared: null, handlerInFile: true });
    assert.deepEqual(prepareHandler(join(dir, 'h.mjs'), 'module', true, 'handler'), { prepared: null, handlerInFile: true });
    assert.deepEqual(prepareHandler(join(dir, 'missing.js'), 'commonjs', true, 'handler'), { prepared: null, handlerInFile: false });
    const uncaptured = prepareHandler(join(dir, 'handler.js'), 'commonjs', false, 'handler');
    assert.ok(uncaptured.prepared && !uncaptured.prepared.code.includes(`${HOST_HOOKS_NAME}.enter`), 'capture off: no frame hooks');
  });
});
