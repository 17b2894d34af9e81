/**
 * The runtime profile of a local environment as the child process gets it: Lambda's Node flags
 * for the profile (minus those the function's NODE_OPTIONS turns back on, minus those the node
 * does not know), AWS_EXECUTION_ENV, and the records' runtime fields. How the child behaves per
 * profile is another suite's (the differential one against the real runtime client).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawInvocation } from '../../src/core/model/snapshot';
import { EnvironmentPool } from './environment-helpers';

const DETECT = '--no-experimental-detect-module';
const REQUIRE = '--no-experimental-require-module';

interface Seen {
  execArgv: string[];
  executionEnv: string;
}

describe('engine: runtime profiles', function () {
  this.timeout(60_000);
  const pool = new EnvironmentPool();
  let dir: string;
  let file: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-profiles-'));
    file = join(dir, 'argv.js');
    writeFileSync(file, 'exports.handler = async () => ({ execArgv: process.execArgv, executionEnv: process.env.AWS_EXECUTION_ENV });\n');
  });

  after(async () => {
    await pool.disposeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  function seen(record: RawInvocation): Seen {
    assert.equal(record.error, null, JSON.stringify(record.error));
    return record.response as Seen;
  }

  it("starts a nodejs22.x child with Lambda's flags for Node 22 and says so in the record", async () => {
    const record = await pool.create({ file, handlerExport: 'handler', runtime: 'nodejs22.x', runtimeSource: 'setting' }).invoke({});
    const { execArgv, executionEnv } = seen(record);
    assert.ok(execArgv.includes(DETECT) && execArgv.includes(REQUIRE) && execArgv.includes('--expose-gc'), execArgv.join(' '));
    assert.equal(executionEnv, 'AWS_Lambda_nodejs22.x');
    assert.equal(record.runtime, 'nodejs22.x');
    assert.equal(record.runtimeSource, 'setting');
    assert.equal(record.runtimeVersion, process.version, 'runtimeVersion stays the node that ran');
  });

  it("leaves out a flag the function's NODE_OPTIONS turns back on", async () => {
    const env = { NODE_OPTIONS: '--experimental-detect-module' };
    const { execArgv } = seen(await pool.create({ file, handlerExport: 'handler', runtime: 'nodejs22.x', env }).invoke({}));
    assert.ok(!execArgv.includes(DETECT), execArgv.join(' '));
    assert.ok(execArgv.includes(REQUIRE), execArgv.join(' '));
  });

  it('gives nodejs24.x no such flags', async () => {
    const { execArgv, executionEnv } = seen(await pool.create({ file, handlerExport: 'handler', runtime: 'nodejs24.x' }).invoke({}));
    assert.deepEqual(execArgv.filter((arg) => arg.includes('experimental')), []);
    assert.ok(execArgv.includes('--expose-gc'), execArgv.join(' '));
    assert.equal(executionEnv, 'AWS_Lambda_nodejs24.x');
  });

  it("passes no flag the node does not know, so a Node older than the flags still starts", async () => {
    // Stands in for Node 20.9, which knows neither flag: it refuses them as that Node does
    // ("bad option", exit 9) and does not list them in process.allowedNodeEnvironmentFlags.
    const hide = join(dir, 'hide-flags.js');
    writeFileSync(hide, "Object.defineProperty(process, 'allowedNodeEnvironmentFlags', { value: new Set(['--max-old-space-size']) });\n");
    const oldNode = join(dir, 'old-node');
    writeFileSync(oldNode, [
      '#!/bin/sh',
      'for arg in "$@"; do',
      `  case "$arg" in ${DETECT}|${REQUIRE}) echo "$0: bad option: $arg" >&2; exit 9;; esac`,
      'done',
      `exec "${process.execPath}" --require "${hide}" "$@"`,
      '',
    ].join('\n'));
    chmodSync(oldNode, 0o755);
    const record = await pool.create({ file, handlerExport: 'handler', runtime: 'nodejs22.x', nodePath: oldNode }).invoke({});
    const { execArgv, executionEnv } = seen(record);
    assert.deepEqual(execArgv.filter((arg) => arg.includes('experimental')), []);
    assert.equal(executionEnv, 'AWS_Lambda_nodejs22.x');
  });

  it("runs as the local node's profile when nothing chooses one", async () => {
    const record = await pool.create({ file, handlerExport: 'handler', runtime: undefined }).invoke({});
    seen(record);
    const major = Number(process.versions.node.split('.')[0]);
    const expected = major >= 24 ? 'nodejs24.x' : major >= 22 ? 'nodejs22.x' : 'nodejs20.x';
    assert.equal(record.runtime, expected);
    assert.equal(record.runtimeSource, 'node-major');
    // A node between Lambda's majors (21, 23) runs as the profile below it, which differs.
    assert.equal(record.nodeMismatch === null, [20, 22, 24].includes(major), String(record.nodeMismatch));
  });

  it('says in the record when the node that ran is not the profile’s major', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    const other = major === 20 ? 'nodejs22.x' : 'nodejs20.x';
    const record = await pool.create({ file, handlerExport: 'handler', runtime: other, runtimeSource: 'template' }).invoke({});
    seen(record);
    assert.match(record.nodeMismatch ?? '', new RegExp(`runtime is ${other.replace('.', '\\.')} .* the local node is ${process.version.replace(/\./g, '\\.')}`));
  });
});
