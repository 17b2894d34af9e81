/**
 * The host <-> child transport with real child processes: the message pipe on fd 3 (records
 * larger than a pipe buffer, the host's death), the child's stdout/stderr written without and
 * then with the user's own streams, and the first invocation sent during init (its clock
 * starts after init).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvironmentPool, fixture, isRunning, leftoverChildren, waitUntil } from './environment-helpers';

const root = resolve(__dirname, '../..');

/** Lines of the invocation's own output, between START and END. */
function invocationLines(logs: string, requestId: string): string[] {
  const lines = logs.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`START RequestId: ${requestId}`));
  const end = lines.indexOf(`END RequestId: ${requestId}`);
  assert.ok(start >= 0 && end > start, logs);
  return lines.slice(start + 1, end);
}

describe('host <-> child transport (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  describe('the message pipe', () => {
    it('reads init and the first invoke without starting libuv threadpool, whose threads appear with the first threadpool read (Linux, freeze off)', async function () {
      if (process.platform !== 'linux') this.skip();
      const dir = mkdtempSync(join(tmpdir(), 'warm-first-read-'));
      try {
        const file = join(dir, 'threads.js');
        writeFileSync(file, "const { readdirSync } = require('fs');\nconst threads = () => readdirSync('/proc/self/task').length;\nconst atInit = threads();\nexports.handler = async () => ({ atInit, now: threads() });\n");
        // Freeze off: between invocations the child waits on the threadpool, which shows the count sees it.
        const env = pool.create({ file, handlerExport: 'handler', freeze: false, env: { UV_THREADPOOL_SIZE: '3' } });
        const first = (await env.invoke({})).response as { atInit: number; now: number };
        const second = (await env.invoke({})).response as { atInit: number; now: number };
        assert.equal(first.now, first.atInit, 'no thread started during the first invocation');
        assert.equal(second.now, first.atInit + 3, 'the threadpool (UV_THREADPOOL_SIZE) started for the read after the first result');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('carries records larger than a pipe buffer whole, both ways, on a cold and a warm invocation', async () => {
      const env = pool.create({ file: fixture('channel.js'), handlerExport: 'big' });
      const payload = `${'e'.repeat(400 * 1024)}é€end`;
      for (const expectCold of [true, false]) {
        const result = await env.invoke({ payload });
        assert.equal(result.cold, expectCold);
        assert.equal(result.error, null);
        const response = result.response as { received: number; payload: string };
        assert.equal(response.received, payload.length);
        assert.equal(response.payload.length, 300 * 1024 + 5);
        assert.ok(response.payload.endsWith('é€end'), 'multi-byte characters survive the frame boundaries');
        assert.ok(JSON.stringify(result).length > 256 * 1024);
      }
    });
  });

  describe('stdout and stderr', () => {
    it("keeps console lines and the user's own stream writes in order, in their invocation's logs", async () => {
      const env = pool.create({ file: fixture('channel.js'), handlerExport: 'mixedOutput' });
      // The first invocation creates process.stdout/stderr midway; the second finds them.
      for (const n of [1, 2, 3]) {
        const result = await env.invoke({ n });
        assert.equal(result.response, n);
        // stderr's line may land anywhere in stdout's (the host merges the pipes as data arrives).
        const stderrLine = `four ${n}\n`;
        const section = `${invocationLines(result.logs, result.requestId).join('\n')}\n`;
        assert.ok(section.includes(stderrLine), `stderr line of invocation ${n} is in its logs`);
        const big = `${'x'.repeat(1024 * 1024)} ${n}`;
        const ours = section
          .replace(stderrLine, '')
          .split('\n')
          .slice(0, -1)
          .map((line) => (line === big ? `big ${n}` : line.replace(/^\S+Z\t[0-9a-f-]{36}\tINFO\t/, '')));
        assert.deepEqual(ours, [`one ${n}`, `two ${n}`, `big ${n}`, `three ${n}`, `five ${n}`], ours.map((line) => line.slice(0, 80)).join('\n'));
        assert.ok(!result.logs.includes(` ${n - 1}\n`), 'nothing of the previous invocation');
      }
    });

    it('puts output written straight to the descriptors in its own invocation, also when the runtime marks no end there', async () => {
      // The runtime sees none of these writes: it writes no end marker on an output it saw
      // nothing on, and the host ends that output's part once what arrived with the result is read.
      const env = pool.create({ file: fixture('channel.js'), handlerExport: 'directOutput' });
      for (const n of [1, 2, 3]) {
        const result = await env.invoke({ n });
        const lines = invocationLines(result.logs, result.requestId);
        assert.deepEqual([...lines].sort(), [`direct err ${n}`, `direct out ${n}`], result.logs);
      }
    });

    it('ends an invocation that wrote nothing without waiting for its outputs', async () => {
      const env = pool.create({ file: fixture('channel.js'), handlerExport: 'silent' });
      await env.invoke({ n: 0 });
      for (const n of [1, 2, 3]) {
        const started = performance.now();
        const result = await env.invoke({ n });
        const elapsed = performance.now() - started;
        assert.equal(result.response, n);
        assert.deepEqual(invocationLines(result.logs, result.requestId), []);
        // A marker the host waited for in vain would hold the invocation for the whole grace time (1 s).
        assert.ok(elapsed < 900, `${elapsed} ms`);
      }
    });
  });

  describe('the first invocation is sent during init', () => {
    it("starts Lambda's clock after init: the full timeout remains and init does not count toward it", async () => {
      const env = pool.create({ file: fixture('slow-init.js'), handlerExport: 'handler', timeoutSeconds: 1 });
      // 0.8 s init + 0.5 s handler: over the 1 s timeout together, within it for the handler.
      const result = await env.invoke({ workMs: 500 });
      assert.equal(result.error, null, JSON.stringify(result.error));
      assert.equal(result.cold, true);
      assert.ok((result.initDurationMs ?? 0) >= 800, `init took ${result.initDurationMs} ms`);
      const { remainingAtStart } = result.response as { remainingAtStart: number };
      assert.ok(remainingAtStart > 900, `${remainingAtStart} ms remained at the start`);
      // The whole handler, though the host learns that init is done a message after the child
      // (22 ms later once on a loaded machine, when the duration read 478 ms).
      assert.ok(result.durationMs >= 495 && result.durationMs < 900, `duration ${result.durationMs} ms`);
    });

    it('a timeout still counts from the start of the invocation, not from the spawn', async () => {
      const env = pool.create({ file: fixture('slow-init.js'), handlerExport: 'handler', timeoutSeconds: 1 });
      const result = await env.invoke({ workMs: 5000 });
      assert.equal(result.reset, 'timeout');
      assert.equal(result.durationMs, 1000);
      assert.ok((result.initDurationMs ?? 0) >= 800);
    });
  });

  describe('process ends', () => {
    it('notices a process.exit() from a timer while idle (freeze off) and starts the next invocation cold', async () => {
      const env = pool.create({ file: fixture('channel.js'), handlerExport: 'exitLater', freeze: false });
      const first = await env.invoke({});
      assert.equal(first.response, 'answered');
      assert.ok(await waitUntil(() => env.status().state === 'cold', 3000), 'the idle exit was noticed');
      assert.equal(env.status().lastReset, 'crashed');
      const next = await env.invoke({});
      assert.equal(next.cold, true);
      assert.equal(next.response, 'answered');
    });

    it('keeps the exit code of a process.exit() during init, also while a big first event is still arriving', async () => {
      const env = pool.create({ file: fixture('init-exits.mjs'), handlerExport: 'handler' });
      const result = await env.invoke({ payload: 'p'.repeat(1024 * 1024) });
      assert.equal(result.reset, 'init-error');
      assert.equal(result.error?.errorMessage, 'Runtime exited with error: exit status 2');
    });

    describe('the host dies (SIGKILL, no cleanup; freeze off so the orphan reaper is not involved)', () => {
      let host: ChildProcess | null = null;
      /** The host's child, killed after the test should the test fail. */
      let orphan: number | null = null;
      let work = '';
      before(function () {
        if (process.platform === 'win32') this.skip(); // the watch of the parent pid is POSIX-only
        work = mkdtempSync(join(tmpdir(), 'warm-channel-'));
      });
      afterEach(() => {
        host?.kill('SIGKILL');
        if (orphan !== null && isRunning(orphan)) process.kill(orphan, 'SIGKILL');
        orphan = null;
      });
      after(() => work && rmSync(work, { recursive: true, force: true }));

      function startHost(handlerExport: string, event: object): ChildProcess {
        const started = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/host-of-one-child.ts'), fixture('channel.js'), handlerExport, JSON.stringify(event)], {
          cwd: root, // where `--import tsx` resolves
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        host = started;
        return started;
      }

      it('ends an idle child (its read of the pipe sees end of file)', async () => {
        const started = startHost('pid', {});
        const pid = await new Promise<number>((done, fail) => {
          let out = '';
          started.stdout?.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /^invoked (\d+)$/m.exec(out);
            if (match) done(Number(match[1]));
          });
          started.once('exit', () => fail(new Error(`host exited early: ${out}`)));
        });
        orphan = pid;
        assert.ok(pid > 0 && isRunning(pid));
        started.kill('SIGKILL');
        assert.ok(await waitUntil(() => !isRunning(pid), 5000), `child ${pid} still runs after its host died`);
      });

      it('ends a child in the middle of an invocation (its parent changed)', async () => {
        const pidFile = join(work, 'pid');
        startHost('waitLong', { pidFile });
        assert.ok(await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 15_000), 'the handler started');
        const pid = Number(readFileSync(pidFile, 'utf8'));
        orphan = pid;
        assert.ok(isRunning(pid));
        host?.kill('SIGKILL');
        assert.ok(await waitUntil(() => !isRunning(pid), 5000), `child ${pid} still runs after its host died`);
      });
    });
  });
});

