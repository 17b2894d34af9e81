/**
 * The host against user code that writes to the runtime's message pipe (fd 3), with real child
 * processes: oversized frames, out-of-place and malformed messages, and forged `settled` lines
 * all end the environment with a record that says why, the timeout stays on the host's clock,
 * and the host lives on (the next invocation starts cold and works).
 */
import assert from 'node:assert/strict';
import type { RawInvocation } from '../../src/core/model/snapshot';
import type { WarmEnvironment } from '../../src/core/runtime/environment-api';
import { CHILD_MESSAGE_LIMIT_BYTES } from '../../src/core/runtime/protocol';
import { EnvironmentPool, fixture, leftoverChildren, waitUntil } from './environment-helpers';

function assertEndedForMessage(result: RawInvocation, why: RegExp): void {
  assert.equal(result.reset, 'crashed', JSON.stringify(result.error));
  assert.equal(result.error?.errorType, 'WarmState.InvalidChildMessage');
  assert.match(result.error?.errorMessage ?? '', why);
  assert.equal(result.response, null);
  assert.ok(result.logs.includes(`REPORT RequestId: ${result.requestId}`));
}

/** The host lives on: the same environment starts over cold and answers. */
async function assertStartsOver(env: WarmEnvironment): Promise<void> {
  assert.equal(env.status().state, 'cold');
  assert.equal(env.status().lastReset, 'crashed');
  const next = await env.invoke({ megabytes: 0 });
  assert.equal(next.cold, true);
  assert.equal(next.error, null);
}

describe("the child's message pipe against user code (real child processes)", function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  for (const newline of [true, false]) {
    it(`refuses a message over ${CHILD_MESSAGE_LIMIT_BYTES} bytes ${newline ? 'ended by a newline' : 'that never ends'}, before buffering it`, async () => {
      const env = pool.create({ file: fixture('hostile-pipe.js'), handlerExport: 'flood', timeoutSeconds: 20 });
      const result = await env.invoke({ megabytes: CHILD_MESSAGE_LIMIT_BYTES / (1024 * 1024) + 1, newline });
      assertEndedForMessage(result, new RegExp(`a message of more than ${CHILD_MESSAGE_LIMIT_BYTES} bytes`));
      await assertStartsOver(env);
    });
  }

  it('refuses a well-formed result sent before the handler settled', async () => {
    const env = pool.create({ file: fixture('hostile-pipe.js'), handlerExport: 'forgedResult' });
    const result = await env.invoke({});
    assertEndedForMessage(result, /a "result" message while the handler ran/);
  });

  it('refuses a result whose module scope is no list of variables (moduleScope: [null])', async () => {
    const env = pool.create({ file: fixture('hostile-pipe.js'), handlerExport: 'malformedScope' });
    const result = await env.invoke({});
    assertEndedForMessage(result, /a "result" message with an invalid moduleScope/);
    assert.equal(result.moduleScope, null);
  });

  it('keeps the timeout on its own clock: forged `settled` lines do not let a busy loop run on', async () => {
    const env = pool.create({ file: fixture('hostile-pipe.js'), handlerExport: 'settledLoop', timeoutSeconds: 1 });
    const started = performance.now();
    const result = await env.invoke({ seconds: 6, everyMs: 300 });
    const elapsed = performance.now() - started;
    assertEndedForMessage(result, /a "settled" message after the handler settled/);
    assert.ok(elapsed < 3000, `the busy loop ran on for ${Math.round(elapsed)} ms`);
  });

  it('ends an idle environment that receives a message and starts the next invocation cold', async () => {
    const env = pool.create({ file: fixture('hostile-pipe.js'), handlerExport: 'idleForgery', freeze: false });
    const first = await env.invoke({});
    assert.equal(first.response, 'answered');
    assert.ok(await waitUntil(() => env.status().state === 'cold', 3000), 'the message while idle ended the environment');
    assert.equal(env.status().lastReset, 'crashed');
    const next = await env.invoke({});
    assert.equal(next.cold, true);
    assert.equal(next.response, 'answered');
  });
});
