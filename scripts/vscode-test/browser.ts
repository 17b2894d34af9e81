// Headless Debian Chromium driven by playwright-core (which never downloads a browser of
// its own here: executablePath points at the system one).
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const open = new Set<Browser>();

export async function launchBrowser(chromiumPath: string): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    // The harness owns signal handling and closes browsers itself, in order.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  open.add(browser);
  browser.once('disconnected', () => open.delete(browser));
  return browser;
}

export async function closeAllBrowsers(): Promise<void> {
  await Promise.all([...open].map((browser) => browser.close().catch(() => undefined)));
}
