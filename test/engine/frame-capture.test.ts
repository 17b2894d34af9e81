/**
 * Handler-scope capture by source hooks (frame-instrument.ts, frame-hooks.ts),
 * with real child processes: block scopes and shadowing, exits after an await and in callback
 * handlers, the handler's own throws, failures in called code and inside loops, `debugger;`
 * and direct eval, and scripts it refuses rather than run user code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EnvironmentPool, fixture, variable } from './environment-helpers';

describe('handler scope by source hooks (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(() => pool.disposeAll());
  const create = (handlerExport: string) => pool.create({ file: fixture('frame-capture.js'), handlerExport });
  const names = (scope: { name: string; kind: string }[] | null) => scope?.map((v) => `${v.name}:${v.kind}`);

  it('a return inside a block sees the block bindings, and the inner one of a shadowed name', async () => {
    const env = create('shadowing');
    const inner = await env.invoke({ inner: true });
    assert.equal(inner.response, 'inner2');
    assert.equal(inner.captureError, null);
    assert.deepEqual(names(inner.handlerScope), ['label:block', 'items:block', 'count:local']);
    assert.deepEqual(variable(inner.handlerScope, 'label').value, { type: 'string', value: 'inner', length: 5, truncated: false });
    assert.deepEqual(names(inner.parameters), ['event:parameter']);
    const outer = await env.invoke({});
    assert.deepEqual(names(outer.handlerScope), ['label:local', 'count:local']);
    assert.deepEqual(variable(outer.handlerScope, 'label').value, { type: 'string', value: 'outer', length: 5, truncated: false });
  });

  it('captures an exit after an await and the end of a callback handler', async () => {
    const awaited = await create('afterAwait').invoke({});
    assert.equal(awaited.response, 2);
    assert.deepEqual(names(awaited.handlerScope), ['before:local', 'after:local']);
    assert.equal(variable(awaited.handlerScope, 'after').value.type, 'object');
    const callback = await create('callback').invoke({});
    assert.equal(callback.response, 'cb');
    assert.deepEqual(variable(callback.handlerScope, 'local').value, { type: 'string', value: 'cb', length: 2, truncated: false });
    assert.deepEqual(names(callback.parameters), ['event:parameter', 'context:parameter', 'callback:parameter']);
  });

  it("takes the handler's own throw with its catch binding, the last throw winning", async () => {
    const result = await create('ownThrow').invoke({ fail: true });
    assert.equal(result.error?.errorMessage, 'failed try block');
    assert.equal(result.captureError, null);
    assert.deepEqual(names(result.handlerScope), ['inCatch:block', 'caught:catch', 'where:local']);
    assert.deepEqual(variable(result.handlerScope, 'inCatch').value, { type: 'string', value: 'failed try block', length: 16, truncated: false });
  });

  it('a failure in an expression shows the bindings as the failing statement started', async () => {
    const result = await create('expressionFails').invoke({});
    assert.equal(result.error?.errorType, 'TypeError');
    assert.equal(result.captureError, null);
    assert.equal(variable(result.handlerScope, 'data').value.type, 'object');
    assert.deepEqual(variable(result.handlerScope, 'value').value, { type: 'uninitialized' });
  });

  it('a failure inside a loop shows the bindings as the loop started, without its own block', async () => {
    const result = await create('failsInLoop').invoke({});
    assert.equal(result.error?.errorType, 'SyntaxError');
    assert.equal(result.captureError, null);
    assert.deepEqual(names(result.handlerScope), ['items:local', 'seen:local']);
    assert.deepEqual(variable(result.handlerScope, 'seen').value, { type: 'number', value: 0 });
  });

  it('never stops at debugger statements; eval works, the names it adds are not listed', async () => {
    const env = create('pausesAndEvals');
    const result = await env.invoke({});
    assert.equal(result.response, 6);
    assert.deepEqual(names(result.handlerScope), ['viaEval:local', 'arguments:local']);
    assert.deepEqual(variable(result.handlerScope, 'viaEval').value, { type: 'number', value: 3 });
  });

  it("shows a wrapped handler's own function: the first of the user's functions that receives the event", async () => {
    const env = pool.create({ file: fixture('wrapped/handler.js'), handlerExport: 'wrapped' });
    const result = await env.invoke({ n: 2 });
    assert.deepEqual(result.response, { wrappedBy: 'tiny-wrap', response: 5 });
    assert.equal(result.captureError, null);
    // The base handler's frame (lib/work.js), not the wrapper's (node_modules) nor the helper's.
    assert.deepEqual(names(result.handlerScope), ['doubled:local']);
    assert.deepEqual(variable(result.handlerScope, 'doubled').value, { type: 'number', value: 4 });
    assert.deepEqual(names(result.parameters), ['event:parameter']);
  });

  it('captures a handler re-exported from another file of the user', async () => {
    const result = await pool.create({ file: fixture('wrapped/handler.js'), handlerExport: 'reexported' }).invoke({ n: 1 });
    assert.equal(result.response, 3);
    assert.deepEqual(variable(result.handlerScope, 'doubled').value, { type: 'number', value: 2 });
  });

  it('loads the handler file as the host instrumented it while the child booted', async () => {
    assert.equal((await create('hookedBy').invoke({})).response, 'h');
  });

  it("puts no hooks in the runtime's own files (sucrase, loaded for a TypeScript handler)", async () => {
    const result = await pool.create({ file: fixture('ts-cjs/own-files.ts'), handlerExport: 'handler' }).invoke({});
    assert.equal(result.response, 'untouched');
  });

  it('a middleware naming neither the event nor the context gives way to the base handler', async () => {
    const result = await pool.create({ file: fixture('wrapped/handler.js'), handlerExport: 'withMiddleware' }).invoke({ n: 3 });
    assert.deepEqual(result.response, { wrappedBy: 'tiny-wrap', response: 7 });
    assert.deepEqual(names(result.handlerScope), ['doubled:local']);
  });

  it('captures the function Lambda calls when the exported binding was reassigned', async () => {
    const result = await pool.create({ file: fixture('reassigned/handler.js'), handlerExport: 'handler' }).invoke({});
    assert.equal(result.response, 'called');
    assert.deepEqual(variable(result.handlerScope, 'second').value, { type: 'string', value: 'called', length: 6, truncated: false });
  });

  it('captures a handler reached through a symlinked folder', async function () {
    if (process.platform === 'win32') this.skip(); // symlinks need privileges there
    const dir = mkdtempSync(join(tmpdir(), 'warm-link-'));
    symlinkSync(dirname(fixture('frame-capture.js')), join(dir, 'link'), 'dir');
    try {
      const result = await pool.create({ file: join(dir, 'link', 'frame-capture.js'), handlerExport: 'afterAwait' }).invoke({});
      assert.equal(result.captureError, null);
      assert.deepEqual(names(result.handlerScope), ['before:local', 'after:local']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps capturing, and the handler working, when user code replaced Array.prototype.map and String.prototype[Symbol.split]', async () => {
    const env = pool.create({ file: fixture('patched-builtins.js'), handlerExport: 'handler' });
    const ok = await env.invoke({});
    assert.equal(ok.response, 1);
    assert.equal(ok.captureError, null, 'module scope too is read without the replaced built-ins');
    assert.deepEqual(variable(ok.handlerScope, 'kept').value, { type: 'number', value: 1 });
    const failed = await env.invoke({ fail: true });
    assert.equal(failed.error?.errorType, 'SyntaxError', 'the handler\'s own error, not one from the hooks');
    assert.deepEqual(variable(failed.handlerScope, 'kept').value, { type: 'number', value: 1 });
  });

  it('refuses a script with a with statement (a name could reach an accessor), and says so', async () => {
    const env = pool.create({ file: fixture('frame-capture-with.js'), handlerExport: 'handler' });
    const first = await env.invoke({});
    assert.equal(first.handlerScope, null);
    assert.match(first.captureError ?? '', /with statement/);
    assert.equal(first.response, 0);
    assert.equal((await env.invoke({})).response, 0, 'the getter never ran');
  });
});
