/**
 * Memory truth with real child processes. Retained sizes per module binding, from a heap snapshot the real child writes between
 * invocations (runtime/heap/): accurate for a leak, ~0 for aliases, Buffers' backing stores
 * counted, and a measurement neither ends the environment nor shows in Max Memory Used.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { RetainedMeasurement } from '../../src/core/model/snapshot';
import type { WarmEnvironment } from '../../src/core/runtime/environment-api';
import { describeGrowth } from '../../src/core/model/memory-trend';
import { localEnvironments, WarmSession } from '../../src/core/session';
import { EnvironmentPool, fixture, leftoverChildren } from './environment-helpers';

const KB = 1024;

function retained(measurement: RetainedMeasurement, name: string): { retainedBytes: number; sharedWith: string[] } {
  const binding = measurement.bindings.find((b) => b.name === name);
  assert.ok(binding, `binding ${name} measured (got ${measurement.bindings.map((b) => b.name).join(', ')})`);
  return binding;
}

describe('retained sizes (real child processes)', function () {
  this.timeout(60_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  let env: WarmEnvironment;
  let measurement: RetainedMeasurement;
  const INVOCATIONS = 8;
  const maxMemory: number[] = [];
  before(async () => {
    env = pool.create({ file: fixture('memory/buffers.js'), handlerExport: 'handler' });
    for (let i = 0; i < INVOCATIONS; i++) maxMemory.push((await env.invoke({})).maxMemoryUsedMB);
    assert.ok(env.measureRetained, 'local environments measure retained sizes');
    measurement = await env.measureRetained();
  });

  it('sees N x 100 KB retained by the array a leak pushes into (within 30%)', () => {
    const expected = INVOCATIONS * 100 * KB;
    const { retainedBytes } = retained(measurement, 'kept');
    assert.ok(Math.abs(retainedBytes - expected) <= expected * 0.3, `kept retains ${retainedBytes} bytes, expected about ${expected}`);
  });

  it('gives each of three bindings sharing one array under 1% of it, and names the others', () => {
    // What the array holds, measured by clearing all three: at least 20,000 small objects.
    const arrayBytes = 20000 * 16;
    for (const [name, others] of [['shared', ['alias1', 'alias2']], ['alias1', ['shared', 'alias2']], ['alias2', ['shared', 'alias1']]] as const) {
      const binding = retained(measurement, name);
      assert.ok(binding.retainedBytes < arrayBytes * 0.01, `${name} retains ${binding.retainedBytes} bytes`);
      assert.deepEqual([...binding.sharedWith].sort(), [...others].sort());
    }
  });

  it("counts a Buffer's backing store outside the V8 heap", () => {
    assert.ok(retained(measurement, 'big').retainedBytes >= 1024 * KB, 'big retains its 1 MB of bytes');
  });

  it('reports its cost and leaves the environment warm, with Max Memory Used unmoved by the snapshot', async () => {
    assert.ok(measurement.snapshotMs > 0 && measurement.analysisMs > 0 && measurement.snapshotBytes > 0 && measurement.heapObjects > 0);
    const next = await env.invoke({});
    assert.equal(next.cold, false, 'the environment is still warm');
    assert.deepEqual(next.response, { count: INVOCATIONS + 1, sharedLength: 40000, bigLength: 1024 * KB });
    const before = maxMemory[maxMemory.length - 1];
    // One more 100 KB buffer may round up a megabyte; the snapshot's own memory (tens of MB) must not show.
    assert.ok(next.maxMemoryUsedMB <= before + 2, `Max Memory Used went from ${before} to ${next.maxMemoryUsedMB} MB`);
  });

  it('refuses, with the reason, when no environment is warm', async () => {
    const cold = pool.create({ file: fixture('memory/buffers.js'), handlerExport: 'handler' });
    await assert.rejects(() => cold.measureRetained!(), /invoke the handler first/);
  });
});

describe('pending work at freeze (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });
  const file = fixture('memory/pending.js');
  const at = (line: number) => `${file}:${line}`;

  it('lists the timer, the reaction and the interval left running, each with its line, and what of it ran in the next invocation', async () => {
    const env = pool.create({ file, handlerExport: 'handler' });
    const first = await env.invoke({ slowPromise: true, interval: true });
    assert.deepEqual(
      [...(first.pendingAtFreeze ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.kind.localeCompare(b.kind)),
      [
        { kind: 'timer', createdAt: at(7) },
        { kind: 'promise', createdAt: at(8) },
        { kind: 'timer', createdAt: at(8) },
        { kind: 'interval', createdAt: at(9) },
      ],
    );
    assert.deepEqual(first.pendingRan, [], 'nothing was left before the first invocation');
    // Frozen in between: the timer and the reaction run only after the thaw, in the next invocation.
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Busy once the interval is cleared: its destroy event (batched by Node into a later turn)
    // comes after the handler settled; a cleared interval is not pending all the same.
    const second = await env.invoke({ clear: true, busy: true });
    const ran = (second.pendingRan ?? []).map((work) => `${work.kind}@${work.createdAt}`).sort();
    assert.deepEqual(ran, [`promise@${at(8)}`, `timer@${at(7)}`, `timer@${at(8)}`]);
    assert.match(second.logs, /left-behind timer ran/);
    assert.deepEqual(second.pendingAtFreeze, [{ kind: 'timer', createdAt: at(7) }], 'the interval was cleared; only the new timer is left');
  });

  it('does not list the pipe of process.stdout or process.stderr, made on the handler\'s first write, but does list a server it leaves listening', async () => {
    const stdio = fixture('memory/stdio.js');
    const env = pool.create({ file: stdio, handlerExport: 'handler' });
    const first = await env.invoke({});
    assert.match(first.logs, /progress 50%/);
    assert.deepEqual(first.pendingAtFreeze, [], 'the stdio streams are the runtime\'s');
    const folder = mkdtempSync(join(tmpdir(), 'warm-state-pending-'));
    try {
      const second = await env.invoke({ listen: process.platform === 'win32' ? `\\\\?\\pipe\\${basename(folder)}` : join(folder, 'server.sock') });
      assert.deepEqual(second.pendingAtFreeze, [{ kind: 'server', createdAt: `${stdio}:10` }]);
    } finally {
      await env.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('leaves nothing listed for work the handler awaited', async () => {
    const env = pool.create({ file: fixture('memory/buffers.js'), handlerExport: 'handler' });
    const record = await env.invoke({});
    assert.deepEqual(record.pendingAtFreeze, []);
  });
});

describe('init profile (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  for (const [file, line, what] of [
    ['memory/slow-init.js', 9, 'busyWait(120);'],
    ['memory/slow-init.mjs', 4, 'while (Date.now() - started < 120);'],
  ] as const) {
    it(`ranks the slow top-level statement first, with its line (${file})`, async () => {
      const env = pool.create({ file: fixture(file), handlerExport: 'handler', initProfile: true });
      const cold = await env.invoke({});
      assert.equal(cold.error, null);
      const profile = cold.initProfile ?? [];
      assert.ok(profile.length >= 2, `profile: ${JSON.stringify(profile)}`);
      assert.deepEqual({ what: profile[0].what, line: profile[0].line }, { what, line });
      assert.ok(profile[0].ms >= 100, `${profile[0].ms} ms`);
      const warm = await env.invoke({});
      assert.equal(warm.initProfile, undefined, 'warm records carry no init profile');
    });
  }

  it('names a top-level require by its module', async () => {
    const env = pool.create({ file: fixture('memory/slow-init.js'), handlerExport: 'handler', initProfile: true });
    const cold = await env.invoke({});
    assert.ok(cold.initProfile?.some((entry) => entry.what === "require('node:path')" && entry.line === 2));
  });

  it('is off unless asked for', async () => {
    const env = pool.create({ file: fixture('memory/slow-init.js'), handlerExport: 'handler' });
    assert.equal((await env.invoke({})).initProfile, undefined);
  });
});

describe('retained sizes through a session', function () {
  this.timeout(60_000);
  it('annotates the latest record: retained bytes per module variable, what shares it, growth in bytes', async () => {
    const session = new WarmSession({ environments: localEnvironments({ file: fixture('memory/buffers.js'), handlerExport: 'handler' }) });
    try {
      for (let i = 0; i < 3; i++) {
        await session.invoke({});
        await session.measureRetained();
      }
      const latest = session.history.latest();
      const kept = latest?.moduleScope.find((v) => v.name === 'kept');
      assert.ok(kept?.retainedBytes !== undefined && kept.retainedBytes >= 300 * KB * 0.7, `kept retains ${kept?.retainedBytes}`);
      assert.equal(kept.retainedSeries?.length, 3);
      assert.ok(kept.growing, 'retained bytes rising over three measurements flag growth');
      assert.match(describeGrowth(kept), /^kept: 3 items, \+1 per invocation, retains \d+ KB, \+1\d\d KB per invocation$/);
      assert.deepEqual(latest?.moduleScope.find((v) => v.name === 'alias1')?.sharedWith?.sort(), ['alias2', 'shared']);
      assert.equal(latest?.memoryEstimate?.basis, 'retained');
      assert.ok(latest?.retained && latest.retained.snapshotMs > 0);
    } finally {
      await session.dispose();
    }
  });
});
