import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarioRecord, scenarioState } from '../../media/src/sample/scenario';
import type { EnvironmentStatus } from '../../src/core/runtime/environment-api';
import { isPanelState } from '../../src/webview-protocol/panel';
import { FileHistoryStore, PERSISTED_RECORDS } from '../../src/vscode/history-store';
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

  it(`keeps at most the last ${PERSISTED_RECORDS} records on disk`, async () => {
    const store = new FileHistoryStore(folder, (message) => errors.push(message));
    store.save(ref, Array.from({ length: PERSISTED_RECORDS + 20 }, (_, i) => ({ ...scenarioRecord(2), invocation: i + 1 })));
    await store.flush();
    const loaded = new FileHistoryStore(folder, () => undefined).load(ref);
    assert.equal(loaded.length, PERSISTED_RECORDS);
    assert.equal(loaded[0].invocation, 21);
    assert.deepEqual(readdirSync(folder).filter((name) => name.endsWith('.tmp')), []);
  });

  it('drops tampered or corrupt files and records instead of trusting them', async () => {
    const store = new FileHistoryStore(folder, (message) => errors.push(message));
    store.save(ref, [scenarioRecord(1)]);
    await store.flush();
    const [file] = readdirSync(folder);
    const saved = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    saved.records.push({ invocation: 'two', logs: '<script>' });
    writeFileSync(join(folder, file), JSON.stringify(saved));
    assert.deepEqual(store.load(ref).map((record) => record.invocation), [1]);
    writeFileSync(join(folder, file), '{ not json');
    assert.deepEqual(store.load(ref), []);
    assert.equal(errors.length, 1);
  });
});
