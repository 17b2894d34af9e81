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
  /** Elements that only the XSS fixture's markup could create (an <img src=x>, its <script>). */
  injectedElements: number;
}

/**
 * Runs in the panel's document. Kept as plain JavaScript source: a function passed to
 * `frame.evaluate` would be serialised after tsx's transform, which adds helper calls
 * (`__name`) that do not exist in the browser.
 */
const READ_PANEL_SOURCE = `(() => {
  const rows = (prefix) => {
    const result = {};
    for (const item of document.querySelectorAll('[role="treeitem"][aria-level="1"][data-path^="' + prefix + ':"]')) {
      const name = decodeURIComponent((item.getAttribute('data-path') || '').slice(prefix.length + 1));
      // The row is the tree item itself (flat tree) or its first .ws-row child (nested tree).
      const row = item.querySelector(':scope > .ws-row') || item;
      result[name] = {
        value: (row && row.querySelector('.ws-value') && row.querySelector('.ws-value').textContent) || '',
        growing: Boolean(row && row.querySelector('.ws-growing')),
        label: item.getAttribute('aria-label') || '',
      };
    }
    return result;
  };
  const invocation = document.querySelector('.ws-invocation');
  const warnings = Array.from(document.querySelectorAll('[role="note"][aria-label="Growth warning"]'));
  return {
    invocation: invocation && invocation.getAttribute('data-invocation') ? Number(invocation.getAttribute('data-invocation')) : null,
    badges: Array.from(document.querySelectorAll('.ws-detail-title .ws-badge')).map((badge) => badge.textContent || ''),
    module: rows('m'),
    handler: rows('h'),
    growthWarning: warnings.map((element) => element.textContent || '').join(' ').trim(),
    text: document.body ? document.body.innerText : '',
    documentTitle: document.title,
    injectedElements: document.querySelectorAll('img[src="x"], img[onerror]').length
      + Array.from(document.scripts).filter((script) => (script.textContent || '').includes('XSS-EXECUTED')).length,
  };
})()`;

export async function readPanel(frame: Frame): Promise<PanelSnapshot> {
  return (await frame.evaluate(READ_PANEL_SOURCE)) as PanelSnapshot;
}

/** Evaluates a JavaScript expression (source text, see READ_PANEL_SOURCE) in a frame. */
export async function evaluateIn<T>(frame: Frame, expression: string): Promise<T> {
  return (await frame.evaluate(expression)) as T;
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
