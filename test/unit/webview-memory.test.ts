import * as assert from 'node:assert/strict';
import type { InvocationRecord, ModuleVariable, PendingWork } from '../../src/core/model/snapshot';
import type { PanelState, WebviewToHostMessage } from '../../src/webview-protocol/panel';
import { growthOf, isHostToWebviewMessage, isInvocationRecord, isWebviewToHostMessage, ranInNextInvocation, toTimelineEntry } from '../../src/webview-protocol/panel';
import { allowedSourceLink, buildPanelState } from '../../src/vscode/panel-state';
import { displaySite, estimateText, initProfileRows, initProfileTitle, parseSite, pendingRows, pendingStatus, retainedText, workspaceRootOf } from '../../media/src/memory-view';
import { renderPanel } from '../../media/src/panel-view';
import { scenarioRecord, scenarioState } from '../../media/src/sample/scenario';
import { click, createDom, type Dom, texts } from '../../media/src/sample/test-dom';

const HANDLER = '/work/examples/freeze-demo/handler.js';
const TIMER: PendingWork = { kind: 'timer', createdAt: `${HANDLER}:9` };
const INTERVAL: PendingWork = { kind: 'interval', createdAt: `${HANDLER}:12` };

/** The scenario's invocation `n` with memory truth: arrayB measured, a timer left pending, the init profile on the cold one. */
function memoryRecord(n: number, extra: Partial<InvocationRecord> = {}): InvocationRecord {
  const base = scenarioRecord(n);
  const moduleScope = base.moduleScope.map((variable): ModuleVariable => variable.name === 'arrayB'
    ? { ...variable, retainedBytes: 1258291, sharedWith: ['alias'], retainedSeries: [{ invocation: n - 1, bytes: 1245983 }, { invocation: n, bytes: 1258291 }] }
    : variable);
  return {
    ...base,
    moduleScope,
    pendingAtFreeze: [TIMER],
    ...(n > 1 ? { pendingRan: [TIMER] } : {}),
    ...(base.cold ? { initProfile: [{ what: "require('./db')", line: 3, ms: 12 }, { what: 'const table = build()', line: 5, ms: 410.4 }] } : {}),
    memoryEstimate: { invocationsLeft: 5980, bytesPerInvocation: 12308, basis: 'retained' },
    ...extra,
  };
}

function stateOf(records: InvocationRecord[]): PanelState {
  const latest = records[records.length - 1];
  return { ...scenarioState(0), timeline: records.map(toTimelineEntry), selected: latest, growth: growthOf(latest), estimate: latest.memoryEstimate ?? null };
}

describe('webview memory truth: view models', () => {
  it('says what a variable retains and with whom it shares it, nothing before a measurement', () => {
    assert.equal(retainedText({ retainedBytes: 1258291, sharedWith: ['a', 'b'] }), 'retains 1.2 MB, shared with a, b');
    assert.equal(retainedText({ retainedBytes: 48, sharedWith: [] }), 'retains 48 B');
    assert.equal(retainedText({}), null);
  });

  it('labels the invocations left as an estimate, and shows none without a trend', () => {
    assert.equal(estimateText({ invocationsLeft: 5980, bytesPerInvocation: 12308, basis: 'heap' }, 128), 'invocations left: 5,980 before 128 MB (an estimate)');
    assert.equal(estimateText({ invocationsLeft: null, bytesPerInvocation: 10, basis: 'heap' }, 128), null);
    assert.equal(estimateText(null, 128), null);
  });

  it('splits a site at its last colon (a Windows drive keeps its own)', () => {
    assert.deepEqual(parseSite('/w/handler.js:9'), { file: '/w/handler.js', line: 9 });
    assert.deepEqual(parseSite('C:\\w\\handler.js:12'), { file: 'C:\\w\\handler.js', line: 12 });
    assert.equal(parseSite('handler.js'), null);
    assert.equal(parseSite('/w/handler.js:0'), null);
    assert.equal(parseSite(':4'), null);
  });

  it('shows sites relative to the workspace when they are inside it', () => {
    const root = workspaceRootOf({ file: '/w/project/api/handler.js', relativePath: 'api/handler.js' });
    assert.equal(root, '/w/project/');
    assert.equal(displaySite('/w/project/api/handler.js:19', root), 'api/handler.js:19');
    assert.equal(displaySite('/elsewhere/lib.js:3', root), '/elsewhere/lib.js:3');
    assert.equal(workspaceRootOf({ file: 'C:\\w\\api\\handler.js', relativePath: 'api/handler.js' }), 'C:\\w\\');
    assert.equal(workspaceRootOf({ file: '/outside/handler.js' }), null);
  });

  it('marks which pending work ran in the next invocation, each run matched once', () => {
    const left = [TIMER, TIMER, INTERVAL];
    assert.deepEqual(pendingRows(left, [TIMER]).map((row) => row.ran), [true, false, false]);
    assert.deepEqual(pendingRows(left, [TIMER, INTERVAL, TIMER]).map((row) => row.ran), [true, true, true]);
    assert.deepEqual(pendingRows(left, null).map((row) => row.ran), [null, null, null]);
    assert.equal(pendingStatus(true), 'ran in the next invocation');
    assert.equal(pendingStatus(false), 'did not run in the next invocation');
  });

  it('ranks the init profile slowest first with each statement’s share of the init time', () => {
    const rows = initProfileRows([{ what: 'a', line: 1, ms: 10 }, { what: 'b', line: 2, ms: 30 }], 80);
    assert.deepEqual(rows.map((row) => [row.rank, row.what, row.share]), [[1, 'b', 0.375], [2, 'a', 0.125]]);
    assert.equal(initProfileTitle(480, []), 'Where the 480 ms of init went');
    assert.equal(initProfileTitle(null, [{ what: 'a', line: 1, ms: 10 }]), 'Where the 10.0 ms of init went');
  });
});

describe('webview memory truth: the panel', () => {
  let dom: Dom;
  let posted: WebviewToHostMessage[];
  beforeEach(() => {
    dom = createDom();
    posted = [];
  });
  afterEach(() => dom.close());

  it('shows retained bytes and sharing on the module rows, and the measurement’s cost', () => {
    renderPanel(dom.root, stateOf([memoryRecord(1), memoryRecord(2), memoryRecord(3)]), undefined, (m) => posted.push(m));
    assert.deepEqual(texts(dom.root.querySelectorAll('.ws-scope-module .ws-retained')), ['retains 1.2 MB, shared with alias']);
    assert.match(dom.root.querySelector('.ws-metrics')?.textContent ?? '', /^(?!.*Retained measured)/s, 'no cost without a measurement');
  });

  it('renders the growth warning in units with the invocations left', () => {
    renderPanel(dom.root, stateOf([memoryRecord(1), memoryRecord(2), memoryRecord(3)]), undefined, (m) => posted.push(m));
    const growth = dom.root.querySelector('.ws-growth')?.textContent ?? '';
    assert.match(growth, /arrayB:.* 3 items, \+1 per invocation, retains 1\.2 MB, \+12 KB per invocation/);
    assert.equal(dom.root.querySelector('.ws-estimate')?.textContent, 'invocations left: 5,980 before 128 MB (an estimate)');
  });

  it('shows an estimate alone when memory rises without a growing variable', () => {
    const record = { ...scenarioRecord(2), memoryEstimate: { invocationsLeft: 40, bytesPerInvocation: 2e6, basis: 'heap' as const } };
    renderPanel(dom.root, stateOf([scenarioRecord(1), record]), undefined, (m) => posted.push(m));
    assert.match(dom.root.querySelector('.ws-growth')?.textContent ?? '', /Memory keeps rising/);
    assert.equal(dom.root.querySelector('.ws-estimate')?.textContent, 'invocations left: 40 before 128 MB (an estimate)');
  });

  it('lists pending work at freeze with go-to-line, and what ran here from an earlier invocation', () => {
    renderPanel(dom.root, stateOf([memoryRecord(1), memoryRecord(2)]), undefined, (m) => posted.push(m));
    const section = dom.root.querySelector('.ws-pending-section')!;
    assert.ok(section, 'pending section shown');
    const items = Array.from(section.querySelectorAll('.ws-pending-item'));
    assert.equal(items.length, 2, 'left pending here, and ran here');
    assert.match(items[0].textContent ?? '', /^timer examples\/freeze-demo\/handler\.js:9 still pending: the next invocation tells/);
    assert.match(section.querySelector('.ws-pending-ran-here')?.textContent ?? '', /ran during this one:.*timer/);
    click(items[0].querySelector('.ws-source-link')!);
    assert.deepEqual(posted.at(-1), { type: 'openSource', file: HANDLER, line: 9 });
  });

  it('asks the host what ran after an earlier record with pending work, and shows it', () => {
    const panel = renderPanel(dom.root, stateOf([memoryRecord(1), memoryRecord(2)]), undefined, (m) => posted.push(m));
    click(dom.root.querySelectorAll('[role="option"]')[1]);
    assert.deepEqual(posted.at(-1), { type: 'selectInvocation', invocation: 1 });
    panel.receive({ type: 'detail', invocation: 1, record: memoryRecord(1), ranNext: [TIMER] });
    assert.match(dom.root.querySelector('.ws-pending-item')?.textContent ?? '', /ran in the next invocation/);
  });

  it('ranks the cold start’s init profile under its init time, each row going to its line', () => {
    const record = { ...memoryRecord(1), initDurationMs: 480 };
    renderPanel(dom.root, stateOf([record]), undefined, (m) => posted.push(m));
    const section = dom.root.querySelector('.ws-init-section')!;
    assert.match(section.querySelector('.ws-section-title')?.textContent ?? '', /Where the 480 ms of init went/);
    assert.deepEqual(texts(section.querySelectorAll('.ws-init-what')), ['const table = build()', "require('./db')"]);
    click(section.querySelectorAll('.ws-source-link')[0]);
    assert.deepEqual(posted.at(-1), { type: 'openSource', file: '/work/examples/freeze-demo/handler.js', line: 5 });
    assert.match(section.querySelector('.ws-init-outside')?.textContent ?? '', /^57\.6 ms outside the module's top-level statements/);
    assert.equal(dom.root.querySelector('[href], img, script'), null, 'text only');
  });

  it('keeps the init profile of warm records hidden (it belongs to the cold start)', () => {
    renderPanel(dom.root, stateOf([memoryRecord(1), { ...memoryRecord(2), initProfile: [{ what: 'x', line: 1, ms: 1 }] }]), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-init-section'), null);
  });

  it('rebuilds the latest record when a measurement adds retained bytes to it', () => {
    const before = scenarioRecord(3);
    const panel = renderPanel(dom.root, stateOf([scenarioRecord(1), scenarioRecord(2), before]), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-retained'), null);
    const measured = { ...memoryRecord(3), retained: { snapshotMs: 120, analysisMs: 300, snapshotBytes: 4e6, heapObjects: 30000 } };
    panel.setState(stateOf([scenarioRecord(1), scenarioRecord(2), measured]));
    assert.equal(dom.root.querySelector('.ws-retained')?.textContent, 'retains 1.2 MB, shared with alias');
    assert.match(dom.root.querySelector('.ws-metrics')?.textContent ?? '', /Retained measured.*child paused 120 ms/);
  });

  it('says when Max Memory Used is over the memory size (Lambda would have run out of memory), and not before', () => {
    renderPanel(dom.root, stateOf([scenarioRecord(1), scenarioRecord(2), { ...memoryRecord(3), maxMemoryUsedMB: 248, memorySizeMB: 128 }]), undefined, (m) => posted.push(m));
    const warning = dom.root.querySelector('.ws-metric-warning')?.textContent ?? '';
    assert.match(warning, /^Over the memory size.*Max Memory Used 248 MB is over the 128 MB memory size: on Lambda this environment would have run out of memory/);
    renderPanel(dom.root, stateOf([scenarioRecord(1), scenarioRecord(2), { ...memoryRecord(3), maxMemoryUsedMB: 128, memorySizeMB: 128 }]), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-metric-warning'), null, 'at the memory size is not over it');
  });

  it('shows the measurement in progress on the button and disables it', () => {
    const panel = renderPanel(dom.root, scenarioState(3), undefined, (m) => posted.push(m));
    const button = dom.root.querySelector<HTMLButtonElement>('.ws-button-measure')!;
    assert.equal(button.disabled, false);
    panel.setState({ ...scenarioState(3), busy: 'measure-retained' });
    assert.equal(button.textContent, 'Measuring…');
    assert.equal(button.disabled, true);
    panel.setState({ ...scenarioState(3), environment: { ...scenarioState(3).environment, state: 'cold' } });
    assert.equal(button.disabled, true, 'nothing warm to measure');
  });
});

describe('webview memory truth: protocol', () => {
  it('accepts the new messages and drops malformed ones', () => {
    assert.equal(isWebviewToHostMessage({ type: 'measureRetained' }), true);
    assert.equal(isWebviewToHostMessage({ type: 'openSource', file: HANDLER, line: 5 }), true);
    for (const bad of [{ file: HANDLER, line: 0 }, { file: HANDLER, line: 1.5 }, { file: '', line: 1 }, { file: 3, line: 1 }, { file: HANDLER }]) {
      assert.equal(isWebviewToHostMessage({ type: 'openSource', ...bad }), false, JSON.stringify(bad));
    }
    assert.equal(isHostToWebviewMessage({ type: 'detail', invocation: 1, record: memoryRecord(1), ranNext: [TIMER] }), true);
    assert.equal(isHostToWebviewMessage({ type: 'detail', invocation: 1, record: memoryRecord(1), ranNext: [{ kind: 'eval', createdAt: 'x' }] }), false);
  });

  it('validates the memory fields of records', () => {
    assert.equal(isInvocationRecord(memoryRecord(1)), true);
    for (const bad of [{ pendingAtFreeze: [{ kind: 'timer' }] }, { pendingRan: 'x' }, { initProfile: [{ what: 'a', line: '1', ms: 1 }] }, { memoryEstimate: { invocationsLeft: 'many', bytesPerInvocation: 1, basis: 'heap' } }, { retained: { snapshotMs: 1 } }]) {
      assert.equal(isInvocationRecord({ ...memoryRecord(1), ...bad }), false, JSON.stringify(bad));
    }
  });

  it('finds what ran in the next invocation of the same environment', () => {
    const history = [memoryRecord(1), memoryRecord(2), { ...memoryRecord(3), generation: 2, pendingRan: [INTERVAL] }];
    assert.deepEqual(ranInNextInvocation(history, 1), [TIMER]);
    assert.deepEqual(ranInNextInvocation(history, 2), [], 'the environment ended in between: nothing ran');
    assert.equal(ranInNextInvocation(history, 3), null, 'no next invocation yet');
    const pooled = [memoryRecord(1), { ...memoryRecord(2), environment: 1 }, memoryRecord(3)];
    assert.deepEqual(ranInNextInvocation(pooled, 1), [TIMER], 'skips another environment’s invocation');
  });

  it('puts the latest estimate in the panel state', () => {
    const history = [memoryRecord(1), memoryRecord(2)];
    const state = buildPanelState({ handler: scenarioState(0).handler, status: undefined, history, settings: null, eventName: null, busy: null, errors: [] });
    assert.deepEqual(state.estimate, { invocationsLeft: 5980, bytesPerInvocation: 12308, basis: 'retained' });
  });
});

describe('extension: go-to-line targets', () => {
  it('opens the handler file or a workspace file, never one outside', () => {
    const roots = ['/w/project'];
    assert.deepEqual(allowedSourceLink('/elsewhere/handler.js', 3, '/elsewhere/handler.js', roots), { file: '/elsewhere/handler.js', line: 3 });
    assert.deepEqual(allowedSourceLink('/w/project/lib/db.js', 7, '/w/project/handler.js', roots), { file: '/w/project/lib/db.js', line: 7 });
    assert.equal(allowedSourceLink('/w/project/../secrets.txt', 1, '/w/project/handler.js', roots), null);
    assert.equal(allowedSourceLink('/w/project-other/x.js', 1, '/w/project/handler.js', roots), null);
    assert.equal(allowedSourceLink('/w/project', 1, '/w/project/handler.js', roots), null, 'the folder itself is no file');
    assert.equal(allowedSourceLink('lib/db.js', 1, '/w/project/handler.js', roots), null, 'relative paths are refused');
    assert.equal(allowedSourceLink('/w/project/a.js', 0, '/w/project/handler.js', roots), null);
  });
});
