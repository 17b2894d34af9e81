/**
 * Faults, freeze and capture limits of the local environment with real child processes:
 * errors that keep it warm, faults that reset it, init errors, the OS-level freeze, huge
 * state, values that must not run user code, and the temporal dead zone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawInvocation, ValueNode } from '../../src/core/model/snapshot';
import { EnvironmentPool, fixture, leftoverChildren, property, variable } from './environment-helpers';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function assertReset(result: RawInvocation, reset: RawInvocation['reset'], errorType: string): void {
  assert.equal(result.reset, reset, JSON.stringify(result.error));
  assert.equal(result.error?.errorType, errorType);
  assert.equal(result.moduleScope, null);
  assert.ok(result.logs.includes(`END RequestId: ${result.requestId}`));
  assert.ok(result.logs.includes(`REPORT RequestId: ${result.requestId}`));
}

describe('local environment faults, freeze and capture limits (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  describe('errors that keep the environment warm', () => {
    it('a thrown error gives {errorType, errorMessage, trace} and module state survives', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'throws' });
      const first = await env.invoke({});
      const second = await env.invoke({});
      assert.equal(first.cold, true);
      assert.equal(second.cold, false);
      assert.equal(second.reset, null);
      assert.deepEqual(second.error && { type: second.error.errorType, message: second.error.errorMessage }, { type: 'Error', message: 'boom' });
      assert.match(second.error?.trace[1] ?? '', /faults\.js:7:\d+\)$/);
      assert.deepEqual(variable(second.moduleScope, 'calls').value, { type: 'number', value: 2 });
      assert.ok(second.logs.includes('\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"boom"'));
    });

    it('captures the handler scope where the exception left it, with later bindings uninitialized', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'throwsDeeper' });
      const result = await env.invoke({ ok: false });
      assert.equal(result.error?.errorType, 'TypeError');
      assert.equal(result.captureError, null);
      assert.deepEqual(variable(result.handlerScope, 'step').value, { type: 'string', value: 'validating', length: 10, truncated: false });
      assert.deepEqual(variable(result.handlerScope, 'after').value, { type: 'uninitialized' });
      assert.deepEqual(result.parameters?.map((v) => v.name), ['event']);
    });

    it('an exception caught inside the handler does not replace the scope at its return', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'catchesInside' });
      const result = await env.invoke({});
      assert.equal(result.error, null);
      assert.equal(result.response, null);
      assert.deepEqual(variable(result.handlerScope, 'parsed').value, { type: 'null' });
    });

    it('a rejected non-Error value is reported by its type', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'rejectsString' });
      const result = await env.invoke({});
      assert.deepEqual(result.error, { errorType: 'string', errorMessage: 'plain string', trace: [] });
      assert.equal(result.reset, null);
    });
  });

  describe('faults that reset the environment (next invocation cold)', () => {
    it('process.exit', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'exits' });
      const result = await env.invoke({});
      assertReset(result, 'process-exit', 'Runtime.ExitError');
      assert.match(result.error?.errorMessage ?? '', /Runtime exited with error: exit status 3$/);
      assert.ok(!result.logs.includes('Waiting for the debugger'), 'no inspector noise in the logs');
      assert.equal(env.status().state, 'cold');
      assert.equal(env.status().lastReset, 'process-exit');
      const next = await env.invoke({});
      assert.equal(next.cold, true);
      assert.equal(next.generation, 2);
    });

    it('a handler stuck in a loop times out with Lambda\'s message and never hangs the caller', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'hangs', timeoutSeconds: 1 });
      const started = Date.now();
      const result = await env.invoke({});
      assert.ok(Date.now() - started < 5000, 'returned soon after the timeout');
      assertReset(result, 'timeout', 'Sandbox.Timedout');
      assert.equal(result.error?.errorMessage, `RequestId: ${result.requestId} Error: Task timed out after 1.00 seconds`);
      assert.equal(result.durationMs, 1000);
      assert.match(result.logs, /\n\d{4}-[^ ]+Z [0-9a-f-]{36} Task timed out after 1\.00 seconds\n$/);
      assert.ok(result.maxMemoryUsedMB > 0);
    });

    it('running out of memory at the memory size (V8 heap limit)', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'oom', memoryMB: 64, timeoutSeconds: 10 });
      const result = await env.invoke({});
      assertReset(result, 'out-of-memory', 'Runtime.OutOfMemory');
      assert.ok(result.logs.includes('Memory Size: 64 MB'));
      assert.ok(result.durationMs < 10_000, 'died of memory, not of the timeout');
      const next = await env.invoke({});
      assert.equal(next.cold, true);
    });

    it('an uncaught exception after the response', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'uncaught' });
      const result = await env.invoke({});
      assertReset(result, 'uncaught-exception', 'Error');
      assert.equal(result.error?.errorMessage, 'late failure');
      assert.ok(result.logs.includes('\tERROR\tUncaught Exception \t'));
    });

    it('an unhandled promise rejection', async () => {
      const env = pool.create({ file: fixture('faults.js'), handlerExport: 'unhandled' });
      const result = await env.invoke({});
      assertReset(result, 'unhandled-rejection', 'Runtime.UnhandledPromiseRejection');
      assert.equal(result.error?.errorMessage, 'Error: nobody catches this');
    });
  });

  it('notices a process that died while idle and starts the next invocation cold', async () => {
    const env = pool.create({ file: fixture('faults.js'), handlerExport: 'crashLater', freeze: false });
    const changes: string[] = [];
    env.onStatusChange((status) => changes.push(status.state));
    const first = await env.invoke({});
    assert.equal(first.response, 'answered');
    assert.equal(first.reset, null);
    await sleep(400);
    assert.equal(env.status().state, 'cold');
    assert.equal(env.status().lastReset, 'uncaught-exception');
    assert.deepEqual(changes, ['initializing', 'invoking', 'warm', 'cold']);
    const next = await env.invoke({});
    assert.equal(next.cold, true);
    assert.equal(next.generation, 2);
  });

  describe('init errors', () => {
    const cases: Array<[string, string, string, RegExp]> = [
      ['syntax-error.js', 'handler', 'Runtime.UserCodeSyntaxError', /^SyntaxError: Unexpected token/],
      // Node 20.19+ would run it by syntax detection if the runtime dropped the module's format.
      ['esm-in-commonjs/index.cjs', 'handler', 'Runtime.UserCodeSyntaxError', /^SyntaxError: Unexpected token 'export'$/],
      ['missing-module.js', 'handler', 'Runtime.ImportModuleError', /^Error: Cannot find module '\.\/does-not-exist'/],
      ['does-not-exist.js', 'handler', 'Runtime.ImportModuleError', /^Error: Cannot find module/],
      ['faults.js', 'nope', 'Runtime.HandlerNotFound', /^faults\.nope is undefined or not exported$/],
      ['faults.js', 'notAFunction', 'Runtime.HandlerNotFound', /^faults\.notAFunction is not a function$/],
      ['init-throws.js', 'handler', 'Error', /^config missing$/],
    ];
    for (const [file, handlerExport, errorType, message] of cases) {
      it(`${file} (${handlerExport}) gives ${errorType}`, async () => {
        const env = pool.create({ file: fixture(file), handlerExport });
        const result = await env.invoke({});
        assert.equal(result.cold, true);
        assert.equal(result.reset, 'init-error');
        assert.equal(result.error?.errorType, errorType);
        assert.match(result.error?.errorMessage ?? '', message);
        assert.ok((result.initDurationMs ?? 0) > 0);
        // The 3.x client's uncaughtException listener writes the line (nodejs20.x here).
        assert.ok(result.logs.includes('\tundefined\tERROR\tUncaught Exception \t'), result.logs);
        assert.equal(env.status().state, 'cold');
      });
    }

    it('a TypeScript syntax error shows no runtime frame (the instrumenter that found it is a bundle of its own)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'warm-ts-syntax-'));
      try {
        writeFileSync(join(dir, 'handler.ts'), 'export const handler = async (event: unknown) => {\n  return <<>>;\n};\n');
        const env = pool.create({ file: join(dir, 'handler.ts'), handlerExport: 'handler' });
        const result = await env.invoke({});
        assert.equal(result.error?.errorType, 'Runtime.UserCodeSyntaxError');
        assert.match(result.error?.errorMessage ?? '', /^SyntaxError: Error transforming .*handler\.ts: Unexpected token \(2:10\)/);
        assert.deepEqual(result.error?.trace.filter((line) => line.includes('dist/child')), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps output written during a failed init in the logs', async () => {
      const env = pool.create({ file: fixture('init-throws.js'), handlerExport: 'handler' });
      const result = await env.invoke({});
      assert.match(result.logs, /^\S+Z\tundefined\tINFO\tinitialising\n/);
    });

    it('writes init lines as the 4.x client does under nodejs24.x: request id -, Init Error', async () => {
      const env = pool.create({ file: fixture('init-throws.js'), handlerExport: 'handler', runtime: 'nodejs24.x' });
      const result = await env.invoke({});
      assert.match(result.logs, /^\S+Z\t-\tINFO\tinitialising\n/);
      assert.ok(result.logs.includes('\t-\tERROR\tInit Error \t{"errorType":"Error","errorMessage":"config missing"'), result.logs);
    });
  });

  describe('console lines outside an invocation', () => {
    it('keeps the last request id for output between invocations, as both clients do', async () => {
      const env = pool.create({ file: fixture('timer-after-response.js'), handlerExport: 'handler', freeze: false });
      const first = await env.invoke({});
      await sleep(200);
      const second = await env.invoke({});
      assert.ok(`${first.logs}${second.logs}`.includes(`\t${first.requestId}\tINFO\ttimer after the response`), `${first.logs}${second.logs}`);
    });
  });

  describe('freeze', () => {
    async function ticksWhileIdle(freeze: boolean): Promise<number> {
      const env = pool.create({ file: fixture('freeze.js'), handlerExport: 'handler', freeze });
      const before = (await env.invoke({})).response as { ticks: number };
      if (freeze && process.platform !== 'win32') assert.equal(env.status().frozen, true);
      await sleep(1000);
      const after = (await env.invoke({})).response as { ticks: number };
      await env.dispose();
      return after.ticks - before.ticks;
    }

    it('stops module-level timers while idle (SIGSTOP) and lets them run when freeze is off', async function () {
      if (process.platform === 'win32') this.skip(); // no SIGSTOP on Windows: freeze is documented as off there
      const frozen = await ticksWhileIdle(true);
      const running = await ticksWhileIdle(false);
      // Frozen, 1 s holds none of the ~50 ticks: what remains are ticks between the response and
      // the stop at the end of that turn, and one overdue tick at the thaw (a few on a busy machine).
      assert.ok(frozen <= 5, `a 20 ms interval ticked ${frozen} times while frozen for 1 s`);
      assert.ok(running >= 10, `a 20 ms interval ticked only ${running} times in 1 s without freeze`);
    });

    it('never freezes an invocation that starts in the same turn as the previous one ended', async function () {
      if (process.platform === 'win32') this.skip(); // no SIGSTOP on Windows
      // The freeze after an invocation waits for the end of the turn (the response goes out
      // first); the next invocation, started from the previous one's continuation, cancels it.
      const env = pool.create({ file: fixture('awaits-timer.js'), handlerExport: 'handler', timeoutSeconds: 2 });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await env.invoke({}));
      assert.deepEqual(results.map((r) => [r.error, r.response]), [1, 2, 3].map((n) => [null, { invocations: n }]));
      assert.equal(env.status().frozen, true);
      await env.dispose();
    });
  });

  describe('capture limits and safety', () => {
    it('keeps capture bounded for a 1e6 array, a 100 MB Buffer and a 1e5 Map', async () => {
      const env = pool.create({ file: fixture('huge.js'), handlerExport: 'handler', memoryMB: 1024, timeoutSeconds: 10 });
      const result = await env.invoke({});
      assert.equal(result.error, null);
      assert.equal(result.captureError, null);
      const json = JSON.stringify({ moduleScope: result.moduleScope, handlerScope: result.handlerScope, parameters: result.parameters });
      assert.ok(json.length < 256 * 1024, `capture JSON is ${json.length} characters`);
      const array = variable(result.moduleScope, 'bigArray').value;
      assert.ok(array.type === 'array' && array.length === 1e6 && array.truncated && array.items.length <= 50);
      const buffer = variable(result.moduleScope, 'bigBuffer').value;
      assert.ok(buffer.type === 'binary' && buffer.byteLength === 100 * 1024 * 1024 && buffer.truncated);
      const map = variable(result.moduleScope, 'bigMap').value;
      assert.ok(map.type === 'map' && map.size === 1e5 && map.truncated);
      const local = variable(result.handlerScope, 'localBig').value;
      assert.ok(local.type === 'array' && local.length === 1e5 && local.truncated);
    });

    it('shows cycles, getters and Proxies without running a getter, a trap or toJSON', async () => {
      const env = pool.create({ file: fixture('tricky.js'), handlerExport: 'handler' });
      const first = await env.invoke({ x: 1 });
      // The second invocation reports how often user code ran during the first one's capture.
      const second = await env.invoke({ x: 2 });
      assert.deepEqual(first.response, { getterRuns: 0, trapRuns: 0, kind: 'objectobject11' });
      assert.deepEqual(second.response, { getterRuns: 0, trapRuns: 0, kind: 'objectobject12' });
      const cyclic = variable(first.moduleScope, 'cyclic').value;
      assert.equal(property(cyclic, 'self').type, 'ref');
      assert.deepEqual(property(variable(first.moduleScope, 'withGetter').value, 'explosive'), { type: 'accessor', hasGetter: true, hasSetter: false });
      assert.deepEqual(variable(first.moduleScope, 'proxy').value, { type: 'proxy' });
      const widget = variable(first.moduleScope, 'widget').value;
      assert.equal(widget.type === 'object' && widget.className, 'Widget');
      const localCycle = variable(first.handlerScope, 'localCycle').value;
      assert.equal(localCycle.type === 'array' && (localCycle.items[0] as ValueNode).type, 'ref');
      assert.deepEqual(property(variable(first.handlerScope, 'localGetter').value, 'boom'), { type: 'accessor', hasGetter: true, hasSetter: false });
      assert.deepEqual(variable(first.handlerScope, 'localProxy').value, { type: 'proxy' });
    });

    it('reports let/const still in their temporal dead zone, block and catch scopes', async () => {
      const env = pool.create({ file: fixture('tdz.js'), handlerExport: 'handler' });
      const early = await env.invoke({ early: true });
      assert.deepEqual(variable(early.handlerScope, 'later'), { name: 'later', kind: 'local', value: { type: 'uninitialized' }, size: { total: 0, exact: true } });
      assert.equal(variable(early.handlerScope, 'inBlock').kind, 'block');
      assert.equal(variable(early.handlerScope, 'before').value.type, 'string');
      const late = await env.invoke({});
      assert.deepEqual(variable(late.handlerScope, 'later').value, { type: 'string', value: 'initialised', length: 11, truncated: false });
      const caught = variable(late.handlerScope, 'caught');
      assert.equal(caught.kind, 'catch');
      assert.equal(caught.value.type, 'error');
      assert.equal(variable(late.handlerScope, 'fromCatch').kind, 'block');
    });
  });
});
