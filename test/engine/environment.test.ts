/**
 * The local warm environment with real child processes: the DESIGN section 1 scenario,
 * module formats (CJS, ESM, .mjs, TypeScript), callback handlers, Lambda's context and
 * environment, lifecycle. Faults are in environment-faults.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RawInvocation } from '../../src/core/model/snapshot';
import type { WarmEnvironment } from '../../src/core/runtime/environment-api';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';
import { EXAMPLES, EnvironmentPool, fixture, leftoverChildren, property, variable } from './environment-helpers';

const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tINFO\t/;

function lengthOf(inv: RawInvocation, scope: 'moduleScope' | 'handlerScope', name: string): number {
  const value = variable(inv[scope], name).value;
  assert.equal(value.type, 'array', `${name} is an array`);
  return value.type === 'array' ? value.length : -1;
}

describe('local environment (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  describe('the freeze scenario (examples/freeze-demo, export test)', () => {
    let env: WarmEnvironment;
    const runs: RawInvocation[] = [];
    before(async () => {
      env = pool.create({ file: join(EXAMPLES, 'freeze-demo/handler.js'), handlerExport: 'test' });
      for (let i = 0; i < 3; i++) runs.push(await env.invoke({}));
    });

    it('is cold once, then warm, with the Node version reported', () => {
      assert.deepEqual(runs.map((r) => r.cold), [true, false, false]);
      assert.deepEqual(runs.map((r) => r.generation), [1, 1, 1]);
      for (const r of runs) {
        assert.equal(r.source, 'local');
        assert.equal(r.error, null);
        assert.equal(r.reset, null);
        assert.equal(r.captureError, null);
        assert.equal(r.response, null);
        assert.match(r.runtimeVersion, /^v\d+\.\d+\.\d+$/);
      }
      // The child runs `node` from PATH; the suites run under that same node (npm test, and
      // scripts/test-node-versions.mjs for Lambda's other Node majors).
      assert.equal(runs[0]?.runtimeVersion, process.version, 'the child ran another node than the one on PATH');
      const status = env.status();
      assert.equal(status.state, 'warm');
      assert.equal(status.warmInvocations, 3);
      assert.equal(status.nodeVersion, runs[0]?.runtimeVersion);
      if (process.platform !== 'win32') assert.equal(status.frozen, true);
    });

    it('keeps arrayB growing at module scope while arrayA is reassigned', () => {
      assert.deepEqual(runs.map((r) => lengthOf(r, 'moduleScope', 'arrayB')), [1, 2, 3]);
      assert.deepEqual(runs.map((r) => lengthOf(r, 'moduleScope', 'arrayA')), [0, 0, 0]);
      assert.deepEqual(runs[0]?.moduleScope?.map((v) => [v.name, v.kind]), [['arrayA', 'var'], ['arrayB', 'var']]);
    });

    it('shows the handler scope at exit: arrayC empty, arrayD one item, parameters apart', () => {
      for (const r of runs) {
        assert.equal(lengthOf(r, 'handlerScope', 'arrayC'), 0);
        const arrayD = variable(r.handlerScope, 'arrayD').value;
        assert.deepEqual(arrayD.type === 'array' && arrayD.items, [{ type: 'string', value: 'D', length: 1, truncated: false }]);
        assert.deepEqual(r.handlerScope?.map((v) => v.name).sort(), ['arrayC', 'arrayD']);
        assert.deepEqual(r.parameters?.map((v) => [v.name, v.kind]), [['event', 'parameter'], ['context', 'parameter'], ['callback', 'parameter']]);
      }
    });

    it('writes Lambda-format logs with START, END and REPORT', () => {
      const second = runs[1] as RawInvocation;
      assert.ok(second.logs.includes("\tINFO\tArray B: [ 'B', 'B' ]\n"), second.logs);
      assert.ok((runs[2] as RawInvocation).logs.includes("Array B: [ 'B', 'B', 'B' ]"));
      for (const r of runs) {
        const lines = r.logs.trimEnd().split('\n');
        assert.equal(lines[0], `START RequestId: ${r.requestId} Version: $LATEST`);
        assert.equal(lines.at(-2), `END RequestId: ${r.requestId}`);
        const report = lines.at(-1) ?? '';
        assert.match(report, new RegExp(`^REPORT RequestId: ${r.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`));
        assert.equal(report.includes('Init Duration'), r.cold);
        for (const line of lines.slice(1, -2)) assert.match(line, LOG_LINE);
        assert.ok(lines.slice(1, -2).every((line) => line.includes(`\t${r.requestId}\t`)));
        // Since August 2025 Lambda bills a cold start's init too.
        assert.equal(r.billedDurationMs, Math.max(1, Math.ceil(r.durationMs + (r.initDurationMs ?? 0))));
        assert.ok(report.includes(`\tBilled Duration: ${r.billedDurationMs} ms\t`));
        assert.ok(r.maxMemoryUsedMB > 0);
      }
      assert.ok((runs[0]?.initDurationMs ?? 0) > 0);
      assert.equal(runs[1]?.initDurationMs, null);
      // A high-water mark never drops.
      assert.ok(runs.every((r, i) => i === 0 || r.maxMemoryUsedMB >= (runs[i - 1] as RawInvocation).maxMemoryUsedMB));
    });

    it('starts over after reset(): cold, a new generation, module state gone', async () => {
      await env.reset();
      assert.equal(env.status().state, 'cold');
      assert.equal(env.status().lastReset, 'requested');
      const next = await env.invoke({});
      assert.equal(next.cold, true);
      assert.equal(next.generation, 2);
      assert.equal(lengthOf(next, 'moduleScope', 'arrayB'), 1);
    });
  });

  describe('module formats', () => {
    it('loads a "type": "module" handler with top-level await and lists every top-level binding', async () => {
      const env = pool.create({ file: fixture('esm-type-module/handler.js'), handlerExport: 'handler' });
      const first = await env.invoke({ id: 1 });
      const second = await env.invoke({ id: 2 });
      assert.equal(first.error, null);
      assert.deepEqual(second.response, { local: 'orders-2', invocations: 2, file: 'b.txt', platform: 'function' });
      assert.deepEqual(second.moduleScope?.map((v) => [v.name, v.kind]), [
        ['basename', 'import'],
        ['os', 'import'],
        ['config', 'const'],
        ['invocations', 'let'],
        ['seen', 'const'],
        ['helper', 'function'],
        ['Counter', 'class'],
        ['unusedByHandler', 'const'],
        ['handler', 'const'],
      ]);
      assert.deepEqual(variable(second.moduleScope, 'invocations').value, { type: 'number', value: 2 });
      assert.deepEqual(property(variable(second.moduleScope, 'config').value, 'loadedAt'), { type: 'string', value: 'init', length: 4, truncated: false });
      assert.deepEqual(variable(second.handlerScope, 'local').value, { type: 'string', value: 'orders-2', length: 8, truncated: false });
      assert.deepEqual(second.parameters?.map((v) => v.name), ['event']);
    });

    it('loads an .mjs handler as an ES module', async () => {
      const env = pool.create({ file: fixture('handler.mjs'), handlerExport: 'handler' });
      await env.invoke({ key: 'a', value: 1 });
      const second = await env.invoke({ key: 'b', value: 2 });
      assert.deepEqual(second.response, { size: 2 });
      const cache = variable(second.moduleScope, 'cache').value;
      assert.equal(cache.type === 'map' && cache.size, 2);
      assert.deepEqual(variable(second.handlerScope, 'size').value, { type: 'number', value: 2 });
    });

    it('runs a TypeScript handler as CommonJS with import names as written, ./x.js imports of .ts files, right line numbers', async () => {
      const env = pool.create({ file: fixture('ts-cjs/handler.ts'), handlerExport: 'handler' });
      const ok = await env.invoke({ name: 'ada' });
      assert.equal(ok.error, null, JSON.stringify(ok.error));
      assert.deepEqual(ok.response, { greeting: 'hello ada', level: 1 });
      assert.deepEqual(ok.moduleScope?.map((v) => [v.name, v.kind]), [
        ['read', 'import'],
        ['existsSync', 'import'],
        ['path', 'import'],
        ['prefix', 'import'],
        ['Level', 'var'],
        ['greetings', 'const'],
        ['lastStats', 'let'],
        ['handler', 'function'],
      ]);
      assert.deepEqual(variable(ok.moduleScope, 'read').value, { type: 'function', name: 'readFileSync', kind: 'function' });
      // Imported from './lib.js', which exists only as lib.ts.
      assert.deepEqual(variable(ok.moduleScope, 'prefix').value, { type: 'string', value: 'hello', length: 5, truncated: false });
      assert.deepEqual(variable(ok.handlerScope, 'greeting').value, { type: 'string', value: 'hello ada', length: 9, truncated: false });

      const failed = await env.invoke({ name: 'bob', fail: true });
      assert.equal(failed.cold, false, 'a thrown error keeps the environment warm');
      assert.equal(failed.reset, null);
      assert.equal(failed.error?.errorType, 'TypeError');
      assert.equal(failed.error?.errorMessage, 'bad name bob');
      assert.match(failed.error?.trace[1] ?? '', /at handler \(.*ts-cjs[/\\]handler\.ts:16:11\)$/);
      assert.ok(failed.error?.trace.every((line) => !line.includes('dist/child')), 'runtime frames are hidden');
      // The handler scope as it was at the throw.
      assert.equal(failed.captureError, null);
      assert.deepEqual(variable(failed.handlerScope, 'greeting').value, { type: 'string', value: 'hello bob', length: 9, truncated: false });
      const greetings = variable(failed.moduleScope, 'greetings').value;
      assert.equal(greetings.type === 'array' && greetings.length, 2);
    });

    it('runs a TypeScript ES module (.mts) with top-level await and a type-only import', async () => {
      // A generous timeout: the first invocation also loads the TypeScript stripper, and on a
      // loaded 2-core CI machine a timeout would reset the environment and hide the real result.
      const env = pool.create({ file: fixture('ts-esm/handler.mts'), handlerExport: 'handler', timeoutSeconds: 20 });
      const first = await env.invoke({ n: 2 });
      assert.equal(first.error, null, JSON.stringify(first.error));
      const second = await env.invoke({ n: 3 });
      assert.equal(second.cold, false, `the environment stayed warm (reset: ${first.reset})`);
      assert.equal(second.response, 5);
      assert.deepEqual(second.moduleScope?.map((v) => v.name), ['sleep', 'started', 'ready', 'hits', 'handler']);
      assert.deepEqual(variable(second.handlerScope, 'total').value, { type: 'number', value: 5 });
    });
  });

  describe('callback handlers and the context', () => {
    it('waits for the empty event loop by default and answers at once when told not to', async () => {
      const env = pool.create({ file: fixture('callback.js'), handlerExport: 'waits' });
      const waiting = await env.invoke({ waits: true });
      assert.ok(waiting.durationMs >= 250, `waited for the 300 ms timer: ${waiting.durationMs}`);
      assert.ok(waiting.logs.includes('\tINFO\ttimer fired\n'), 'the timer fired within the invocation');
      assert.deepEqual(waiting.response, { timersFired: 0 });
      const immediate = await env.invoke({ waits: false });
      assert.ok(immediate.durationMs < 250, `did not wait: ${immediate.durationMs}`);
      assert.deepEqual(immediate.response, { timersFired: 1 });
      assert.ok(!immediate.logs.includes('timer fired'));
    });

    it('reports an error passed to the callback and answers null when nothing settles', async () => {
      const fails = pool.create({ file: fixture('callback.js'), handlerExport: 'fails' });
      const failed = await fails.invoke({});
      assert.equal(failed.error?.errorType, 'RangeError');
      assert.equal(failed.error?.errorMessage, 'callback error');
      assert.ok(failed.logs.includes('\tERROR\tInvoke Error \t{"errorType":"RangeError"'));
      const silent = pool.create({ file: fixture('callback.js'), handlerExport: 'silent' });
      const answer = await silent.invoke({});
      assert.equal(answer.error, null);
      assert.equal(answer.response, null);
    });

    /** Creates an environment while the caller's region variables are `region` (read when it is created). */
    const createWithCallerRegion = (region: { AWS_REGION?: string; AWS_DEFAULT_REGION?: string }, options: Parameters<typeof pool.create>[0]) => {
      const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
      const set = (name: 'AWS_REGION' | 'AWS_DEFAULT_REGION', value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
      set('AWS_REGION', region.AWS_REGION);
      set('AWS_DEFAULT_REGION', region.AWS_DEFAULT_REGION);
      try {
        return pool.create(options);
      } finally {
        set('AWS_REGION', saved.AWS_REGION);
        set('AWS_DEFAULT_REGION', saved.AWS_DEFAULT_REGION);
      }
    };

    it("runs in the caller's region (AWS_REGION, else AWS_DEFAULT_REGION), as the context ARN says too", async () => {
      const fromDefault = createWithCallerRegion({ AWS_DEFAULT_REGION: 'ap-south-1' }, { file: fixture('callback.js'), handlerExport: 'remaining' });
      const first = (await fromDefault.invoke({})).response as { env: Record<string, string> };
      assert.equal(first.env.AWS_REGION, 'ap-south-1');
      const both = createWithCallerRegion({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'ap-south-1' }, { file: fixture('callback.js'), handlerExport: 'remaining' });
      const second = (await both.invoke({})).response as { env: Record<string, string>; arn: string };
      assert.equal(second.env.AWS_REGION, 'eu-west-1');
      assert.match(second.arn, /^arn:aws:lambda:eu-west-1:\d{12}:function:/);
    });

    it('gives the context and Lambda environment variables plus the user ones', async () => {
      const env = createWithCallerRegion({}, { file: fixture('callback.js'), handlerExport: 'remaining', timeoutSeconds: 2, memoryMB: 256, env: { MY_SETTING: 'on' }, functionName: 'orders' });
      const result = await env.invoke({});
      const response = result.response as { remaining: number; env: Record<string, string>; memory: string; requestId: string; cwd: string };
      assert.ok(response.remaining > 1000 && response.remaining <= 2000, `remaining ${response.remaining}`);
      assert.equal(response.memory, '256');
      assert.equal(response.requestId, result.requestId);
      assert.equal(response.cwd, fixture(''));
      assert.deepEqual(response.env, {
        AWS_LAMBDA_FUNCTION_NAME: 'orders',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_REGION: 'us-east-1',
        _HANDLER: 'callback.remaining',
        LAMBDA_TASK_ROOT: fixture(''),
        MY_SETTING: 'on',
        TZ: process.platform === 'win32' ? 'UTC' : ':UTC',
      });
      assert.ok(result.logs.includes('Memory Size: 256 MB'));
    });
  });

  describe("the caller's ClientContext (InvokeOptions.clientContext)", () => {
    const handler = join(__dirname, '..', 'fixtures', 'remote', 'two-handlers', 'handler.js');
    for (const runtime of ['nodejs20.x', 'nodejs24.x'] as const) {
      it(`is context.clientContext for that invocation only (${runtime})`, async () => {
        const env = pool.create({ file: handler, handlerExport: 'clientContext', runtime });
        const sent = { custom: { tenant: 'a' }, env: { platform: 'test' } };
        assert.deepEqual((await env.invoke({}, { clientContext: sent })).response, { clientContext: sent }, 'given on the cold invocation');
        assert.deepEqual((await env.invoke({})).response, { clientContext: 'none' }, 'the next one without any');
        assert.deepEqual((await env.invoke({}, { clientContext: { env: { locale: 'fr' } } })).response, { clientContext: { env: { locale: 'fr' } } }, 'another, warm');
      });
    }
  });

  describe('engine options', () => {
    it('skips capture entirely with capture: false', async () => {
      const env = pool.create({ file: join(EXAMPLES, 'freeze-demo/handler.js'), handlerExport: 'test', capture: false });
      const result = await env.invoke({});
      assert.equal(result.error, null);
      assert.equal(result.moduleScope, null);
      assert.equal(result.handlerScope, null);
      assert.equal(result.parameters, null);
      assert.equal(result.captureError, null);
      // Nor the heap figures (three system calls an invocation); the REPORT line keeps the peak.
      assert.equal(result.memory, null);
      assert.match(result.logs, /Max Memory Used: [1-9]\d* MB/);
      assert.ok(result.logs.includes("Array B: [ 'B' ]"));
    });

    it('rejects with a clear error when the node executable does not exist', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'count', nodePath: '/nonexistent/bin/node' });
      await assert.rejects(env.invoke({}), /The Node.js executable "\/nonexistent\/bin\/node" was not found/);
      assert.deepEqual(env.status(), { state: 'cold', frozen: false, warmInvocations: 0, generation: 0, nodeVersion: null, lastReset: null });
    });

    it('refuses a second invocation while one runs (the session queues, the environment never interleaves)', async () => {
      const env = pool.create({ file: join(EXAMPLES, 'freeze-demo/handler.js'), handlerExport: 'test' });
      const first = env.invoke({});
      await assert.rejects(env.invoke({}), /already running an invocation; it runs one at a time/);
      const record = await first;
      assert.equal(record.error, null);
      assert.equal(lengthOf(record, 'moduleScope', 'arrayB'), 1, 'the refused invocation did not run');
      assert.equal(lengthOf(await env.invoke({}), 'moduleScope', 'arrayB'), 2, 'and the environment serves the next one');
    });

    it('refuses a relative handler path and invocations after dispose', async () => {
      assert.throws(() => createLocalEnvironment({ file: 'handler.js', handlerExport: 'h' }), /absolute path/);
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'count' });
      await env.dispose();
      await assert.rejects(env.invoke({}), /disposed/);
    });
  });
});
