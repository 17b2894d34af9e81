/**
 * The packaged extension, installed from its .vsix into a fresh code-server, used through
 * the browser UI like a user: Invoke Warm from the command palette and from the CodeLens,
 * then the panel's DOM is read inside its webview frames.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { e2eContext } from './support/context';
import { arrayLength, arrayPreviewItems, evaluateIn, PANEL_READY_SELECTOR, readPanel, type PanelSnapshot } from './support/panel-dom';
import { startSession, type Session } from './support/session';
import { poll, type Workbench } from './support/workbench';

const DEMO = 'freeze-demo/handler.js';

describe('end to end: the packaged extension in a trusted workspace', function () {
  let session: Session;
  let workbench: Workbench;
  const artifacts = e2eContext().artifacts;

  before(async function () {
    this.timeout(180_000);
    session = await startSession('trusted', { trusted: true });
    workbench = await session.open();
  });

  after(async function () {
    this.timeout(60_000);
    if (workbench) await workbench.page.screenshot({ path: join(e2eContext().stateDir, 'trusted-last.png') }).catch(() => undefined);
    await session?.close();
  });

  /** Waits until the freeze-demo panel shows invocation `n`, and returns what it shows. */
  function panelAt(n: number): Promise<PanelSnapshot> {
    return workbench.waitForWebview(PANEL_READY_SELECTOR, `the panel to show invocation ${n}`, readPanel, (panel) => panel.invocation === n && 'arrayB' in panel.module);
  }

  async function panelFrameElementScreenshot(path: string): Promise<void> {
    const inner: Frame = await workbench.webviewFrame(PANEL_READY_SELECTOR);
    // The content frame sits inside the webview host frame; screenshot the outermost iframe element.
    let frame: Frame | null = inner;
    while (frame?.parentFrame() && frame.parentFrame() !== workbench.page.mainFrame()) frame = frame.parentFrame();
    const element = await frame?.frameElement();
    assert.ok(element, 'the panel iframe element');
    await element.screenshot({ path });
  }

  it('installed the .vsix and shows Invoke Warm as a CodeLens above the handler', async () => {
    const installed = readdirSync(session.server.extensionsDir);
    assert.ok(installed.some((entry) => entry.startsWith('warmstate.warm-state-')), `extensions dir holds: ${installed.join(', ')}`);
    await workbench.openFile(DEMO);
    await poll('the Invoke Warm CodeLens', async () => ((await workbench.codeLensTexts(DEMO)).some((text) => text.includes('Invoke Warm')) ? true : undefined), 30_000);
  });

  it('Invoke Warm from the command palette opens the panel with the cold first invocation', async () => {
    await workbench.runCommand('Warm State: Invoke Warm');
    const panel = await panelAt(1);
    assert.equal(arrayLength(panel.module.arrayB.value), 1, panel.module.arrayB.value);
    assert.ok(panel.badges.some((badge) => /cold/i.test(badge)), `badges: ${panel.badges.join(', ')}`);
    assert.equal(panel.module.arrayB.growing, false);
  });

  it('the CodeLens invokes twice more: arrayB 1, 2, 3 items and flagged growing; arrayA, arrayC empty; arrayD one item', async () => {
    for (const n of [2, 3]) {
      await workbench.clickCodeLens('Invoke Warm', DEMO);
      const panel = await panelAt(n);
      assert.equal(arrayLength(panel.module.arrayB.value), n, `arrayB at invocation ${n}: ${panel.module.arrayB.value}`);
      assert.deepEqual(arrayPreviewItems(panel.module.arrayB.value), Array(n).fill('B'));
      if (n === 2) assert.equal(panel.growthWarning, '', 'two invocations are no trend yet');
    }
    const panel = await panelAt(3);
    assert.ok(panel.badges.some((badge) => /warm/i.test(badge)), `badges: ${panel.badges.join(', ')}`);
    assert.equal(arrayLength(panel.module.arrayA.value), 0, `arrayA: ${panel.module.arrayA.value}`);
    assert.equal(panel.module.arrayB.growing, true, `arrayB row: ${panel.module.arrayB.label}`);
    assert.equal(panel.module.arrayA.growing, false);
    assert.match(panel.growthWarning, /arrayB/, `growth warning: "${panel.growthWarning}"`);
    assert.equal(arrayLength(panel.handler.arrayC.value), 0, `arrayC: ${panel.handler.arrayC.value}`);
    assert.equal(arrayLength(panel.handler.arrayD.value), 1, `arrayD: ${panel.handler.arrayD.value}`);
    assert.deepEqual(arrayPreviewItems(panel.handler.arrayD.value), ['D']);
    assert.ok(!('arrayC' in panel.module) && !('arrayB' in panel.handler), 'each variable in its own scope');

    // The lens summary follows the environment: once the invocation is done it no longer says "invoking".
    await poll('the CodeLens summary to leave "invoking"', async () => ((await workbench.codeLensTexts(DEMO)).some((text) => /invoking/i.test(text)) ? undefined : true), 15_000);
    mkdirSync(artifacts, { recursive: true });
    await workbench.page.screenshot({ path: join(artifacts, 'workbench-light.png') });
    await panelFrameElementScreenshot(join(artifacts, 'panel-light.png'));
  });

  it('follows the dark theme', async () => {
    await workbench.runCommand('Preferences: Color Theme', { opensPicker: true });
    await workbench.pickQuickInputItem('Dark Modern');
    await workbench.page.waitForSelector('.monaco-workbench.vs-dark', { timeout: 30_000 });
    await workbench.waitForWebview(PANEL_READY_SELECTOR, 'the panel to switch to the dark theme', (frame) => evaluateIn<string>(frame, 'document.body.className'), (classes) => classes.includes('vscode-dark'));
    const panel = await panelAt(3);
    assert.equal(arrayLength(panel.module.arrayB.value), 3);
    await workbench.page.screenshot({ path: join(artifacts, 'workbench-dark.png') });
    await panelFrameElementScreenshot(join(artifacts, 'panel-dark.png'));
  });

  it('shows a captured XSS string as text and runs none of it', async () => {
    await workbench.openFile('xss/handler.js');
    await workbench.clickCodeLens('Invoke Warm', 'xss/handler.js');
    const panel = await workbench.waitForWebview(PANEL_READY_SELECTOR, 'the xss handler in a panel', readPanel, (snapshot) => 'label' in snapshot.module);
    assert.match(panel.module.label.value, /<img src=x onerror=/, 'the markup shows as literal text');
    assert.equal(panel.injectedElements, 0, 'no element was created from the captured string');
    assert.notEqual(panel.documentTitle, 'XSS-EXECUTED');
    assert.notEqual(await workbench.page.title(), 'XSS-EXECUTED');
    for (const frame of workbench.page.frames()) {
      if (frame.isDetached()) continue;
      const title = await evaluateIn<string>(frame, 'document.title').catch(() => '');
      assert.notEqual(title, 'XSS-EXECUTED', `frame ${frame.url()}`);
    }
  });

  it('runs handler code in this trusted workspace (control for the restricted-mode test)', async () => {
    const markerDir = join(session.workspace, 'marker');
    await workbench.openFile('marker/handler.js');
    await workbench.clickCodeLens('Invoke Warm', 'marker/handler.js');
    await poll('marker/handler-ran.marker', async () => (existsSync(join(markerDir, 'handler-ran.marker')) ? true : undefined), 60_000);
  });

  it('restores the panel after a window reload', async function () {
    // A reload restarts the extension host and the workbench: on a loaded 2-core machine that
    // alone took 50 s, so this test gets more than the suite's 120 s.
    this.timeout(300_000);
    await workbench.openFile(DEMO);
    await workbench.reload();
    // The serializer brings the freeze-demo panel back (not just any panel: the xss and
    // marker handlers have panels too), and invoking again renders into it.
    const title = 'freeze-demo/handler.test';
    const titleOf = (frame: Frame): Promise<string> => evaluateIn<string>(frame, "(document.querySelector('.ws-title') || {}).textContent || ''");
    // The editor side comes back as the workbench last saved it: show the handler in the first group.
    await workbench.runCommand('View: Focus First Editor Group');
    await workbench.openFile(DEMO);
    // The panel's tab comes back; like any background webview it renders when revealed.
    const tab = workbench.page.locator('.tabs-container .tab', { hasText: title }).first();
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    await tab.click();
    await workbench.waitForWebview('.ws-title', `the restored ${title} panel`, titleOf, (text) => text === title, 60_000);
    const restored = await workbench.waitForWebview('.ws-title', 'the restored panel content', async (frame) => ({ title: await titleOf(frame), panel: await readPanel(frame) }), (read) => read.title === title);
    // The history lives in the extension host and is persisted: the panel shows where it was.
    assert.equal(restored.panel.invocation, 3, `restored panel: ${restored.panel.text.slice(0, 300)}`);
    assert.equal(arrayLength(restored.panel.module.arrayB?.value ?? ''), 3);
    // Revealing the panel may have covered the handler's editor (the restored layout decides
    // which group holds what): bring the editor forward again, as a user would, to use its lens.
    await workbench.runCommand('View: Focus First Editor Group');
    await workbench.openFile(DEMO);
    await workbench.clickCodeLens('Invoke Warm', DEMO);
    const after = await workbench.waitForWebview(PANEL_READY_SELECTOR, 'an invocation in the restored panel', async (frame) => ({ title: await titleOf(frame), panel: await readPanel(frame) }),
      (read) => read.title === title && read.panel.invocation !== null && read.panel.invocation > (restored.panel.invocation ?? 0));
    assert.ok(arrayLength(after.panel.module.arrayB.value) >= 1, after.panel.module.arrayB.value);
    const tabs = await workbench.page.locator('.tabs-container .tab', { hasText: title }).count();
    assert.equal(tabs, 1, 'one panel for the handler, not a second one');
  });
});
