/** Pure parts of the local runtime: source instrumentation, handler exits, logs, env, output markers, message frames. */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { locateChildDir } from '../../src/core/runtime/child-locator';
import { findHandlerExits } from '../../src/core/runtime/instrument/handler-exits';
import { instrumentModule, type ModuleBinding } from '../../src/core/runtime/instrument/instrument';
import { hooksNameFrom } from '../../src/core/runtime/child/services/runtime-globals';
import { billedDuration, bytesToMB, reportLine, timeoutMessage } from '../../src/core/lambda/log-lines';
import { defaultTaskRoot, handlerString, lambdaEnvironment, resolveHandlerFile } from '../../src/core/lambda/environment';
import { moduleFormatOf } from '../../src/core/runtime/local-environment';
import { encodeFrame, FrameSplitter } from '../../src/core/runtime/frames';
import { OutputCollector } from '../../src/core/runtime/output-collector';
import { outputMarker } from '../../src/core/runtime/protocol';

const FIXTURES = resolve(__dirname, '../fixtures/handlers');
const HOOKS = hooksNameFrom(new Uint8Array(16).fill(0xab));

/** Runs an instrumented CommonJS-style module with a recording channel; the reader it registered, read at every index. */
function moduleValues(code: string): { bindings: ModuleBinding[]; values: unknown[] } {
  let registered: { reader: (index: number) => unknown; json: string } | null = null;
  const channel = { module: (reader: (index: number) => unknown, json: string) => (registered = { reader, json }), refused: () => undefined };
  new Function(HOOKS, 'exports', code)(channel, {});
  assert.ok(registered, 'the module registered its reader');
  const { reader, json } = registered as { reader: (index: number) => unknown; json: string };
  const bindings = JSON.parse(json) as ModuleBinding[];
  return { bindings, values: bindings.map((_, index) => reader(index)) };
}

describe('runtime: instrumentModule', () => {
  it('lists every top-level binding of a CommonJS module with its kind, including hoisted vars in blocks', () => {
    const source = [
      "'use strict';",
      'var a = 1, { b, c: [d] } = x;',
      'let e; const f = 2;',
      'function g() { var notTop = 1; }',
      'class H {}',
      'if (a) { var i = 1; let notTopEither = 2; }',
      'for (var j = 0; j < 1; j++) {}',
      'try { var k; } catch (err) { var l; }',
      'module.exports.handler = async () => a;',
    ].join('\n');
    const result = instrumentModule(source, '/t/handler.js', 'commonjs', { hooks: HOOKS, probe: true });
    assert.deepEqual(result.bindings.map((b) => [b.name, b.kind]), [
      ['a', 'var'], ['b', 'var'], ['d', 'var'], ['e', 'let'], ['f', 'const'], ['g', 'function'], ['H', 'class'], ['i', 'var'], ['j', 'var'], ['k', 'var'], ['l', 'var'],
    ]);
    assert.ok(result.code.startsWith(source), 'the user source is untouched, the probe is appended');
    assert.ok(result.code.slice(source.length).startsWith(`\n;${HOOKS}.module((${HOOKS}_i) => { switch (${HOOKS}_i) { case 0: return a; case 1: return b;`), 'one line: the channel gets a reader naming every binding');
    assert.equal(result.code.slice(source.length).split('\n').length, 3, 'appended after the last line, on a line of its own');
  });

  it('the appended reader reads each binding by index and names no global: a module may declare eval, globalThis, Symbol or arguments', () => {
    const source = [
      "var x = 1, eval = 'user eval', globalThis = 'user global', Symbol = 'user symbol', arguments = 'user arguments';",
      "var i = 'not the reader index';",
      'let late = 2;',
      'exports.handler = () => late;',
    ].join('\n');
    const code = instrumentModule(source, '/t/handler.js', 'commonjs', { hooks: HOOKS, probe: true }).code;
    const { bindings, values } = moduleValues(code);
    assert.deepEqual(
      bindings.map((b, index) => [b.name, values[index]]),
      [['x', 1], ['eval', 'user eval'], ['globalThis', 'user global'], ['Symbol', 'user symbol'], ['arguments', 'user arguments'], ['i', 'not the reader index'], ['late', 2]],
    );
    // A module that does not run to its end registers nothing.
    assert.throws(() => moduleValues(code.replace('let late = 2;', 'throw 0;')));
  });

  it('lists ES module imports, exports and declarations', () => {
    const source = "import fs, { join as j } from 'node:fs';\nimport * as os from 'node:os';\nexport const x = 1;\nexport default class Y {}\nexport function z() {}\nawait 0;";
    const result = instrumentModule(source, '/t/handler.mjs', 'module', { hooks: HOOKS, probe: false });
    assert.deepEqual(result.bindings.map((b) => [b.name, b.kind]), [['fs', 'import'], ['j', 'import'], ['os', 'import'], ['x', 'const'], ['Y', 'class'], ['z', 'function']]);
    assert.equal(result.code, source);
  });

  it('strips TypeScript keeping line numbers and maps sucrase\'s import rewriting back to the names written', () => {
    const source = [
      "import { readFileSync as read } from 'node:fs';",
      "import def from './def';",
      "import * as path from 'node:path';",
      "import type { Stats } from 'node:fs';",
      'const s: Stats | null = null;',
      'export const handler = async (e: { n: number }): Promise<number> => {',
      '  throw new Error(String(read) + String(def) + path.sep + s + e.n);',
      '};',
    ].join('\n');
    const result = instrumentModule(source, '/t/handler.ts', 'commonjs', { hooks: HOOKS, probe: false });
    assert.deepEqual(result.bindings, [
      { name: 'read', kind: 'import', binding: '_nodefs', property: 'readFileSync' },
      { name: 'def', kind: 'import', binding: '_def2', property: 'default' },
      { name: 'path', kind: 'import', binding: 'path' },
      { name: 's', kind: 'const', binding: 's' },
      { name: 'handler', kind: 'const', binding: 'handler' },
    ]);
    const lines = result.code.split('\n');
    assert.match(lines[6] ?? '', /^ {2}throw new Error\(/, 'the throw stays on line 7');
    assert.ok(!result.code.includes('__warmStateImportMap__'), 'the marker is cut off');
    assert.ok(!result.code.includes('Stats'), 'types are gone');
  });

  it('gives no probe to a module that declares the channel\'s own name (it would shadow it)', () => {
    const source = `var ${HOOKS} = {};\nexports.handler = async () => 1;`;
    assert.equal(instrumentModule(source, '/t/h.js', 'commonjs', { hooks: HOOKS, probe: true }).code, source);
  });

  it('leaves a file with a syntax error for Node to report, and reports TypeScript syntax errors as SyntaxError', () => {
    const broken = 'exports.handler = () => { return 1 +; };';
    assert.deepEqual(instrumentModule(broken, '/t/h.js', 'commonjs', { hooks: HOOKS, probe: true, frameKeyPrefix: 'c1_' }), { code: broken, bindings: [], frameRefusal: null });
    assert.throws(() => instrumentModule('const x: = 1;', '/t/h.ts', 'commonjs', { hooks: HOOKS, probe: true }), SyntaxError);
  });
});

describe('runtime: findHandlerExits', () => {
  const source = [
    'exports.handler = async (event, { a, b: [c] }, ...rest) => {', // 0
    '  const first = 1;', // 1
    '  if (event.early) {', // 2
    '    const inner = 2;', // 3
    '    return inner;', // 4
    '    let never = 3;', // 5
    '  }', // 6
    '  const nested = () => { return 5; };', // 7
    '  let later = nested();', // 8
    '  class K {}', // 9
    '  return later;', // 10
    '};', // 11
  ].join('\n');

  it('finds own returns (not nested functions), the closing brace, parameters, and TDZ names per exit', () => {
    const analysis = findHandlerExits(source, { lineNumber: 0, columnNumber: 24 });
    assert.ok(analysis);
    assert.deepEqual(analysis.parameters, ['event', 'a', 'c', 'rest']);
    assert.deepEqual(analysis.exits, [
        { position: { lineNumber: 4, columnNumber: 4 }, uninitialized: ['nested', 'later', 'K', 'never'] },
        { position: { lineNumber: 10, columnNumber: 2 }, uninitialized: [] },
        { position: { lineNumber: 11, columnNumber: 0 }, uninitialized: [] },
    ]);
    // At the call `nested()` on line 8: `later` (being initialised) and `K` are not yet.
    assert.deepEqual(analysis.deadZoneAt({ lineNumber: 8, columnNumber: 14 }), ['later', 'K']);
    assert.deepEqual(analysis.deadZoneAt({ lineNumber: 3, columnNumber: 4 }), ['nested', 'later', 'K', 'inner', 'never']);
  });

  it('uses the body of an expression arrow, and returns null for a location outside any function', () => {
    const exits = findHandlerExits('const f = (x) => x + 1;', { lineNumber: 0, columnNumber: 10 });
    assert.deepEqual(exits?.exits, [{ position: { lineNumber: 0, columnNumber: 17 }, uninitialized: [] }]);
    assert.equal(findHandlerExits('const f = 1;', { lineNumber: 0, columnNumber: 0 }), null);
  });
});

describe('runtime: Lambda logs and environment', () => {
  it('formats REPORT like Lambda, with Init Duration only when given', () => {
    const figures = { requestId: 'r', durationMs: 1.234, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 60 };
    assert.equal(reportLine({ ...figures, initDurationMs: null }), 'REPORT RequestId: r\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\n');
    assert.equal(reportLine({ ...figures, initDurationMs: 100 }).trimEnd().split('\t').at(-1), 'Init Duration: 100.00 ms');
    assert.deepEqual([billedDuration(0.2), billedDuration(1), billedDuration(1.01)], [1, 1, 2]);
    // A cold start bills its init as well (a real REPORT line of a python3.14 zip function, 2026).
    assert.equal(billedDuration(2.54, 255.9), 259);
    assert.equal(billedDuration(2.54, null), 3);
    assert.equal(timeoutMessage(3), 'Task timed out after 3.00 seconds');
    assert.equal(bytesToMB(1024 * 1024 + 1), 2);
  });

  it('derives the handler string and task root, and lets user variables win over Lambda\'s', () => {
    assert.equal(handlerString('/app', '/app/src/api/orders.ts', 'handlers.create'), 'src/api/orders.handlers.create');
    assert.equal(defaultTaskRoot(join(FIXTURES, 'ts-cjs/handler.ts')), FIXTURES);
    const env = lambdaEnvironment({
      functionName: 'f', memoryMB: 256, region: 'eu-west-1', handler: 'h.x', taskRoot: '/app', runtimeDir: '/rt', nodeMajor: 20,
      logStreamName: 's', user: { AWS_REGION: 'us-west-2', EXTRA: '1' }, host: { PATH: '/bin', SECRET_TOKEN: 'no' }, platform: 'linux',
    });
    assert.equal(env.AWS_REGION, 'us-west-2');
    assert.equal(env.EXTRA, '1');
    assert.equal(env.PATH, '/bin');
    assert.equal(env.SECRET_TOKEN, undefined, 'host variables pass only from an allow-list');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
  });

  it('completes a path given without extension in Lambda\'s order', () => {
    assert.equal(resolveHandlerFile(join(FIXTURES, 'faults')), join(FIXTURES, 'faults.js'));
    assert.equal(resolveHandlerFile(join(FIXTURES, 'handler')), join(FIXTURES, 'handler.mjs'));
    assert.equal(resolveHandlerFile(join(FIXTURES, 'ts-esm/handler')), join(FIXTURES, 'ts-esm/handler.mts'));
    assert.equal(resolveHandlerFile(join(FIXTURES, 'nothing-here')), join(FIXTURES, 'nothing-here'));
  });

  it('picks require() or import() the way Lambda does', () => {
    assert.equal(moduleFormatOf(join(FIXTURES, 'handler.mjs')), 'module');
    assert.equal(moduleFormatOf(join(FIXTURES, 'faults.js')), 'commonjs');
    assert.equal(moduleFormatOf(join(FIXTURES, 'esm-type-module/handler.js')), 'module');
    assert.equal(moduleFormatOf(join(FIXTURES, 'ts-cjs/handler.ts')), 'commonjs');
    assert.equal(moduleFormatOf('/x/h.cts'), 'commonjs');
    assert.equal(moduleFormatOf('/x/h.mts'), 'module');
  });
});

describe('runtime: locateChildDir', () => {
  it('finds dist/child above the sources and beside a bundle, and says to build when it is missing', () => {
    const root = resolve(__dirname, '../..');
    assert.equal(locateChildDir(join(root, 'src/core/runtime')), join(root, 'dist/child'));
    assert.equal(locateChildDir(join(root, 'dist')), join(root, 'dist/child'));
    assert.throws(() => locateChildDir('/'), /dist\/child\/bootstrap\.js.*Run `npm run build` first/);
  });
});

describe('runtime: OutputCollector', () => {
  it('cuts the end markers out of the text, also when split across chunks, and resolves waiters', async () => {
    const collector = new OutputCollector(2);
    const marker = outputMarker('req-1');
    collector.push('stdout', 'hello ' + marker.slice(0, 3));
    collector.push('stdout', marker.slice(3) + 'after');
    let done = false;
    const waiting = collector.waitFor('req-1', 5000).then(() => (done = true));
    await Promise.resolve();
    assert.equal(done, false, 'one stream is not enough');
    collector.push('stderr', 'err\n' + marker);
    await waiting;
    assert.equal(collector.take(), 'hello aftererr\n');
    // A marker that arrived before anyone waited still counts.
    collector.push('stdout', outputMarker('req-2'));
    collector.push('stderr', outputMarker('req-2'));
    await collector.waitFor('req-2', 5000);
  });

  it('cuts at a marker on each stream, keeping what each wrote after it for the next phase', () => {
    const collector = new OutputCollector(2);
    collector.push('stdout', `init out\n${outputMarker('init')}invoke out\n`);
    collector.push('stderr', 'init err\n');
    // The invocation's stdout arrived before init's stderr marker: it still is not init's.
    assert.equal(collector.takeThrough('init'), 'init out\ninit err\n');
    collector.push('stderr', `late init err\n${outputMarker('init')}invoke err\n`);
    collector.push('stdout', outputMarker('req'));
    collector.push('stderr', outputMarker('req'));
    assert.equal(collector.takeThrough('req'), 'invoke out\nlate init err\ninvoke err\n');
    collector.push('stdout', 'next\n');
    assert.equal(collector.takeThrough('never-seen'), 'next\n', 'a marker that did not arrive: everything so far');
  });

  it('gives up waiting after the grace time', async () => {
    const collector = new OutputCollector(2);
    const started = Date.now();
    await collector.waitFor('never', 20);
    assert.ok(Date.now() - started >= 15);
  });
});

describe('runtime: message frames', () => {
  it('splits newline-delimited JSON across chunks, several per chunk, and multi-byte characters cut in two', () => {
    const wire = Buffer.from(encodeFrame({ a: 'line\nbreak' }) + encodeFrame({ b: 'é€😀' }) + encodeFrame({ c: 3 }));
    assert.equal(wire.toString().split('\n').length, 4, 'a newline inside a string is escaped');
    for (let cut = 1; cut < wire.length; cut++) {
      const splitter = new FrameSplitter();
      const frames = [...splitter.push(wire.subarray(0, cut)), ...splitter.push(wire.subarray(cut))];
      assert.deepEqual(frames.map((f) => JSON.parse(f) as unknown), [{ a: 'line\nbreak' }, { b: 'é€😀' }, { c: 3 }], `cut at byte ${cut}`);
    }
  });

  it('reads only the first `length` bytes of a reused buffer and keeps its own copy of a partial frame', () => {
    const splitter = new FrameSplitter();
    const buffer = Buffer.alloc(32, 0x0a);
    const first = Buffer.from('{"x":');
    first.copy(buffer);
    assert.deepEqual(splitter.push(buffer, first.length), []);
    buffer.fill(0x0a);
    const second = Buffer.from('1}\n');
    second.copy(buffer);
    assert.deepEqual(splitter.push(buffer, second.length), ['{"x":1}']);
  });
});
