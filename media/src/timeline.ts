/**
 * The invocation timeline: a windowed listbox, newest first. Only the rows in view (plus
 * a small overscan) exist in the DOM; SVG spacers stand in for the rest, so 1,000 or
 * 100,000 invocations cost the same. Keyboard: Up/Down, PageUp/PageDown, Home/End move
 * the selection (selection follows focus); the listbox uses aria-activedescendant.
 */
import type { TimelineEntry } from '../../src/webview-protocol/panel';
import { clear, codicon, el, spacer } from './dom';
import { describeReset, formatMB, formatMs } from './format';

/** Must match `.ws-tl-row { height }` in panel.css. */
export const ROW_HEIGHT = 24;
/** Rows assumed visible when the DOM has no layout (tests) or the panel is hidden. */
const FALLBACK_VISIBLE_ROWS = 12;
const OVERSCAN = 6;

export interface TimelineOptions {
  doc: Document;
  onSelect(invocation: number): void;
}

export class TimelineView {
  /** Column headings plus the listbox. */
  readonly element: HTMLDivElement;
  /** The scrolling listbox. */
  readonly list: HTMLDivElement;
  /** Newest first. */
  private entries: TimelineEntry[] = [];
  private selected: number | null = null;

  constructor(private readonly options: TimelineOptions) {
    const { doc } = options;
    this.list = el(doc, 'div', {
      class: 'ws-timeline',
      attrs: { role: 'listbox', tabindex: 0, 'aria-label': 'Invocations, newest first' },
    });
    // Visual column headings; each option's aria-label already names its values.
    const headings = el(doc, 'div', { class: 'ws-tl-row ws-tl-head', attrs: { 'aria-hidden': 'true' } },
      el(doc, 'span', { text: '#' }), el(doc, 'span', { text: 'type' }), el(doc, 'span', { class: 'ws-tl-duration', text: 'duration' }),
      el(doc, 'span', { class: 'ws-tl-init', text: 'init' }), el(doc, 'span', { class: 'ws-tl-memory', text: 'memory' }), el(doc, 'span'));
    this.element = el(doc, 'div', { class: 'ws-timeline-wrap' }, headings, this.list);
    this.list.addEventListener('scroll', () => this.renderWindow());
    this.list.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.list.addEventListener('click', (event) => {
      const row = (event.target as Element | null)?.closest?.('[role="option"]');
      const invocation = Number(row?.getAttribute('data-invocation'));
      if (Number.isSafeInteger(invocation) && invocation > 0) this.choose(invocation);
    });
  }

  /** `timeline` oldest first (as the host sends it); `selected` the invocation shown. */
  update(timeline: readonly TimelineEntry[], selected: number | null): void {
    // Scroll to the selection only when it or the history changed: a status update must
    // not yank the list back while the user is browsing older invocations.
    const moved = selected !== this.selected || timeline.length !== this.entries.length;
    this.entries = timeline.slice().reverse();
    this.selected = selected;
    this.element.classList.toggle('is-empty', this.entries.length === 0);
    if (moved) this.ensureVisible();
    this.renderWindow();
  }

  private visibleRows(): number {
    const height = this.list.clientHeight;
    return height > 0 ? Math.ceil(height / ROW_HEIGHT) : FALLBACK_VISIBLE_ROWS;
  }

  private indexOfSelected(): number {
    return this.entries.findIndex((entry) => entry.invocation === this.selected);
  }

  private ensureVisible(): void {
    const index = this.indexOfSelected();
    if (index < 0) return;
    const top = index * ROW_HEIGHT;
    const viewHeight = this.visibleRows() * ROW_HEIGHT;
    if (top < this.list.scrollTop) this.list.scrollTop = top;
    else if (top + ROW_HEIGHT > this.list.scrollTop + viewHeight) this.list.scrollTop = top + ROW_HEIGHT - viewHeight;
  }

  /** Renders rows in view only. Public so tests can drive it after changing scrollTop. */
  renderWindow(): void {
    const { doc } = this.options;
    const total = this.entries.length;
    clear(this.list);
    if (total === 0) {
      this.list.appendChild(el(doc, 'div', { class: 'ws-empty', text: 'No invocations yet. Invoke the handler to start.' }));
      this.list.removeAttribute('aria-activedescendant');
      return;
    }
    const visible = this.visibleRows();
    const first = Math.max(0, Math.floor(this.list.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, first + visible + 2 * OVERSCAN);
    // Keep the active row in the DOM so aria-activedescendant always points at an element.
    const selectedIndex = this.indexOfSelected();
    if (first > 0) this.list.appendChild(spacer(doc, first * ROW_HEIGHT));
    if (selectedIndex >= 0 && selectedIndex < first) this.list.appendChild(this.row(this.entries[selectedIndex], selectedIndex, true));
    for (let i = first; i < last; i++) this.list.appendChild(this.row(this.entries[i], i, false));
    if (selectedIndex >= last) this.list.appendChild(this.row(this.entries[selectedIndex], selectedIndex, true));
    if (last < total) this.list.appendChild(spacer(doc, (total - last) * ROW_HEIGHT));
    if (selectedIndex >= 0) this.list.setAttribute('aria-activedescendant', `ws-inv-${this.entries[selectedIndex].invocation}`);
    else this.list.removeAttribute('aria-activedescendant');
  }

  private row(entry: TimelineEntry, index: number, offscreen: boolean): HTMLDivElement {
    const { doc } = this.options;
    const isSelected = entry.invocation === this.selected;
    const classes = ['ws-tl-row', entry.cold ? 'is-cold' : 'is-warm'];
    if (entry.error) classes.push('is-error');
    if (isSelected) classes.push('is-selected');
    if (offscreen) classes.push('is-offscreen');
    // The accessible name is the row's own text (so voice control can say what it sees),
    // completed by visually hidden words where the columns speak only by position.
    const hidden = (text: string): HTMLSpanElement => el(doc, 'span', { class: 'ws-sr-only', text });
    const extra = [
      entry.source === 'deployed' ? 'deployed' : '',
      entry.error ? 'error' : '',
      entry.reset ? `environment ${describeReset(entry.reset)}` : '',
      entry.growing.length ? `growing: ${entry.growing.join(', ')}` : '',
    ].filter(Boolean);
    // At most two glyphs fit the column: the worst outcome (error, else reset, else the
    // deployed mark) and growth. The hidden words and the tooltip name everything.
    const outcome = entry.error
      ? codicon(doc, 'error', 'ws-mark-error')
      : entry.reset
        ? codicon(doc, 'debug-disconnect', 'ws-mark-reset')
        : entry.source === 'deployed' ? codicon(doc, 'cloud', 'ws-mark-deployed') : null;
    const marks = el(doc, 'span', { class: 'ws-tl-marks' },
      entry.growing.length ? codicon(doc, 'arrow-circle-up', 'ws-mark-growing') : null,
      outcome,
    );
    const title = [
      `Invocation ${entry.invocation}`,
      entry.cold ? 'cold start' : 'warm',
      `duration ${formatMs(entry.durationMs)}`,
      entry.initDurationMs !== null ? `init ${formatMs(entry.initDurationMs)}` : '',
      `max memory ${formatMB(entry.maxMemoryUsedMB)}`,
      ...extra,
    ].filter(Boolean).join(' · ');
    return el(doc, 'div', {
      class: classes.join(' '),
      attrs: {
        role: 'option',
        id: `ws-inv-${entry.invocation}`,
        'aria-selected': isSelected ? 'true' : 'false',
        'aria-posinset': index + 1,
        'aria-setsize': this.entries.length,
        'data-invocation': entry.invocation,
        title,
      },
    },
    el(doc, 'span', { class: 'ws-tl-number', text: `#${entry.invocation}` }),
    hidden(', '),
    el(doc, 'span', { class: `ws-badge ${entry.cold ? 'ws-badge-cold' : 'ws-badge-warm'}`, text: entry.cold ? 'cold' : 'warm' }),
    hidden(', '),
    el(doc, 'span', { class: 'ws-tl-duration', text: formatMs(entry.durationMs) }),
    entry.initDurationMs !== null ? hidden(', init ') : null,
    el(doc, 'span', { class: 'ws-tl-init', text: entry.initDurationMs !== null ? formatMs(entry.initDurationMs) : '' }),
    hidden(', max memory '),
    el(doc, 'span', { class: 'ws-tl-memory', text: formatMB(entry.maxMemoryUsedMB) }),
    marks,
    extra.length ? hidden(`, ${extra.join(', ')}`) : null,
    );
  }

  private choose(invocation: number): void {
    if (invocation === this.selected) return;
    this.selected = invocation;
    this.ensureVisible();
    this.renderWindow();
    this.options.onSelect(invocation);
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (this.entries.length === 0) return;
    const current = Math.max(0, this.indexOfSelected());
    const page = Math.max(1, this.visibleRows() - 1);
    let next: number;
    switch (event.key) {
      case 'ArrowDown': next = current + 1; break;
      case 'ArrowUp': next = current - 1; break;
      case 'PageDown': next = current + page; break;
      case 'PageUp': next = current - page; break;
      case 'Home': next = 0; break;
      case 'End': next = this.entries.length - 1; break;
      default: return;
    }
    event.preventDefault();
    next = Math.min(this.entries.length - 1, Math.max(0, next));
    this.choose(this.entries[next].invocation);
  }
}
