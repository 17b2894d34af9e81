/**
 * The panel's memory sections in the packaged extension (issue 13): the init profile of a
 * cold start with go-to-line, work left pending at freeze and seen running in the next
 * invocation, retained bytes on demand ("Measure retained") and the growth warning in items
 * and bytes with the invocations left. Each section is saved as a screenshot for the README.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { e2eContext } from './support/context';
import { evaluateIn, PANEL_READY_SELECTOR } from './support/panel-dom';
import { startSession, type Session } from './support/session';
import { poll, type Workbench } from './support/workbench';

const FILE = 'memory/handler.js';
/** Lines of test/fixtures/handlers/memory/panel.js. */
const SLOW_LINE = 11;
const TIMER_LINE = 19;

interface MemorySnapshot {
  invocation: number | null;
  initTitle: string;
  initRows: string[];
  pending: string[];
  ranHere: string[];
  retained: Record<string, string>;
  growth: string;
  estimate: string;
  measureLabel: string;
  errors: string;
}

/** Runs in the panel's document (plain JavaScript source: see panel-dom.ts). */
const READ_MEMORY_SOURCE = `(() => {
  const text = (element) => (element && element.textContent) || '';
  const all = (selector) => Array.from(document.querySelectorAll(selector)).map(text);
  const retained = {};
  for (const item of document.querySelectorAll('.ws-scope-module [role="treeitem"][aria-level="1"]')) {
    const name = decodeURIComponent((item.getAttribute('data-path') || '').slice(2));
    const badge = item.querySelector('.ws-retained');
    if (badge) retained[name] = text(badge);
  }
  const invocation = document.querySelector('.ws-invocation');
  return {
    invocation: invocation ? Number(invocation.getAttribute('data-invocation')) : null,
    initTitle: text(document.querySelector('.ws-init-section .ws-section-title')),
    initRows: Array.from(document.querySelectorAll('.ws-init-row')).map((row) => row.innerText.replace(/\\s+/g, ' ')),
    pending: Array.from(document.querySelectorAll('.ws-pending > .ws-pending-list > .ws-pending-item')).map((row) => row.innerText.replace(/\\s+/g, ' ')),
    ranHere: Array.from(document.querySelectorAll('.ws-pending-ran-here .ws-pending-item')).map((row) => row.innerText.replace(/\\s+/g, ' ')),
    retained,
    growth: text(document.querySelector('[role="note"][aria-label="Growth warning"]')).replace(/\\s+/g, ' '),
    estimate: text(document.querySelector('.ws-estimate')),
    measureLabel: text(document.querySelector('.ws-button-measure')),
    errors: all('.ws-errors .ws-notice').join(' | '),
  };
})()`;

function readMemory(frame: Frame): Promise<MemorySnapshot> {
  return evaluateIn<MemorySnapshot>(frame, READ_MEMORY_SOURCE);
}

describe('end to end: the panel’s memory sections', function () {
  let session: Session;
  let workbench: Workbench;
  const artifacts = e2eContext().artifacts;

  before(async function () {
    this.timeout(180_000);
    session = await startSession('memory', {
      trusted: true,
      settings: { 'warmState.initProfile': true },
      files: { [FILE]: 'test/fixtures/handlers/memory/panel.js' },
    });
    workbench = await session.open();
    mkdirSync(artifacts, { recursive: true });
  });

  after(async function () {
    this.timeout(60_000);
    if (workbench) await workbench.page.screenshot({ path: join(e2eContext().stateDir, 'memory-last.png') }).catch(() => undefined);
    await session?.close();
  });

  function memoryAt(description: string, accept: (read: MemorySnapshot) => boolean, timeoutMs?: number): Promise<MemorySnapshot> {
    return workbench.waitForWebview(PANEL_READY_SELECTOR, description, readMemory, accept, timeoutMs);
  }

  async function panelFrame(): Promise<Frame> {
    return workbench.webviewFrame(PANEL_READY_SELECTOR);
  }

  /** Clicks, inside the panel, the timeline row of invocation `n`. */
  async function selectInvocation(n: number): Promise<void> {
    const frame = await panelFrame();
    await frame.locator('[role="option"]', { has: frame.locator('.ws-tl-number', { hasText: new RegExp(`^#${n}$`) }) }).first().click();
  }

  async function sectionScreenshot(selector: string, name: string): Promise<void> {
    const frame = await panelFrame();
    await frame.locator(selector).first().screenshot({ path: join(artifacts, name) });
  }

  it('a cold start with the init profile on ranks the slow top-level statement first, and goes to its line', async () => {
    await workbench.openFile(FILE);
    await workbench.runCommand('Warm State: Invoke Warm');
    const read = await memoryAt('the init profile of invocation 1', (m) => m.invocation === 1 && m.initRows.length > 0);
    assert.match(read.initTitle, /^Where the [\d.]+ (ms|s) of init went$/);
    assert.match(read.initRows[0], new RegExp(`busyWait\\(150\\).*line ${SLOW_LINE}`), `rows: ${read.initRows.join(' | ')}`);
    assert.ok(read.initRows.some((row) => row.includes("require('node:path')")), `rows: ${read.initRows.join(' | ')}`);
    await sectionScreenshot('.ws-init-section', 'memory-init-profile.png');

    const frame = await panelFrame();
    await frame.locator('.ws-init-section .ws-source-link').first().click();
    const selection = workbench.page.locator('[id="status.editor.selection"]');
    await poll(`the editor at line ${SLOW_LINE}`, async () => ((await selection.innerText().catch(() => '')).includes(`Ln ${SLOW_LINE},`) ? true : undefined), 20_000);
  });

  it('lists the timer left pending with its line, and shows it ran in the next invocation', async () => {
    for (const n of [2, 3]) {
      await workbench.clickCodeLens('Invoke Warm', FILE);
      await memoryAt(`invocation ${n}`, (m) => m.invocation === n);
    }
    const latest = await memoryAt('the pending work of invocation 3', (m) => m.invocation === 3 && m.pending.length > 0);
    assert.match(latest.pending[0], new RegExp(`timer .*memory/handler\\.js:${TIMER_LINE} still pending`), latest.pending.join(' | '));
    assert.match(latest.ranHere.join(' '), new RegExp(`timer .*memory/handler\\.js:${TIMER_LINE}`), 'the timer invocation 2 left ran during invocation 3');

    await selectInvocation(2);
    const earlier = await memoryAt('invocation 2 with what ran after it', (m) => m.invocation === 2 && m.pending.some((row) => /ran in the next invocation/.test(row)));
    assert.match(earlier.pending[0], new RegExp(`timer .*handler\\.js:${TIMER_LINE} ran in the next invocation`));
    await sectionScreenshot('.ws-pending-section', 'memory-pending.png');
    await selectInvocation(3);
    await memoryAt('invocation 3 again', (m) => m.invocation === 3);
  });

  it('Measure retained shows what each module variable retains and shares; the growth warning speaks items, bytes and invocations left', async function () {
    this.timeout(240_000);
    const measure = async (n: number): Promise<MemorySnapshot> => {
      const frame = await panelFrame();
      await frame.locator('.ws-button-measure').click();
      return memoryAt(`retained sizes after invocation ${n}`, (m) => m.invocation === n && 'kept' in m.retained && m.measureLabel === 'Measure retained', 120_000);
    };
    const first = await measure(3);
    assert.equal(first.errors, '', 'no refusal');
    assert.match(first.retained.kept, /^retains \d+ KB$/, JSON.stringify(first.retained));
    assert.match(first.retained.shared, /shared with alias/, JSON.stringify(first.retained));

    await workbench.clickCodeLens('Invoke Warm', FILE);
    await memoryAt('invocation 4', (m) => m.invocation === 4);
    const second = await measure(4);
    assert.match(second.growth, /kept:.* 4 items, \+1 per invocation, retains \d+ KB, \+\d+ KB per invocation/, second.growth);
    assert.match(second.estimate, /^invocations left: [\d,]+ before 128 MB \(an estimate\)$/, second.estimate);
    await sectionScreenshot('.ws-growth', 'memory-growth.png');
    await sectionScreenshot('.ws-scope-module', 'memory-retained.png');
  });
});
