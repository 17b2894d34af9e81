import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarioRecord, scenarioState } from '../../media/src/sample/scenario';
import type { EnvironmentStatus } from '../../src/core/runtime/environment-api';
import { isPanelState } from '../../src/webview-protocol/panel';
import type { InvocationRecord } from '../../src/core/model/snapshot';
import { FileHistoryStore } from '../../src/vscode/history-store';
import { NO_ENVIRONMENT, buildPanelState, currentGrowing, findInvocation } from '../../src/vscode/panel-state';

const HANDLER = { file: '/work/examples/freeze-demo/handler.js', exportName: 'test', title: 'handler.test', relativePath: 'examples/freeze-demo/handler.js' };
const WARM: EnvironmentStatus = { state: 'warm', frozen: true, warmInvocations: 3, generation: 1, nodeVersion: 'v20.20.2', lastReset: null };

describe('extension: panel state from the host history', () => {
  it('builds the state the webview expects for the motivating example', () => {
    const history = [1, 2, 3].map(scenarioRecord);
    const state = buildPanelState({ handler: HANDLER, status: WARM, history, settings: { timeoutSeconds: 3, memoryMB: 128, freeze: true, source: 'defaults' }, eventName: null, busy: null, errors: [] });
    assert.ok(isPanelState(state));
    assert.deepEqual(state, scenarioState(3));
  });

  it('is a valid state before the first invocation, with a cold environment', () => {
    const state = buildPanelState({ handler: HANDLER, status: undefined, history: [], settings: null, eventName: 'S3 sample', busy: 'invoke-warm', errors: [{ message: 'The event is not valid JSON' }] });
    assert.ok(isPanelState(state));
    assert.deepEqual(state.environment, NO_ENVIRONMENT);
    assert.equal(state.selected, null);
    assert.deepEqual(state.timeline, []);
    assert.equal(state.eventName, 'S3 sample');
    assert.equal(state.busy, 'invoke-warm');
  });

  it('shows the last known Node version after the environment ended', () => {
    const state = buildPanelState({ handler: HANDLER, status: undefined, history: [scenarioRecord(1)], settings: null, eventName: null, busy: null, errors: [] });
    assert.equal(state.nodeVersion, 'v20.20.2');
  });

  it('keeps 1,000 invocations as compact timeline entries and the latest record in full', () => {
    const history = Array.from({ length: 1000 }, (_, i) => ({ ...scenarioRecord(2), invocation: i + 1 }));
    const state = buildPanelState({ handler: HANDLER, status: WARM, history, settings: null, eventName: null, busy: null, errors: [] });
    assert.equal(state.timeline.length, 1000);
    assert.equal(state.selected?.invocation, 1000);
    assert.ok(!('moduleScope' in state.timeline[0]));
  });

  it('finds a record by invocation number, null once it left the bounded history', () => {
    const history = [5, 6, 7, 9].map((n) => ({ ...scenarioRecord(2), invocation: n }));
    assert.equal(findInvocation(history, 7)?.invocation, 7);
    assert.equal(findInvocation(history, 9)?.invocation, 9);
    assert.equal(findInvocation(history, 4), null);
    assert.equal(findInvocation(history, 8), null);
    assert.equal(findInvocation([], 1), null);
  });

  it('reports growing variables only for the current environment', () => {
    const history = [1, 2, 3].map(scenarioRecord);
    assert.deepEqual(currentGrowing(history, WARM), ['arrayB']);
    assert.deepEqual(currentGrowing(history, { ...WARM, generation: 2 }), [], 'a newer environment has not grown yet');
    assert.deepEqual(currentGrowing(history, { ...WARM, state: 'cold' }), []);
    assert.deepEqual(currentGrowing(history, undefined), []);
  });
});

describe('extension: history kept across window reloads', () => {
  let folder: string;
  const ref = { fileUri: 'file:///work/examples/freeze-demo/handler.js', exportName: 'test' };
  const errors: string[] = [];

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'warm-state-history-'));
    errors.length = 0;
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('saves and loads a handler history', async () => {
    const store = new FileHistoryStore(folder, (message) => errors.push(message));
    assert.deepEqual(store.load(ref), []);
    store.save(ref, [1, 2, 3].map(scenarioRecord));
    await store.flush();
    const reloaded = new FileHistoryStore(folder, (message) => errors.push(message));
    assert.deepEqual(reloaded.load(ref), [1, 2, 3].map(scenarioRecord));
    assert.deepEqual(reloaded.load({ ...ref, exportName: 'other' }), [], 'histories are per handler');
    assert.deepEqual(errors, []);
  });

  /** The folder of the one handler saved so far, and its record files by invocation number. */
  function recordFiles(): { dir: string; numbers: number[] } {
    const [handler] = readdirSync(folder);
    const dir = join(folder, handler);
    const numbers = readdirSync(dir).flatMap((name) => /^(\d+)\.json$/.exec(name)?.[1] ?? []).map(Number);
    return { dir, numbers: numbers.sort((a, b) => a - b) };
  }

  const numbered = (from: number, count: number): InvocationRecord[] => Array.from({ length: count }, (_, i) => ({ ...scenarioRecord(2), invocation: from + i }));

  it('keeps every record it is given (the default historyLength of 200 comes back) and deletes those that left', async () => {
    const store = new FileHistoryStore(folder, (message) => errors.push(message));
    store.save(ref, numbered(1, 200));
    await store.flush();
    assert.deepEqual(new FileHistoryStore(folder, () => undefined).load(ref).map((r) => r.invocation), numbered(1, 200).map((r) => r.invocation));
    store.save(ref, numbered(21, 200));
    await store.flush();
    const loaded = new FileHistoryStore(folder, () => undefined).load(ref);
    assert.equal(loaded.length, 200);
    assert.equal(loaded[0].invocation, 21);
    assert.deepEqual(recordFiles().numbers, loaded.map((r) => r.invocation), 'the first 20 files are gone');
    assert.deepEqual(readdirSync(recordFiles().dir).filter((name) => name.endsWith('.tmp')), []);
    assert.deepEqual(errors, []);
  });

  it('writes only new and changed records', async () => {
    const store = new FileHistoryStore(folder, (message) => errors.push(message));
    const records = numbered(1, 3);
    store.save(ref, records);
    await store.flush();
    const { dir } = recordFiles();
    writeFileSync(join(dir, '2.json'), 'left alone');
    store.save(ref, [...records, ...numbered(4, 1)]);
    await store.flush();
    assert.equal(readFileSync(join(dir, '2.json'), 'utf8'), 'left alone', 'an unchanged record is not written again');
    assert.deepEqual(recordFiles().numbers, [1, 2, 3, 4]);
  });

  it('saves the other records, now and later, when one cannot be serialized ("Invalid string length")', async () => {
    const store = new FileHistoryStore(folder, (message) => errors.push(message));
    const huge: InvocationRecord = {
      ...scenarioRecord(2),
      invocation: 2,
      response: {
        toJSON() {
          throw new RangeError('Invalid string length');
        },
      },
    };
    store.save(ref, [...numbered(1, 1), huge, ...numbered(3, 1)]);
    await store.flush();
    store.save(ref, [...numbered(1, 1), huge, ...numbered(3, 2)]);
    await store.flush();
    assert.deepEqual(new FileHistoryStore(folder, () => undefined).load(ref).map((r) => r.invocation), [1, 3, 4]);
    assert.equal(errors.length, 2);
    assert.match(errors[0], /invocation 2 .*Invalid string length/);
  });

  it('keeps a copy of a tampered or corrupt record file aside, loads the rest, and tells the user', async () => {
    const warnings: string[] = [];
    const store = new FileHistoryStore(folder, (message) => errors.push(message), (message) => warnings.push(message));
    store.save(ref, numbered(1, 3));
    await store.flush();
    const { dir } = recordFiles();
    writeFileSync(join(dir, '2.json'), JSON.stringify({ invocation: 2, logs: '<script>' }));
    writeFileSync(join(dir, '3.json'), '{ not json');
    const reloaded = new FileHistoryStore(folder, (message) => errors.push(message), (message) => warnings.push(message));
    assert.deepEqual(reloaded.load(ref).map((record) => record.invocation), [1]);
    assert.equal(errors.length, 1, 'a log line');
    assert.deepEqual(warnings, errors, 'and the same visible warning');
    assert.match(warnings[0], /could not read 2 saved invocation/);
    assert.equal(readFileSync(join(dir, '3.json.corrupt'), 'utf8'), '{ not json', 'the unreadable file is kept');
    assert.ok(existsSync(join(dir, '2.json.corrupt')));
    reloaded.save(ref, [...reloaded.load(ref), ...numbered(4, 1)]);
    await reloaded.flush();
    assert.ok(existsSync(join(dir, '3.json.corrupt')), 'the copy survives later saves');
    assert.deepEqual(new FileHistoryStore(folder, () => undefined).load(ref).map((record) => record.invocation), [1, 4]);
  });
});
