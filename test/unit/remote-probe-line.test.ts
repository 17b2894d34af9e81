import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CapturedVariable, ValueNode } from '../../src/core/model/snapshot';
import { decodeProbeLine, encodeProbeLine, limitPending, PROBE_LINE_BUDGET, PROBE_LINE_PREFIX, PROBE_PENDING_LIMIT, type ProbeSnapshot } from '../../src/core/deployed/probe/probe-line';
import { readZip, unzip, writeZip, ZipTooLargeError } from '../../src/core/lambda/zip';
import { zipBomb } from '../engine/endpoint-helpers';

const str = (value: string): ValueNode => ({ type: 'string', value, length: value.length, truncated: false });
const variable = (name: string, value: ValueNode): CapturedVariable => ({ name, kind: 'let', value, size: { total: 1, exact: true } });
const randomArray = (n: number): ValueNode => ({
  type: 'array',
  className: 'Array',
  length: n,
  truncated: false,
  items: Array.from({ length: n }, () => str(randomBytes(60).toString('base64'))),
});

function snapshot(moduleScope: CapturedVariable[]): ProbeSnapshot {
  return {
    requestId: 'r-1',
    moduleScope,
    handlerScope: [variable('local', str('x'))],
    parameters: [],
    truncated: [],
    captureError: null,
    nodeVersion: 'v20.0.0',
    environmentId: 'env-1',
    invocationInEnvironment: 1,
  };
}

describe('remote probe line: one compressed snapshot per invocation', () => {
  it('round-trips a small snapshot unchanged', () => {
    const original = snapshot([variable('count', { type: 'number', value: 3 })]);
    const line = encodeProbeLine(original);
    assert.ok(line.startsWith(PROBE_LINE_PREFIX));
    const found = decodeProbeLine(`START x\n${line}\nEND x\n`);
    assert.deepEqual(found?.snapshot, original);
    assert.equal(found?.logs, 'START x\nEND x\n');
  });

  it('carries heap used and pending work, keeping at most PROBE_PENDING_LIMIT of each list and naming the cut', () => {
    const truncated: string[] = [];
    const many = Array.from({ length: PROBE_PENDING_LIMIT + 3 }, (_, i) => ({ kind: 'timer' as const, createdAt: `/var/task/handler.js:${i + 1}` }));
    const original: ProbeSnapshot = {
      ...snapshot([]),
      memory: { rssBytes: 90e6, heapUsedBytes: 12e6, externalBytes: 1e6 },
      pendingAtFreeze: limitPending(many, 'pendingAtFreeze', truncated),
      pendingRan: limitPending(many.slice(0, 1), 'pendingRan', truncated),
      truncated,
    };
    assert.equal(original.pendingAtFreeze?.length, PROBE_PENDING_LIMIT);
    assert.deepEqual(truncated, ['pendingAtFreeze (3 more)']);
    assert.deepEqual(decodeProbeLine(encodeProbeLine(original))?.snapshot, original);
  });

  it('finds the line behind a console prefix or inside a JSON log record', () => {
    const line = encodeProbeLine(snapshot([]));
    assert.ok(decodeProbeLine(`2026-01-01T00:00:00.000Z\tid\tINFO\t${line}`));
    const json = JSON.stringify({ timestamp: 't', level: 'INFO', message: line });
    assert.equal(decodeProbeLine(json)?.snapshot.requestId, 'r-1');
    assert.equal(decodeProbeLine('no probe here\n'), null);
  });

  it('says so when a line is corrupt (cut by the tail) rather than dropping it silently', () => {
    const line = encodeProbeLine(snapshot([variable('a', randomArray(3))]));
    assert.throws(() => decodeProbeLine(line.slice(0, line.length - 40)), /could not be decoded/);
  });

  it('cuts large values to fit the budget and lists every cut', () => {
    const big = snapshot([variable('noise', randomArray(40)), variable('more', randomArray(40)), variable('small', { type: 'number', value: 1 })]);
    const line = encodeProbeLine(big);
    assert.ok(line.length <= PROBE_LINE_BUDGET, `${line.length} bytes`);
    const decoded = decodeProbeLine(line)!.snapshot;
    assert.ok(decoded.truncated.includes('module.noise') && decoded.truncated.includes('module.more'), decoded.truncated.join());
    assert.ok(!decoded.truncated.includes('module.small'));
    assert.deepEqual(decoded.moduleScope?.map((v) => v.name), ['noise', 'more', 'small'], 'names survive');
    assert.deepEqual(decoded.moduleScope?.[2].value, { type: 'number', value: 1 });
  });

  it('leaves variables out by name when even the names do not fit', () => {
    const many = snapshot(Array.from({ length: 600 }, (_, i) => variable(`v${i}_${randomBytes(6).toString('hex')}`, { type: 'number', value: i })));
    const line = encodeProbeLine(many);
    assert.ok(line.length <= PROBE_LINE_BUDGET);
    const decoded = decodeProbeLine(line)!.snapshot;
    const note = decoded.truncated.find((t) => t.startsWith('module: '));
    const left = Number(/^module: (\d+) variable\(s\) left out/.exec(note ?? '')?.[1]);
    assert.ok(left > 0, String(note));
    assert.equal((decoded.moduleScope?.length ?? 0) + left, 600);
  });
});

describe('remote zip: layer archives', () => {
  it('writes archives it reads back, with modes and deflate', async () => {
    const entries = [
      { path: 'warm-state/wrapper', data: Buffer.from('#!/bin/sh\nexec "$@"\n'), mode: 0o755 },
      { path: 'warm-state/big.txt', data: Buffer.from('abc'.repeat(1000)) },
    ];
    const zip = writeZip(entries);
    assert.ok(zip.length < 1000, 'compressed');
    const read = await readZip(zip);
    assert.deepEqual(read.map((e) => [e.path, e.data.toString(), e.mode]), [
      ['warm-state/wrapper', '#!/bin/sh\nexec "$@"\n', 0o755],
      ['warm-state/big.txt', 'abc'.repeat(1000), 0o644],
    ]);
    assert.deepEqual(writeZip(entries), zip, 'deterministic');
  });

  it('rejects unsafe paths and corrupt archives', async () => {
    assert.throws(() => writeZip([{ path: '../evil', data: Buffer.alloc(1) }]), /invalid zip entry path/);
    assert.throws(() => writeZip([{ path: '/abs', data: Buffer.alloc(1) }]), /invalid zip entry path/);
    await assert.rejects(readZip(Buffer.from('not a zip at all, really not')), /not a zip archive/);
    const zip = writeZip([{ path: 'a.txt', data: Buffer.from('hello hello hello hello') }]);
    const broken = Buffer.from(zip);
    broken[35] ^= 0xff; // the first byte of the deflate data (30-byte header + "a.txt")
    await assert.rejects(readZip(broken), /zip entry a\.txt/);
    await assert.rejects(readZip(zip.subarray(0, 40)), /not a zip archive/);
  });

  it('stops inflating at what an entry declares, and at the limit, whatever the archive says', async () => {
    const discard = () => ({ write: () => undefined, end: () => undefined });
    let written = 0;
    const count = () => ({ write: (chunk: Uint8Array) => void (written += chunk.length), end: () => undefined });
    // A bomb that lies about its size is corrupt as soon as it inflates past the lie.
    await assert.rejects(unzip(zipBomb(64, 1000), 1024 * 1024 * 1024, count), /inflates to more than the 1000 bytes it declares/);
    assert.ok(written <= 1000, `${written} bytes reached the sink`);
    // One that declares more than the limit is refused before anything inflates.
    written = 0;
    await assert.rejects(unzip(zipBomb(64, 64 * 1024 * 1024), 1024 * 1024, count), ZipTooLargeError);
    assert.equal(written, 0);
    // One that declares nothing is stopped by the running count.
    await assert.rejects(unzip(zipBomb(64, null), 8 * 1024 * 1024, discard), ZipTooLargeError);
    assert.deepEqual(await unzip(zipBomb(4, null), 8 * 1024 * 1024, discard), { files: 1, bytes: 4 * 1024 * 1024 });
  });
});
