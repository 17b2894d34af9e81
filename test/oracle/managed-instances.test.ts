/**
 * Lambda Managed Instances under the real 4.x client (aws-lambda-ric 4.0.2): with
 * AWS_LAMBDA_MAX_CONCURRENCY set its main thread starts AWS_LAMBDA_NODEJS_WORKER_COUNT worker
 * threads, each loads the handler and runs many invocations at once. These tests record what it
 * does (docs/managed-instances.md is written from them): cross-talk in AWS's own example,
 * module scope per worker, the callback refusal, and what a throw, a promise that never
 * settles, an uncaught exception and an unhandled rejection do to the other invocations.
 * Worker counts are pinned. The local engine's Managed Instances mode is to match these
 * through runManagedReal (managed-side.ts): exactly with one worker, as invariants with several.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { clientInstalled } from '../../scripts/oracle/clients';
import { runManagedReal, type ManagedInvocation, type ManagedRunOptions } from './managed-side';

const ROOT = resolve(__dirname, '../..');
const MANAGED = resolve(__dirname, 'fixtures/managed');

function run(handler: string, options: Partial<ManagedRunOptions> & Pick<ManagedRunOptions, 'workers' | 'concurrency' | 'waves'>): Promise<ManagedInvocation[][]> {
  return runManagedReal(ROOT, { taskRoot: MANAGED, handler }, { runtime: 'nodejs24.x', ...options });
}

function responses(wave: ManagedInvocation[] | undefined): unknown[] {
  return (wave ?? []).map(({ outcome }) => (outcome.kind === 'response' ? outcome.response : outcome));
}

/** The error the emulator gives an invocation the function did not answer in time (Timeout 2 s): Lambda's default-mode one. */
function assertTimedOut(invocation: ManagedInvocation | undefined): void {
  assert.equal(invocation?.outcome.kind, 'error', JSON.stringify(invocation?.outcome));
  assert.equal(invocation.outcome.errorType, 'Sandbox.Timedout');
  assert.equal(invocation.outcome.errorMessage, `RequestId: ${invocation.requestId} Error: Task timed out after 2.00 seconds`);
}

function assertAborted(invocation: ManagedInvocation | undefined): void {
  assert.equal(invocation?.outcome.kind, 'error', JSON.stringify(invocation?.outcome));
  assert.equal(invocation.outcome.errorType, 'Runtime.ExitError');
  assert.equal(invocation.outcome.errorMessage, `RequestId: ${invocation.requestId} Error: Runtime exited with error: signal: SIGABRT`);
}

describe('Managed Instances: the real 4.x client with AWS_LAMBDA_MAX_CONCURRENCY', function () {
  this.timeout(60_000);

  before(() => {
    if (!clientInstalled(ROOT, '4.0.2')) throw new Error('aws-lambda-ric 4.0.2 not built: run `node scripts/oracle/install-clients.mjs` (npm run test:oracle does).');
  });

  describe("AWS's shared-state example (module-level state.currentUser, then an await)", () => {
    it('one worker, two in flight: both responses show the second request\'s user', async () => {
      const [wave] = await run('shared-state.handler', { workers: 1, concurrency: 2, waves: [[{ user: 'alice' }, { user: 'bob' }]] });
      assert.deepEqual(responses(wave), [{ user: 'bob' }, { user: 'bob' }]);
    });

    it('one worker, one at a time: each its own user (the cross-talk is the concurrency)', async () => {
      const [wave] = await run('shared-state.handler', { workers: 1, concurrency: 1, waves: [[{ user: 'alice' }, { user: 'bob' }]] });
      assert.deepEqual(responses(wave), [{ user: 'alice' }, { user: 'bob' }]);
    });

    it('one worker, four in flight: every response shows the last request\'s user', async () => {
      const users = ['ann', 'ben', 'cy', 'dee'];
      const [wave] = await run('shared-state.handler', { workers: 1, concurrency: 4, waves: [users.map((user) => ({ user, waitMs: 300 }))] });
      assert.deepEqual(responses(wave), users.map(() => ({ user: 'dee' })));
    });
  });

  it('module scope per worker: the counts of each worker are 1..n, and add up to the invocations', async () => {
    const [wave = []] = await run('per-worker-counter.handler', { workers: 3, concurrency: 6, waves: [Array.from({ length: 12 }, () => ({}))] });
    const countsByWorker = new Map<number, number[]>();
    for (const invocation of wave) {
      assert.equal(invocation.outcome.kind, 'response', JSON.stringify(invocation.outcome));
      assert.ok(invocation.worker !== undefined && invocation.worker >= 0 && invocation.worker < 3, `worker ${String(invocation.worker)}`);
      const { count } = invocation.outcome.response as { count: number };
      countsByWorker.set(invocation.worker, [...(countsByWorker.get(invocation.worker) ?? []), count]);
    }
    let total = 0;
    for (const counts of countsByWorker.values()) {
      const sorted = [...counts].sort((a, b) => a - b);
      assert.deepEqual(sorted, sorted.map((_, i) => i + 1), `counts of one worker: ${JSON.stringify(counts)}`);
      total += counts.length;
    }
    assert.equal(total, 12);
  });

  describe('a callback handler (three parameters) fails init in every worker', () => {
    for (const [runtime, message] of [
      ['nodejs24.x', 'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.'],
      ['nodejs22.x', 'ERROR: AWS Lambda does not support callback-based function handlers when using Node.js 22 with Managed Instances. To use Managed Instances, modify this function to use a supported handler signature. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.'],
    ] as const) {
      it(runtime, async () => {
        const [wave = []] = await run('callback.handler', { runtime, workers: 2, concurrency: 2, waves: [[{}, {}]] });
        for (const { outcome } of wave) {
          assert.deepEqual(outcome, { cold: true, kind: 'init-error', errorType: 'Runtime.CallbackHandlerDeprecated', errorMessage: message });
        }
        // Each worker logs it as a JSON line outside any request ("-"); the first report ends
        // the process, so the second worker's line may not be there yet.
        const initLines = wave.flatMap(({ logs }) => logs.split('\n')).filter((line) => line.includes('"message":"Init Error \\t'));
        assert.ok(initLines.length >= 1, wave.map(({ logs }) => logs).join('\n'));
        for (const line of initLines) assert.equal((JSON.parse(line) as { requestId: string }).requestId, '-');
      });
    }
  });

  describe("libuv's thread pool, shared by the workers and their native /next polls", () => {
    // The client's native next() blocks a pool thread (Napi::AsyncWorker) per polling worker;
    // the pool has UV_THREADPOOL_SIZE threads (4 by default) for the whole process. With more
    // workers than that, the polls hold every thread and async file I/O waits behind them.
    // The read starts 2 s in, once every worker has loaded the handler and polls (a read that
    // starts earlier may find a free thread while workers are still initialising).
    it('8 workers: a handler awaiting fs.promises.readFile never gets its data (times out)', async () => {
      const [wave = []] = await run('reads-file.handler', { workers: 8, concurrency: 8, timeoutSeconds: 5, waves: [[{ delayMs: 2000 }]] });
      assert.equal(wave[0]?.outcome.kind, 'error', JSON.stringify(wave[0]?.outcome));
      assert.match(wave[0].outcome.errorMessage ?? '', /Task timed out after 5\.00 seconds$/);
    });

    it('8 workers with UV_THREADPOOL_SIZE=16: it answers', async () => {
      const [wave = []] = await run('reads-file.handler', { workers: 8, concurrency: 8, timeoutSeconds: 15, environment: { UV_THREADPOOL_SIZE: '16' }, waves: [[{ delayMs: 2000 }]] });
      assert.equal(wave[0]?.outcome.kind, 'response', JSON.stringify(wave[0]?.outcome));
    });
  });

  describe('faults, one worker, so that every invocation shares it', () => {
    it('a handler that throws fails alone; logs are JSON lines carrying each request id', async () => {
      const [wave = []] = await run('faults.handler', { workers: 1, concurrency: 3, waves: [[{ kind: 'ok', id: 1 }, { kind: 'throws', id: 2 }, { kind: 'ok', id: 3 }]] });
      assert.deepEqual(responses(wave), [
        { id: 1, count: 1, threadId: 1 },
        { cold: true, kind: 'error', errorType: 'TypeError', errorMessage: 'thrown by 2' },
        { id: 3, count: 3, threadId: 1 },
      ]);
      const [first] = wave;
      const own = first?.logs.split('\n').filter((line) => line.startsWith('{') && line.includes('"level":"INFO"')).map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(own?.map(({ level, requestId, message }) => ({ level, requestId, message })), [{ level: 'INFO', requestId: first?.requestId, message: 'ok 1' }]);
    });

    it('a promise that never settles times out alone; the environment stays warm, its module scope kept', async () => {
      const [wave = [], later = []] = await run('faults.handler', {
        workers: 1,
        concurrency: 3,
        timeoutSeconds: 2,
        waves: [[{ kind: 'ok', id: 1 }, { kind: 'never', id: 2 }, { kind: 'ok', id: 3 }], [{ kind: 'ok', id: 4 }]],
      });
      assert.deepEqual(responses([wave[0], wave[2]].filter((i) => i !== undefined)), [{ id: 1, count: 1, threadId: 1 }, { id: 3, count: 3, threadId: 1 }]);
      assertTimedOut(wave[1]);
      assert.deepEqual(later.map(({ outcome }) => outcome), [{ cold: false, kind: 'response', response: { id: 4, count: 4, threadId: 1 } }]);
    });

    it('an uncaught exception ends the worker: its invocations in flight time out, the next event aborts the process (SIGABRT), the one after starts a new one', async () => {
      const [crash = [], handedToDeadWorker = [], after = []] = await run('faults.handler', {
        workers: 1,
        concurrency: 3,
        timeoutSeconds: 2,
        waves: [[{ kind: 'ok', id: 1, waitMs: 1000 }, { kind: 'uncaught', id: 2 }], [{ kind: 'ok', id: 3 }], [{ kind: 'ok', id: 4 }]],
      });
      crash.forEach(assertTimedOut);
      assertAborted(handedToDeadWorker[0]);
      assert.deepEqual(after.map(({ outcome }) => outcome), [{ cold: true, kind: 'response', response: { id: 4, count: 1, threadId: 1 } }]);
    });

    it('an unhandled rejection ends the worker too: the next event handed to it aborts the process, failing every invocation in flight', async () => {
      const [crash = [], after = []] = await run('faults.handler', {
        workers: 1,
        concurrency: 3,
        timeoutSeconds: 2,
        waves: [[{ kind: 'rejection', id: 1 }, { kind: 'ok', id: 2 }], [{ kind: 'ok', id: 3 }]],
      });
      crash.forEach(assertAborted);
      assert.deepEqual(after.map(({ outcome }) => outcome), [{ cold: true, kind: 'response', response: { id: 3, count: 1, threadId: 1 } }]);
    });
  });
});
