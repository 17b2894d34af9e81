/**
 * The packaged extension, installed from its .vsix into a fresh code-server, used through
 * the browser UI like a user: Invoke Warm from the command palette and from the CodeLens,
 * then the panel's DOM is read inside its webview frames.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { writeUserSettings } from '../../scripts/vscode-test/code-server';
import { e2eContext } from './support/context';
import { arrayLength, arrayPreviewItems, PANEL_READY_SELECTOR, readPanel, type PanelSnapshot } from './support/panel-dom';
import { startSession, type Session } from './support/session';
import { poll, type Workbench } from './support/workbench';

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
    await workbench.openFile('freeze-demo/handler.js');
    await poll('the Invoke Warm CodeLens', async () => ((await workbench.codeLensTexts()).some((text) => text.includes('Invoke Warm')) ? true : undefined), 30_000);
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
      await workbench.clickCodeLens('Invoke Warm');
      const panel = await panelAt(n);
      assert.equal(arrayLength(panel.module.arrayB.value), n, `arrayB at invocation ${n}: ${panel.module.arrayB.value}`);
      assert.deepEqual(arrayPreviewItems(panel.module.arrayB.value), Array(n).fill('B'));
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

    mkdirSync(artifacts, { recursive: true });
    await workbench.page.screenshot({ path: join(artifacts, 'workbench-light.png') });
    await panelFrameElementScreenshot(join(artifacts, 'panel-light.png'));
  });

  it('follows the dark theme', async () => {
    writeUserSettings(session.server.userDataDir, { 'workbench.colorTheme': 'Default Dark Modern' });
    await workbench.page.waitForSelector('.monaco-workbench.vs-dark', { timeout: 30_000 });
    await workbench.waitForWebview(PANEL_READY_SELECTOR, 'the panel to switch to the dark theme', (frame) => frame.evaluate(() => document.body.className), (classes) => classes.includes('vscode-dark'));
    const panel = await panelAt(3);
    assert.equal(arrayLength(panel.module.arrayB.value), 3);
    await workbench.page.screenshot({ path: join(artifacts, 'workbench-dark.png') });
    await panelFrameElementScreenshot(join(artifacts, 'panel-dark.png'));
  });

  it('shows a captured XSS string as text and runs none of it', async () => {
    await workbench.openFile('xss/handler.js');
    await workbench.clickCodeLens('Invoke Warm');
    const panel = await workbench.waitForWebview(PANEL_READY_SELECTOR, 'the xss handler in a panel', readPanel, (snapshot) => 'label' in snapshot.module);
    assert.match(panel.module.label.value, /<img src=x onerror=/, 'the markup shows as literal text');
    assert.equal(panel.injectedElements, 0, 'no element was created from the captured string');
    assert.notEqual(panel.documentTitle, 'XSS-EXECUTED');
    assert.notEqual(await workbench.page.title(), 'XSS-EXECUTED');
    for (const frame of workbench.page.frames()) {
      if (frame.isDetached()) continue;
      const title = await frame.evaluate(() => document.title).catch(() => '');
      assert.notEqual(title, 'XSS-EXECUTED', `frame ${frame.url()}`);
    }
  });

  it('runs handler code in this trusted workspace (control for the restricted-mode test)', async () => {
    const markerDir = join(session.workspace, 'marker');
    await workbench.openFile('marker/handler.js');
    await workbench.clickCodeLens('Invoke Warm');
    await poll('marker/handler-ran.marker', async () => (existsSync(join(markerDir, 'handler-ran.marker')) ? true : undefined), 60_000);
  });

  it('restores the panel after a window reload', async () => {
    await workbench.openFile('freeze-demo/handler.js');
    await workbench.reload();
    // The serializer brings the panel back for the same handler; invoking again renders into it.
    await workbench.webviewFrame('.ws-header', 60_000);
    const restored = await workbench.waitForWebview('.ws-header', 'the restored panel to name its handler', (frame) => frame.evaluate(() => document.body.innerText), (text) => text.includes('handler'));
    assert.match(restored, /test/);
    await workbench.openFile('freeze-demo/handler.js');
    await workbench.clickCodeLens('Invoke Warm');
    const panel = await workbench.waitForWebview(PANEL_READY_SELECTOR, 'an invocation in the restored panel', readPanel, (snapshot) => 'arrayB' in snapshot.module && snapshot.invocation !== null && snapshot.invocation >= 1);
    assert.ok(arrayLength(panel.module.arrayB.value) >= 1, panel.module.arrayB.value);
  });
});
