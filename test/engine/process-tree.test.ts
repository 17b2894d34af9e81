/**
 * Processes the handler starts belong to its environment (real child processes): frozen with
 * it, and ended with it on a reset, a timeout, an exit of the runtime and the CLI's exit, as
 * Lambda freezes and ends the whole sandbox. POSIX (process groups); Windows ends the tree with
 * taskkill, which these machines cannot run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EnvironmentPool, fixture, isRunning, leftoverChildren, processState, waitUntil } from './environment-helpers';

const root = resolve(__dirname, '../..');

describe('processes the handler starts (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  /** Every grandchild a test saw, ended after the suite should a test fail. */
  const started: number[] = [];
  let work = '';
  before(function () {
    if (process.platform === 'win32') this.skip();
    work = mkdtempSync(join(tmpdir(), 'warm-tree-'));
  });
  after(async () => {
    await pool.disposeAll();
    for (const pid of started.filter(isRunning)) process.kill(pid, 'SIGKILL');
    if (work) rmSync(work, { recursive: true, force: true });
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  function seen(pid: unknown): number {
    assert.ok(typeof pid === 'number' && pid > 0, `a pid: ${String(pid)}`);
    started.push(pid);
    return pid;
  }

  async function gone(pid: number, when: string): Promise<void> {
    assert.ok(await waitUntil(() => !isRunning(pid), 3000), `process ${pid} started by the handler still runs after ${when}`);
  }

  it('are frozen with the environment and ended by a reset', async () => {
    const env = pool.create({ file: fixture('grandchildren.js'), handlerExport: 'spawn' });
    const pid = seen((await env.invoke({})).response);
    assert.equal(env.status().frozen, true);
    // A signal lands when the process is next scheduled: give it a moment.
    assert.ok(await waitUntil(() => processState(pid) === 'T', 1000), `stopped while the environment is frozen (state ${processState(pid)})`);
    await env.reset();
    await gone(pid, 'a reset');
  });

  it('are ended by a timeout', async () => {
    const env = pool.create({ file: fixture('grandchildren.js'), handlerExport: 'spawnAndHang', timeoutSeconds: 1 });
    const pidFile = join(work, 'timeout.pid');
    const result = await env.invoke({ pidFile });
    assert.equal(result.reset, 'timeout');
    await gone(seen(Number(readFileSync(pidFile, 'utf8'))), 'a timeout');
  });

  it("are ended when the runtime's own process exits", async () => {
    const env = pool.create({ file: fixture('grandchildren.js'), handlerExport: 'spawnAndExit' });
    const pidFile = join(work, 'exit.pid');
    const result = await env.invoke({ pidFile });
    assert.equal(result.reset, 'process-exit');
    await gone(seen(Number(readFileSync(pidFile, 'utf8'))), 'process.exit()');
  });

  it("are ended by the CLI's exit", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'dist/cli.js'), 'invoke', fixture('grandchildren.js'), '--handler', 'spawn', '--json'], { cwd: root });
    const record = JSON.parse(stdout.trim().split('\n')[0]) as { response: unknown };
    await gone(seen(record.response), 'the CLI exited');
  });
});
