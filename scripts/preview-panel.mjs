// Renders the built panel (dist/media) with sample state for the motivating scenario
// (3 warm invocations, arrayB growing) in headless Chromium, under the same CSP the
// extension sets, with VS Code-like theme variables, and saves screenshots:
//   test-artifacts/panel-light.png, panel-dark.png, panel-hc.png
// It fails when the page reports a CSP violation or a script error.
//
// Usage: node scripts/build.mjs --only webview && node scripts/preview-panel.mjs [--width 1200]
// Needs Chromium at /usr/bin/chromium (or CHROMIUM=/path).
/* global window, document -- used inside page.evaluate callbacks, which run in the browser */
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-artifacts');
const args = process.argv.slice(2);
const widthArg = args.indexOf('--width');
const width = widthArg >= 0 ? Number(args[widthArg + 1]) : 1200;

const { panelHtml, createNonce } = await tsImport('../src/webview-protocol/html.ts', import.meta.url);
const { scenarioState } = await tsImport('../media/src/sample/scenario.ts', import.meta.url);

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
function shimJs(state) {
  const saved = { version: 1, handler: { file: state.handler.file, exportName: state.handler.exportName }, ui: { selectedInvocation: null, expanded: ['m:arrayB', 'h:arrayD'], sections: {}, scrollTop: 0 } };
  return `window.__posted = []; window.__violations = []; window.__errors = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
window.acquireVsCodeApi = () => ({
  postMessage(message) {
    window.__posted.push(message);
    if (message.type === 'ready') setTimeout(() => window.postMessage({ type: 'state', state: ${JSON.stringify(state)} }, '*'), 0);
  },
  getState() { return ${JSON.stringify(saved)}; },
  setState(s) { window.__saved = s; },
});
`;
}

const state = scenarioState(3);
const nonce = createNonce();
const files = new Map([
  ['/panel.js', { type: 'text/javascript', body: readFileSync(join(root, 'dist/media/panel.js')) }],
  ['/panel.css', { type: 'text/css', body: readFileSync(join(root, 'dist/media/panel.css')) }],
  ['/codicon.css', { type: 'text/css', body: readFileSync(join(root, 'dist/media/codicon.css')) }],
  ['/codicon.ttf', { type: 'font/ttf', body: readFileSync(join(root, 'dist/media/codicon.ttf')) }],
  ['/shim.js', { type: 'text/javascript', body: shimJs(state) }],
  ...Object.keys(themes).map((name) => [`/theme-${name}.css`, { type: 'text/css', body: themeCss(name) }]),
]);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/') {
    const theme = url.searchParams.get('theme') ?? 'dark';
    const origin = `http://${req.headers.host}`;
    let html = panelHtml({
      cspSource: origin,
      nonce,
      scriptUri: `${origin}/panel.js`,
      styleUri: `${origin}/panel.css`,
      codiconUri: `${origin}/codicon.css`,
      title: state.handler.title,
    });
    html = html
      .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/theme-${theme}.css">\n<link rel="stylesheet"`)
      .replace('<body>', `<body class="${themes[theme].kind}">`)
      .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${origin}/shim.js"></script>\n<script nonce="${nonce}"`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
    return;
  }
  const file = files.get(url.pathname);
  if (!file) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': file.type });
  res.end(file.body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;

mkdirSync(out, { recursive: true });
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
  for (const theme of Object.keys(themes)) {
    await page.goto(`http://127.0.0.1:${port}/?theme=${theme}`);
    await page.waitForSelector('.ws-invocation');
    await page.evaluate(() => document.fonts.ready);
    const report = await page.evaluate(() => ({
      posted: window.__posted,
      violations: window.__violations,
      errors: window.__errors,
      treeItems: document.querySelectorAll('[role="treeitem"]').length,
      timelineRows: document.querySelectorAll('[role="option"]').length,
      growth: document.querySelector('.ws-growth')?.textContent ?? '',
    }));
    const file = join(out, `panel-${theme}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${theme}: ${file} (tree items ${report.treeItems}, timeline rows ${report.timelineRows}, posted ${report.posted.map((m) => m.type).join(',')})`);
    if (report.violations.length || report.errors.length) {
      failed = true;
      console.error(`${theme}: CSP violations ${JSON.stringify(report.violations)}, errors ${JSON.stringify(report.errors)}`);
    }
    if (!report.growth.includes('arrayB')) {
      failed = true;
      console.error(`${theme}: growth warning for arrayB missing`);
    }
  }
  if (consoleErrors.length) {
    failed = true;
    console.error(`console errors: ${consoleErrors.join('\n')}`);
  }
  writeFileSync(join(out, 'panel-preview.html'), `<!-- generated by scripts/preview-panel.mjs; served over http during the run -->\n`);
} finally {
  await browser.close();
  server.close();
}
if (failed) process.exit(1);
