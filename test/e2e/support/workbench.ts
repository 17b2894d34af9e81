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
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
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

  private async quickInput(prefixKeys: string[], text: string, rowText: string): Promise<void> {
    const { page } = this;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    for (const key of prefixKeys) await page.keyboard.press(key);
    await input.pressSequentially(text, { delay: 10 });
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Runs a command from the palette by its full title, e.g. `Warm State: Invoke Warm`. */
  async runCommand(title: string): Promise<void> {
    await this.quickInput([], title, title);
  }

  /** Opens a file through Quick Open (the palette without its `>`). */
  async openFile(relativePath: string): Promise<void> {
    const name = relativePath.split('/').pop() ?? relativePath;
    await this.quickInput(['Backspace'], relativePath, name);
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 20_000 });
    await this.page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 20_000 });
  }

  /** Clicks the first CodeLens whose text contains `text`. */
  async clickCodeLens(text: string): Promise<void> {
    const lens = this.page.locator('.monaco-editor .codelens-decoration a', { hasText: text }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await lens.click();
  }

  async codeLensTexts(): Promise<string[]> {
    return this.page.locator('.monaco-editor .codelens-decoration a').allInnerTexts();
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /**
   * The webview document that contains `selector`. Webviews are nested iframes (an outer
   * `.../webview/browser/pre/index.html` host and the content frame inside it).
   */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return poll(`a webview frame containing ${selector}`, async () => {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame() || frame.isDetached()) continue;
        if (await frame.$(selector).catch(() => null)) return frame;
      }
      return undefined;
    }, timeoutMs);
  }

  /** Polls `read` in the webview frame holding `selector` until `accept` holds; returns the last read. */
  async waitForWebview<T>(selector: string, description: string, read: (frame: Frame) => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
    let last: T | undefined;
    try {
      return await poll(description, async () => {
        const frame = await this.webviewFrame(selector, 5_000);
        last = await read(frame);
        return accept(last) ? last : undefined;
      }, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}; last read: ${JSON.stringify(last)}`);
    }
  }

  async close(): Promise<void> {
    await this.page.close().catch(() => undefined);
  }
}

export { poll };
