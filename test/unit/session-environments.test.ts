/**
 * One session, several environments (runtime/environment-pool.ts behind core/session.ts), with
 * a fake environment factory whose invocations finish when the test says so: where concurrent
 * invocations go, what waits, which idle environment is reused, and what the records say.
 */
import assert from 'node:assert/strict';
import type { CapturedVariable, InvocationRecord, RawInvocation } from '../../src/core/model/snapshot';
import type { EnvironmentStatus, InvokeOptions, WarmEnvironment } from '../../src/core/runtime/environment-api';
import { ThrottledError, WarmSession, type WarmSessionOptions } from '../../src/core/session';
import { EnvironmentPool, type ReaperTimers } from '../../src/core/runtime/environment-pool';

/** An environment whose module scope holds `list`, one item longer after each invocation it runs. */
class HeldEnvironment implements WarmEnvironment {
  readonly capacity = 1;
  readonly started: unknown[] = [];
  readonly resets: string[] = [];
  private readonly pending: Array<() => void> = [];
  /** The running invocations' onPayload, oldest first (undefined: none given). */
  private readonly payloadListeners: Array<InvokeOptions['onPayload']> = [];
  private readonly listeners = new Set<(status: EnvironmentStatus) => void>();
  private served = 0;
  private generation = 0;
  private lastReset: string | null = null;

  constructor(
    readonly index: number,
    readonly source: RawInvocation['source'] = 'local',
  ) {}

  status(): EnvironmentStatus {
    return { state: this.pending.length > 0 ? 'invoking' : this.generation > 0 ? 'warm' : 'cold', frozen: false, warmInvocations: this.served, generation: this.generation, nodeVersion: 'v20.0.0', lastReset: this.lastReset };
  }

  /** Invocations started and not finished yet. */
  get running(): number {
    return this.pending.length;
  }

  /** Lets the oldest running invocation finish. */
  finish(): void {
    const next = this.pending.shift();
    assert.ok(next, `environment ${this.index} has no running invocation`);
    next();
  }

  /** The oldest running invocation gives its payload (as a runtime's answer does before the record). */
  answer(): void {
    const index = this.started.length - this.pending.length;
    this.payloadListeners[0]?.({ requestId: `env${this.index}-${index + 1}`, payload: JSON.stringify(this.started[index]), failed: false });
  }

  async invoke(event: unknown, options: InvokeOptions = {}): Promise<RawInvocation> {
    this.started.push(event);
    this.payloadListeners.push(options.onPayload);
    // A local environment starts its process (a new generation) on its first invocation.
    const cold = this.generation === 0 || this.served === 0;
    if (cold) this.generation += 1;
    this.emit();
    await new Promise<void>((resolve) => this.pending.push(resolve));
    this.payloadListeners.shift();
    this.served += 1;
    this.emit();
    const list: CapturedVariable = {
      name: 'list',
      kind: 'const',
      value: { type: 'array', className: 'Array', length: this.served, items: [], truncated: true },
      size: { total: this.served, exact: true },
    };
    return {
      source: this.source, cold, requestId: `env${this.index}-${this.served}`, startedAt: new Date(0).toISOString(), durationMs: 1, billedDurationMs: 1,
      initDurationMs: cold ? 5 : null, memorySizeMB: 128, maxMemoryUsedMB: 40, response: event, error: null, logs: '',
      moduleScope: [list], handlerScope: [], parameters: [], memory: null, reset: null, captureError: null, runtimeVersion: 'v20.0.0', generation: this.generation,
    };
  }

  async reset(reason?: string): Promise<void> {
    this.resets.push(reason ?? '');
    this.lastReset = reason ?? 'requested';
    // A deployed environment cannot be ended from here: its module state stays.
    if (this.source === 'local') this.served = 0;
    this.emit();
  }

  onStatusChange(listener: (status: EnvironmentStatus) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  disposed = false;

  async dispose(): Promise<void> {
    this.disposed = true;
    this.listeners.clear();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.status());
  }
}

function harness(maxEnvironments?: number, source: RawInvocation['source'] = 'local', options: Partial<WarmSessionOptions> = {}) {
  const environments: HeldEnvironment[] = [];
  const session = new WarmSession({
    maxEnvironments,
    ...options,
    environments: (index) => {
      const environment = new HeldEnvironment(index, source);
      environments.push(environment);
      return environment;
    },
  });
  return { session, environments };
}

/** Lets pending promise callbacks run (no timers: the fake finishes only when told). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function listOf(record: InvocationRecord) {
  const list = record.moduleScope.find((v) => v.name === 'list');
  assert.ok(list, 'list captured');
  return list;
}

describe('session: several environments per function', () => {
  it('sends two concurrent invocations to two environments with maxEnvironments 2, and the records say which', async () => {
    const { session, environments } = harness(2);
    const first = session.invoke('a');
    const second = session.invoke('b');
    await settle();
    assert.equal(environments.length, 2, 'a second environment was created for the second invocation');
    assert.deepEqual(environments.map((e) => [e.started, e.running]), [[['a'], 1], [['b'], 1]], 'both run at once');
    assert.equal(session.status().state, 'invoking');
    environments[1].finish();
    environments[0].finish();
    const records = [await first, await second];
    assert.deepEqual(records.map((r) => r.environment), [0, 1]);
    assert.deepEqual(records.map((r) => r.response), ['a', 'b']);
    assert.deepEqual(records.map((r) => r.cold), [true, true], 'each environment had its own cold start');
    assert.notEqual(records[0].generation, records[1].generation, 'two processes, two generations');
    assert.deepEqual(records.map((r) => listOf(r).size), [1, 1], 'each with its own module state');
  });

  it('runs them one after the other in one environment with maxEnvironments 1 and overflow queue (a deployed function)', async () => {
    const { session, environments } = harness(1, 'local', { overflow: 'queue' });
    const first = session.invoke('a');
    const second = session.invoke('b');
    await settle();
    assert.equal(environments.length, 1);
    assert.deepEqual(environments[0].started, ['a'], 'the second waits while the first runs');
    environments[0].finish();
    await settle();
    assert.deepEqual(environments[0].started, ['a', 'b']);
    environments[0].finish();
    const records = [await first, await second];
    assert.deepEqual(records.map((r) => [r.environment, r.cold, r.generation, r.invocation]), [[0, true, 1, 1], [0, false, 1, 2]]);
    assert.deepEqual(records.map((r) => listOf(r).change), ['added', 'changed']);
  });

  it('reuses the most recently used idle environment', async () => {
    const { session, environments } = harness(2);
    const first = session.invoke('a');
    const second = session.invoke('b');
    await settle();
    environments[0].finish();
    await first;
    environments[1].finish();
    await second;
    const third = session.invoke('c');
    await settle();
    assert.deepEqual(environments.map((e) => e.started), [['a'], ['b', 'c']], 'environment 1 finished last: it takes the next one');
    environments[1].finish();
    const record = await third;
    assert.deepEqual([record.environment, record.cold], [1, false]);
    assert.equal(environments.length, 2, 'no third environment');
  });

  it('compares each record with earlier ones of its own environment only', async () => {
    const { session, environments } = harness(2);
    const records: InvocationRecord[] = [];
    // Environment 0 runs a, c, e; environment 1 runs b, d in between.
    const a = session.invoke('a');
    const b = session.invoke('b');
    await settle();
    environments[0].finish();
    records.push(await a);
    const c = session.invoke('c');
    await settle();
    environments[1].finish();
    records.push(await b);
    const d = session.invoke('d');
    await settle();
    environments[0].finish();
    records.push(await c);
    const e = session.invoke('e');
    await settle();
    environments[1].finish();
    records.push(await d);
    environments[0].finish();
    records.push(await e);
    assert.deepEqual(records.map((r) => r.response), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(records.map((r) => r.environment), [0, 1, 0, 1, 0]);
    assert.deepEqual(records.map((r) => listOf(r).sizeSeries), [[1], [1], [1, 2], [1, 2], [1, 2, 3]]);
    assert.deepEqual(records.map((r) => listOf(r).change), ['added', 'added', 'changed', 'changed', 'changed']);
    assert.deepEqual(records[4].growing, ['list'], 'environment 0 grew three times in a row');
  });

  it('runs a reset once every environment is idle, and nothing queued after it overtakes it (nor is throttled)', async () => {
    const { session, environments } = harness(1);
    const first = session.invoke('a');
    await settle();
    const reset = session.reset();
    const second = session.invoke('b');
    await settle();
    assert.deepEqual(environments[0].resets, [], 'the reset waits for the running invocation');
    environments[0].finish();
    await reset;
    await settle();
    assert.deepEqual(environments[0].resets, ['requested']);
    assert.deepEqual(environments[0].started, ['a', 'b'], 'the invocation queued after the reset ran after it');
    environments[0].finish();
    assert.deepEqual([(await first).cold, (await second).cold], [true, true]);
  });

  it('starts the analysis over when a deployed environment is reset, though its state stays', async () => {
    const { session, environments } = harness(1, 'deployed', { overflow: 'queue' });
    const run = async (event: string) => {
      const record = session.invoke(event);
      await settle();
      environments[0].finish();
      return record;
    };
    await run('a');
    assert.equal(listOf(await run('b')).change, 'changed');
    await session.reset();
    assert.equal(session.status().lastReset, 'requested');
    const after = await run('c');
    assert.deepEqual([listOf(after).size, listOf(after).change, listOf(after).sizeSeries], [3, 'added', [3]]);
  });

  it('starts up to 10 environments by default and throttles the next concurrent invocation, recording nothing for it', async () => {
    const { session, environments } = harness();
    const running = Array.from({ length: 10 }, (_, i) => session.invoke(i));
    await settle();
    assert.equal(environments.length, 10);
    assert.equal(session.environmentCount, 10);
    await assert.rejects(session.invoke('one too many'), (error: unknown) => {
      assert.ok(error instanceof ThrottledError);
      assert.equal(error.errorType, 'TooManyRequestsException');
      assert.equal(error.reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      assert.match(error.message, /Rate Exceeded\. All 10 environments .* busy/);
      return true;
    });
    assert.equal(environments.length, 10, 'no eleventh environment');
    for (const environment of environments) environment.finish();
    const records = await Promise.all(running);
    assert.deepEqual(records.map((r) => r.environment), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(session.history.size, 10, 'the throttled invocation left no record');
    const next = session.invoke('after');
    await settle();
    environments[9].finish();
    assert.deepEqual([(await next).environment, (await next).cold], [9, false], 'warm again once one is idle (the most recently used)');
  });

  it('throttles a second concurrent invocation with maxEnvironments 1, and every one with 0 (reserved concurrency 0)', async () => {
    const one = harness(1);
    const first = one.session.invoke('a');
    await settle();
    await assert.rejects(one.session.invoke('b'), ThrottledError);
    assert.deepEqual(one.environments[0].started, ['a'], 'the throttled event never ran');
    one.environments[0].finish();
    assert.equal((await first).response, 'a');
    const none = harness(0);
    await assert.rejects(none.session.invoke('a'), /every invocation is throttled/);
    assert.equal(none.environments.length, 0);
  });

  it('ends an idle environment after the idle timeout, except the most recently used one; its index is reused by the next', async () => {
    const timers = new FakeTimers();
    const environments: HeldEnvironment[] = [];
    const pool = new EnvironmentPool({
      maxEnvironments: 3,
      idleTimeoutMs: 60_000,
      timers,
      create: (index) => {
        environments.push(new HeldEnvironment(index));
        return environments[environments.length - 1];
      },
    });
    const first = pool.invoke('a');
    const second = pool.invoke('b');
    await settle();
    assert.equal(timers.armed.size, 0, 'no reaper while they run');
    environments[0].finish();
    await first;
    environments[1].finish();
    await second;
    assert.deepEqual([...timers.armed.values()], [60_000, 60_000], 'each idle environment has its reaper');
    timers.fireAll();
    await settle();
    assert.deepEqual(environments.map((e) => e.disposed), [true, false], 'environment 0 ended; 1, used last, stays warm');
    assert.equal(pool.size, 1);
    assert.equal(timers.armed.size, 1, 'the warm one is looked at again later');
    timers.fireAll();
    assert.deepEqual(environments.map((e) => e.disposed), [true, false], 'still the most recently used: still warm');
    const third = pool.invoke('c');
    const fourth = pool.invoke('d');
    await settle();
    assert.equal(environments.length, 3);
    assert.deepEqual(environments.map((e) => e.started), [['a'], ['b', 'c'], ['d']], 'the warm one takes c, a new environment d');
    environments[1].finish();
    environments[2].finish();
    const [warm, cold] = [await third, await fourth];
    assert.deepEqual([warm.environment, warm.cold], [1, false]);
    assert.deepEqual([cold.environment, cold.cold], [0, true], 'the new environment takes the free index 0, with a cold start');
    await pool.dispose();
    assert.equal(timers.armed.size, 0, 'no timer outlives the pool');
  });
});

describe('environment pool: an invocation whose payload is out (InvokeOptions.onPayload)', () => {
  function pool(maxEnvironments: number) {
    const environments: HeldEnvironment[] = [];
    const created = new EnvironmentPool({
      maxEnvironments,
      create: (index) => {
        environments.push(new HeldEnvironment(index));
        return environments[environments.length - 1];
      },
    });
    return { pool: created, environments };
  }

  it('passes the payload on once, and the next invocation waits for that environment instead of starting another', async () => {
    const { pool: functionPool, environments } = pool(3);
    const payloads: string[] = [];
    const first = functionPool.invoke('a', { onPayload: (early) => payloads.push(early.payload) });
    await settle();
    environments[0].answer();
    environments[0].answer();
    assert.deepEqual(payloads, ['"a"'], 'given once');
    const second = functionPool.invoke('b', { onPayload: () => undefined });
    await settle();
    assert.equal(environments.length, 1, 'no second environment while the first finishes');
    assert.deepEqual(environments[0].started, ['a']);
    environments[0].finish();
    assert.equal((await first).environment, 0);
    await settle();
    assert.deepEqual(environments[0].started, ['a', 'b'], 'b runs warm in the same environment');
    environments[0].finish();
    const record = await second;
    assert.deepEqual([record.environment, record.cold], [0, false]);
    await functionPool.dispose();
  });

  it('holds back one invocation per finishing environment; the ones behind it start environments of their own', async () => {
    const { pool: functionPool, environments } = pool(5);
    const first = functionPool.invoke('a', { onPayload: () => undefined });
    await settle();
    environments[0].answer();
    const later = ['b', 'c', 'd'].map((event) => functionPool.invoke(event, { onPayload: () => undefined }));
    await settle();
    assert.deepEqual(environments.map((environment) => environment.started), [['a'], ['c'], ['d']], 'b waits for environment 0; c and d do not wait behind it');
    environments[0].finish();
    await first;
    await settle();
    assert.deepEqual(environments[0].started, ['a', 'b'], 'then b runs warm in environment 0');
    for (const environment of environments) environment.finish();
    const records = await Promise.all(later);
    assert.deepEqual(records.map((record) => [record.environment, record.cold]), [[0, false], [1, true], [2, true]]);
    await functionPool.dispose();
  });

  it('waits rather than throttles with maxEnvironments 1, and still scales out for an invocation that is running unanswered', async () => {
    const { pool: single, environments: one } = pool(1);
    const first = single.invoke('a', { onPayload: () => undefined });
    await settle();
    one[0].answer();
    const second = single.invoke('b');
    await settle();
    one[0].finish();
    await first;
    await settle();
    one[0].finish();
    assert.equal((await second).response, 'b', 'not throttled: it ran after a');

    const { pool: two, environments } = pool(2);
    const running = two.invoke('x', { onPayload: () => undefined });
    await settle();
    const concurrent = two.invoke('y', { onPayload: () => undefined });
    await settle();
    assert.deepEqual(environments.map((environment) => environment.started), [['x'], ['y']], 'no payload out yet: y gets an environment of its own');
    environments[0].finish();
    environments[1].finish();
    await Promise.all([running, concurrent]);
    await Promise.all([single.dispose(), two.dispose()]);
  });
});

/** Timers that fire only when the test says so. */
class FakeTimers implements ReaperTimers {
  readonly armed = new Map<number, number>();
  private readonly callbacks = new Map<number, () => void>();
  private next = 0;

  set(callback: () => void, ms: number): unknown {
    const handle = ++this.next;
    this.armed.set(handle, ms);
    this.callbacks.set(handle, callback);
    return handle;
  }

  clear(handle: unknown): void {
    this.armed.delete(handle as number);
    this.callbacks.delete(handle as number);
  }

  fireAll(): void {
    const due = [...this.callbacks.entries()];
    for (const [handle, callback] of due) {
      this.clear(handle);
      callback();
    }
  }
}
