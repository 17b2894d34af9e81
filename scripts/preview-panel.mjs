// Renders the built panel (dist/media) with sample state for the motivating scenario
// (3 warm invocations, arrayB growing) in headless Chromium, under the same CSP the
// extension sets, with VS Code-like theme variables, and saves screenshots to
// test-artifacts/panel-preview/: panel-light.png, panel-dark.png, panel-hc.png,
// panel-narrow.png, panel-error.png, panel-empty.png, panel-1000.png, next to standalone
// preview pages (light.html, dark.html, hc.html). (test-artifacts/panel-*.png at the top
// level are the end-to-end suite's screenshots of the real VS Code; this script leaves them
// alone.) It also prints render timings for 1,000 invocations and a 1,000,000-element
// array, audits accessibility with axe-core, and fails on a CSP violation, a script error
// or a serious accessibility violation.
//
// Usage: node scripts/build.mjs --only webview && node scripts/preview-panel.mjs [--width 1200]
// Needs Chromium at /usr/bin/chromium (or CHROMIUM=/path).
/* global window, document, performance, MessageEvent, Event, KeyboardEvent -- used inside page.evaluate callbacks, which run in the browser */
import { createServer } from 'node:http';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { tsImport } from 'tsx/esm/api';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = join(root, 'test-artifacts', 'panel-preview');
const args = process.argv.slice(2);
const widthArg = args.indexOf('--width');
const width = widthArg >= 0 ? Number(args[widthArg + 1]) : 1200;

const { panelHtml, createNonce } = await tsImport('../src/webview-protocol/html.ts', import.meta.url);
const { scenarioRecord, scenarioState } = await tsImport('../media/src/sample/scenario.ts', import.meta.url);
const { managedState } = await tsImport('../media/src/sample/managed-scenario.ts', import.meta.url);

// Theme variables as VS Code's Default Dark Modern / Light Modern / High Contrast define them
// (the subset the panel uses plus the webview defaults VS Code injects).
const common = {
  '--vscode-font-family': '"Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", "DejaVu Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "DejaVu Sans Mono", monospace',
  '--vscode-editor-font-size': '13px',
};
const themes = {
  dark: {
    kind: 'vscode-dark',
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc',
    '--vscode-descriptionForeground': '#9d9d9d', '--vscode-icon-foreground': '#cccccc', '--vscode-focusBorder': '#0078d4',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-border': '#ffffff12', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-button-secondaryHoverBackground': '#3c3c3c', '--vscode-panel-border': '#2b2b2b', '--vscode-widget-border': '#313131',
    '--vscode-sideBar-background': '#181818', '--vscode-sideBarSectionHeader-foreground': '#cccccc',
    '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-list-inactiveSelectionBackground': '#37373d', '--vscode-list-focusOutline': '#0078d4',
    '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700',
    '--vscode-editorWarning-foreground': '#cca700', '--vscode-editorInfo-foreground': '#3794ff', '--vscode-errorForeground': '#f85149',
    '--vscode-inputValidation-warningBackground': '#352a05', '--vscode-inputValidation-warningBorder': '#b89500',
    '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-textBlockQuote-background': '#2b2b2b', '--vscode-textCodeBlock-background': '#2b2b2b',
    '--vscode-textLink-foreground': '#4daafc', '--vscode-textLink-activeForeground': '#4daafc',
    '--vscode-gitDecoration-addedResourceForeground': '#81b88b', '--vscode-gitDecoration-modifiedResourceForeground': '#e2c08d', '--vscode-gitDecoration-deletedResourceForeground': '#c74e39',
    '--vscode-debugTokenExpression-name': '#c586c0', '--vscode-debugTokenExpression-value': '#cccccc99', '--vscode-debugTokenExpression-string': '#ce9178',
    '--vscode-debugTokenExpression-number': '#b5cea8', '--vscode-debugTokenExpression-boolean': '#4e94ce', '--vscode-debugTokenExpression-error': '#f48771',
    '--vscode-progressBar-background': '#0078d4',
  },
  light: {
    kind: 'vscode-light',
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b',
    '--vscode-descriptionForeground': '#717171', '--vscode-icon-foreground': '#3b3b3b', '--vscode-focusBorder': '#005fb8',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-border': '#0000001a', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-panel-border': '#e5e5e5', '--vscode-widget-border': '#e5e5e5',
    '--vscode-sideBar-background': '#f8f8f8', '--vscode-sideBarSectionHeader-foreground': '#3b3b3b',
    '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-list-focusOutline': '#005fb8',
    '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90', '--vscode-charts-yellow': '#bf8803',
    '--vscode-editorWarning-foreground': '#bf8803', '--vscode-editorInfo-foreground': '#1a85ff', '--vscode-errorForeground': '#f85149',
    '--vscode-inputValidation-warningBackground': '#f6f5d2', '--vscode-inputValidation-warningBorder': '#bf8803',
    '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-textBlockQuote-background': '#f8f8f8', '--vscode-textCodeBlock-background': '#f8f8f8',
    '--vscode-textLink-foreground': '#005fb8', '--vscode-textLink-activeForeground': '#005fb8',
    '--vscode-gitDecoration-addedResourceForeground': '#587c0c', '--vscode-gitDecoration-modifiedResourceForeground': '#895503', '--vscode-gitDecoration-deletedResourceForeground': '#ad0707',
    '--vscode-debugTokenExpression-name': '#9b46b0', '--vscode-debugTokenExpression-value': '#6c6c6c', '--vscode-debugTokenExpression-string': '#a31515',
    '--vscode-debugTokenExpression-number': '#098658', '--vscode-debugTokenExpression-boolean': '#0000ff', '--vscode-debugTokenExpression-error': '#e51400',
    '--vscode-progressBar-background': '#005fb8',
  },
  hc: {
    kind: 'vscode-high-contrast',
    '--vscode-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff',
    '--vscode-descriptionForeground': '#ffffffb3', '--vscode-icon-foreground': '#ffffff', '--vscode-focusBorder': '#f38518',
    '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518',
    '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
    '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-panel-border': '#6fc3df', '--vscode-widget-border': '#6fc3df', '--vscode-sideBar-background': '#000000',
    '--vscode-list-hoverBackground': '#000000', '--vscode-list-activeSelectionBackground': '#000000', '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-list-inactiveSelectionBackground': '#000000', '--vscode-list-focusOutline': '#f38518',
    '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#ffd700',
    '--vscode-editorWarning-foreground': '#ffd370', '--vscode-editorInfo-foreground': '#3794ff', '--vscode-errorForeground': '#f48771',
    '--vscode-inputValidation-warningBackground': '#000000', '--vscode-inputValidation-warningBorder': '#ffd370',
    '--vscode-inputValidation-errorBackground': '#000000', '--vscode-inputValidation-errorBorder': '#f48771',
    '--vscode-textBlockQuote-background': '#000000', '--vscode-textCodeBlock-background': '#000000',
    '--vscode-textLink-foreground': '#21a6ff', '--vscode-textLink-activeForeground': '#21a6ff',
    '--vscode-gitDecoration-addedResourceForeground': '#a1e3ad', '--vscode-gitDecoration-modifiedResourceForeground': '#e2c08d', '--vscode-gitDecoration-deletedResourceForeground': '#c74e39',
    '--vscode-debugTokenExpression-name': '#ffffff', '--vscode-debugTokenExpression-value': '#ffffff', '--vscode-debugTokenExpression-string': '#f48771',
    '--vscode-debugTokenExpression-number': '#89d185', '--vscode-debugTokenExpression-boolean': '#75bdfe', '--vscode-debugTokenExpression-error': '#f48771',
    '--vscode-progressBar-background': '#6fc3df',
  },
};

function themeCss(name) {
  const { kind, ...vars } = themes[name];
  const lines = Object.entries({ ...common, ...vars }).map(([key, value]) => `  ${key}: ${value};`);
  return `html {\n${lines.join('\n')}\n}\n/* ${kind} */\n`;
}

// Stands in for VS Code's webview API: records posts, restores saved UI state, and answers
// `ready` with the sample state, as the extension host would.
function shimJs(state, records) {
  const saved = { version: 1, handler: { file: state.handler.file, exportName: state.handler.exportName }, ui: { selectedInvocation: null, expanded: ['m:arrayB', 'h:arrayD'], sections: {}, scrollTop: 0 } };
  return `window.__posted = []; window.__violations = []; window.__errors = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
window.acquireVsCodeApi = () => ({
  postMessage(message) {
    window.__posted.push(message);
    if (message.type === 'ready') setTimeout(() => window.postMessage({ type: 'state', state: ${JSON.stringify(state)} }, '*'), 0);
    if (message.type === 'selectInvocation') {
      // Preview only: the scenario's own records, else the latest renumbered.
      const records = ${JSON.stringify(records)};
      const record = records[message.invocation - 1] ?? { ...records[records.length - 1], invocation: message.invocation };
      setTimeout(() => window.postMessage({ type: 'detail', invocation: message.invocation, record }, '*'), 0);
    }
  },
  getState() { return ${JSON.stringify(saved)}; },
  setState(s) { window.__saved = s; },
});
`;
}

const state = scenarioState(3);
const nonce = createNonce();

// A standalone preview folder: the built bundle, the theme variables, a stand-in for the
// webview API, and one HTML page per theme built by the extension's own panelHtml().
// Any static server shows it (e.g. `python3 -m http.server -d test-artifacts/panel-preview`); file:// does
// not, because the CSP's 'self' source does not match file pages.
const previewDir = out;
mkdirSync(previewDir, { recursive: true });
for (const name of ['panel.js', 'panel.css', 'codicon.css', 'codicon.ttf']) copyFileSync(join(root, 'dist/media', name), join(previewDir, name));
writeFileSync(join(previewDir, 'shim.js'), shimJs(state, [1, 2, 3].map(scenarioRecord)));
for (const theme of Object.keys(themes)) {
  writeFileSync(join(previewDir, `theme-${theme}.css`), themeCss(theme));
  const html = panelHtml({ cspSource: "'self'", nonce, scriptUri: 'panel.js', styleUri: 'panel.css', codiconUri: 'codicon.css', title: state.handler.title })
    .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="theme-${theme}.css">\n<link rel="stylesheet"`)
    .replace('<body>', `<body class="${themes[theme].kind}">`)
    .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="shim.js"></script>\n<script nonce="${nonce}"`);
  writeFileSync(join(previewDir, `${theme}.html`), html);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };
const server = createServer((req, res) => {
  const name = new URL(req.url ?? '/', 'http://localhost').pathname.slice(1);
  const type = TYPES[extname(name)];
  if (!/^[\w.-]+$/.test(name) || !type || !existsSync(join(previewDir, name))) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': type });
  res.end(readFileSync(join(previewDir, name)));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;

/** States for the measurements: a long history, and a record holding a 1,000,000-element array. */
function longHistoryState(count) {
  const base = scenarioState(3);
  const timeline = Array.from({ length: count }, (_, i) => ({ ...base.timeline[i === 0 ? 0 : 1], invocation: i + 1, maxMemoryUsedMB: 52 + Math.floor(i / 20) }));
  return { ...base, timeline, selected: { ...base.selected, invocation: count }, environment: { ...base.environment, warmInvocations: count } };
}
function bigArrayState() {
  const base = scenarioState(3);
  const items = Array.from({ length: 50 }, (_, i) => ({ type: 'number', value: i }));
  const big = { name: 'cache', kind: 'const', change: 'changed', size: 1_000_000, growing: false, sizeSeries: [1_000_000], value: { type: 'array', className: 'Array', length: 1_000_000, items, truncated: true } };
  const selected = { ...base.selected, invocation: 4, requestId: 'big-array', moduleScope: [big, ...base.selected.moduleScope] };
  return { ...base, selected, timeline: [...base.timeline, { ...base.timeline[2], invocation: 4 }] };
}

function emptyBusyState() {
  const base = scenarioState(0);
  return { ...base, handler: { ...base.handler, title: 'orders.handler', relativePath: 'src/orders.ts' }, environment: { ...base.environment, state: 'initializing', frozen: false, warmInvocations: 0, nodeVersion: null }, nodeVersion: null, busy: 'invoke-cold' };
}

function failedState() {
  const base = scenarioState(3);
  const record = {
    ...scenarioRecord(3),
    invocation: 4,
    requestId: 'c0ffee00-1111-4222-8333-944445555666',
    durationMs: 3000.4,
    billedDurationMs: 3000,
    error: { errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: c0ffee00-1111-4222-8333-944445555666 Error: Task timed out after 3.00 seconds', trace: [] },
    reset: 'timeout',
    logs: 'START RequestId: c0ffee00-1111-4222-8333-944445555666 Version: $LATEST\n2026-11-26T15:04:00.000Z\tc0ffee00-1111-4222-8333-944445555666\tINFO\tfetching <b>users</b>…\nEND RequestId: c0ffee00-1111-4222-8333-944445555666\nREPORT RequestId: c0ffee00-1111-4222-8333-944445555666\tDuration: 3000.40 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tStatus: timeout',
    growing: ['arrayB'],
  };
  record.moduleScope = record.moduleScope.map((v) => v.name === 'arrayB'
    ? { ...v, value: { ...v.value, length: 4, items: [...v.value.items, v.value.items[0]] }, size: 4, sizeSeries: [1, 2, 3, 4] }
    : v);
  return {
    ...base,
    environment: { state: 'cold', frozen: false, warmInvocations: 0, generation: 1, nodeVersion: 'v20.20.2', lastReset: 'timeout' },
    eventName: 'events/api-gateway.json',
    timeline: [...base.timeline, { ...base.timeline[2], invocation: 4, durationMs: 3000.4, error: true, reset: 'timeout', maxMemoryUsedMB: 56 }],
    selected: record,
    growth: [{ name: 'arrayB', kind: 'var', sizeSeries: [1, 2, 3, 4], itemSeries: [1, 2, 3, 4] }],
    errors: [{ message: 'events/broken.json is not valid JSON: Unexpected token } in JSON at position 42. Nothing was run.' }],
  };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  const consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  const check = async (label) => {
    const report = await page.evaluate(() => ({ violations: window.__violations, errors: window.__errors }));
    if (report.violations.length || report.errors.length) {
      failed = true;
      console.error(`${label}: CSP violations ${JSON.stringify(report.violations)}, errors ${JSON.stringify(report.errors)}`);
    }
  };
  for (const theme of Object.keys(themes)) {
    await page.goto(`http://127.0.0.1:${port}/${theme}.html`);
    await page.waitForSelector('.ws-invocation');
    await page.evaluate(() => document.fonts.ready);
    const report = await page.evaluate(() => ({
      posted: window.__posted.map((m) => m.type),
      treeItems: document.querySelectorAll('[role="treeitem"]').length,
      timelineRows: document.querySelectorAll('[role="option"]').length,
      growth: document.querySelector('.ws-growth')?.textContent ?? '',
    }));
    const file = join(out, `panel-${theme}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${theme}: ${file} (tree items ${report.treeItems}, timeline rows ${report.timelineRows}, posted ${report.posted.join(',')})`);
    await check(theme);
    if (!report.growth.includes('arrayB')) {
      failed = true;
      console.error(`${theme}: growth warning for arrayB missing`);
    }
  }

  // A failed invocation: timed out, environment reset, an engine error shown on top.
  await page.goto(`http://127.0.0.1:${port}/light.html`);
  await page.waitForSelector('.ws-invocation');
  await page.evaluate((state) => window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state } })), failedState());
  await page.waitForSelector('.ws-result-error');
  await page.screenshot({ path: join(out, 'panel-error.png'), fullPage: true });
  await check('error');

  // Before the first invocation, while a cold start runs.
  await page.goto(`http://127.0.0.1:${port}/dark.html`);
  await page.waitForSelector('.ws-invocation');
  await page.evaluate((state) => window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state } })), emptyBusyState());
  await page.waitForSelector('.ws-empty-detail');
  await page.screenshot({ path: join(out, 'panel-empty.png') });
  await check('empty');

  // Managed Instances: 2 workers x 4 in flight, lanes on one time axis, one cross-talk finding.
  for (const theme of ['dark', 'light']) {
    await page.goto(`http://127.0.0.1:${port}/${theme}.html`);
    await page.waitForSelector('.ws-invocation');
    await page.evaluate((state) => window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state } })), managedState());
    await page.waitForSelector('.ws-lanes');
    await page.evaluate(() => document.fonts.ready);
    const bars = await page.evaluate(() => document.querySelectorAll('.ws-lane-bar').length);
    const file = join(out, `panel-lanes-${theme}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`lanes (${theme}): ${file} (bars ${bars})`);
    await check(`lanes (${theme})`);
  }
  // The bars are keyboard targets in a real browser too: Tab reaches one, Enter selects it.
  await page.focus('.ws-lane-bar[data-invocation="16"]');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  const picked = await page.evaluate(() => window.__posted.filter((m) => m.type === 'selectInvocation').map((m) => m.invocation));
  if (picked.at(-1) !== 14) {
    failed = true;
    console.error(`lanes: ArrowLeft then Enter from #16 asked for ${JSON.stringify(picked)}, not 14`);
  }

  // A narrow panel (editor split in two on a small screen): one column.
  await page.setViewportSize({ width: 600, height: 900 });
  await page.goto(`http://127.0.0.1:${port}/dark.html`);
  await page.waitForSelector('.ws-invocation');
  await page.screenshot({ path: join(out, 'panel-narrow.png'), fullPage: true });
  await check('narrow');
  await page.setViewportSize({ width, height: 900 });

  // Measurements in a real browser engine: the message handler renders synchronously, so
  // timing a dispatched message event plus a forced layout covers script, style and layout.
  const measure = async (label, fn, arg) => {
    const figures = await page.evaluate(fn, arg);
    console.log(`${label}: ${Object.entries(figures).map(([k, v]) => `${k} ${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`).join(', ')}`);
    return figures;
  };
  await page.goto(`http://127.0.0.1:${port}/dark.html`);
  await page.waitForSelector('.ws-invocation');
  const long = longHistoryState(1000);
  await measure('1,000 invocations', (state) => {
    const post = () => {
      const t0 = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state } }));
      void document.body.offsetHeight;
      return performance.now() - t0;
    };
    const first = post();
    const again = post();
    const list = document.querySelector('[role="listbox"]');
    let t0 = performance.now();
    list.scrollTop = 500 * 24;
    list.dispatchEvent(new Event('scroll'));
    void document.body.offsetHeight;
    const scroll = performance.now() - t0;
    t0 = performance.now();
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    void document.body.offsetHeight;
    const keyStep = performance.now() - t0;
    return {
      'state render ms': first, 're-render ms': again, 'scroll ms': scroll, 'arrow key ms': keyStep,
      'rows in DOM': document.querySelectorAll('[role="option"]').length, 'elements in page': document.querySelectorAll('*').length,
    };
  }, long);
  await page.screenshot({ path: join(out, 'panel-1000.png') });
  await check('1,000 invocations');

  await page.goto(`http://127.0.0.1:${port}/dark.html`);
  await page.waitForSelector('.ws-invocation');
  await measure('1,000,000-element array', (state) => {
    let t0 = performance.now();
    window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state } }));
    void document.body.offsetHeight;
    const render = performance.now() - t0;
    const row = [...document.querySelectorAll('[role="treeitem"]')].find((li) => li.querySelector('.ws-name')?.textContent === 'cache');
    t0 = performance.now();
    row.click();
    void document.body.offsetHeight;
    return { 'render ms': render, 'expand ms': performance.now() - t0, 'tree items': document.querySelectorAll('[role="treeitem"]').length };
  }, bigArrayState());
  await check('1,000,000-element array');

  // Accessibility audit with axe-core (WCAG 2 A/AA rules, colour contrast included) in each
  // theme, with the tree expanded and the parameters open. axe is injected, so this page
  // bypasses the CSP; the pages above ran under it.
  const auditContext = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  const audit = await auditContext.newPage();
  const runAxe = async (label) => {
    await audit.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = await audit.evaluate(async () => {
      const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, experimental: v.tags.includes('experimental'), help: v.help, nodes: v.nodes.slice(0, 12).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join('')}`), count: v.nodes.length }));
    });
    console.log(`axe ${label}: ${violations.length ? '' : 'no violations'}`);
    for (const v of violations) {
      console.log(`  ${v.impact}${v.experimental ? ' (experimental rule)' : ''} ${v.id} (${v.count}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
      if ((v.impact === 'serious' || v.impact === 'critical') && !v.experimental) failed = true;
    }
  };
  for (const theme of Object.keys(themes)) {
    await audit.goto(`http://127.0.0.1:${port}/${theme}.html`);
    await audit.waitForSelector('.ws-invocation');
    await audit.evaluate(() => document.querySelector('.ws-scope-parameters .ws-section-toggle').click());
    await runAxe(theme);
  }
  for (const [label, state] of [['error (light)', failedState()], ['1,000 invocations (light)', longHistoryState(1000)], ['lanes (light)', managedState()], ['lanes (dark)', managedState()]]) {
    await audit.goto(`http://127.0.0.1:${port}/${label.includes('(dark)') ? 'dark' : 'light'}.html`);
    await audit.waitForSelector('.ws-invocation');
    await audit.evaluate((data) => window.dispatchEvent(new MessageEvent('message', { data: { type: 'state', state: data } })), state);
    await runAxe(label);
  }
  await auditContext.close();

  if (consoleErrors.length) {
    failed = true;
    console.error(`console errors: ${consoleErrors.join('\n')}`);
  }
} finally {
  await browser.close();
  server.close();
}
if (failed) process.exit(1);
