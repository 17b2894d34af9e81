/** The endpoint's backends: one per function, created on demand, never again once the endpoint stopped. */
import assert from 'node:assert/strict';
import type { BackendContext, FunctionBackend } from '../../src/core/endpoint/backend';
import { BackendPool } from '../../src/core/endpoint/backends';
import { EndpointState } from '../../src/core/endpoint/state';

describe('endpoint backends', () => {
  it('creates a function backend once, and refuses to create one after dispose (what ends a queued Event invocation retrying)', async () => {
    const state = new EndpointState('us-east-1');
    const fn = state.addFunction({ name: 'f', code: { taskRoot: '/tmp', file: '/tmp/f.js', handlerExport: 'handler' } });
    const created: BackendContext[] = [];
    const disposed: string[] = [];
    const pool = new BackendPool(state, (context): FunctionBackend => {
      created.push(context);
      return { capacity: 1, invoke: () => Promise.reject(new Error('not used')), dispose: async () => void disposed.push(context.name) };
    });
    const first = await pool.get(fn);
    assert.equal(await pool.get(fn), first);
    await pool.dispose();
    assert.deepEqual(disposed, ['f']);
    await assert.rejects(pool.get(fn), /the endpoint has stopped/);
    assert.equal(created.length, 1);
  });
});
