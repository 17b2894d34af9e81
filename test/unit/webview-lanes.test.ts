import * as assert from 'node:assert/strict';
import type { CrossTalkFinding, InvocationRecord } from '../../src/core/model/snapshot';
import type { PanelState, TimelineEntry, WebviewToHostMessage } from '../../src/webview-protocol/panel';
import { growthOf, isHostToWebviewMessage, isInvocationRecord, isPanelState, toTimelineEntry } from '../../src/webview-protocol/panel';
import { laneCount, laneWindow, layoutLanes, neighbour } from '../../media/src/lanes';
import { renderPanel } from '../../media/src/panel-view';
import { managedFinding, managedRecords, managedRequestId, managedState } from '../../media/src/sample/managed-scenario';
import { scenarioRecord, scenarioState } from '../../media/src/sample/scenario';
import { click, createDom, type Dom, key, texts } from '../../media/src/sample/test-dom';

const XSS = '<img src=x onerror=alert(1)>';

/** Default-mode scale-out: #1 and #2 at once in two environments, #3 later warm in environment 0. */
function scaleOutRecords(): InvocationRecord[] {
  const at = (n: number, ms: number, environment: number, extra: Partial<InvocationRecord> = {}): InvocationRecord =>
    ({ ...scenarioRecord(n), startedAt: new Date(Date.parse('2026-12-02T10:00:00.000Z') + ms).toISOString(), environment, ...extra });
  return [
    at(1, 0, 0, { cold: true, initDurationMs: 40, durationMs: 20 }),
    at(2, 5, 1, { cold: true, initDurationMs: 42, durationMs: 18, generation: 2 }),
    at(3, 90, 0, { cold: false, initDurationMs: null, durationMs: 10 }),
  ];
}

function stateOf(records: InvocationRecord[]): PanelState {
  const latest = records[records.length - 1];
  return { ...scenarioState(0), timeline: records.map(toTimelineEntry), selected: latest, growth: growthOf(latest), estimate: null };
}

/** SVG elements have no click() in happy-dom: a real click event, as a mouse makes one. */
function press(target: Element): void {
  const view = target.ownerDocument.defaultView as unknown as { MouseEvent: typeof MouseEvent };
  target.dispatchEvent(new view.MouseEvent('click', { bubbles: true, cancelable: true }));
}

/** A bar's [start, end] as drawn, in % of the track. */
function extent(element: Element): [number, number] {
  const rects = Array.from(element.querySelectorAll('rect'), (rect) => [parseFloat(rect.getAttribute('x')!), parseFloat(rect.getAttribute('width')!)]);
  return [Math.min(...rects.map(([x]) => x)), Math.max(...rects.map(([x, w]) => x + w))];
}

function bar(root: HTMLElement, invocation: number): HTMLElement {
  const found = root.querySelector<HTMLElement>(`.ws-lane-bar[data-invocation="${invocation}"]`);
  assert.ok(found, `bar #${invocation}`);
  return found;
}

describe('webview lanes: the protocol', () => {
  const record = scenarioRecord(2);
  const finding = managedFinding(2, 1);

  it('accepts records with worker, overlapping and findings, and older records without them', () => {
    assert.equal(isInvocationRecord(record), true, 'no new fields');
    assert.equal(isInvocationRecord({ ...record, environment: 0, worker: 1, overlapping: ['a', 'b'], findings: [finding] }), true);
    assert.equal(isInvocationRecord({ ...record, worker: 0, overlapping: [], findings: [] }), true);
  });

  it('refuses each malformed new field', () => {
    const site = { requestId: 'r', line: 3 };
    const bad: Array<[string, unknown]> = [
      ['worker', -1], ['worker', 1.5], ['worker', '1'], ['worker', null],
      ['overlapping', 'r1'], ['overlapping', [1]], ['overlapping', [null]],
      ['findings', finding], ['findings', [null]], ['findings', [{ ...finding, kind: 'race' }]],
      ['findings', [{ ...finding, variable: 7 }]], ['findings', [{ ...finding, worker: -1 }]],
      ['findings', [{ ...finding, writer: undefined }]], ['findings', [{ ...finding, interloper: { ...site, line: 0 } }]],
      ['findings', [{ ...finding, reader: { ...site, line: 2.5 } }]], ['findings', [{ ...finding, reader: { line: 2 } }]],
    ];
    for (const [field, value] of bad) assert.equal(isInvocationRecord({ ...record, [field]: value }), false, `${field}: ${JSON.stringify(value)}`);
  });

  it('carries lanes and a findings count in timeline entries only when the record has them', () => {
    assert.deepEqual(Object.keys(toTimelineEntry(record)).filter((k) => ['environment', 'worker', 'findings'].includes(k)), []);
    const entry = toTimelineEntry({ ...record, environment: 2, worker: 1, findings: [finding, finding] });
    assert.deepEqual([entry.environment, entry.worker, entry.findings], [2, 1, 2]);
    const state = managedState();
    assert.equal(isPanelState(state), true);
    for (const bad of [{ worker: -1 }, { environment: 0.5 }, { findings: '1' }]) {
      const timeline: TimelineEntry[] = state.timeline.map((e, i) => (i === 0 ? ({ ...e, ...bad } as unknown as TimelineEntry) : e));
      assert.equal(isHostToWebviewMessage({ type: 'state', state: { ...state, timeline } }), false, JSON.stringify(bad));
    }
    assert.equal(isPanelState({ ...state, protocolVersion: 2 }), false, 'a panel of the previous protocol');
  });
});

describe('webview lanes: layout', () => {
  it('counts lanes by environment, and by worker in Managed Instances mode', () => {
    assert.equal(laneCount(scenarioState(3).timeline), 1);
    assert.equal(laneCount(stateOf(scaleOutRecords()).timeline), 2);
    assert.equal(laneCount(managedState().timeline), 2);
    assert.equal(layoutLanes(scenarioState(3).timeline, 3), null, 'one lane: no lanes view');
    const deployed: TimelineEntry = { ...scenarioState(3).timeline[2], invocation: 4, source: 'deployed', environment: 3 };
    assert.equal(layoutLanes([...scenarioState(3).timeline, deployed], 4), null, 'a deployed invocation is in no local lane');
    const layout = layoutLanes([...stateOf(scaleOutRecords()).timeline, deployed], 4)!;
    assert.deepEqual(layout.lanes.map((lane) => lane.bars.map((b) => b.invocation)), [[1, 3], [2]]);
  });

  it('stacks invocations in flight together in one lane and draws init before the run', () => {
    const layout = layoutLanes(managedState().timeline, 16)!;
    assert.deepEqual(layout.lanes.map((lane) => [lane.name, lane.bars.length, lane.rows]), [
      ['environment 0, worker 0', 8, 4],
      ['environment 0, worker 1', 8, 4],
    ]);
    assert.equal(layout.maxInFlight, 8);
    const first = layout.lanes[0].bars[0];
    assert.equal(first.invocation, 1);
    assert.ok(first.x < first.runX && first.runX < first.end, 'init segment, then the run');
    const selected = layout.lanes[1].bars.find((b) => b.selected)!;
    assert.equal(selected.invocation, 16);
    assert.equal(selected.findings, 1);
    const overlapping = layout.lanes.flatMap((lane) => lane.bars).filter((b) => b.overlapsSelected).map((b) => b.invocation).sort((a, b) => a - b);
    assert.deepEqual(overlapping, [9, 10, 11, 12, 13, 14, 15]);
    assert.equal(layout.breaks.length, 1, 'the idle time between the two waves is cut out');
  });

  it('draws a window of the history around the selection', () => {
    const entries = Array.from({ length: 200 }, (_, i) => ({ invocation: i + 1 }));
    assert.deepEqual(laneWindow(entries, null, 10).map((e) => e.invocation), [191, 192, 193, 194, 195, 196, 197, 198, 199, 200]);
    assert.deepEqual(laneWindow(entries, 50, 10).map((e) => e.invocation)[0], 45);
    assert.deepEqual(laneWindow(entries, 2, 10).map((e) => e.invocation)[0], 1);
  });

  it('moves along a lane with Left/Right and between lanes with Up/Down', () => {
    const layout = layoutLanes(managedState().timeline, 16)!;
    assert.equal(neighbour(layout, 1, 'ArrowRight'), 3);
    assert.equal(neighbour(layout, 1, 'ArrowLeft'), null);
    assert.equal(neighbour(layout, 1, 'ArrowDown'), 2);
    assert.equal(neighbour(layout, 2, 'ArrowUp'), 1);
    assert.equal(neighbour(layout, 3, 'End'), 16);
  });
});

describe('webview lanes: the panel', () => {
  let dom: Dom;
  let posted: WebviewToHostMessage[];
  beforeEach(() => {
    dom = createDom();
    posted = [];
  });
  afterEach(() => dom.close());

  it('shows no lanes for the default mode with one environment', () => {
    renderPanel(dom.root, scenarioState(3), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-lanes'), null);
    assert.equal(dom.root.querySelector('.ws-lanes-area')?.childNodes.length, 0);
    assert.equal(dom.root.querySelector('.ws-scope-module .ws-section-title')?.textContent, 'Module scope');
    assert.match(dom.root.querySelector('.ws-growth strong')?.textContent ?? '', /^arrayB keeps growing across warm invocations$/);
  });

  it('draws scale-out environments as lanes with overlapping bars', () => {
    renderPanel(dom.root, stateOf(scaleOutRecords()), undefined, (m) => posted.push(m));
    assert.deepEqual(texts(dom.root.querySelectorAll('.ws-lane-label[id]')), ['environment 0', 'environment 1']);
    assert.equal(dom.root.querySelectorAll('.ws-lane-bar').length, 3);
    assert.equal(dom.root.querySelectorAll('.ws-lane-init').length, 2, 'both cold starts show their init');
    const [one, two] = [extent(bar(dom.root, 1)), extent(bar(dom.root, 2))];
    assert.ok(two[0] < one[1] && one[0] < two[1], `#1 ${one} and #2 ${two} overlap on the shared axis`);
    assert.ok(extent(bar(dom.root, 3))[0] >= one[1], '#3 starts after #1 ended');
    assert.ok(bar(dom.root, 3).classList.contains('is-selected'), 'the latest is selected');
    assert.equal(bar(dom.root, 3).getAttribute('aria-current'), 'true');
    assert.match(bar(dom.root, 1).getAttribute('aria-label') ?? '', /^#1, invocation 1 in environment 0, cold start, init 40\.0 ms, duration 20\.0 ms$/);
  });

  it('shows 2 workers x 4 in flight, the selected bar highlighted and its finding counted', () => {
    renderPanel(dom.root, managedState(), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelectorAll('.ws-lane').length, 2);
    assert.equal(dom.root.querySelectorAll('.ws-lane-bar').length, 16);
    assert.deepEqual(Array.from(dom.root.querySelectorAll('.ws-lane-bar.is-selected'), (b) => b.getAttribute('data-invocation')), ['16']);
    assert.equal(dom.root.querySelectorAll('.ws-lane-bar.is-overlapping').length, 7);
    assert.deepEqual(texts(dom.root.querySelectorAll('.ws-lane-badge text')), ['1']);
    assert.match(bar(dom.root, 16).getAttribute('aria-label') ?? '', /1 cross-talk finding/);
    assert.equal(dom.root.querySelector('.ws-lanes-summary')?.textContent, '1 environment · 2 workers · up to 8 in flight');
    assert.equal(dom.root.querySelectorAll('.ws-lane-bar[tabindex="0"]').length, 1, 'one bar in the tab order');
    assert.equal(bar(dom.root, 16).getAttribute('tabindex'), '0');
  });

  it('selects an invocation by clicking its bar or pressing Enter on it', () => {
    renderPanel(dom.root, managedState(), undefined, (m) => posted.push(m));
    press(bar(dom.root, 3));
    assert.deepEqual(posted.at(-1), { type: 'selectInvocation', invocation: 3 });
    assert.ok(bar(dom.root, 3).classList.contains('is-selected'));
    assert.ok(dom.root.querySelector('#ws-inv-3')?.classList.contains('is-selected'), 'the timeline follows');
    const five = bar(dom.root, 5);
    five.focus();
    key(five, 'Enter');
    assert.ok(bar(dom.root, 5).classList.contains('is-selected'), 'Enter selects');
    assert.equal(dom.document.activeElement?.getAttribute('data-invocation'), '5', 'focus stays on the bar after the re-render');
    key(bar(dom.root, 5), 'ArrowRight');
    assert.equal(dom.document.activeElement?.getAttribute('data-invocation'), '7', 'arrows move the focus, not the selection');
    assert.ok(bar(dom.root, 5).classList.contains('is-selected'));
  });

  it('labels the module scope and the growth warning with the worker', () => {
    renderPanel(dom.root, managedState(), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-scope-module .ws-section-title')?.textContent, 'Module scope — environment 0, worker 1');
    assert.equal(dom.root.querySelector('.ws-growth strong')?.textContent, 'seen keeps growing in environment 0, worker 1 across warm invocations');
  });

  it('lists cross-talk findings with the three sites and go-to-line into the handler file', () => {
    const state = managedState();
    renderPanel(dom.root, state, undefined, (m) => posted.push(m));
    const section = dom.root.querySelector('.ws-findings-section');
    assert.ok(section, 'findings section');
    assert.equal(section.querySelector('.ws-finding-variable')?.textContent, 'state.currentUser');
    assert.equal(section.querySelector('.ws-finding-worker')?.textContent, 'worker 1');
    const sites = Array.from(section.querySelectorAll('.ws-finding-site'), (li) => li.textContent?.replace(/\s+/g, ' ').trim());
    assert.deepEqual(sites, [
      `written by ${managedRequestId(16)} · line 9`,
      `overwritten meanwhile by ${managedRequestId(14)} · line 9`,
      `read back by ${managedRequestId(16)} · line 12`,
    ]);
    const links = Array.from(section.querySelectorAll<HTMLElement>('.ws-source-link'));
    links.forEach((link) => click(link));
    assert.deepEqual(posted.filter((m) => m.type === 'openSource'), [9, 9, 12].map((line) => ({ type: 'openSource', file: state.handler.file, line })));
  });

  it('shows a hostile variable name as text', () => {
    const records = managedRecords();
    const latest = records[records.length - 1];
    const hostile: CrossTalkFinding = { ...latest.findings![0], variable: XSS };
    records[records.length - 1] = { ...latest, findings: [hostile] };
    renderPanel(dom.root, stateOf(records), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-finding-variable')?.textContent, XSS);
    assert.equal(dom.root.querySelector('img'), null, 'no element made from it');
    assert.match(dom.root.querySelector('.ws-finding-site .ws-source-link')?.getAttribute('aria-label') ?? '', /^<img src=x onerror=alert\(1\)> written by/);
  });

  it('shows no findings section for an invocation without findings', () => {
    const records = managedRecords();
    renderPanel(dom.root, stateOf(records.slice(0, 15)), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-findings-section'), null);
    assert.equal(dom.root.querySelectorAll('.ws-lane-badge').length, 0);
  });
});
