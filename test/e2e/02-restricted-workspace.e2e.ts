/**
 * Restricted Mode: code-server started WITH workspace trust (no --disable-workspace-trust,
 * and the trust prompt off), so the folder opens untrusted as a never-seen folder does.
 * The marker fixture writes files when its module loads or its handler runs; the trusted
 * suite shows the same clicks do create them, so their absence here means nothing ran.
 */
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { e2eContext } from './support/context';
import { PANEL_READY_SELECTOR } from './support/panel-dom';
import { startSession, type Session } from './support/session';
import { poll, type Workbench } from './support/workbench';

describe('end to end: a restricted (untrusted) workspace', function () {
  let session: Session;
  let workbench: Workbench;

  before(async function () {
    this.timeout(180_000);
    session = await startSession('restricted', { trusted: false });
    workbench = await session.open();
  });

  after(async function () {
    this.timeout(60_000);
    if (workbench) await workbench.page.screenshot({ path: join(e2eContext().stateDir, 'restricted-last.png') }).catch(() => undefined);
    await session?.close();
  });

  it('opens the folder in Restricted Mode', async () => {
    await workbench.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
  });

  it('runs nothing from the CodeLens or the command palette, and says why', async () => {
    await workbench.openFile('marker/handler.js');
    // Detection still works untrusted (it only parses): the lens is there to click.
    await workbench.clickCodeLens('Invoke Warm', 'marker/handler.js');
    await workbench.runCommand('Warm State: Invoke Warm');
    const notice = await poll('a notification about workspace trust', async () => {
      const texts = await workbench.notifications();
      return texts.find((text) => /trust|restricted/i.test(text));
    }, 20_000);
    assert.match(notice, /trust|restricted/i);
    // Give a wrongly started invocation time to leave its marks.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const left = readdirSync(join(session.workspace, 'marker')).filter((name) => name.endsWith('.marker'));
    assert.deepEqual(left, [], 'handler code ran in a restricted workspace');
    const panelFrames = await workbench.webviewFrame(PANEL_READY_SELECTOR, 2_000).then(() => 1, () => 0);
    assert.equal(panelFrames, 0, 'no invocation was rendered');
  });
});
