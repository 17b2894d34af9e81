/**
 * Lambda Managed Instances mode with real child processes and real worker threads: the module
 * scope is shared by the invocations one worker runs at once (AWS's own example shows another
 * request's user), each worker loads the handler once and keeps its own module state, a timeout
 * fails one invocation and not the environment, a crashed worker leaves the others running, a
 * callback handler is refused, and a template's CapacityProviderConfig turns the mode on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { RawInvocation } from '../../src/core/model/snapshot';
import type { EnvironmentOptions, WarmEnvironment } from '../../src/core/runtime/environment-api';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';
import { FIXTURES, variable } from './environment-helpers';

const dir = join(FIXTURES, 'managed-engine');
const CLI = resolve(__dirname, '../../dist/cli.js');

function managedEnvironment(file: string, workers: number, concurrency: number, extra: Partial<EnvironmentOptions> = {}): WarmEnvironment {
  return createLocalEnvironment({ file: join(dir, file), handlerExport: 'handler', runtime: 'nodejs22.x', managedInstances: { workers, concurrency }, ...extra });
}

describe('Managed Instances: invocations in flight share their worker’s module scope', function () {
  this.timeout(60000);
  const environments: WarmEnvironment[] = [];
  afterEach(async () => {
    await Promise.all(environments.splice(0).map((environment) => environment.dispose()));
  });
  const open = (...args: Parameters<typeof managedEnvironment>): WarmEnvironment => {
    const environment = managedEnvironment(...args);
    environments.push(environment);
    return environment;
  };

  it('AWS’s example: with one worker, a response shows another request’s user; records name the worker and the overlap', async () => {
    const environment = open('aws-example.mjs', 1, 4);
    assert.equal(environment.capacity, 4);
    const users = ['alice', 'bob', 'carol', 'dave'];
    const records = await Promise.all(users.map((user) => environment.invoke({ user })));
    const answered = records.map((record) => (record.response as { user: string }).user);
    // Every request set its own user before the first await ended; the last write wins for all.
    assert.ok(answered.some((user, i) => user !== users[i]), `every response showed its own user: ${answered.join(', ')}`);
    assert.equal(new Set(answered).size, 1, `one worker: all read the last write, got ${answered.join(', ')}`);
    for (const record of records) {
      assert.equal(record.error, null);
      assert.equal(record.worker, 0);
      assert.equal(record.overlapping?.length, 3, 'the other three were in flight');
      assert.ok(!record.overlapping?.includes(record.requestId));
      // Each record's logs hold its own console lines only (none here) between START and END.
      assert.match(record.logs, new RegExp(`^START RequestId: ${record.requestId}`));
    }
    assert.equal(records.filter((record) => record.cold).length, 1, 'one worker, one cold start');
    assert.ok((records.find((record) => record.cold)?.initDurationMs ?? 0) > 0);
    const later = await environment.invoke({ user: 'eve' });
    assert.deepEqual(later.response, { user: 'eve' });
    assert.equal(later.cold, false);
    assert.deepEqual(later.overlapping, []);
  });

  it("gives each invocation its own ClientContext (context.clientContext), in flight together", async () => {
    const environment = createLocalEnvironment({ file: resolve(FIXTURES, '..', 'remote', 'two-handlers', 'handler.js'), handlerExport: 'clientContext', runtime: 'nodejs22.x', managedInstances: { workers: 1, concurrency: 3 } });
    environments.push(environment);
    const records = await Promise.all([environment.invoke({}, { clientContext: { custom: { n: 1 } } }), environment.invoke({}), environment.invoke({}, { clientContext: { custom: { n: 3 } } })]);
    assert.deepEqual(
      records.map((record) => record.response),
      [{ clientContext: { custom: { n: 1 } } }, { clientContext: 'none' }, { clientContext: { custom: { n: 3 } } }],
    );
  });

  it('module state per worker: each worker loads the handler once, and the counters add up to the invocations', async () => {
    const environment = open('counter.mjs', 3, 6);
    const records: RawInvocation[] = [];
    for (let round = 0; round < 3; round++) records.push(...(await Promise.all(Array.from({ length: 6 }, () => environment.invoke({})))));
    const perWorker = new Map<number, number>();
    const threads = new Map<number, number>();
    for (const record of records) {
      assert.equal(record.error, null);
      assert.equal(typeof record.worker, 'number');
      const { count, threadId } = record.response as { count: number; threadId: number };
      perWorker.set(record.worker as number, Math.max(perWorker.get(record.worker as number) ?? 0, count));
      // A worker is one thread: the same threadId for all its invocations, another for each worker.
      if (threads.has(record.worker as number)) assert.equal(threads.get(record.worker as number), threadId);
      threads.set(record.worker as number, threadId);
      assert.equal((variable(record.moduleScope, 'count').value as { value: number }).value >= count, true);
    }
    assert.equal(perWorker.size, 3, 'every worker ran some');
    assert.equal(new Set(threads.values()).size, 3);
    assert.equal([...perWorker.values()].reduce((a, b) => a + b, 0), records.length, 'the workers’ counters add up to the invocations');
    assert.equal(records.filter((record) => record.cold).length, 3, 'one cold start per worker');
  });

  it('a timeout fails that invocation only: the environment and the other invocations go on', async () => {
    const environment = open('slow.mjs', 1, 3, { timeoutSeconds: 1 });
    const [slow, quick] = await Promise.all([environment.invoke({ ms: 3000 }), environment.invoke({ ms: 10 })]);
    assert.equal(slow.error?.errorType, 'Sandbox.Timedout');
    assert.equal(slow.reset, null, 'the environment was not reset');
    assert.deepEqual(quick.response, { finished: 1 });
    const after = await environment.invoke({ ms: 10 });
    assert.equal(after.cold, false, 'same environment');
    assert.equal(after.generation, quick.generation);
  });

  it('an uncaught exception ends its worker (as the 4.x client leaves it to Node); the other worker answers', async () => {
    const environment = open('crash.mjs', 2, 2, { timeoutSeconds: 2 });
    const [crashed, fine] = await Promise.all([environment.invoke({ crash: true }), environment.invoke({})]);
    assert.deepEqual(fine.response, { ok: true });
    // Its worker is gone: nothing answers the invocation, which times out as on Lambda.
    assert.equal(crashed.error?.errorType, 'Sandbox.Timedout');
    const next = await environment.invoke({});
    assert.deepEqual(next.response, { ok: true });
    assert.equal(next.worker, fine.worker, 'the surviving worker takes the next one');
    assert.match(crashed.logs + fine.logs + next.logs, /Worker \d exit: Error: Worker \d exited with code 1/);
  });

  it('a callback handler is refused at init with the 4.x client’s Managed Instances message for nodejs22.x', async () => {
    const environment = open('callback.js', 1, 2);
    const record = await environment.invoke({});
    assert.equal(record.error?.errorType, 'Runtime.CallbackHandlerDeprecated');
    assert.match(record.error?.errorMessage ?? '', /callback-based function handlers when using Node\.js 22 with Managed Instances/);
    assert.equal(record.reset, 'init-error');
  });

  it('flags AWS’s example as cross-talk with the variable, the lines and both request ids, in the records', async () => {
    const environment = open('aws-example.mjs', 1, 3);
    const records = await Promise.all(['alice', 'bob', 'carol'].map((user) => environment.invoke({ user })));
    const findings = records.flatMap((record) => (record.findings ?? []).map((finding) => ({ finding, record })));
    assert.equal(findings.length, 2, 'the two readers whose write was overwritten; the last writer read its own value');
    const ids = new Set(records.map((record) => record.requestId));
    for (const { finding, record } of findings) {
      assert.equal(finding.kind, 'cross-talk');
      assert.equal(finding.variable, 'state.currentUser');
      assert.equal(finding.worker, 0);
      assert.deepEqual([finding.writer.line, finding.interloper.line, finding.reader.line], [6, 6, 8]);
      assert.equal(finding.reader.requestId, record.requestId, 'a finding sits in its reader’s record');
      assert.equal(finding.writer.requestId, record.requestId);
      assert.notEqual(finding.interloper.requestId, record.requestId);
      assert.ok(ids.has(finding.interloper.requestId), 'the interloper is one of the invocations in flight');
      assert.ok(record.overlapping?.includes(finding.interloper.requestId));
    }
  });

  for (const [file, why] of [
    ['als-fix.mjs', 'per-request state in AsyncLocalStorage'],
    ['readonly-client.mjs', 'a client made at init and only read'],
    ['counter.mjs', 'count++ with no await between its read and its write'],
  ] as const) {
    it(`does not flag ${why} (${file})`, async () => {
      const environment = createLocalEnvironment({ file: join(FIXTURES, 'managed', file), handlerExport: 'handler', runtime: 'nodejs22.x', managedInstances: { workers: 1, concurrency: 4 } });
      environments.push(environment);
      const records = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((user) => environment.invoke({ user })));
      assert.ok(records.every((record) => record.error === null));
      assert.deepEqual(records.flatMap((record) => record.findings ?? []), []);
      if (file === 'als-fix.mjs') assert.deepEqual(records.map((record) => (record.response as { user: string }).user).sort(), ['alice', 'bob', 'carol', 'dave']);
    });
  }

  it('logs as the 4.x client does in this mode: JSON lines with each invocation’s own request id, sorted into its record', async () => {
    const environment = open('logs.mjs', 1, 3);
    const records = await Promise.all(['alice', 'bob', 'carol'].map((user) => environment.invoke({ user })));
    for (const [i, record] of records.entries()) {
      const user = ['alice', 'bob', 'carol'][i];
      const lines = record.logs.split('\n').filter((line) => line.startsWith('{'));
      assert.deepEqual(
        lines.map((line) => {
          const { level, requestId, message } = JSON.parse(line) as { level: string; requestId: string; message: unknown };
          return { level, requestId, message };
        }),
        [
          { level: 'INFO', requestId: record.requestId, message: `start ${user}` },
          { level: 'INFO', requestId: record.requestId, message: { user } },
        ],
        record.logs,
      );
    }
  });

  it('nodejs20.x has no Managed Instances: the environment refuses the option', () => {
    assert.throws(() => managedEnvironment('counter.mjs', 1, 2, { runtime: 'nodejs20.x' }), /needs Node\.js 22 or later/);
  });
});

describe('warm-state CLI in Managed Instances mode', function () {
  this.timeout(60000);
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });

  it('the template’s CapacityProviderConfig turns the mode on with its concurrency', () => {
    const run = cli('invoke', '--resource', 'CounterFunction', '--json', '--times', '6');
    assert.equal(run.status, 0, run.stderr);
    const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as RawInvocation);
    assert.equal(records.length, 6);
    assert.ok(records.every((record) => typeof record.worker === 'number'));
    // PerExecutionEnvironmentMaxConcurrency: 3 -> three in flight, so each saw the two others.
    assert.ok(records.some((record) => record.overlapping?.length === 2), JSON.stringify(records.map((record) => record.overlapping?.length)));
  });

  it('refuses, with exit 2 and a message: --workers without --concurrency, --concurrency with --parallel, under nodejs20.x', () => {
    const cases: Array<[string[], RegExp]> = [
      [['check', 'counter.mjs', '--workers', '2'], /--workers needs --concurrency/],
      [['invoke', 'counter.mjs', '--concurrency', '2', '--parallel', '2'], /--concurrency cannot be combined with --parallel/],
      [['invoke', 'counter.mjs', '--concurrency', '2', '--runtime', 'nodejs20.x'], /Managed Instances needs Node\.js 22 or later/],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  it('check --concurrency exits 1 on cross-talk, naming the variable, the lines and the request ids', () => {
    const run = cli('check', 'aws-example.mjs', '--concurrency', '3', '--workers', '1', '--runtime', 'nodejs22.x', '--times', '6');
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /✗ cross-talk on state\.currentUser in worker 0: request [0-9a-f]{8} set it at line 6, request [0-9a-f]{8} set it at line 6 meanwhile, and request [0-9a-f]{8} read the other request's value at line 8/);
    const json = cli('check', 'aws-example.mjs', '--concurrency', '3', '--workers', '1', '--runtime', 'nodejs22.x', '--times', '6', '--json');
    assert.equal(json.status, 1);
    const summary = JSON.parse(json.stdout) as { ok: boolean; findings: Array<{ variable: string }> };
    assert.equal(summary.ok, false);
    assert.ok(summary.findings.length > 0 && summary.findings.every((finding) => finding.variable === 'state.currentUser'));
  });

  it('check --concurrency runs two invocations at once on every worker unless told the worker count, so its verdict does not depend on timing', () => {
    // Four in flight: two workers, not the four that could take one invocation each and never overlap.
    const run = cli('check', 'aws-example.mjs', '--concurrency', '4', '--runtime', 'nodejs22.x', '--times', '8');
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /Managed Instances: 2 workers, concurrency 4, 4 in flight/);
    assert.match(run.stdout, /✗ cross-talk on state\.currentUser/);
    // Told four workers for four in flight: it says the verdict may vary, and what makes the overlap certain.
    const told = cli('check', 'aws-example.mjs', '--concurrency', '4', '--workers', '4', '--runtime', 'nodejs22.x', '--times', '4');
    // More in flight than one environment runs at once: the workers follow the concurrency, not the in-flight count.
    const beyond = cli('check', 'aws-example.mjs', '--concurrency', '4', '--in-flight', '8', '--runtime', 'nodejs22.x', '--times', '8');
    assert.match(beyond.stdout, /Managed Instances: 2 workers, concurrency 4, 8 in flight/);
    assert.match(told.stderr + told.stdout, /4 at once on 4 workers may never do: check can pass or fail from run to run \(--workers 2 makes the overlap certain\)/);
  });

  it('check --concurrency --json prints one summary object, per worker', () => {
    const run = cli('check', 'counter.mjs', '--concurrency', '4', '--workers', '2', '--runtime', 'nodejs22.x', '--json', '--times', '12');
    const summary = JSON.parse(run.stdout) as { ok: boolean; invocations: number; workers: number; findings: unknown[] };
    assert.equal(summary.invocations, 12);
    assert.equal(summary.workers, 2);
    assert.deepEqual(summary.findings, []);
    assert.equal(run.status, summary.ok ? 0 : 1);
  });
});
