/**
 * `warm-state invoke/check --parallel N` as a user runs it (dist/cli.js in a real process, real
 * child environments): N invocations in flight, each concurrent one in an environment of its
 * own (own cold start, own module state), change marks and growth judged per environment,
 * and throttling beyond --max-environments.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationRecord } from '../../src/core/model/snapshot';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const handler = join(root, 'test', 'fixtures', 'remote', 'scale-out', 'handler.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args, '--runtime', 'nodejs20.x'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cli: --parallel scales out to environments of their own', function () {
  this.timeout(60000);
  let dir: string;
  let event: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-parallel-'));
    event = join(dir, 'event.json');
    // Long enough that the invocations of one round overlap.
    writeFileSync(event, JSON.stringify({ id: 'e', sleepMs: 400 }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('invoke --parallel 2 --times 6: two environments, each cold once, each with its own module state and change marks', () => {
    const result = run(['invoke', handler, '--parallel', '2', '--times', '6', '--event', event, '--json']);
    assert.equal(result.status, 0, result.stderr);
    const records = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as InvocationRecord);
    assert.equal(records.length, 6);
    for (const environment of [0, 1]) {
      const own = records.filter((record) => record.environment === environment);
      assert.ok(own.length >= 2, `environment ${environment} ran ${own.length}`);
      assert.deepEqual(own.map((record) => record.cold), [true, ...own.slice(1).map(() => false)], `environment ${environment}: one cold start`);
      const counts = own.map((record) => (record.response as { invocations: number }).invocations);
      assert.deepEqual(counts, own.map((_, i) => i + 1), `environment ${environment} counts its own invocations`);
      const seen = own.map((record) => record.moduleScope.find((v) => v.name === 'seen'));
      assert.deepEqual(seen.map((v) => v?.change), ['added', ...own.slice(1).map(() => 'changed')], 'marks compare with the same environment');
      assert.deepEqual(seen[seen.length - 1]?.sizeSeries.length, own.length, 'its size series holds its own invocations only');
    }
    assert.equal(new Set(records.map((record) => record.generation)).size, 2, 'two processes');
  });

  it('check --parallel 2 fails naming the growth in each environment', () => {
    const result = run(['check', handler, '--parallel', '2', '--times', '6', '--event', event]);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /6 invocations, 2 in flight/);
    assert.match(result.stdout, /#\d+ {2}environment 1 {2}cold/);
    assert.match(result.stdout, /✗ seen keeps growing: .*\[environment 0\]/);
    assert.match(result.stdout, /✗ seen keeps growing: .*\[environment 1\]/);
    assert.match(result.stdout, /1 module-scope variable keeps growing between warm invocations \(in 2 environments\)\./);
    assert.doesNotMatch(result.stdout, /^invocations left:/m, 'an estimate names the environment it is about');
  });

  it('throttles what finds every environment busy: --parallel 3 --max-environments 2 runs 2, throttles 1, exits 1', () => {
    const result = run(['invoke', handler, '--parallel', '3', '--max-environments', '2', '--event', event]);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /warning: --parallel 3 is more than the 2 environments the function may have \(--max-environments 2\)/);
    assert.match(result.stdout, /✗ throttled: TooManyRequestsException \(ReservedFunctionConcurrentInvocationLimitExceeded\): Rate Exceeded\. All 2 environments .* busy/);
    assert.equal(result.stdout.match(/── Invocation \d/g)?.length, 2, 'two ran');
    assert.match(result.stdout, /note: 1 of 3 invocations throttled/);
  });

  it('refuses --parallel 0 with exit 2 before anything runs', () => {
    const result = run(['invoke', handler, '--parallel', '0']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--parallel must be between 1 and 1000, got 0/);
    assert.equal(result.stdout, '');
  });
});
