/**
 * Drives the browser workbench of code-server like a user: the command palette, Quick Open,
 * CodeLens links, notifications, and the DOM inside webview frames.
 */
import type { Browser, Frame, Page } from 'playwright-core';
import type { CodeServer } from '../../../scripts/vscode-test/code-server';

async function poll<T>(description: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly server: CodeServer,
    readonly folder: string,
  ) {}

  /** Opens `folder` in a new page and waits until the workbench and its extension host are up. */
  static async open(browser: Browser, server: CodeServer, folder: string): Promise<Workbench> {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const workbench = new Workbench(page, server, folder);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
    await workbench.waitUntilReady();
    return workbench;
  }

  async waitUntilReady(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
    await this.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    // The explorer lists the folder once the remote file system is connected.
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitUntilReady();
  }

  /**
   * Opens the palette (F1), types, waits until the FOCUSED row is the wanted one (the list
   * re-renders while results stream in, so clicking a row can hit a stale element), then
   * presses Enter. One retry from scratch if the widget stays open.
   */
  private async quickInput(prefixKeys: string[], text: string, rowTexts: string[], closes = true, exactLabel?: string): Promise<void> {
    const { page } = this;
    const widget = page.locator('.quick-input-widget');
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('F1');
      const input = widget.locator('.quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      for (const key of prefixKeys) await page.keyboard.press(key);
      await input.pressSequentially(text, { delay: 10 });
      await this.enterFocusedRow(rowTexts, exactLabel);
      if (!closes) return;
      const closed = await widget.waitFor({ state: 'hidden', timeout: 5_000 }).then(() => true, () => false);
      if (closed) return;
      if (attempt === 2) throw new Error(`the quick input stayed open after picking ${rowTexts.join(' ')}`);
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    }
  }

  /**
   * Moves the list focus (arrow keys) to the first row showing every one of `rowTexts` (and,
   * given `exactLabel`, labelled exactly so: `Invoke Warm` must not pick a recently used
   * `Invoke Warm Concurrently`, listed first), then presses Enter.
   */
  private async enterFocusedRow(rowTexts: string[], exactLabel?: string): Promise<void> {
    const rows = this.page.locator('.quick-input-widget .monaco-list-row');
    let wanted = rows;
    for (const rowText of rowTexts) wanted = wanted.filter({ hasText: rowText });
    await wanted.first().waitFor({ state: 'visible', timeout: 20_000 });
    for (let step = 0; step < 40; step++) {
      const focused = rows.and(this.page.locator('.focused')).first();
      const focusedText = await focused.innerText({ timeout: 2_000 }).catch(() => '');
      const labelMatches = exactLabel === undefined || (await focused.locator('.label-name').first().innerText({ timeout: 2_000 }).catch(() => '')).trim() === exactLabel;
      if (labelMatches && rowTexts.every((rowText) => focusedText.includes(rowText))) {
        await this.page.keyboard.press('Enter');
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not focus the quick input row showing ${rowTexts.join(' ')}`);
  }

  /** In an open quick pick (e.g. after `Preferences: Color Theme`), types `text` and picks the row showing it. */
  async pickQuickInputItem(text: string): Promise<void> {
    const { page } = this;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(300); // the palette hands over to the picker
    await input.fill('');
    await input.pressSequentially(text, { delay: 10 });
    await this.enterFocusedRow([text]);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Runs a command from the palette by its full title, e.g. `Warm State: Invoke Warm`. */
  async runCommand(title: string, options: { opensPicker?: boolean } = {}): Promise<void> {
    await this.quickInput([], title, [title], !options.opensPicker, title);
  }

  /** Opens a file through Quick Open (the palette without its `>`), e.g. `marker/handler.js`. */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split('/');
    const name = parts.pop() ?? relativePath;
    // The row shows the name and, as its description, the folder: both must match, the name
    // exactly (`handler.js` must not pick `async-handler.js` in the same folder, which Quick Open
    // may list first).
    await this.quickInput(['Backspace'], relativePath, parts.length > 0 ? [name, parts.join('/')] : [name], true, name);
    await this.page.locator(`.monaco-editor[data-uri$="/${relativePath}"] .view-lines`).first().waitFor({ timeout: 20_000 });
  }

  /** The CodeLens links of the editor showing `relativePath` (editors carry their document's URI in data-uri). */
  private codeLensLinks(relativePath: string) {
    return this.page.locator(`.monaco-editor[data-uri$="/${relativePath}"] .codelens-decoration a`);
  }

  /** Clicks the first CodeLens whose text contains `text` in the editor showing `relativePath`. */
  async clickCodeLens(text: string, relativePath: string): Promise<void> {
    // Visible ones only: after a window reload the restored layout can hold a second, hidden
    // editor of the same file, and `.first()` would wait on its lens forever.
    const lens = this.codeLensLinks(relativePath).filter({ hasText: text, visible: true }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await lens.click();
  }

  async codeLensTexts(relativePath: string): Promise<string[]> {
    return this.codeLensLinks(relativePath).allInnerTexts();
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /** Every webview document (frame) currently holding `selector`. */
  async webviewFrames(selector: string): Promise<Frame[]> {
    const found: Frame[] = [];
    for (const frame of this.page.frames()) {
      if (frame === this.page.mainFrame() || frame.isDetached()) continue;
      if (await frame.$(selector).catch(() => null)) found.push(frame);
    }
    return found;
  }

  /**
   * The webview document that contains `selector`. Webviews are nested iframes (an outer
   * `.../webview/browser/pre/index.html` host and the content frame inside it).
   */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return poll(`a webview frame containing ${selector}`, async () => (await this.webviewFrames(selector))[0], timeoutMs);
  }

  /**
   * Polls `read` in every webview frame holding `selector` until one read satisfies
   * `accept` (several panels can be visible at once); returns that read.
   */
  async waitForWebview<T>(selector: string, description: string, read: (frame: Frame) => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
    let reads: T[] = [];
    try {
      return await poll(description, async () => {
        reads = [];
        for (const frame of await this.webviewFrames(selector)) {
          const value = await read(frame);
          reads.push(value);
          if (accept(value)) return value;
        }
        return undefined;
      }, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}; last reads: ${JSON.stringify(reads).slice(0, 2000)}`);
    }
  }

  async close(): Promise<void> {
    await this.page.close().catch(() => undefined);
  }
}

export { poll };
