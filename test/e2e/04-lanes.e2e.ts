/**
 * Lambda Managed Instances in the packaged extension (issue 12): AWS's own example of module
 * state shared by concurrent invocations, run as a burst with "Invoke Warm Concurrently"
 * (4 in flight per environment, 2 workers), then read in the panel's lanes: one lane per
 * worker, a bar per invocation, overlaps marked; a bar selects by click and by Enter, and the
 * detail's module scope names the worker it belongs to; a bar with a cross-talk finding shows
 * it with links to the write and the read in the editor. The lanes and the finding are saved as
 * screenshots.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { profileNode } from '../../scripts/oracle/clients';
import { e2eContext } from './support/context';
import { evaluateIn } from './support/panel-dom';
import { startSession, type Session } from './support/session';
import { poll, type Workbench } from './support/workbench';

const FILE = 'lanes/handler.mjs';
const BURST = 8;
const LANES_SELECTOR = '.ws-lanes';
/** Lines of test/fixtures/handlers/managed-engine/aws-example.mjs: `state.currentUser = event.user`, and its read after the await. */
const WRITE_LINE = 6;
const READ_LINE = 8;

interface BarSnapshot {
  invocation: number;
  /** The name of the lane holding the bar: `environment 0, worker 1`. */
  lane: string;
  classes: string;
  label: string;
}

interface LanesSnapshot {
  lanes: string[];
  bars: BarSnapshot[];
  summary: string;
  /** `data-invocation` of the invocation the detail shows. */
  invocation: number | null;
  moduleTitle: string;
  /** The detail's cross-talk findings: the variable, then each site's text (`written by <id> · line 6`). */
  findings: { variable: string; sites: string[] }[];
}

/** Runs in the panel's document (plain JavaScript source: see panel-dom.ts). */
const READ_LANES_SOURCE = `(() => {
  const text = (element) => (element && element.textContent) || '';
  const invocation = document.querySelector('.ws-invocation');
  return {
    lanes: Array.from(document.querySelectorAll('.ws-lane > .ws-lane-label')).map(text),
    bars: Array.from(document.querySelectorAll('.ws-lane-bar')).map((bar) => ({
      invocation: Number(bar.getAttribute('data-invocation')),
      lane: text(bar.closest('.ws-lane') && bar.closest('.ws-lane').querySelector('.ws-lane-label')),
      classes: bar.getAttribute('class') || '',
      label: bar.getAttribute('aria-label') || '',
    })),
    summary: text(document.querySelector('.ws-lanes-summary')),
    invocation: invocation ? Number(invocation.getAttribute('data-invocation')) : null,
    moduleTitle: text(document.querySelector('.ws-scope-module .ws-section-title')),
    findings: Array.from(document.querySelectorAll('.ws-finding')).map((finding) => ({
      variable: text(finding.querySelector('.ws-finding-variable')),
      sites: Array.from(finding.querySelectorAll('.ws-finding-site')).map((site) => site.innerText.replace(/\\s+/g, ' ').trim()),
    })),
  };
})()`;

function readLanes(frame: Frame): Promise<LanesSnapshot> {
  return evaluateIn<LanesSnapshot>(frame, READ_LANES_SOURCE);
}

describe('end to end: Managed Instances lanes after Invoke Warm Concurrently', function () {
  let session: Session;
  let workbench: Workbench;
  const artifacts = e2eContext().artifacts;

  before(async function () {
    this.timeout(300_000);
    const context = e2eContext();
    session = await startSession('lanes', {
      trusted: true,
      settings: {
        // Managed Instances needs Node 22 or later: the profile, and a Node 22 to run it (PATH has the developer's).
        'warmState.runtime': 'nodejs22.x',
        'warmState.nodePath': await profileNode(context.root, 'nodejs22.x'),
        'warmState.managedInstances.concurrency': 4,
        'warmState.managedInstances.maxWorkers': 2,
      },
      files: { [FILE]: 'test/fixtures/handlers/managed-engine/aws-example.mjs' },
    });
    workbench = await session.open();
    mkdirSync(artifacts, { recursive: true });
  });

  after(async function () {
    this.timeout(60_000);
    if (workbench) await workbench.page.screenshot({ path: join(e2eContext().stateDir, 'lanes-last.png') }).catch(() => undefined);
    await session?.close();
  });

  function lanesAt(description: string, accept: (read: LanesSnapshot) => boolean, timeoutMs?: number): Promise<LanesSnapshot> {
    return workbench.waitForWebview(LANES_SELECTOR, description, readLanes, accept, timeoutMs);
  }

  function bar(frame: Frame, invocation: number) {
    return frame.locator(`.ws-lane-bar[data-invocation="${invocation}"]`);
  }

  it('Invoke Warm Concurrently asks how many, proposing the concurrency and refusing 1', async () => {
    await workbench.openFile(FILE);
    await workbench.runCommand('Warm State: Invoke Warm Concurrently', { opensPicker: true });
    const { page } = workbench;
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'Invoke handler.handler Concurrently' }).waitFor({ timeout: 20_000 });
    const input = widget.locator('.quick-input-box input');
    assert.equal(await input.inputValue(), '4', 'the Managed Instances concurrency');
    await input.fill('1');
    await widget.locator('.quick-input-message', { hasText: 'A whole number from 2 to 100.' }).waitFor({ timeout: 10_000 });
    await input.fill(String(BURST));
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it(`shows the ${BURST} invocations as bars in lanes per worker, overlapping`, async () => {
    const read = await lanesAt(`${BURST} bars in the lanes`, (lanes) => lanes.bars.length === BURST, 120_000);
    assert.ok(read.lanes.includes('environment 0, worker 0') && read.lanes.includes('environment 0, worker 1'), `lanes: ${read.lanes.join(' | ')}`);
    assert.ok(read.lanes.every((lane) => /^environment \d+, worker [01]$/.test(lane)), `every lane is a worker of at most 2: ${read.lanes.join(' | ')}`);
    assert.deepEqual(read.bars.map((b) => b.invocation).sort((a, b) => a - b), Array.from({ length: BURST }, (_, i) => i + 1));
    assert.match(read.summary, /up to 4 in flight/, read.summary);
    assert.ok(read.bars.some((b) => b.classes.split(' ').includes('is-overlapping')), `an overlapping bar: ${read.bars.map((b) => `${b.invocation} ${b.classes}`).join(' | ')}`);
    const notifications = await workbench.notifications();
    assert.ok(!notifications.some((text) => /throttled|failed/i.test(text)), `notifications: ${notifications.join(' | ')}`);
    const frame = await workbench.webviewFrame(LANES_SELECTOR);
    await frame.locator(LANES_SELECTOR).screenshot({ path: join(artifacts, 'lanes-burst.png') });
  });

  it('a click on a bar shows that invocation, its module scope named after its worker', async () => {
    const before = await lanesAt('the lanes', (lanes) => lanes.bars.length === BURST);
    const target = before.bars.find((b) => b.lane === 'environment 0, worker 1' && b.invocation !== before.invocation);
    assert.ok(target, `a bar of worker 1 not on display: ${JSON.stringify(before.bars)}`);
    const frame = await workbench.webviewFrame(LANES_SELECTOR);
    await bar(frame, target.invocation).locator('.ws-lane-run').click();
    const read = await lanesAt(`invocation ${target.invocation} in the detail`, (lanes) => lanes.invocation === target.invocation);
    assert.equal(read.moduleTitle, 'Module scope — environment 0, worker 1');
    const selected = read.bars.find((b) => b.invocation === target.invocation);
    assert.ok(selected && selected.classes.split(' ').includes('is-selected'), selected?.classes);
    assert.match(selected.label, new RegExp(`^#${target.invocation}, invocation ${target.invocation} in environment 0, worker 1, `));
  });

  it('a focused bar selects with Enter', async () => {
    const before = await lanesAt('the lanes', (lanes) => lanes.bars.length === BURST);
    const target = before.bars.find((b) => b.lane === 'environment 0, worker 0' && b.invocation !== before.invocation);
    assert.ok(target, `a bar of worker 0 not on display: ${JSON.stringify(before.bars)}`);
    const frame = await workbench.webviewFrame(LANES_SELECTOR);
    await bar(frame, target.invocation).focus();
    await bar(frame, target.invocation).press('Enter');
    const read = await lanesAt(`invocation ${target.invocation} selected with Enter`, (lanes) => lanes.invocation === target.invocation);
    assert.equal(read.moduleTitle, 'Module scope — environment 0, worker 0');
    assert.ok(read.bars.some((b) => b.classes.split(' ').includes('is-overlapping')), 'what ran with it is marked');
  });

  it('a bar with a cross-talk finding shows it, and its line links go to the handler’s lines', async () => {
    const hasFindings = (b: BarSnapshot): boolean => b.classes.split(' ').includes('has-findings');
    const before = await lanesAt('a bar with cross-talk findings', (lanes) => lanes.bars.some(hasFindings));
    const target = before.bars.find(hasFindings);
    assert.ok(target);
    assert.match(target.label, /\d+ cross-talk findings?/, target.label);
    const frame = await workbench.webviewFrame(LANES_SELECTOR);
    await bar(frame, target.invocation).locator('.ws-lane-run').click();
    const read = await lanesAt(`the findings of invocation ${target.invocation}`, (lanes) => lanes.invocation === target.invocation && lanes.findings.length > 0);
    const [finding] = read.findings;
    assert.equal(finding.variable, 'state.currentUser');
    assert.equal(finding.sites.length, 3, finding.sites.join(' | '));
    assert.match(finding.sites[0], new RegExp(`^written by \\S+ · line ${WRITE_LINE}$`), finding.sites[0]);
    assert.match(finding.sites[1], new RegExp(`^overwritten meanwhile by \\S+ · line ${WRITE_LINE}$`), finding.sites[1]);
    assert.match(finding.sites[2], new RegExp(`^read back by \\S+ · line ${READ_LINE}$`), finding.sites[2]);
    await frame.locator('.ws-findings-section').screenshot({ path: join(artifacts, 'lanes-finding.png') });

    const selection = workbench.page.locator('[id="status.editor.selection"]');
    for (const [site, line] of [[2, READ_LINE], [0, WRITE_LINE]] as const) {
      await frame.locator('.ws-finding').first().locator('.ws-finding-site').nth(site).locator('.ws-source-link').click();
      await poll(`the editor at line ${line}`, async () => ((await selection.innerText().catch(() => '')).includes(`Ln ${line},`) ? true : undefined), 20_000);
    }
  });

  it('Invoke Warm from the palette after the burst runs one more, not another burst', async () => {
    // The palette lists the recently used "Invoke Warm Concurrently" first for this text.
    await workbench.runCommand('Warm State: Invoke Warm');
    const read = await lanesAt(`${BURST + 1} bars`, (lanes) => lanes.bars.length === BURST + 1, 60_000);
    assert.ok(read.bars.some((b) => b.invocation === BURST + 1 && /^environment \d+, worker [01]$/.test(b.lane)), JSON.stringify(read.bars));
  });
});

