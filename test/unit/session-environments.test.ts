/**
 * One session, several environments (runtime/environment-pool.ts behind core/session.ts), with
 * a fake environment factory whose invocations finish when the test says so: where concurrent
 * invocations go, what waits, which idle environment is reused, and what the records say.
 */
import assert from 'node:assert/strict';
import type { CapturedVariable, InvocationRecord, RawInvocation } from '../../src/core/model/snapshot';
import type { EnvironmentStatus, WarmEnvironment } from '../../src/core/runtime/environment-api';
import { WarmSession } from '../../src/core/session';

/** An environment whose module scope holds `list`, one item longer after each invocation it runs. */
class HeldEnvironment implements WarmEnvironment {
  readonly capacity = 1;
  readonly started: unknown[] = [];
  readonly resets: string[] = [];
  private readonly pending: Array<() => void> = [];
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

  async invoke(event: unknown): Promise<RawInvocation> {
    this.started.push(event);
    // A local environment starts its process (a new generation) on its first invocation.
    const cold = this.generation === 0 || this.served === 0;
    if (cold) this.generation += 1;
    this.emit();
    await new Promise<void>((resolve) => this.pending.push(resolve));
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

  async dispose(): Promise<void> {
    this.listeners.clear();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.status());
  }
}

function harness(maxEnvironments?: number, source: RawInvocation['source'] = 'local') {
  const environments: HeldEnvironment[] = [];
  const session = new WarmSession({
    maxEnvironments,
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

  it('runs them one after the other in one environment with maxEnvironments 1 (the default)', async () => {
    const { session, environments } = harness();
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

  it('runs a reset once every environment is idle, and nothing queued after it overtakes it', async () => {
    const { session, environments } = harness();
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
    const { session, environments } = harness(1, 'deployed');
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
});
