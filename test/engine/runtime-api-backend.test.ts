/**
 * The Runtime API emulator (runtime-api-backend.ts) with what the real runtime interface
 * clients do to it, played by a stand-in client (fixtures/runtime-api/fake-client.js): polls
 * held open together, the streaming response mode with its error trailers, init errors, a
 * clean exit, node flags. The real clients run against it in `npm run test:oracle`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createRuntimeApiBackend, type RuntimeApiFunctionBackend, type RuntimeApiResult } from '../../src/core/endpoint/runtime/runtime-api-backend';
import { EndpointState } from '../../src/core/endpoint/state';
import { LOG_HEAD_CHARS, LOG_TAIL_CHARS } from '../../src/core/lambda/limits';

const FAKE_CLIENT = resolve(__dirname, '../fixtures/runtime-api/fake-client.js');

describe('Runtime API emulator: what the real clients need', function () {
  this.timeout(20_000);
  const backends: RuntimeApiFunctionBackend[] = [];
  after(async () => {
    await Promise.all(backends.splice(0).map((backend) => backend.dispose()));
  });

  function backendFor(
    behaviour: string,
    nodeArgs?: string[],
    more: { maxConcurrency?: number; timeoutSeconds?: number; freeze?: boolean } = {},
  ): { invoke(event?: object): Promise<RuntimeApiResult>; capacity: number } {
    const served = new EndpointState('us-east-1').addFunction({
      name: `fake-${behaviour}`,
      code: { taskRoot: resolve(__dirname, '../fixtures/runtime-api') },
      handler: behaviour,
      ...(more.timeoutSeconds !== undefined ? { timeoutSeconds: more.timeoutSeconds } : {}),
    });
    const backend = createRuntimeApiBackend(
      { name: served.name, code: served.code, configuration: served.configuration, optDir: null, region: 'us-east-1' },
      { clientEntry: FAKE_CLIENT, nodeArgs, freeze: more.freeze ?? false, ...(more.maxConcurrency !== undefined ? { maxConcurrency: more.maxConcurrency } : {}) },
    );
    backends.push(backend);
    return {
      capacity: backend.capacity,
      invoke: (event = {}) => backend.invoke({ requestId: randomUUID(), event, payload: Buffer.from(JSON.stringify(event)), configuration: served.configuration }),
    };
  }

  const body = (result: RuntimeApiResult): { peak: number; pid: number; maxConcurrency: string | null } => JSON.parse(result.payload.toString());

  it('holds several /next polls open and hands each event to the oldest', async () => {
    const fn = backendFor('twoPollers');
    const first = await fn.invoke();
    // By now both pollers wait: the second (sent while the first handled its event), then the
    // first again. An emulator that keeps only the latest poll hands the event to the first.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await fn.invoke();
    assert.deepEqual(JSON.parse(first.payload.toString()), { poller: 'first' });
    assert.equal(first.functionError, null);
    assert.deepEqual(JSON.parse(second.payload.toString()), { poller: 'second' });
    assert.deepEqual([first.cold, second.cold], [true, false]);
  });

  it('takes a streamed (chunked) response as the response', async () => {
    const fn = backendFor('streams');
    const result = await fn.invoke();
    assert.equal(result.payload.toString(), 'streamed in chunks');
    assert.equal(result.functionError, null);
    assert.equal(result.failedPhase, null);
  });

  it('fails the invocation with the error of the trailers when a stream fails midway', async () => {
    const result = await backendFor('failsMidStream').invoke();
    assert.equal(result.functionError, 'Unhandled');
    assert.equal(result.failedPhase, 'invoke');
    assert.deepEqual(JSON.parse(result.payload.toString()), { errorType: 'Error', errorMessage: 'failed mid-stream', trace: [] });
  });

  it('reports an init error as one, with the error type the runtime gave', async () => {
    const fn = backendFor('initError');
    const result = await fn.invoke();
    assert.equal(result.failedPhase, 'init');
    assert.equal(result.functionError, 'Unhandled');
    assert.equal(JSON.parse(result.payload.toString()).errorType, 'Runtime.ImportModuleError');
    assert.match(result.logs, /Error Type: Runtime\.ImportModuleError/);
    // The next invocation tries init again.
    assert.equal((await fn.invoke()).cold, true);
  });

  it("says a clean exit in Lambda's words", async () => {
    const result = await backendFor('exitsCleanly').invoke();
    assert.equal(result.failedPhase, 'invoke');
    const error = JSON.parse(result.payload.toString());
    assert.equal(error.errorType, 'Runtime.ExitError');
    assert.match(error.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited without providing a reason$/);
  });

  it("keeps the first and last MB of an invocation's output, and says how much it cut", async () => {
    const fn = backendFor('loud');
    for (const result of [await fn.invoke(), await fn.invoke()]) {
      assert.deepEqual(JSON.parse(result.payload.toString()), { loud: true });
      assert.ok(result.logs.length < LOG_HEAD_CHARS + LOG_TAIL_CHARS + 4096, `logs of ${result.logs.length} characters`);
      assert.match(result.logs, /^START RequestId: \S+ Version: \$LATEST\nline 0 x+\n/);
      assert.match(result.logs, /\[Warm State cut \d+ characters of output here/);
      // Each invocation's own last line, in its tail: the second one's budget starts afresh.
      assert.match(result.logs, new RegExp(`line 29999 x+\\nlast line of ${result.requestId}\\nEND RequestId`));
    }
  });

  describe('Managed Instances mode (maxConcurrency)', () => {
    it('keeps up to maxConcurrency invocations in flight across the open polls, never more', async () => {
      const fn = backendFor('concurrent', undefined, { maxConcurrency: 3 });
      assert.equal(fn.capacity, 3);
      const results = await Promise.all(Array.from({ length: 5 }, () => fn.invoke()));
      // The first three are held by the client until three are in flight at once; an emulator
      // serving one at a time leaves the peak at 1, one without the cap lets it reach 5.
      assert.equal(Math.max(...results.map((result) => body(result).peak)), 3);
      for (const result of results) {
        assert.equal(result.functionError, null);
        assert.equal(body(result).maxConcurrency, '3');
      }
      assert.equal(new Set(results.map((result) => body(result).pid)).size, 1);
    });

    it('gives each invocation the lines that name its request id', async () => {
      const fn = backendFor('concurrent', undefined, { maxConcurrency: 2 });
      const results = await Promise.all([fn.invoke(), fn.invoke()]);
      for (const result of results) {
        const own = result.logs.split('\n').filter((line) => line.includes('\tINFO\tline of '));
        assert.deepEqual(own.map((line) => line.split('\t')[3]), [`line of ${result.requestId}`]);
      }
    });

    it("keeps the first and last MB of each invocation's output, however much they write at once", async () => {
      const fn = backendFor('concurrent', undefined, { maxConcurrency: 2 });
      const results = await Promise.all([fn.invoke({ loud: true }), fn.invoke({ loud: true })]);
      for (const result of results) {
        assert.equal(result.functionError, null);
        assert.ok(result.logs.length < LOG_HEAD_CHARS + LOG_TAIL_CHARS + 4096, `logs of ${result.logs.length} characters`);
        assert.match(result.logs, /\[Warm State cut \d+ characters of output here/);
        assert.ok(result.logs.includes(`\tINFO\tlast line of ${result.requestId}\n`), 'its own last line, in its tail');
        const other = results.find((r) => r !== result)?.requestId ?? '';
        assert.ok(!result.logs.includes(other), "none of the other invocation's lines");
      }
    });

    it('fails a timed-out invocation alone: the process and the others run on', async () => {
      const fn = backendFor('concurrent', undefined, { maxConcurrency: 2, timeoutSeconds: 1 });
      const [hung, answered] = await Promise.all([fn.invoke({ hang: true }), fn.invoke()]);
      assert.equal(hung.functionError, 'Unhandled');
      const timedOut = JSON.parse(hung.payload.toString()) as { errorType?: string; errorMessage?: string };
      assert.equal(timedOut.errorType, 'Sandbox.Timedout');
      assert.match(timedOut.errorMessage ?? '', /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
      assert.equal(answered.functionError, null);
      const later = await fn.invoke();
      assert.equal(later.cold, false);
      assert.equal(body(later).pid, body(answered).pid);
    });

    it('stays one at a time without it, and sets no AWS_LAMBDA_MAX_CONCURRENCY', async () => {
      const fn = backendFor('concurrent');
      assert.equal(fn.capacity, 1);
      const results = await Promise.all([fn.invoke(), fn.invoke()]);
      assert.deepEqual(results.map((result) => [body(result).peak, body(result).maxConcurrency]), [[1, null], [1, null]]);
    });
  });

  it('starts node with the flags given, before the client', async () => {
    const result = await backendFor('flags', ['--no-experimental-require-module']).invoke();
    assert.deepEqual(JSON.parse(result.payload.toString()), { execArgv: ['--no-experimental-require-module'] });
  });

  it("starts the timeout's clock at the event's delivery: a cold start's init does not use it up", async () => {
    // Timeout 1 s; init 0.6 s, then 0.7 s of work: over the timeout together, within it for the invocation.
    const fn = backendFor('slowInit', undefined, { timeoutSeconds: 1 });
    const cold = await fn.invoke();
    assert.equal(cold.functionError, null, cold.payload.toString());
    assert.equal(cold.cold, true);
    const { remainingAtStart } = JSON.parse(cold.payload.toString()) as { remainingAtStart: number };
    assert.ok(remainingAtStart > 900 && remainingAtStart <= 1000, `${remainingAtStart} ms remained at the start`);
    const duration = Number(/\tDuration: ([\d.]+) ms/.exec(cold.logs)?.[1]);
    assert.ok(duration >= 690 && duration < 1000, `duration ${duration} ms`);
  });

  it('thaws a process frozen before it polled again when the next event waits for it', async () => {
    // The client polls 1.5 s after each response; the backend freezes it once 1 s passed without a poll.
    const fn = backendFor('slowToPollAgain', undefined, { timeoutSeconds: 3, freeze: true });
    assert.equal((await fn.invoke()).functionError, null);
    const second = await fn.invoke();
    assert.equal(second.functionError, null, second.payload.toString());
    assert.deepEqual(JSON.parse(second.payload.toString()), { answered: 2 });
  });

  it('fails an init that never asks for an event at init\'s own limit (10 s), not at the timeout, as the local environment does', async function () {
    this.timeout(30_000);
    const fn = backendFor('neverPolls', undefined, { timeoutSeconds: 1 });
    const started = Date.now();
    const result = await fn.invoke();
    const waited = Date.now() - started;
    assert.ok(waited >= 9_900 && waited < 15_000, `answered after ${waited} ms`);
    assert.deepEqual(JSON.parse(result.payload.toString()), { errorType: 'Runtime.InitTimeout', errorMessage: 'Init timed out after 10.00 seconds', trace: [] });
    assert.equal(result.failedPhase, 'init');
    assert.match(result.logs, /\tInit Duration: 10000\.00 ms/);
  });

  it("bills a cold start's init with its invocation, as Lambda does since August 2025, and a warm one alone", async () => {
    const fn = backendFor('flags');
    const figures = (result: RuntimeApiResult) => {
      const report = /^REPORT .*$/m.exec(result.logs)?.[0] ?? '';
      const field = (name: string) => new RegExp(`\\t${name}: ([\\d.]+) ms`).exec(report)?.[1];
      assert.ok(field('Duration') !== undefined && field('Billed Duration') !== undefined, result.logs);
      const init = field('Init Duration');
      return { duration: Number(field('Duration')), billed: Number(field('Billed Duration')), init: init === undefined ? null : Number(init) };
    };
    // Billed is rounded up from the exact times, the line shows them to 0.01 ms: each printed
    // figure is within 0.005 ms of its exact value, so the sum is within 0.005 ms per figure.
    const billedFrom = (printed: number[]) => {
      const sum = printed.reduce((a, b) => a + b, 0);
      const slack = 0.005 * printed.length;
      return [Math.max(1, Math.ceil(sum - slack)), Math.max(1, Math.ceil(sum + slack))];
    };
    const within = (billed: number, [low, high]: number[]) => assert.ok(billed >= low && billed <= high, `billed ${billed} ms, expected ${low}-${high}`);
    const cold = figures(await fn.invoke());
    assert.ok(cold.init !== null && cold.init > 0);
    within(cold.billed, billedFrom([cold.duration, cold.init ?? 0]));
    const warm = figures(await fn.invoke());
    assert.equal(warm.init, null);
    within(warm.billed, billedFrom([warm.duration]));
  });
});
