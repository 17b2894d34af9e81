/**
 * Capture against a hostile program, with real child processes: built-ins replaced at the top of
 * the handler module (the replacements count the calls made while none of the program's own code
 * runs, and the handler answers with the counts), a replaced global `eval` and `Error`, settled
 * promises of hostile values, the names the runtime's hooks used to have, and sparse arrays of
 * huge length. Capture and the message channel must call none of it (the runtime's one call of
 * the global JSON.stringify, for the response, is Lambda's own behaviour) and stay right.
 */
import assert from 'node:assert/strict';
import { EnvironmentPool, fixture, property, variable } from './environment-helpers';

const hostile = (name: string): string => fixture(`hostile/${name}`);

describe('capture against a hostile program (real child processes)', function () {
  this.timeout(60_000);
  const pool = new EnvironmentPool();
  after(() => pool.disposeAll());

  it('built-ins replaced by the program: between invocations the runtime calls only JSON.stringify, once, for the response', async () => {
    const env = pool.create({ file: hostile('patched-runtime.js'), handlerExport: 'handler' });
    const counts: Array<Record<string, number>> = [];
    for (let n = 1; n <= 3; n++) {
      const result = await env.invoke({ n });
      assert.equal(result.error, null);
      assert.equal(result.captureError, null);
      counts.push(JSON.parse(result.response as string) as Record<string, number>);
      assert.deepEqual(variable(result.moduleScope, 'cache').size, { total: n, exact: true }, 'module scope is right');
      assert.deepEqual(property(variable(result.handlerScope, 'local').value, 'cached'), { type: 'number', value: n }, 'handler scope is right');
    }
    // Each answer holds what ran before it: init (nothing) and the invocations before.
    assert.deepEqual(counts, [{}, { 'JSON.stringify': 1 }, { 'JSON.stringify': 2 }]);
  });

  it('a replaced global eval and Error, settled promises of hostile values: none of it runs, the values stay right', async () => {
    const env = pool.create({ file: hostile('values.js'), handlerExport: 'handler' });
    await env.invoke({});
    const second = await env.invoke({});
    assert.deepEqual(JSON.parse(second.response as string), {}, 'calls into the program during capture');
    assert.equal(second.captureError, null);
    assert.deepEqual(variable(second.moduleScope, 'fresh').value, { type: 'error', className: 'Error', message: 'never read by this program', stack: null });
    const settled = variable(second.moduleScope, 'settled').value;
    assert.ok(settled.type === 'array');
    assert.deepEqual(settled.items, Array.from({ length: 4 }, () => ({ type: 'promise', state: 'unknown', value: null })));
    assert.deepEqual(variable(second.moduleScope, 'plain').value.type, 'object');
    assert.deepEqual(variable(second.moduleScope, 'SavedError').value, { type: 'function', name: 'Error', kind: 'native' });
  });

  it('an error record carries the trace as strings, whatever String.prototype.split returned; its toJSON is not called', async () => {
    const env = pool.create({ file: hostile('throws.js'), handlerExport: 'handler' });
    const failed = await env.invoke({});
    assert.equal(failed.error?.errorMessage, 'boom');
    assert.ok(failed.error && failed.error.trace.length > 0 && failed.error.trace.every((line) => typeof line === 'string' && line !== 'forged trace'));
    assert.doesNotMatch(failed.logs, /forged trace/);
    assert.deepEqual(JSON.parse((await env.invoke({ report: true })).response as string), {});
  });

  it('a top-level `var __warmState` (code that runs on Lambda) loads and is captured like any variable', async () => {
    const env = pool.create({ file: hostile('names-var.js'), handlerExport: 'handler' });
    const result = await env.invoke({ n: 5 });
    assert.equal(result.error, null, 'init and the invocation succeed');
    assert.equal(result.response, 1);
    assert.equal(result.captureError, null);
    assert.deepEqual(variable(result.moduleScope, '__warmState').value, { type: 'object', className: 'Object', properties: [], truncated: false });
    assert.deepEqual(variable(result.handlerScope, 'item').value, { type: 'number', value: 5 });
  });

  it('the old registry key and hooks object, reached for by the program, neither turn module capture off nor forge the handler scope', async () => {
    const env = pool.create({ file: hostile('names-forge.js'), handlerExport: 'handler' });
    const result = await env.invoke({ n: 7 });
    assert.equal(result.captureError, null);
    assert.deepEqual(variable(result.moduleScope, 'kept').size, { total: 1 + 6, exact: true });
    assert.deepEqual(variable(result.handlerScope, 'item').value, { type: 'number', value: 7 });
  });

  it('sparse arrays of huge length (2**32-1 at module level, 5e7 made by the handler) are captured at the cost of what they hold', async () => {
    const env = pool.create({ file: hostile('sparse.js'), handlerExport: 'handler', timeoutSeconds: 10 });
    for (let n = 0; n < 2; n++) {
      const result = await env.invoke({});
      assert.equal(result.error, null);
      assert.equal(result.reset, null, 'the environment stays warm');
      assert.equal(result.response, 5e7);
      assert.deepEqual(variable(result.moduleScope, 'huge').size, { total: 2 ** 32 - 1 + 'present'.length, exact: true });
      assert.deepEqual(variable(result.handlerScope, 'holes').size, { total: 5e7, exact: true });
    }
  });
});
