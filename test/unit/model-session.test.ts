import assert from 'node:assert/strict';
import { WarmSession, InvalidEventError } from '../../src/core/session';
import type { RawInvocation } from '../../src/core/model/snapshot';
import type { EnvironmentStatus, WarmEnvironment } from '../../src/core/runtime/environment-api';

/** An engine double: records events and answers with a growing module array. */
class FakeEnvironment implements WarmEnvironment {
  readonly source = 'local';
  readonly capacity = 1;
  readonly events: unknown[] = [];
  resets = 0;
  disposed = false;
  private inFlight = 0;
  maxInFlight = 0;
  status(): EnvironmentStatus {
    return { state: 'warm', frozen: false, warmInvocations: this.events.length, generation: 1 + this.resets, nodeVersion: 'v20.0.0', lastReset: null };
  }
  async invoke(event: unknown): Promise<RawInvocation> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    this.inFlight--;
    this.events.push(event);
    const n = this.events.length;
    return {
      source: 'local', cold: n === 1, requestId: `r${n}`, startedAt: new Date(0).toISOString(), durationMs: 1, billedDurationMs: 1,
      initDurationMs: n === 1 ? 5 : null, memorySizeMB: 128, maxMemoryUsedMB: 40, response: null, error: null, logs: '',
      moduleScope: [{ name: 'list', kind: 'const', value: { type: 'array', className: 'Array', length: n, items: [], truncated: true }, size: { total: n, exact: true } }],
      handlerScope: [], parameters: [], memory: null, reset: null, captureError: null, runtimeVersion: 'v20.0.0', generation: 1 + this.resets,
    };
  }
  async reset(): Promise<void> { this.resets++; }
  onStatusChange(): { dispose(): void } { return { dispose: () => undefined }; }
  async dispose(): Promise<void> { this.disposed = true; }
}

function session(): { session: WarmSession; fake: () => FakeEnvironment } {
  const fake = new FakeEnvironment();
  const s = new WarmSession({ environments: () => fake });
  return { session: s, fake: () => fake };
}

describe('WarmSession', () => {
  it('analyses each invocation into a record and notifies listeners', async () => {
    const { session: s } = session();
    const seen: number[] = [];
    s.onRecord((r) => seen.push(r.invocation));
    const records = [await s.invoke({}), await s.invoke({}), await s.invoke({})];
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(records[2].growing, ['list']);
    assert.equal(s.history.records().length, 3);
  });
  it('gives each environment one invocation at a time: concurrent ones go to environments of their own', async () => {
    const fakes: FakeEnvironment[] = [];
    const s = new WarmSession({ environments: () => fakes[fakes.push(new FakeEnvironment()) - 1] });
    const records = await Promise.all([s.invoke(1), s.invoke(2), s.invoke(3)]);
    assert.deepEqual(fakes.map((fake) => [fake.maxInFlight, fake.events]), [[1, [1]], [1, [2]], [1, [3]]]);
    assert.deepEqual(records.map((record) => record.environment), [0, 1, 2]);
  });
  it('runs invocations one at a time with one environment and overflow queue', async () => {
    const fake = new FakeEnvironment();
    const s = new WarmSession({ environments: () => fake, maxEnvironments: 1, overflow: 'queue' });
    await Promise.all([s.invoke(1), s.invoke(2), s.invoke(3)]);
    assert.equal(fake.maxInFlight, 1);
    assert.deepEqual(fake.events, [1, 2, 3]);
  });
  it('refuses invalid event text before anything runs', async () => {
    const { session: s, fake } = session();
    await assert.rejects(s.invokeText('{"a":', 'ev.json'), (error: unknown) => error instanceof InvalidEventError && /ev\.json is not valid JSON/.test(error.message));
    assert.equal(fake().events.length, 0);
    const record = await s.invokeText('{"a":1}');
    assert.deepEqual(fake().events, [{ a: 1 }]);
    assert.equal(record.invocation, 1);
  });
  it('resets and disposes its environment, then refuses work', async () => {
    const { session: s, fake } = session();
    await s.invoke({});
    await s.reset('requested');
    assert.equal(fake().resets, 1);
    await s.dispose();
    assert.equal(fake().disposed, true);
    await assert.rejects(s.invoke({}), /disposed/);
  });
});
