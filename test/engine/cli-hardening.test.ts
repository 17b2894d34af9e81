/**
 * The command line against hostile input (issue 14, defect 9), as a user runs it: dist/cli.js
 * in a real process. Terminal escape sequences from user code never reach the terminal live;
 * a timeout outside 0.1-900 s and a folder given as the handler file exit 2 with a message that
 * says why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationRecord } from '../../src/core/model/snapshot';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const handler = join(root, 'test', 'fixtures', 'handlers', 'terminal-escapes.js');
/** Any control character but newline and tab. */
// eslint-disable-next-line no-control-regex -- the characters under test
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '160', ...env },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cli hardening (dist/cli.js in a real process)', function () {
  this.timeout(60_000);

  it('invoke shows the OSC title and clear-screen sequences of logs, errors and values as text, never live', () => {
    const result = run(['invoke', handler, '--times', '2']);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!CONTROL.test(result.stdout), `a control character reached the terminal: ${JSON.stringify(result.stdout.slice(0, 2000))}`);
    assert.ok(result.stdout.includes('title \\u001b]0;pwned\\u0007 clear \\u001b[2J\\u001b[H red \\u001b[31mred'), result.stdout);
    assert.ok(result.stdout.includes('raw \\u001b[2J\\u001b[H'), 'process.stdout.write output too');

    const failing = spawnSync(process.execPath, [cli, 'check', handler, '--event', '-'], { cwd: root, input: '{"fail":true}', encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(failing.status, 1, failing.stderr);
    assert.ok(!CONTROL.test(failing.stdout) && !CONTROL.test(failing.stderr), JSON.stringify(failing.stdout));
    assert.ok(failing.stdout.includes('failed \\u001b]0;pwned\\u0007\\u001b[2J'), failing.stdout);
  });

  it('--json keeps the text exactly (escaped only as JSON)', () => {
    const result = run(['invoke', handler, '--json']);
    assert.equal(result.status, 0, result.stderr);
    const [record] = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as InvocationRecord);
    assert.ok(record.logs.includes('title \u001b]0;pwned\u0007 clear \u001b[2J\u001b[H'));
    assert.equal(record.response, 'answer \u001b[2J\u001b[H');
  });

  it('a timeout outside 0.1 to 900 seconds exits 2 naming the range, for invoke and serve', () => {
    for (const args of [['invoke', handler, '--timeout', '1e-9'], ['check', handler, '--timeout', '901'], ['serve', handler, '--port', '0', '--timeout', '1e-9']]) {
      const result = run(args);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /--timeout must be a number of seconds from 0\.1 to 900, got "(1e-9|901)"/);
    }
  });

  it('a folder given as the handler file is said to be a folder, for invoke and serve', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warm-dir-handler-'));
    try {
      for (const command of ['invoke', 'serve']) {
        const result = run(command === 'serve' ? ['serve', dir, '--port', '0'] : [command, dir]);
        assert.equal(result.status, 2, `${command}: ${result.stdout}${result.stderr}`);
        assert.ok(result.stderr.includes(`${dir} is a directory, not a handler file: name the file in it (e.g. ${join(dir, 'index.js')})`), result.stderr);
        assert.doesNotMatch(result.stderr, /no such file|internal error|EISDIR/);
      }
      const missing = run(['invoke', join(dir, 'missing.js')]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /no such file: .*missing\.js/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
