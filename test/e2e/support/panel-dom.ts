/**
 * Reads what the Warm State panel shows, from the DOM inside its webview frame, the way a
 * user sees it: the value trees (module scope rows have paths `m:<name>`, handler scope
 * `h:<name>`), the invocation on display, badges and the growth warning.
 */
import type { Frame } from 'playwright-core';

/** Present in the panel's document once an invocation is shown. */
export const PANEL_READY_SELECTOR = '.ws-invocation';

export interface RowSnapshot {
  /** The one-line preview, e.g. `Array(2) ['B', 'B']`. */
  value: string;
  /** The row carries the `growing` badge. */
  growing: boolean;
  /** Its accessible label. */
  label: string;
}

export interface PanelSnapshot {
  /** `data-invocation` of the invocation on display. */
  invocation: number | null;
  badges: string[];
  module: Record<string, RowSnapshot>;
  handler: Record<string, RowSnapshot>;
  /** Text of the growth warning(s) outside the rows, '' when none. */
  growthWarning: string;
  /** The panel document's whole text, for failure messages and text checks. */
  text: string;
  /** document.title of the panel frame (an injected script would change it). */
  documentTitle: string;
  /** Elements that only injected markup could create. */
  injectedElements: number;
}

export async function readPanel(frame: Frame): Promise<PanelSnapshot> {
  return frame.evaluate(() => {
    const rows = (prefix: string): Record<string, { value: string; growing: boolean; label: string }> => {
      const result: Record<string, { value: string; growing: boolean; label: string }> = {};
      for (const item of Array.from(document.querySelectorAll<HTMLElement>(`li[role="treeitem"][aria-level="1"][data-path^="${prefix}:"]`))) {
        const name = decodeURIComponent((item.getAttribute('data-path') ?? '').slice(prefix.length + 1));
        const row = item.querySelector(':scope > .ws-row');
        result[name] = {
          value: row?.querySelector('.ws-value')?.textContent ?? '',
          growing: Boolean(row?.querySelector('.ws-growing')),
          label: item.getAttribute('aria-label') ?? '',
        };
      }
      return result;
    };
    const invocation = document.querySelector('.ws-invocation')?.getAttribute('data-invocation');
    const warnings = Array.from(document.querySelectorAll('[class*="ws-growth"]')).map((element) => element.textContent ?? '');
    return {
      invocation: invocation ? Number(invocation) : null,
      badges: Array.from(document.querySelectorAll('.ws-detail-title .ws-badge')).map((badge) => badge.textContent ?? ''),
      module: rows('m'),
      handler: rows('h'),
      growthWarning: warnings.join(' ').trim(),
      text: document.body?.innerText ?? '',
      documentTitle: document.title,
      injectedElements: document.querySelectorAll('img[src="x"], img[onerror], script:not([nonce]):not([src])').length,
    };
  });
}

/** The array length in a preview such as `Array(3) ['B', 'B', 'B']`, or NaN when it is not an array. */
export function arrayLength(preview: string): number {
  const match = /^Array\((\d+)\)/.exec(preview.trim());
  return match ? Number(match[1]) : Number.NaN;
}

/** The items the preview lists between its brackets, unquoted. */
export function arrayPreviewItems(preview: string): string[] {
  const match = /\[(.*)\]$/.exec(preview.trim());
  if (!match || match[1].trim() === '') return [];
  return match[1].split(',').map((item) => item.trim().replace(/^['"“]|['"”]$/g, ''));
}
