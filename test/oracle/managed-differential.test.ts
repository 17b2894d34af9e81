/**
 * Managed Instances, local engine versus the real 4.x client: the fixtures of
 * managed-instances.test.ts run through runManagedLocal and runManagedReal with the same
 * {runtime, workers, concurrency, waves}. With one worker the outcomes must be equal, request
 * by request; with several, which worker takes which request is not deterministic, so both
 * sides must satisfy the same invariants. Known differences are listed with their reason and
 * must still differ (a fixed one fails until its entry is removed).
 *
 * Normalised on both sides before comparing: `cold` (the emulator calls cold every invocation
 * that waited for the process to start, the engine a worker's first invocation), timeouts (the
 * platform's message, not the client's: compared as "timed out"), request ids, and the signal
 * named by a Runtime.ExitError (the real client aborts, SIGABRT; the engine ends the process).
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { clientInstalled } from '../../scripts/oracle/clients';
import { runManagedLocal } from './managed-local-side';
import { runManagedReal, type ManagedInvocation, type ManagedRunOptions } from './managed-side';
import { normaliseText } from './outcome';

const ROOT = resolve(__dirname, '../..');
const MANAGED = resolve(__dirname, 'fixtures/managed');

interface ManagedCase {
  name: string;
  handler: string;
  options: ManagedRunOptions;
  /** Why the local engine differs from the real client today (the entry goes when it does not). */
  knownDifference?: string;
}

const ONE_WORKER: ManagedCase[] = [
  {
    name: "AWS's shared-state example, two in flight",
    handler: 'shared-state.handler',
    options: { runtime: 'nodejs24.x', workers: 1, concurrency: 2, waves: [[{ user: 'alice' }, { user: 'bob' }]] },
  },
  {
    name: "AWS's shared-state example, four in flight",
    handler: 'shared-state.handler',
    options: { runtime: 'nodejs24.x', workers: 1, concurrency: 4, waves: [['ann', 'ben', 'cy', 'dee'].map((user) => ({ user, waitMs: 300 }))] },
  },
  {
    name: "AWS's shared-state example, one at a time",
    handler: 'shared-state.handler',
    options: { runtime: 'nodejs24.x', workers: 1, concurrency: 1, waves: [[{ user: 'alice' }, { user: 'bob' }]] },
  },
  {
    name: 'callback handler [nodejs24.x]',
    handler: 'callback.handler',
    options: { runtime: 'nodejs24.x', workers: 1, concurrency: 2, waves: [[{}, {}]] },
  },
  {
    name: 'callback handler [nodejs22.x]',
    handler: 'callback.handler',
    options: { runtime: 'nodejs22.x', workers: 1, concurrency: 2, waves: [[{}, {}]] },
  },
  {
    name: 'a throw among answers',
    handler: 'faults.handler',
    options: { runtime: 'nodejs24.x', workers: 1, concurrency: 3, waves: [[{ kind: 'ok', id: 1 }, { kind: 'throws', id: 2 }, { kind: 'ok', id: 3 }]] },
  },
  {
    name: 'a promise that never settles among answers, then a warm one',
    handler: 'faults.handler',
    options: {
      runtime: 'nodejs24.x', workers: 1, concurrency: 3, timeoutSeconds: 2,
      waves: [[{ kind: 'ok', id: 1 }, { kind: 'never', id: 2 }, { kind: 'ok', id: 3 }], [{ kind: 'ok', id: 4 }]],
    },
  },
  {
    name: 'an uncaught exception in the worker',
    handler: 'faults.handler',
    options: {
      runtime: 'nodejs24.x', workers: 1, concurrency: 3, timeoutSeconds: 2,
      waves: [[{ kind: 'ok', id: 1, waitMs: 1000 }, { kind: 'uncaught', id: 2 }], [{ kind: 'ok', id: 3 }], [{ kind: 'ok', id: 4 }]],
    },
    knownDifference:
      "the engine ends the environment when its worker dies (in-flight invocations fail with Runtime.ExitError at once, the next one starts a new environment); the real client leaves them to time out and aborts at the next event handed to the dead worker's poll",
  },
  {
    name: 'an unhandled rejection in the worker',
    handler: 'faults.handler',
    options: { runtime: 'nodejs24.x', workers: 1, concurrency: 3, timeoutSeconds: 2, waves: [[{ kind: 'rejection', id: 1 }, { kind: 'ok', id: 2 }], [{ kind: 'ok', id: 3 }]] },
  },
];

type Compared = { kind: string; response?: unknown; errorType?: string; errorMessage?: string; timedOut?: true };

function compared(invocation: ManagedInvocation): Compared {
  const { outcome } = invocation;
  const how = { taskRoot: MANAGED, runtimeDirs: [] };
  if (outcome.kind === 'error' && /Task timed out after \d+\.\d\d seconds$/.test(outcome.errorMessage ?? '')) return { kind: 'error', timedOut: true };
  return {
    kind: outcome.kind,
    ...(outcome.response !== undefined ? { response: outcome.response } : {}),
    ...(outcome.errorType !== undefined ? { errorType: outcome.errorType } : {}),
    ...(outcome.errorMessage !== undefined ? { errorMessage: normaliseText(outcome.errorMessage, how).replace(/signal: \w+$/, 'signal: <signal>') } : {}),
  };
}

/** Each worker's counts are 1..n (module scope per worker) and all of them add up to `total`. */
function assertCountsPerWorker(wave: ManagedInvocation[], workers: number, total: number, side: string): void {
  const countsByWorker = new Map<number, number[]>();
  for (const invocation of wave) {
    assert.equal(invocation.outcome.kind, 'response', `${side}: ${JSON.stringify(invocation.outcome)}`);
    const worker = invocation.worker;
    assert.ok(worker !== undefined && worker >= 0 && worker < workers, `${side}: worker ${String(worker)}`);
    const { count } = invocation.outcome.response as { count: number };
    countsByWorker.set(worker, [...(countsByWorker.get(worker) ?? []), count]);
  }
  let sum = 0;
  for (const counts of countsByWorker.values()) {
    const sorted = [...counts].sort((a, b) => a - b);
    assert.deepEqual(sorted, sorted.map((_, i) => i + 1), `${side}: counts of one worker ${JSON.stringify(counts)}`);
    sum += counts.length;
  }
  assert.equal(sum, total, side);
}

describe('Managed Instances: local engine versus the real 4.x client', function () {
  this.timeout(60_000);

  before(() => {
    if (!clientInstalled(ROOT, '4.0.2')) throw new Error('aws-lambda-ric 4.0.2 not built: run `node scripts/oracle/install-clients.mjs` (npm run test:oracle does).');
  });

  describe('one worker: the same outcome for every request', () => {
    for (const testCase of ONE_WORKER) {
      it(`${testCase.name}${testCase.knownDifference ? ' (known difference)' : ''}`, async () => {
        const fixture = { taskRoot: MANAGED, handler: testCase.handler };
        // One after the other: two runtimes at once would compete for the same cores and timers.
        const local = (await runManagedLocal(ROOT, fixture, testCase.options)).map((wave) => wave.map(compared));
        const real = (await runManagedReal(ROOT, fixture, testCase.options)).map((wave) => wave.map(compared));
        if (testCase.knownDifference) {
          assert.notDeepStrictEqual(local, real, `now the same as the real client: drop its knownDifference (${testCase.knownDifference})`);
          return;
        }
        assert.deepStrictEqual(local, real, 'local (actual) versus the real client (expected)');
      });
    }
  });

  it('one worker: the console lines of overlapping invocations, JSON with each one’s own request id, on both sides', async () => {
    const options: ManagedRunOptions = { runtime: 'nodejs24.x', workers: 1, concurrency: 3, waves: [['ann', 'ben', 'cy'].map((user) => ({ user }))] };
    const fixture = { taskRoot: MANAGED, handler: 'logs.handler' };
    // Level and message of each JSON line, and whether it names the invocation whose log holds it.
    const lines = (invocation: ManagedInvocation) =>
      invocation.logs
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => {
          const { level, requestId, message } = JSON.parse(line) as { level: string; requestId: string; message: unknown };
          return { level, own: requestId === invocation.requestId, message };
        });
    const [local = []] = await runManagedLocal(ROOT, fixture, options);
    const [real = []] = await runManagedReal(ROOT, fixture, options);
    assert.equal(real.length, 3);
    assert.deepStrictEqual(local.map(lines), real.map(lines), 'local (actual) versus the real client (expected)');
    assert.ok(real.every((invocation) => lines(invocation).length === 2), JSON.stringify(real.map((invocation) => invocation.logs)));
  });

  it('three workers: module scope per worker, counts per worker add up to the invocations, on both sides', async () => {
    const options: ManagedRunOptions = { runtime: 'nodejs24.x', workers: 3, concurrency: 6, waves: [Array.from({ length: 12 }, () => ({}))] };
    const fixture = { taskRoot: MANAGED, handler: 'per-worker-counter.handler' };
    const [local = []] = await runManagedLocal(ROOT, fixture, options);
    const [real = []] = await runManagedReal(ROOT, fixture, options);
    assertCountsPerWorker(local, 3, 12, 'local');
    assertCountsPerWorker(real, 3, 12, 'real');
  });
});
