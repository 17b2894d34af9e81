import * as assert from 'node:assert/strict';
import type { InvocationRecord, ModuleVariable, ValueNode } from '../../src/core/model/snapshot';
import type { PanelState, PanelUiState, TimelineEntry, WebviewToHostMessage } from '../../src/webview-protocol/panel';
import { emptyUiState, growthOf, toTimelineEntry } from '../../src/webview-protocol/panel';
import { renderPanel } from '../../media/src/panel-view';
import { ROW_HEIGHT } from '../../media/src/timeline';
import { scenarioRecord, scenarioState } from '../../media/src/sample/scenario';
import { click, createDom, type Dom, key, texts } from '../../media/src/sample/test-dom';

const XSS = '<img src=x onerror=alert(1)>';

function str(value: string): ValueNode {
  return { type: 'string', value, length: value.length, truncated: false };
}

function stateWith(record: InvocationRecord, timeline: TimelineEntry[] = [toTimelineEntry(record)]): PanelState {
  return { ...scenarioState(0), timeline, selected: record, growth: growthOf(record) };
}

function moduleTree(root: HTMLElement): HTMLElement {
  const tree = root.querySelector<HTMLElement>('[role="tree"][aria-label="Module scope variables"]');
  assert.ok(tree, 'module scope tree rendered');
  return tree;
}

function rootItems(tree: Element): HTMLElement[] {
  return Array.from(tree.querySelectorAll<HTMLElement>(':scope > [role="treeitem"][aria-level="1"]'));
}

/** Rows below `item` (the tree is flat: descendants follow their parent with a higher aria-level). */
function descendantsOf(item: Element): HTMLElement[] {
  const level = Number(item.getAttribute('aria-level'));
  const out: HTMLElement[] = [];
  let next = item.nextElementSibling;
  while (next && Number(next.getAttribute('aria-level')) > level) {
    out.push(next as HTMLElement);
    next = next.nextElementSibling;
  }
  return out;
}

function childrenOfItem(item: Element): HTMLElement[] {
  const level = Number(item.getAttribute('aria-level')) + 1;
  return descendantsOf(item).filter((child) => Number(child.getAttribute('aria-level')) === level);
}

function itemNamed(tree: Element, name: string): HTMLElement {
  const item = rootItems(tree).find((li) => li.querySelector('.ws-name')?.textContent === name);
  assert.ok(item, `tree item ${name}`);
  return item;
}

describe('webview panel: the motivating scenario', () => {
  let dom: Dom;
  let posted: WebviewToHostMessage[];
  beforeEach(() => {
    dom = createDom();
    posted = [];
  });
  afterEach(() => dom.close());

  it('shows module scope and handler scope apart, with values, kinds and change badges', () => {
    renderPanel(dom.root, scenarioState(3), undefined, (m) => posted.push(m));
    const sections = Array.from(dom.root.querySelectorAll('.ws-scope'));
    const titles = sections.map((s) => s.querySelector('.ws-section-toggle')?.textContent ?? '');
    assert.ok(titles[0].includes('Module scope') && titles[0].includes('survives warm invocations'), titles[0]);
    assert.ok(titles[1].includes('Handler scope') && titles[1].includes('recreated every invocation'), titles[1]);

    const moduleItems = rootItems(moduleTree(dom.root));
    assert.deepEqual(moduleItems.map((li) => li.querySelector('.ws-name')?.textContent), ['arrayA', 'arrayB']);
    const handlerTree = dom.root.querySelector('[role="tree"][aria-label="Handler scope variables"]')!;
    assert.deepEqual(rootItems(handlerTree).map((li) => li.querySelector('.ws-name')?.textContent), ['arrayC', 'arrayD']);

    const arrayB = itemNamed(moduleTree(dom.root), 'arrayB');
    assert.equal(arrayB.querySelector('.ws-value')?.textContent, 'Array(3) ["B", "B", "B"]');
    assert.equal(arrayB.querySelector('.ws-kind')?.textContent, 'var');
    assert.equal(arrayB.querySelector('.ws-change')?.textContent, 'changed');
    assert.ok(arrayB.querySelector('.ws-growing'), 'arrayB flagged as growing in the tree');
    assert.equal(arrayB.textContent, 'var arrayB: Array(3) ["B", "B", "B"] changed growing (sizes 1 → 2 → 3)', 'accessible name from the row text');
    assert.equal(arrayB.hasAttribute('aria-label'), false);
    assert.equal(itemNamed(moduleTree(dom.root), 'arrayA').querySelector('.ws-value')?.textContent, 'Array(0) []');
    assert.equal(itemNamed(handlerTree, 'arrayD').querySelector('.ws-value')?.textContent, 'Array(1) ["D"]');
    assert.equal(itemNamed(handlerTree, 'arrayC').querySelector('.ws-value')?.textContent, 'Array(0) []');

    // Parameters are listed apart and collapsed: their tree is not even built yet.
    const parameters = dom.root.querySelector('.ws-scope-parameters')!;
    assert.equal(parameters.querySelector('.ws-section-toggle')?.getAttribute('aria-expanded'), 'false');
    assert.equal(parameters.querySelector('[role="tree"]'), null);
    click(parameters.querySelector('.ws-section-toggle')!);
    assert.deepEqual(rootItems(parameters.querySelector('[role="tree"]')!).map((li) => li.querySelector('.ws-name')?.textContent), ['event', 'context', 'callback']);
  });

  it('warns that arrayB keeps growing, in items, with its item series as a sparkline', () => {
    renderPanel(dom.root, scenarioState(3), undefined, (m) => posted.push(m));
    const growth = dom.root.querySelector('.ws-growth');
    assert.ok(growth, 'growth warning shown');
    assert.match(growth.textContent ?? '', /arrayB keeps growing across warm invocations/);
    assert.match(growth.textContent ?? '', /arrayB:.* 3 items, \+1 per invocation/);
    const spark = growth.querySelector('svg.ws-sparkline')!;
    assert.equal(spark.getAttribute('aria-label'), 'arrayB items: 1 → 2 → 3');
    const points = spark.querySelector('polyline')!.getAttribute('points')!.split(' ');
    assert.equal(points.length, 3);
    const ys = points.map((p) => Number(p.split(',')[1]));
    assert.ok(ys[0] > ys[1] && ys[1] > ys[2], `rising line, got y ${ys.join(',')}`);
  });

  it('shows no growth warning after the first invocation, and marks every variable added', () => {
    renderPanel(dom.root, scenarioState(1), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-growth'), null);
    assert.deepEqual(texts(moduleTree(dom.root).querySelectorAll('.ws-change')), ['added', 'added']);
    assert.equal(itemNamed(moduleTree(dom.root), 'arrayB').querySelector('.ws-value')?.textContent, 'Array(1) ["B"]');
    assert.ok(dom.root.querySelector('.ws-detail-title')?.textContent?.includes('cold start'));
  });

  it('renders the header, timeline, memory chart, response and logs', () => {
    renderPanel(dom.root, scenarioState(3), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-title')?.textContent, 'handler.test');
    assert.equal(dom.root.querySelector('.ws-env')?.textContent, 'Warm · frozen');
    const facts = dom.root.querySelector('.ws-facts')?.textContent ?? '';
    assert.match(facts, /Node v20\.20\.2/);
    assert.match(facts, /3 invocations/);

    const rows = Array.from(dom.root.querySelectorAll('[role="option"]'));
    assert.deepEqual(rows.map((r) => r.querySelector('.ws-tl-number')?.textContent), ['#3', '#2', '#1']);
    assert.deepEqual(rows.map((r) => r.querySelector('.ws-badge')?.textContent), ['warm', 'warm', 'cold']);
    assert.equal(rows[0].getAttribute('aria-selected'), 'true');
    assert.equal(rows[2].querySelector('.ws-tl-init')?.textContent, '38.6 ms');
    assert.equal(rows[0].textContent, '#3, warm, 1.41 ms, max memory 55 MB, growing: arrayB', 'accessible name from the row text');
    assert.equal(rows[2].textContent, '#1, cold, 4.81 ms, init 38.6 ms, max memory 53 MB');

    const chart = dom.root.querySelector('svg.ws-memory-chart')!;
    assert.equal(chart.querySelector('.ws-line-used')!.getAttribute('points')!.split(' ').length, 3);
    assert.equal(chart.querySelector('.ws-line-heap')!.getAttribute('points')!.split(' ').length, 3);

    assert.equal(dom.root.querySelector('.ws-response')?.textContent, 'null');
    assert.match(dom.root.querySelector('.ws-log')?.textContent ?? '', /Array B: \[ 'B', 'B', 'B' \]/);
  });

  it("says when a cold start's billed time includes its init, as Lambda bills it since August 2025", () => {
    const billedOf = () => {
      const terms = Array.from(dom.root.querySelectorAll('.ws-metrics dt'));
      return terms.find((term) => term.textContent === 'Billed')?.nextElementSibling?.textContent;
    };
    const cold = scenarioRecord(1);
    renderPanel(dom.root, stateWith(cold), undefined, (m) => posted.push(m));
    assert.equal(billedOf(), `${Math.ceil(cold.durationMs + (cold.initDurationMs ?? 0))} ms, init included`);
    renderPanel(dom.root, stateWith(scenarioRecord(2)), undefined, (m) => posted.push(m));
    assert.equal(billedOf(), '2 ms');
  });

  it('posts typed messages from the toolbar and disables it while busy', () => {
    const panel = renderPanel(dom.root, scenarioState(3), undefined, (m) => posted.push(m));
    const buttons = Array.from(dom.root.querySelectorAll<HTMLButtonElement>('.ws-toolbar button'));
    assert.deepEqual(buttons.map((b) => b.textContent), ['Invoke Warm', 'Cold Start', 'Reset', 'Measure retained', 'Event: {}', 'Output']);
    buttons.forEach(click);
    assert.deepEqual(posted, [
      { type: 'invoke', cold: false },
      { type: 'invoke', cold: true },
      { type: 'reset' },
      { type: 'measureRetained' },
      { type: 'selectEvent' },
      { type: 'openOutput' },
    ]);
    panel.setState({ ...scenarioState(3), busy: 'invoke-warm', environment: { ...scenarioState(3).environment, state: 'invoking', frozen: false } });
    assert.ok(buttons.slice(0, 5).every((b) => b.disabled));
    assert.equal(dom.root.querySelector('.ws-env')?.textContent, 'Invoking…');
  });

  it('announces a new invocation in a live region and follows it', () => {
    const panel = renderPanel(dom.root, scenarioState(2), undefined, (m) => posted.push(m));
    const live = dom.root.querySelector('[role="status"][aria-live="polite"]')!;
    assert.equal(live.textContent, '');
    panel.setState(scenarioState(3));
    assert.equal(live.textContent, 'Invocation 3 finished, warm, 1.41 ms, 1 module variable growing: arrayB.');
    assert.ok(dom.root.querySelector('.ws-detail-title')?.textContent?.startsWith('Invocation #3'));
  });

  it('shows an error response with its type, message and trace, and marks it in the timeline', () => {
    const record: InvocationRecord = {
      ...scenarioRecord(1),
      error: { errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'x')", trace: ['TypeError: boom', '    at handler (/var/task/handler.js:3:9)'] },
      response: null,
    };
    renderPanel(dom.root, stateWith(record), undefined, (m) => posted.push(m));
    assert.equal(dom.root.querySelector('.ws-error-type')?.textContent, 'TypeError');
    assert.equal(dom.root.querySelector('.ws-error-message')?.textContent, "Cannot read properties of undefined (reading 'x')");
    assert.match(dom.root.querySelector('.ws-trace')?.textContent ?? '', /at handler \(\/var\/task\/handler.js:3:9\)/);
    assert.ok(dom.root.querySelector('[role="option"].is-error .ws-mark-error'));
  });

  it('shows host errors in an alert once, without re-announcing them on unrelated updates', () => {
    const panel = renderPanel(dom.root, { ...scenarioState(3), errors: [{ message: 'events/bad.json is not valid JSON', detail: 'Unexpected token } at 42' }] }, undefined, () => {});
    const alert = dom.root.querySelector('[role="alert"]')!;
    assert.match(alert.textContent ?? '', /events\/bad.json is not valid JSON/);
    const shown = alert.firstElementChild;
    panel.setState({ ...scenarioState(3), busy: 'invoke-warm', errors: [{ message: 'events/bad.json is not valid JSON', detail: 'Unexpected token } at 42' }] });
    assert.equal(alert.firstElementChild, shown, 'same node kept');
    panel.setState(scenarioState(3));
    assert.equal(alert.textContent, '');
  });

  it('explains resets, missing captures, deployed runs, removed variables and where settings came from', () => {
    const record: InvocationRecord = {
      ...scenarioRecord(2),
      source: 'deployed',
      reset: 'out-of-memory',
      captureError: 'the probe layer is not attached',
      moduleScope: [{ name: 'gone', kind: 'let', change: 'removed', value: { type: 'null' }, size: 0, growing: false, sizeSeries: [0] }],
      handlerScope: [],
    };
    const state: PanelState = {
      ...stateWith(record),
      environment: { state: 'cold', frozen: false, warmInvocations: 0, generation: 2, nodeVersion: null, lastReset: 'out-of-memory' },
      nodeVersion: null,
      settings: { timeoutSeconds: 10, memoryMB: 256, freeze: false, source: 'sam', sourceDetail: 'template.yaml (HelloFunction)' },
    };
    renderPanel(dom.root, state, undefined, () => {});
    assert.equal(dom.root.querySelector('.ws-env')?.textContent, 'Cold · ran out of memory');
    const facts = dom.root.querySelector('.ws-facts')!;
    assert.match(facts.textContent ?? '', /256 MB · 10 s timeout · no freeze \(from SAM template\)/);
    assert.equal(facts.getAttribute('title'), 'template.yaml (HelloFunction)');
    const notices = texts(dom.root.querySelectorAll('.ws-invocation .ws-notice'));
    assert.ok(notices.some((t) => t.includes('ran out of memory') && t.includes('next invocation is a cold start')), notices.join(' | '));
    assert.ok(notices.some((t) => t.includes('Scopes not captured: the probe layer is not attached')), notices.join(' | '));
    assert.ok(dom.root.querySelector('.ws-detail-title .ws-badge-deployed'));
    const gone = itemNamed(moduleTree(dom.root), 'gone');
    assert.ok(gone.querySelector('.ws-row.is-removed'));
    assert.equal(gone.querySelector('.ws-change')?.textContent, 'removed');
    assert.equal(dom.root.querySelector('.ws-scope-handler .ws-muted')?.textContent, 'Not captured.');
    const row = dom.root.querySelector('[role="option"]')!;
    assert.ok(row.querySelector('.ws-mark-deployed') === null && row.querySelector('.ws-mark-reset'), 'reset outranks the deployed mark');
    assert.match(row.textContent ?? '', /deployed, environment ran out of memory/);
  });

  it('shows the runtime profile and where it came from, and which node ran it when that is another major', () => {
    const runtime = { profile: 'nodejs24.x' as const, source: 'template' as const, origin: 'from template.yaml' };
    const settings = { timeoutSeconds: 3, memoryMB: 128, freeze: true, source: 'sam' as const, runtime };
    const mismatch = 'The function\'s runtime is nodejs24.x (Node.js 24) but the local node is v20.20.2 (Node.js 20).';
    const record: InvocationRecord = { ...scenarioRecord(3), runtime: 'nodejs24.x', runtimeSource: 'template', nodeMismatch: mismatch };
    renderPanel(dom.root, { ...stateWith(record), settings }, undefined, () => {});
    const facts = dom.root.querySelector('.ws-facts')!;
    assert.equal(facts.querySelector('.ws-fact-runtime')?.textContent, 'nodejs24.x · from template.yaml');
    const node = facts.querySelector('.ws-fact-warning');
    assert.equal(node?.textContent, 'Node v20.20.2, not Node 24');
    assert.equal(node?.getAttribute('title'), mismatch);
    assert.ok(texts(dom.root.querySelectorAll('.ws-invocation .ws-notice-warning')).includes(mismatch), 'the invocation says it too');
    assert.match(dom.root.querySelector('.ws-metrics')?.textContent ?? '', /nodejs24\.x on Node v20\.20\.2/);

    const matching: InvocationRecord = { ...record, runtime: 'nodejs20.x', nodeMismatch: null };
    renderPanel(dom.root, { ...stateWith(matching), settings: { ...settings, runtime: { profile: 'nodejs20.x', source: 'node-major', origin: 'from the local Node 20' } } }, undefined, () => {});
    assert.equal(dom.root.querySelector('.ws-fact-runtime')?.textContent, 'nodejs20.x · from the local Node 20');
    assert.equal(dom.root.querySelector('.ws-fact-warning'), null);
  });

  it('shows what the static checks found before an init failure, as text next to Lambda\'s error', () => {
    const warning = 'template.yaml: Handler "src/app.run" names no file: <img src=x onerror=alert(1)>';
    const record: InvocationRecord = {
      ...scenarioRecord(1),
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'app'", trace: [] },
      reset: 'init-error',
      handlerWarnings: [warning],
    };
    renderPanel(dom.root, stateWith(record), undefined, () => {});
    const shown = dom.root.querySelectorAll('.ws-handler-warning');
    assert.equal(shown.length, 1);
    assert.equal(shown[0]?.textContent, `Checked before it ran: ${warning}`);
    assert.equal(dom.root.querySelector('.ws-handler-warning img'), null, 'text, never markup');
    renderPanel(dom.root, stateWith(scenarioRecord(1)), undefined, () => {});
    assert.equal(dom.root.querySelectorAll('.ws-handler-warning').length, 0);
  });

  it('keeps the DOM contract the end-to-end suite reads (test/e2e/support/panel-dom.ts)', () => {
    renderPanel(dom.root, scenarioState(3), undefined, () => {});
    const row = (prefix: string, name: string) => dom.root.querySelector(`li[role="treeitem"][aria-level="1"][data-path="${prefix}:${name}"]`);
    assert.equal(row('m', 'arrayB')?.querySelector(':scope > .ws-row')?.querySelector('.ws-value')?.textContent, 'Array(3) ["B", "B", "B"]');
    assert.ok(row('m', 'arrayB')?.querySelector(':scope > .ws-row .ws-growing'));
    assert.equal(row('h', 'arrayD')?.querySelector(':scope > .ws-row .ws-value')?.textContent, 'Array(1) ["D"]');
    assert.equal(dom.root.querySelector('.ws-invocation')?.getAttribute('data-invocation'), '3');
    assert.match(dom.root.querySelector('[role="note"][aria-label="Growth warning"]')?.textContent ?? '', /arrayB/);
    assert.deepEqual(texts(dom.root.querySelectorAll('.ws-detail-title .ws-badge')), ['warm']);
  });

  it('never puts an inline style on any element, even with every node expanded', () => {
    renderPanel(dom.root, scenarioState(3), undefined, (m) => posted.push(m));
    for (const toggle of dom.root.querySelectorAll('.ws-section-toggle[aria-expanded="false"]')) click(toggle);
    let collapsed = dom.root.querySelector('[role="treeitem"][aria-expanded="false"]');
    while (collapsed) {
      click(collapsed);
      collapsed = dom.root.querySelector('[role="treeitem"][aria-expanded="false"]');
    }
    assert.equal(dom.document.querySelectorAll('[style]').length, 0);
  });
});

describe('webview panel: captured values are text, never markup', () => {
  let dom: Dom;
  beforeEach(() => { dom = createDom(); });
  afterEach(() => dom.close());

  it('shows a variable holding an HTML payload as those characters', () => {
    const base = scenarioRecord(1);
    const evil: ModuleVariable = {
      name: XSS,
      kind: 'var',
      change: 'added',
      size: XSS.length,
      growing: false,
      sizeSeries: [XSS.length],
      value: {
        type: 'object',
        className: '<b>Bold</b>',
        truncated: false,
        properties: [
          { name: XSS, value: str(XSS) },
          { name: 'nested', value: { type: 'array', className: 'Array', length: 1, truncated: false, items: [str('<script>alert(2)</script>')] } },
          { name: 'err', value: { type: 'error', className: 'Error', message: XSS, stack: `Error: ${XSS}\n    at <anonymous>` } },
        ],
      },
    };
    const record: InvocationRecord = {
      ...base,
      moduleScope: [evil],
      handlerScope: [{ name: 'html', kind: 'let', change: 'added', value: str(XSS) }],
      logs: `START\n${XSS}\n<script>alert(3)</script>\nEND`,
      response: { body: XSS },
    };
    const state: PanelState = {
      ...stateWith(record),
      handler: { file: `/tmp/${XSS}.js`, exportName: XSS, title: XSS },
      eventName: XSS,
      errors: [{ message: XSS, detail: '<iframe src="javascript:alert(4)"></iframe>' }],
    };
    renderPanel(dom.root, state, { ...emptyUiState(), expanded: [`m:${encodeURIComponent(XSS)}`, `m:${encodeURIComponent(XSS)}/.1%3Anested`] }, () => {});
    const evilItem = itemNamed(moduleTree(dom.root), XSS);
    // Expand the error property too.
    const errItem = descendantsOf(evilItem).find((li) => li.querySelector('.ws-name')?.textContent === 'err')!;
    click(errItem);

    assert.equal(dom.document.querySelectorAll('img, script, iframe, b').length, 0, 'no element created from data');
    for (const element of dom.document.querySelectorAll('*')) {
      for (const attribute of Array.from(element.attributes)) {
        assert.ok(!attribute.name.startsWith('on'), `event handler attribute ${attribute.name} on ${element.tagName}`);
      }
    }
    const text = dom.root.textContent ?? '';
    assert.ok(text.includes(XSS), 'payload visible as text');
    assert.ok(text.includes('<script>alert(2)</script>'));
    assert.ok(text.includes('<script>alert(3)</script>'));
    assert.equal(dom.root.querySelector('.ws-title')?.textContent, XSS);
    assert.equal(evilItem.querySelector('.ws-name')?.textContent, XSS);
    assert.ok(dom.root.querySelector('.ws-log')?.textContent?.includes(XSS));
    assert.equal(itemNamed(dom.root.querySelector('[role="tree"][aria-label="Handler scope variables"]')!, 'html').querySelector('.ws-value')?.textContent, JSON.stringify(XSS));
  });
});

describe('webview panel: a 1,000,000-element array', () => {
  let dom: Dom;
  beforeEach(() => { dom = createDom(); });
  afterEach(() => dom.close());

  function bigRecord(): InvocationRecord {
    const items: ValueNode[] = Array.from({ length: 50 }, (_, i) => ({ type: 'number', value: i }));
    const big: ModuleVariable = {
      name: 'cache',
      kind: 'const',
      change: 'changed',
      size: 1_000_000,
      growing: false,
      sizeSeries: [1_000_000],
      value: { type: 'array', className: 'Array', length: 1_000_000, items, truncated: true },
    };
    return { ...scenarioRecord(2), moduleScope: [big] };
  }

  it('shows the length, then only the captured items and how many were not captured, built on expand', () => {
    renderPanel(dom.root, stateWith(bigRecord()), undefined, () => {});
    const tree = moduleTree(dom.root);
    const cache = itemNamed(tree, 'cache');
    assert.match(cache.querySelector('.ws-value')?.textContent ?? '', /^Array\(1,000,000\) \[0, 1, 2, .*…\]$/);
    assert.equal(cache.getAttribute('aria-expanded'), 'false');
    assert.equal(tree.querySelectorAll('[role="treeitem"]').length, 1, 'children are not built before expansion');

    click(cache);
    assert.equal(cache.getAttribute('aria-expanded'), 'true');
    const children = descendantsOf(cache);
    assert.equal(children.length, 50 + 2, '50 captured items, length, and the not-captured note');
    assert.equal(children[49].querySelector('.ws-name')?.textContent, '49');
    assert.equal(children[50].textContent, 'length: 1000000');
    assert.equal(children[0].getAttribute('aria-level'), '2');
    assert.equal(children[0].getAttribute('aria-setsize'), '52');
    assert.equal(children[51].textContent, '999,950 more items not captured');
    assert.ok(dom.root.querySelectorAll('[role="treeitem"]').length < 60);

    click(cache);
    assert.equal(tree.querySelectorAll('[role="treeitem"]').length, 1, 'collapsing drops the children');
  });

  it('folds a long captured list into ranges of 100, opened one level at a time', () => {
    const items: ValueNode[] = Array.from({ length: 25_000 }, (_, i) => ({ type: 'number', value: i }));
    const record: InvocationRecord = {
      ...scenarioRecord(2),
      moduleScope: [{ name: 'rows', kind: 'let', change: 'changed', size: 25_000, growing: false, sizeSeries: [25_000], value: { type: 'array', className: 'Array', length: 1_000_000, items, truncated: true } }],
    };
    renderPanel(dom.root, stateWith(record), undefined, () => {});
    const rows = itemNamed(moduleTree(dom.root), 'rows');
    click(rows);
    const level1 = childrenOfItem(rows);
    assert.equal(level1.length, 3 + 2, 'ranges of 10,000, then length and note');
    assert.equal(level1[0].querySelector('.ws-name')?.textContent, '[0 … 9999]');
    assert.equal(level1[2].querySelector('.ws-name')?.textContent, '[20000 … 24999]');
    assert.equal(level1[4].textContent, '975,000 more items not captured');
    click(level1[0]);
    const level2 = childrenOfItem(level1[0]);
    assert.equal(level2.length, 100);
    assert.equal(level2[1].querySelector('.ws-name')?.textContent, '[100 … 199]');
    assert.ok(dom.root.querySelectorAll('[role="treeitem"]').length < 120, 'DOM stays small');
  });
});

describe('webview panel: 1,000 invocations in the timeline', () => {
  let dom: Dom;
  let posted: WebviewToHostMessage[];
  beforeEach(() => {
    dom = createDom();
    posted = [];
  });
  afterEach(() => dom.close());

  function longState(count: number): PanelState {
    const latest = { ...scenarioRecord(3), invocation: count };
    const timeline = Array.from({ length: count }, (_, i): TimelineEntry => ({
      ...toTimelineEntry(scenarioRecord(i === 0 ? 1 : 2)),
      invocation: i + 1,
      maxMemoryUsedMB: 50 + i / 10,
    }));
    return stateWith(latest, timeline);
  }

  it('renders a bounded window of rows and keeps the panel DOM small', () => {
    renderPanel(dom.root, longState(1000), undefined, (m) => posted.push(m));
    const list = dom.root.querySelector('[role="listbox"]')!;
    const options = list.querySelectorAll('[role="option"]');
    assert.ok(options.length > 0 && options.length <= 30, `rendered ${options.length} rows`);
    assert.equal(options[0].getAttribute('aria-setsize'), '1000');
    assert.equal(options[0].getAttribute('aria-posinset'), '1');
    assert.equal(options[0].querySelector('.ws-tl-number')?.textContent, '#1000');
    assert.equal(list.getAttribute('aria-activedescendant'), 'ws-inv-1000');
    const spacer = list.querySelector('svg.ws-spacer')!;
    assert.equal(Number(spacer.getAttribute('height')), (1000 - options.length) * ROW_HEIGHT, 'spacer stands in for the rest');
    const elements = dom.root.querySelectorAll('*').length;
    assert.ok(elements < 700, `panel has ${elements} elements`);
    // One polyline per series, downsampled.
    const used = dom.root.querySelector('.ws-line-used')!.getAttribute('points')!.split(' ');
    assert.equal(used.length, 300);
  });

  it('renders the rows in view after scrolling, and moves the selection with the keyboard', () => {
    const panel = renderPanel(dom.root, longState(1000), undefined, (m) => posted.push(m));
    const list = dom.root.querySelector<HTMLElement>('[role="listbox"]')!;
    list.scrollTop = 500 * ROW_HEIGHT;
    list.dispatchEvent(new (dom.window as unknown as { Event: typeof Event }).Event('scroll'));
    const numbers = texts(list.querySelectorAll('[role="option"]:not(.is-offscreen) .ws-tl-number'));
    assert.ok(numbers.includes('#500'), `window around #500: ${numbers.join(' ')}`);
    assert.ok(numbers.length <= 30);
    assert.ok(list.querySelector('#ws-inv-1000'), 'the selected row stays in the DOM for aria-activedescendant');

    // A status-only update keeps the user's scroll position.
    panel.setState({ ...longState(1000), busy: 'invoke-warm' });
    assert.equal(list.scrollTop, 500 * ROW_HEIGHT, 'not yanked back to the selection');

    key(list, 'End');
    assert.deepEqual(posted.at(-1), { type: 'selectInvocation', invocation: 1 });
    assert.equal(list.getAttribute('aria-activedescendant'), 'ws-inv-1');
    assert.ok(dom.root.querySelector('.ws-detail')?.textContent?.includes('Loading invocation #1'));
    // One request at a time: moving on while #1 is loading asks for #3 only once #1 arrived.
    key(list, 'ArrowUp');
    key(list, 'ArrowUp');
    assert.equal(list.getAttribute('aria-activedescendant'), 'ws-inv-3');
    assert.equal(posted.filter((m) => m.type === 'selectInvocation').length, 1);
    panel.receive({ type: 'detail', invocation: 1, record: { ...scenarioRecord(1) } });
    assert.deepEqual(posted.at(-1), { type: 'selectInvocation', invocation: 3 });
    assert.equal(posted.filter((m) => m.type === 'selectInvocation').length, 2);
    panel.receive({ type: 'detail', invocation: 3, record: { ...scenarioRecord(3) } });
    assert.ok(dom.root.querySelector('.ws-detail-title')?.textContent?.startsWith('Invocation #3'));
    key(list, 'Home');
    assert.equal(list.getAttribute('aria-activedescendant'), 'ws-inv-1000');
    assert.ok(dom.root.querySelector('.ws-detail-title')?.textContent?.startsWith('Invocation #1000'), 'the latest is cached, no request');
    assert.equal(posted.filter((m) => m.type === 'selectInvocation' && m.invocation === 1000).length, 0);
  });
});

describe('webview panel: UI state', () => {
  let dom: Dom;
  beforeEach(() => { dom = createDom(); });
  afterEach(() => dom.close());

  it('restores the selected invocation, expanded paths and sections, and saves changes', () => {
    const posted: WebviewToHostMessage[] = [];
    const saved: PanelUiState[] = [];
    const ui: PanelUiState = { selectedInvocation: 2, expanded: ['m:arrayB'], sections: { parameters: true, logs: false }, scrollTop: 0 };
    const panel = renderPanel(dom.root, scenarioState(3), ui, (m) => posted.push(m), (u) => saved.push(u));
    assert.deepEqual(posted, [{ type: 'selectInvocation', invocation: 2 }], 'asks the host for the restored selection');
    assert.ok(dom.root.querySelector('.ws-detail')?.textContent?.includes('Loading invocation #2'));

    panel.receive({ type: 'detail', invocation: 2, record: scenarioRecord(2) });
    assert.ok(dom.root.querySelector('.ws-detail-title')?.textContent?.startsWith('Invocation #2'));
    assert.ok(dom.root.querySelector('.ws-badge-history'), 'marked as an earlier invocation');
    const arrayB = itemNamed(moduleTree(dom.root), 'arrayB');
    assert.equal(arrayB.getAttribute('aria-expanded'), 'true', 'expanded path restored');
    assert.deepEqual(childrenOfItem(arrayB).map((item) => item.querySelector('.ws-name')?.textContent), ['0', '1', 'length']);
    assert.equal(dom.root.querySelector('.ws-scope-parameters .ws-section-toggle')?.getAttribute('aria-expanded'), 'true');
    assert.equal(dom.root.querySelector('.ws-logs .ws-section-toggle')?.getAttribute('aria-expanded'), 'false');
    assert.equal(dom.root.querySelector('[role="option"][aria-selected="true"] .ws-tl-number')?.textContent, '#2');

    click(itemNamed(dom.root.querySelector('[role="tree"][aria-label="Handler scope variables"]')!, 'arrayD'));
    assert.deepEqual(saved.at(-1)?.expanded, ['m:arrayB', 'h:arrayD']);
    assert.equal(saved.at(-1)?.selectedInvocation, 2);
    click(arrayB);
    assert.deepEqual(saved.at(-1)?.expanded, ['h:arrayD']);
    click(dom.root.querySelector('.ws-logs .ws-section-toggle')!);
    assert.deepEqual(saved.at(-1)?.sections, { parameters: true, logs: true });
    assert.deepEqual(panel.uiState(), saved.at(-1));
  });

  it('falls back to the latest when the host no longer has the restored invocation', () => {
    const panel = renderPanel(dom.root, scenarioState(3), { ...emptyUiState(), selectedInvocation: 1 }, () => {});
    panel.receive({ type: 'detail', invocation: 1, record: null });
    assert.ok(dom.root.querySelector('.ws-detail-title')?.textContent?.startsWith('Invocation #3'));
    assert.match(dom.root.querySelector('.ws-detail .ws-notice')?.textContent ?? '', /no longer in the history/);
    assert.equal(panel.uiState().selectedInvocation, null);
  });

  it('shows a placeholder before the first invocation', () => {
    renderPanel(dom.root, scenarioState(0), undefined, () => {});
    assert.equal(dom.root.querySelector('.ws-detail-title')?.textContent, 'No invocations yet');
    assert.equal(dom.root.querySelectorAll('[role="option"]').length, 0);
    assert.equal(dom.root.querySelector('.ws-facts')?.textContent?.includes('0 invocations'), true);
    assert.equal(dom.root.querySelector('.ws-env')?.textContent, 'Warm · frozen');
  });
});

describe('webview panel: tree keyboard', () => {
  let dom: Dom;
  beforeEach(() => { dom = createDom(); });
  afterEach(() => dom.close());

  it('moves with arrows, expands with Right/Enter, collapses and climbs with Left', () => {
    renderPanel(dom.root, scenarioState(3), undefined, () => {});
    const tree = moduleTree(dom.root);
    const [arrayA, arrayB] = rootItems(tree);
    assert.equal(arrayA.getAttribute('tabindex'), '0', 'roving tabindex starts on the first item');
    assert.equal(arrayB.getAttribute('tabindex'), '-1');
    arrayA.focus();
    key(arrayA, 'ArrowDown');
    assert.equal(dom.document.activeElement, arrayB);
    assert.equal(arrayB.getAttribute('tabindex'), '0');
    assert.equal(arrayA.getAttribute('tabindex'), '-1');
    key(arrayB, 'ArrowRight');
    assert.equal(arrayB.getAttribute('aria-expanded'), 'true');
    key(arrayB, 'ArrowRight');
    const firstChild = childrenOfItem(arrayB)[0];
    assert.equal(dom.document.activeElement, firstChild);
    assert.equal(firstChild.getAttribute('aria-level'), '2');
    key(firstChild, 'ArrowLeft');
    assert.equal(dom.document.activeElement, arrayB);
    key(arrayB, 'ArrowLeft');
    assert.equal(arrayB.getAttribute('aria-expanded'), 'false');
    key(arrayB, 'Enter');
    assert.equal(arrayB.getAttribute('aria-expanded'), 'true');
    key(arrayB, 'End');
    assert.equal(dom.document.activeElement?.querySelector('.ws-name')?.textContent, 'length');
    key(dom.document.activeElement!, 'Home');
    assert.equal(dom.document.activeElement, arrayA);
  });
});
