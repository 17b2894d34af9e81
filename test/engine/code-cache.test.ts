/**
 * The child's runtime bundle loads through V8's code cache (code-cache-loader.ts), with real
 * child processes and a private TMPDIR: the first cold start writes the cache (a folder and
 * file only this user can read), the next one uses it as is, a corrupt cache is rejected by
 * V8 and rewritten, writing one prunes old ones, and every one of them still loads and
 * captures the handler.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentPool, EXAMPLES, fixture, variable } from './environment-helpers';

const usesNodeCompileCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

describe('child runtime code cache (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  const temp = mkdtempSync(join(tmpdir(), 'warm-code-cache-'));
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  const folder = join(temp, `warm-state-v8-cache${uid === null ? '' : `-${uid}`}`);
  after(async () => {
    await pool.disposeAll();
    rmSync(temp, { recursive: true, force: true });
  });

  const coldInvoke = async (file: string, handlerExport: string) => {
    const env = pool.create({ file, handlerExport, nodeEnv: { TMPDIR: temp, TMP: temp, TEMP: temp } });
    const record = await env.invoke({});
    await env.dispose();
    assert.equal(record.cold, true);
    assert.equal(record.error, null);
    assert.equal(record.captureError, null);
    return record;
  };
  const cacheFiles = () => readdirSync(folder).filter((name) => name.endsWith('.bin'));

  before(function () {
    // Node 22.1+ caches through module.enableCompileCache instead; this suite checks our own.
    if (usesNodeCompileCache) this.skip();
  });

  it('the first cold start writes the cache in a folder of this user only', async () => {
    const record = await coldInvoke(join(EXAMPLES, 'freeze-demo', 'handler.js'), 'test');
    assert.equal(variable(record.moduleScope, 'arrayB').value.type, 'array');
    const files = cacheFiles();
    assert.equal(files.length, 1, `cache files: ${files.join(', ')}`);
    if (process.platform !== 'win32') {
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.equal(statSync(join(folder, files[0])).mode & 0o777, 0o600);
    }
    assert.ok(statSync(join(folder, files[0])).size > 10_000);
  });

  it('the next cold start uses the cache as it is (an ES module handler too)', async () => {
    const [file] = cacheFiles();
    const before = readFileSync(join(folder, file));
    const record = await coldInvoke(join(EXAMPLES, 'freeze-demo', 'handler.js'), 'test');
    assert.equal(variable(record.handlerScope, 'arrayD').value.type, 'array');
    const esm = await coldInvoke(fixture('handler.mjs'), 'handler');
    assert.notEqual(esm.moduleScope, null);
    assert.deepEqual(cacheFiles(), [file]);
    assert.ok(readFileSync(join(folder, file)).equals(before), 'an accepted cache is not rewritten');
  });

  it('a corrupt cache is rejected and rewritten, and the handler still runs', async () => {
    const [file] = cacheFiles();
    const garbage = Buffer.alloc(4096, 7);
    writeFileSync(join(folder, file), garbage);
    const record = await coldInvoke(join(EXAMPLES, 'freeze-demo', 'handler.js'), 'test');
    assert.equal(variable(record.moduleScope, 'arrayA').value.type, 'array');
    const rewritten = readFileSync(join(folder, file));
    assert.ok(!rewritten.equals(garbage), 'the rejected cache was replaced');
    assert.ok(rewritten.length > 10_000);
  });

  it('writing a cache keeps the 16 newest cache files and removes older ones and stale partial writes, nothing else', async () => {
    const [current] = cacheFiles();
    unlinkSync(join(folder, current));
    const day = 24 * 60 * 60;
    const now = Date.now() / 1000;
    // Twenty caches of other builds, 1 to 20 days old.
    const others = Array.from({ length: 20 }, (_, i) => `runtime-v0.0.${i}-0000000${i % 10}.bin`);
    others.forEach((name, i) => {
      writeFileSync(join(folder, name), 'old cache');
      utimesSync(join(folder, name), now - (i + 1) * day, now - (i + 1) * day);
    });
    const stalePartial = `${others[0]}.4242.tmp`;
    writeFileSync(join(folder, stalePartial), 'half');
    utimesSync(join(folder, stalePartial), now - 3600, now - 3600);
    const freshPartial = `${others[1]}.4343.tmp`;
    writeFileSync(join(folder, freshPartial), 'being written');
    writeFileSync(join(folder, 'notes.txt'), 'not ours');

    const record = await coldInvoke(join(EXAMPLES, 'freeze-demo', 'handler.js'), 'test');
    assert.equal(variable(record.moduleScope, 'arrayA').value.type, 'array');
    const kept = cacheFiles().sort();
    assert.equal(kept.length, 16, `kept: ${kept.join(', ')}`);
    assert.ok(kept.includes(current), 'the cache just written is kept');
    assert.deepEqual(kept.filter((name) => name !== current), others.slice(0, 15).sort(), 'the 15 newest others are kept, the 5 oldest removed');
    assert.equal(existsSync(join(folder, stalePartial)), false, 'a partial write an hour old is removed');
    assert.equal(existsSync(join(folder, freshPartial)), true, 'a partial write in progress is left alone');
    assert.equal(existsSync(join(folder, 'notes.txt')), true, 'files not named as ours are left alone');
  });

  it('prunes as well under a handler that replaced what the pruning could call (fs, path, string and typed-array methods, Date.now, Stats times)', async () => {
    const current = cacheFiles().filter((name) => name.startsWith(`runtime-${process.version}-`));
    assert.equal(current.length, 1, `this node's caches: ${current.join(', ')}`);
    unlinkSync(join(folder, current[0]));
    const now = Date.now() / 1000;
    const others = Array.from({ length: 17 }, (_, i) => `runtime-v0.1.${i}-00000000.bin`);
    others.forEach((name, i) => {
      writeFileSync(join(folder, name), 'old cache');
      utimesSync(join(folder, name), now - (i + 1) * 3600, now - (i + 1) * 3600);
    });
    const dir = mkdtempSync(join(tmpdir(), 'warm-prune-hostile-'));
    try {
      const file = join(dir, 'hostile.js');
      writeFileSync(
        file,
        [
          "const fs = require('node:fs');",
          "const path = require('node:path');",
          "const broken = () => { throw new Error('user code was called'); };",
          'for (const name of ["readdirSync", "statSync", "unlinkSync"]) fs[name] = broken;',
          'path.join = broken;',
          'String.prototype.startsWith = broken;',
          'String.prototype.endsWith = broken;',
          'Object.getPrototypeOf(Float64Array.prototype).sort = broken;',
          'Date.now = broken;',
          "Object.defineProperty(fs.Stats.prototype, 'mtimeMs', { get: broken, set() {} });",
          'exports.handler = async () => "ran";',
        ].join('\n'),
      );
      const record = await coldInvoke(file, 'handler');
      assert.equal(record.response, 'ran');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const kept = cacheFiles();
    assert.equal(kept.length, 16, `kept: ${kept.join(', ')}`);
    assert.ok(!kept.includes(others[16]) && !kept.includes(others[15]), 'the two oldest are gone');
  });
});

describe('what a cold start of the child loads (dist/child, as built)', () => {
  const pool = new EnvironmentPool();
  after(() => pool.disposeAll());

  it('loads none of the built-ins it does not need before the handler (each compiles from source under the V8 flags)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warm-builtins-'));
    try {
      const file = join(dir, 'builtins.js');
      writeFileSync(file, "const loaded = process.moduleLoadList.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice(13));\nexports.handler = async () => loaded;\n");
      const env = pool.create({ file, handlerExport: 'handler' });
      const record = await env.invoke({});
      assert.equal(record.error, null);
      const loaded = record.response as string[];
      assert.ok(loaded.includes('vm'), 'the list is the child runtime one');
      assert.deepEqual(['os', 'worker_threads', 'net', 'child_process', 'stream', 'crypto'].filter((name) => loaded.includes(name)), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves acorn and the instrumenter to dist/child/instrument.js, which runtime.js requires only when the child instruments a file', () => {
    const childDir = join(EXAMPLES, '..', 'dist', 'child');
    const runtime = readFileSync(join(childDir, 'runtime.js'), 'utf8');
    const instrumenter = readFileSync(join(childDir, 'instrument.js'), 'utf8');
    assert.ok(instrumenter.includes('node_modules/acorn/'), 'the instrumenter bundle carries acorn');
    assert.ok(!runtime.includes('node_modules/acorn/'), 'every cold start reads runtime.js: acorn is not in it');
    assert.ok(runtime.includes('require("./instrument.js")'));
  });
});
