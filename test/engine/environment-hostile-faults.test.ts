/**
 * Faults a hostile handler can cause that must neither crash the runtime nor be misreported
 * (issue 14, defect 9): Proxies thrown, rejected or returned, and an exit from a timer that
 * fires while the environment is frozen.
 */
import assert from 'node:assert/strict';
import { EnvironmentPool, fixture, leftoverChildren, variable } from './environment-helpers';

describe('hostile faults of the local environment (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  describe('a Proxy thrown by the handler is an ordinary error response; the environment stays warm', () => {
    for (const handlerExport of ['throwsRevoked', 'rejectsRevoked', 'callbackRevoked', 'throwsTrapped']) {
      it(handlerExport, async () => {
        const env = pool.create({ file: fixture('thrown-proxies.js'), handlerExport });
        const first = await env.invoke({});
        assert.equal(first.reset, null, JSON.stringify(first.error));
        assert.deepEqual(first.error, { errorType: 'object', errorMessage: 'a Proxy (not inspected: reading it would run its traps)', trace: [] });
        assert.ok(first.logs.includes('\tERROR\tInvoke Error \t'), first.logs);
        const second = await env.invoke({});
        assert.equal(second.cold, false, 'still warm');
        assert.equal(env.status().lastReset, null);
      });
    }

    it('runs none of a live Proxy\'s traps', async () => {
      const env = pool.create({ file: fixture('thrown-proxies.js'), handlerExport: 'throwsTrapped' });
      await env.invoke({});
      const second = await env.invoke({});
      assert.deepEqual(variable(second.moduleScope, 'calls').value, { type: 'number', value: 2 });
      assert.deepEqual(variable(second.moduleScope, 'trapCalls').value, { type: 'number', value: 0 });
    });

    it('a revoked Proxy returned is an error response (as `await` would reject), not a crash', async () => {
      const env = pool.create({ file: fixture('thrown-proxies.js'), handlerExport: 'returnsRevoked' });
      const result = await env.invoke({});
      assert.equal(result.reset, null, JSON.stringify(result.error));
      assert.equal(result.error?.errorType, 'TypeError');
      assert.match(result.error?.errorMessage ?? '', /revoked/);
      assert.equal((await env.invoke({})).cold, false);
    });
  });

  it('process.exit(7) from a timer that came due during the freeze is reported as exit status 7, not SIGKILL', async function () {
    if (process.platform === 'win32') this.skip(); // no freeze on Windows
    // Which runs first after the thaw, the due timer or the read of the next invoke, is up to
    // the child's event loop: three environments make the timer-first case all but certain.
    for (let round = 0; round < 3; round++) {
      const env = pool.create({ file: fixture('exit-after-freeze.js'), handlerExport: 'handler' });
      const first = await env.invoke({});
      assert.equal(first.response, 1);
      assert.equal(env.status().frozen, true);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const second = await env.invoke({ padding: 'x'.repeat(1_000_000) });
      assert.equal(second.reset, 'process-exit', JSON.stringify(second.error));
      assert.match(second.error?.errorMessage ?? '', /Runtime exited with error: exit status 7$/);
      assert.ok(second.logs.includes('Runtime exited with error: exit status 7\nRuntime.ExitError\n'), second.logs);
    }
  });
});
