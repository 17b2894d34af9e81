import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callbackRefusal } from '../../src/core/handlers/callback-style';
import { detectHandlers, detectHandlersWithDiagnostics } from '../../src/core/handlers/detect';
import type { HandlerCandidate } from '../../src/core/handlers/types';

const fixtures = join(__dirname, '..', 'fixtures', 'detect');

function byName(candidates: HandlerCandidate[]): Record<string, HandlerCandidate> {
  return Object.fromEntries(candidates.map((c) => [c.exportName, c]));
}

function names(source: string, file = 'handler.js'): string[] {
  return detectHandlers(source, file).map((c) => c.exportName);
}

describe('detectHandlers: CommonJS', () => {
  it('finds exports.x = function with params, shape and position', () => {
    const src = 'const a = 1;\nexports.test = function (event, context, callback) {\n  callback(null, a);\n};\n';
    const [c] = detectHandlers(src, 'h.js');
    assert.deepEqual(
      { ...c },
      {
        exportName: 'test', line: 2, column: 0, params: 3, shape: 'function', confidence: 'likely', endLine: 4, definition: { line: 2, endLine: 4 },
        callbackStyle: true, parameterList: { line: 2, column: 25, endLine: 2, endColumn: 49 },
      },
    );
  });

  it('finds module.exports.x = async arrow', () => {
    const [c] = detectHandlers('module.exports.run = async (event) => event;\n', 'h.js');
    assert.equal(c.exportName, 'run');
    assert.equal(c.shape, 'async-function');
    assert.equal(c.params, 1);
  });

  it('finds the motivating example (export named test, callback handler)', () => {
    const src = readFileSync(join(fixtures, 'motivating.js'), 'utf8');
    const found = detectHandlers(src, 'motivating.js');
    assert.deepEqual(
      found.map((c) => [c.exportName, c.line, c.params, c.shape, c.confidence, c.endLine]),
      [['test', 6, 3, 'function', 'likely', 12]],
    );
  });

  it('finds computed string keys exports["x"] and module.exports[`y`]', () => {
    assert.deepEqual(names('exports["a-b"] = () => 1;\nmodule.exports[`y`] = function () {};\n'), ['a-b', 'y']);
  });

  it('finds every target of a chained assignment', () => {
    assert.deepEqual(names('exports.a = module.exports.b = async () => 1;\n').sort(), ['a', 'b']);
  });

  it('reads module.exports = { shorthand, key: fn, method(), async method() }', () => {
    const src = [
      'async function handler(event, context) {', //1
      '  return 1;',
      '}',
      'const helper = (a, b, c, d) => a;', //4
      'module.exports = {', //5
      '  handler,',
      '  other: function (e) {},',
      '  helper,',
      '  async method(e) {},',
      '  config: { a: 1 },',
      '  version: "1",',
      '};',
    ].join('\n');
    const found = byName(detectHandlers(src, 'h.js'));
    assert.deepEqual(Object.keys(found).sort(), ['handler', 'helper', 'method', 'other']);
    assert.equal(found.handler.line, 6);
    assert.deepEqual(found.handler.definition, { line: 1, endLine: 3 });
    assert.equal(found.handler.shape, 'async-function');
    assert.equal(found.other.shape, 'function');
    assert.equal(found.helper.params, 4);
    assert.equal(found.helper.confidence, 'possible', 'four parameters is more than a Lambda handler takes');
    assert.equal(found.method.shape, 'async-function');
  });

  it('reports module.exports = fn as a note, not a candidate', () => {
    const result = detectHandlersWithDiagnostics('function main(e) {}\nmodule.exports = main;\n', 'h.js');
    assert.deepEqual(result.candidates, []);
    assert.equal(result.notes.length, 1);
    assert.match(result.notes[0], /line 2: module\.exports is itself a function/);
  });

  it('keeps named properties attached after module.exports = fn', () => {
    assert.deepEqual(names('module.exports = function () {};\nmodule.exports.handler = async () => {};\n'), ['handler']);
  });

  it('drops exports.x made before module.exports is replaced', () => {
    assert.deepEqual(names('exports.old = () => 1;\nmodule.exports = { fresh: () => 2 };\n'), ['fresh']);
  });

  it('the last assignment to a name wins', () => {
    const [c] = detectHandlers('exports.handler = () => 1;\nexports.handler = async (a, b) => 2;\n', 'h.js');
    assert.equal(c.line, 2);
    assert.equal(c.shape, 'async-function');
  });

  it('ignores non-function exports, nested assignments and lookalikes in strings or comments', () => {
    const src = [
      'exports.config = { a: 1 };',
      'exports.count = 3;',
      'exports.Klass = class {};',
      '// exports.fake = () => 1;',
      'const s = "exports.fake2 = () => 1";',
      'function f() { exports.inner = () => 1; }',
      'other.exports.x = () => 1;',
      'exports.real = () => 1;',
    ].join('\n');
    assert.deepEqual(names(src), ['real']);
  });

  it('treats require(...).x and conditional values as possible, shape unknown', () => {
    const found = byName(detectHandlers("exports.a = require('./impl').run;\nexports.b = process.env.X ? f : g;\n", 'h.js'));
    assert.equal(found.a.shape, 'unknown');
    assert.equal(found.a.params, null);
    assert.equal(found.a.confidence, 'possible');
    assert.equal(found.b.confidence, 'possible');
  });

  it('parses sloppy-mode scripts (with statement) as a fallback', () => {
    assert.deepEqual(names('with (Math) { var x = max(1, 2); }\nexports.handler = function (e) { return x; };\n'), ['handler']);
  });
});

describe('detectHandlers: ES modules', () => {
  it('finds export const, export function, export async function', () => {
    const src = [
      'export const a = (event) => event;',
      'export function b(event, context) {}',
      'export async function c(event) {',
      '  return event;',
      '}',
      'export const d = 42;',
      'export let e = function named() {}, f = async () => 1;',
      'export class G {}',
    ].join('\n');
    const found = byName(detectHandlers(src, 'h.mjs'));
    assert.deepEqual(Object.keys(found), ['a', 'b', 'c', 'e', 'f']);
    assert.deepEqual([found.c.line, found.c.endLine, found.c.shape, found.c.params], [3, 5, 'async-function', 1]);
    assert.equal(found.b.shape, 'function');
    assert.equal(found.f.shape, 'async-function');
    assert.equal(found.f.column, 36, 'a declarator of several points at itself');
  });

  it('finds export { x } and export { y as x } with the local definition', () => {
    const src = ['const y = async (event) => {', '  return 1;', '};', 'function x(e) {}', 'export { x, y as renamed };'].join('\n');
    const found = byName(detectHandlers(src, 'h.mjs'));
    assert.deepEqual(Object.keys(found).sort(), ['renamed', 'x']);
    assert.equal(found.renamed.line, 5);
    assert.equal(found.renamed.column, 12);
    assert.deepEqual(found.renamed.definition, { line: 1, endLine: 3 });
    assert.equal(found.renamed.shape, 'async-function');
    assert.deepEqual(found.x.definition, { line: 4, endLine: 4 });
  });

  it('skips export { value } when the value is not a function', () => {
    assert.deepEqual(names('const n = 1;\nexport { n };\n', 'h.mjs'), []);
  });

  it('treats re-exports and imported bindings as possible handlers of unknown shape', () => {
    const found = byName(detectHandlers("import { impl } from './impl.js';\nexport { impl as handler };\nexport { other } from './other.js';\n", 'h.mjs'));
    assert.deepEqual([found.handler.shape, found.handler.confidence], ['unknown', 'possible']);
    assert.deepEqual([found.other.shape, found.other.confidence], ['unknown', 'possible']);
  });

  it('finds export default (function, arrow, identifier) as "default"', () => {
    for (const src of ['export default async function (event) {}', 'export default (event, context) => 1;', 'const h = (e) => e;\nexport default h;']) {
      const [c] = detectHandlers(src, 'h.mjs');
      assert.equal(c.exportName, 'default', src);
      assert.notEqual(c.shape, 'unknown', src);
    }
    assert.deepEqual(names('export default { a: 1 };', 'h.mjs'), []);
  });

  it('rates wrapped values: middy(fn) likely, unknown wrappers possible', () => {
    const src = [
      "import middy from '@middy/core';",
      'const base = async (event) => {', //2
      '  return event;',
      '};',
      'export const handler = middy(base).use(jsonBodyParser());', //5
      'export const other = memoize(compute);',
      'export const wrappedHandler = something(base);',
    ].join('\n');
    const found = byName(detectHandlers(src, 'h.mjs'));
    assert.deepEqual([found.handler.shape, found.handler.params, found.handler.confidence], ['unknown', null, 'likely']);
    assert.deepEqual(found.handler.definition, { line: 2, endLine: 4 }, 'the wrapped function is where the code is');
    assert.equal(found.other.confidence, 'possible');
    assert.equal(found.wrappedHandler.confidence, 'likely', 'an export named like a handler that wraps something');
  });

  it('accepts top-level await and hashbang', () => {
    assert.deepEqual(names('#!/usr/bin/env node\nconst c = await load();\nexport const handler = async () => c;\n', 'h.mjs'), ['handler']);
  });

  it('does not loop on self-referencing bindings', () => {
    assert.deepEqual(names('var a = b;\nvar b = a;\nexport { a };\n', 'h.mjs'), []);
  });
});

describe('detectHandlers: TypeScript', () => {
  it('strips types and keeps lines and columns of the original', () => {
    const src = readFileSync(join(fixtures, 'typed-handler.ts'), 'utf8');
    const found = byName(detectHandlers(src, 'typed-handler.ts'));
    assert.deepEqual(Object.keys(found), ['handler', 'other']);
    assert.deepEqual([found.handler.line, found.handler.column, found.handler.endLine, found.handler.params], [12, 0, 15, 2]);
    assert.equal(found.handler.shape, 'async-function');
    assert.deepEqual([found.other.line, found.other.column, found.other.params], [17, 0, 1]);
  });

  it('maps columns back when type annotations before them are removed', () => {
    const src = 'const a: Record<string, number> = {}, handler = async (e: unknown) => a;\nexport { handler };\n';
    const [c] = detectHandlers(src, 'h.ts');
    assert.equal(c.exportName, 'handler');
    assert.equal(c.column, 9);
    assert.deepEqual(c.definition, { line: 1, endLine: 1 });
    const multi = 'export const x: number = 1, handler: Fn = async (e: unknown) => e;\n';
    const [d] = detectHandlers(multi, 'h.mts');
    assert.equal(d.exportName, 'handler');
    assert.equal(multi.slice(d.column, d.column + 'handler'.length), 'handler');
  });

  it('handles .cts CommonJS and .tsx', () => {
    assert.deepEqual(names('exports.handler = (e: string): number => 1;\n', 'h.cts'), ['handler']);
    assert.deepEqual(names('export const handler = async (e: {a: number}) => ({ body: <div>{e.a}</div> });\n', 'h.tsx'), ['handler']);
  });

  it('does not count `this` parameters and type-only exports', () => {
    const [c] = detectHandlers('export function handler(this: void, event: string, context: object) {}\nexport interface I {}\nexport type T = 1;\n', 'h.ts');
    assert.equal(c.params, 2);
    assert.equal(detectHandlers('export interface I {}\nexport type T = () => void;\n', 'h.ts').length, 0);
  });
});

describe('detectHandlers: decorators and TypeScript-only module forms', () => {
  it('reads class-based handlers with decorators (Powertools style)', () => {
    const src = [
      "import { Tracer } from '@aws-lambda-powertools/tracer';",
      'const tracer = new Tracer();',
      'class Lambda implements LambdaInterface {',
      '  @tracer.captureLambdaHandler({ captureResponse: "a)b" })',
      '  @logger.injectLambdaContext()',
      '  public async handler(_event: unknown, _context: unknown): Promise<void> {}',
      '}',
      'const handlerClass = new Lambda();',
      'export const handler = handlerClass.handler.bind(handlerClass);',
    ].join('\n');
    const result = detectHandlersWithDiagnostics(src, 'index.ts');
    assert.equal(result.error, undefined);
    assert.deepEqual(result.candidates.map((c) => [c.exportName, c.line, c.shape, c.confidence]), [['handler', 9, 'unknown', 'likely']]);
    assert.deepEqual(names('@sealed\nclass K {}\nexport const f = (a) => a;\n', 'a.js'), ['f']);
  });

  it('still reports a stray @ that is not a decorator', () => {
    const result = detectHandlersWithDiagnostics('export const f = (a) => a @ 1;\n', 'a.js');
    assert.deepEqual(result.candidates, []);
    assert.deepEqual([result.error?.line, result.error?.column], [1, 26]);
  });

  it('treats TypeScript `export = fn` like module.exports = fn (a note, no candidate)', () => {
    const result = detectHandlersWithDiagnostics('const handler = async (e: unknown) => e;\nexport = handler;\n', 'a.ts');
    assert.deepEqual(result.candidates, []);
    assert.match(result.notes[0], /^line 2: module\.exports is itself a function/);
  });
});

describe('detectHandlers: broken files', () => {
  it('returns [] and a positioned error for broken JavaScript', () => {
    const src = readFileSync(join(fixtures, 'broken.js'), 'utf8');
    assert.deepEqual(detectHandlers(src, 'broken.js'), []);
    const result = detectHandlersWithDiagnostics(src, 'broken.js');
    assert.ok(result.error);
    assert.match(result.error.message, /Unexpected token/);
    assert.equal(result.error.line, 4);
  });

  it('returns [] and a positioned error for broken TypeScript', () => {
    const result = detectHandlersWithDiagnostics('const x = 1;\nexport const handler = (a: number, b: = 2;\n', 'h.ts');
    assert.deepEqual(result.candidates, []);
    assert.equal(result.error?.line, 2);
    assert.equal(typeof result.error?.column, 'number');
  });

  it('never throws on odd input', () => {
    for (const src of ['', '\u0000\u0001', '}}}{{{', 'export', 'exports.', 'module.exports = ', '<<<<<<< HEAD\nexports.a = 1\n=======\n']) {
      for (const file of ['a.js', 'a.ts', 'a.tsx']) {
        const result = detectHandlersWithDiagnostics(src, file);
        assert.ok(Array.isArray(result.candidates));
      }
    }
    assert.deepEqual(detectHandlersWithDiagnostics('', 'a.js'), { candidates: [], notes: [] });
  });
});

describe('detectHandlers: callback style (what the nodejs24.x runtime refuses)', () => {
  function styles(source: string, file = 'h.js'): Record<string, boolean | undefined> {
    return Object.fromEntries(detectHandlers(source, file).map((c) => [c.exportName, c.callbackStyle]));
  }

  it('counts parameters as Function.length does: 3 or more before any default or rest one', () => {
    const src = [
      'exports.cb = (event, context, callback) => callback(null, 1);',
      'exports.asyncThree = async (event, context, callback) => 1;',
      'exports.two = async (event, context) => 1;',
      'exports.defaulted = (event, context = {}, callback) => 1;',
      'exports.rest = (event, ...rest) => 1;',
      'exports.four = function (a, b, c, d) {};',
      'function named(event, context, callback) {}',
      'exports.viaName = named;',
    ].join('\n');
    assert.deepEqual(styles(src), { cb: true, asyncThree: true, two: false, defaulted: false, rest: false, four: true, viaName: true });
  });

  it('lets streaming and other wrapped handlers through: the runtime sees the wrapper, not the function', () => {
    const src = [
      'export const stream = awslambda.streamifyResponse(async (event, responseStream, context) => {});',
      'const base = (event, context, callback) => callback(null, 1);',
      'export const wrapped = middy(base);',
      "export { handler } from './elsewhere.js';",
    ].join('\n');
    assert.deepEqual(styles(src, 'h.mjs'), { stream: false, wrapped: false, handler: false });
  });

  it('places the parameter list in the original text, TypeScript included', () => {
    const js = detectHandlers('module.exports.test = function (event, context, callback) {};\n', 'h.js')[0];
    assert.deepEqual(js.parameterList, { line: 1, column: 32, endLine: 1, endColumn: 56 });
    const ts = 'export const handler = (event: APIGatewayProxyEvent, context: Context, callback: Callback): void => {};\n';
    const found = detectHandlers(ts, 'h.ts')[0];
    assert.equal(found.callbackStyle, true);
    const range = found.parameterList;
    assert.ok(range);
    assert.equal(ts.slice(range.column, range.endColumn), 'event: APIGatewayProxyEvent, context: Context, callback');
    assert.equal(detectHandlers('exports.h = async (event) => 1;\n', 'h.js')[0].parameterList, undefined);
  });

  it('is refused by nodejs24.x only, with the fix that fits the handler', () => {
    const [plain, asyncOne, stream] = detectHandlers([
      'exports.plain = (event, context, callback) => callback(null, 1);',
      'exports.asyncOne = async (event, context, callback) => 1;',
      'exports.stream = awslambda.streamifyResponse(async (event, responseStream, context) => {});',
    ].join('\n'), 'h.js');
    assert.equal(callbackRefusal(plain, 'nodejs20.x'), null);
    assert.equal(callbackRefusal(plain, 'nodejs22.x'), null);
    assert.match(callbackRefusal(plain, 'nodejs24.x') ?? '', /nodejs24\.x runtime refuses callback handlers.*Runtime\.CallbackHandlerDeprecated.*Make the handler async/);
    assert.match(callbackRefusal(asyncOne, 'nodejs24.x') ?? '', /Remove the callback parameter: the handler is async already/);
    assert.equal(callbackRefusal(stream, 'nodejs24.x'), null);
  });
});
