/**
 * The whole panel: header and toolbar, errors, growth warning, timeline with memory chart,
 * and the selected invocation. Pure DOM code with no VS Code dependency: `mountPanel`
 * takes a root element, a `post` function and UI-state callbacks, so tests render it in
 * happy-dom and main.ts wires it to `acquireVsCodeApi()`.
 *
 * State ownership: the host sends the history (timeline + latest record); this view keeps
 * only UI state (selected invocation, expanded tree paths, open sections, scroll) and
 * reports it through `saveUi` for `vscode.setState`.
 */
import type { InvocationRecord, PendingWork } from '../../src/core/model/snapshot';
import { growthInUnits, type MemoryEstimate } from '../../src/core/model/memory-trend';
import type { GrowthSeries, HostToWebviewMessage, PanelState, PanelUiState, WebviewToHostMessage } from '../../src/webview-protocol/panel';
import { emptyUiState, MAX_EXPANDED_PATHS } from '../../src/webview-protocol/panel';
import { memoryChart, sparkline } from './charts';
import { codicon, el, replaceChildren, spaced } from './dom';
import { formatMs, formatSeries, plural } from './format';
import { estimateBasis, estimateText, workspaceRootOf } from './memory-view';
import { HeaderView } from './header';
import { renderInvocation } from './invocation-view';
import { TimelineView } from './timeline';
import { laneName, laneOf, LanesView } from './lanes';

export interface PanelOptions {
  post(message: WebviewToHostMessage): void;
  /** Restored UI state (from vscode.getState), if any. */
  ui?: PanelUiState;
  /** Persists UI state (vscode.setState); `state` is the latest host state, for the handler identity. */
  saveUi?(ui: PanelUiState, state: PanelState | null): void;
}

/** Records kept for quick re-selection; the host remains the source of truth. */
const RECORD_CACHE_LIMIT = 32;
/** After this long without an answer a new selection is requested anyway. */
const REQUEST_PATIENCE_MS = 3000;

export class PanelController {
  private readonly doc: Document;
  private state: PanelState | null = null;
  private ui: PanelUiState;
  private readonly expanded: Set<string>;
  private readonly records = new Map<number, InvocationRecord>();
  /** What ran in the invocation after each cached record (the host's answer to `selectInvocation`). */
  private readonly ranNext = new Map<number, PendingWork[] | null>();
  private shownInvocation: number | null = null;
  /** What the shown record looked like: a retained-size measurement changes the latest record in place. */
  private shownVersion = '';
  private lastLatest: number | null = null;
  /**
   * One `selectInvocation` at a time: holding an arrow key over 1,000 rows must not queue
   * 1,000 record transfers. While a request is out, only the latest wish is remembered and
   * asked for when the answer arrives (or when the host seems to have dropped it).
   */
  private inFlight: { invocation: number; since: number } | null = null;
  private notice: string | null = null;

  private readonly header: HeaderView;
  private readonly errors: HTMLElement;
  private readonly growth: HTMLElement;
  private readonly timeline: TimelineView;
  private readonly lanes: LanesView;
  private readonly chart: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly live: HTMLElement;
  private readonly waiting: HTMLElement;

  constructor(private readonly root: HTMLElement, private readonly options: PanelOptions) {
    const doc = root.ownerDocument;
    this.doc = doc;
    this.ui = options.ui ? { ...options.ui, expanded: options.ui.expanded.slice(), sections: { ...options.ui.sections } } : emptyUiState();
    this.expanded = new Set(this.ui.expanded);

    this.header = new HeaderView({ doc, post: (m) => this.post(m), onInvoke: () => this.followLatest() });
    this.errors = el(doc, 'div', { class: 'ws-errors', attrs: { role: 'alert' } });
    this.growth = el(doc, 'div', { class: 'ws-growth-area' });
    this.timeline = new TimelineView({ doc, onSelect: (n) => this.select(n) });
    this.lanes = new LanesView({ doc, onSelect: (n) => this.select(n) });
    this.chart = el(doc, 'div', { class: 'ws-chart-area' });
    this.detail = el(doc, 'div', { class: 'ws-detail', attrs: { 'aria-live': 'off' } });
    this.live = el(doc, 'div', { class: 'ws-sr-only', attrs: { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' } });
    this.waiting = el(doc, 'p', { class: 'ws-waiting' }, codicon(doc, 'loading', 'codicon-modifier-spin'), el(doc, 'span', { text: 'Waiting for Warm State…' }));

    const history = el(doc, 'aside', { class: 'ws-history', attrs: { 'aria-labelledby': 'ws-history-title' } },
      el(doc, 'h2', { class: 'ws-pane-title', attrs: { id: 'ws-history-title' } }, codicon(doc, 'history'), el(doc, 'span', { text: 'Invocations' })),
      this.timeline.element,
    );
    // Its own grid item: beside the timeline when wide, after the selected invocation when narrow.
    const memory = el(doc, 'section', { class: 'ws-memory', attrs: { 'aria-labelledby': 'ws-memory-title' } },
      el(doc, 'h2', { class: 'ws-pane-title', attrs: { id: 'ws-memory-title' } }, codicon(doc, 'pulse'), el(doc, 'span', { text: 'Memory' })),
      this.chart,
    );
    // Landmarks: the header (banner), then main with the warnings, the history (complementary)
    // and the selected invocation (a region named by its title).
    const selected = el(doc, 'section', { class: 'ws-main', attrs: { 'aria-labelledby': 'ws-detail-title' } }, this.detail);
    const main = el(doc, 'main', { class: 'ws-content' }, this.errors, this.growth, this.lanes.element, el(doc, 'div', { class: 'ws-body' }, history, selected, memory));
    replaceChildren(root, this.header.element, main, this.live);
    root.classList.add('ws-panel', 'is-waiting');
    root.appendChild(this.waiting);

    doc.addEventListener('scroll', () => this.onScroll(), { passive: true });
  }

  /** Handles a validated host message. */
  receive(message: HostToWebviewMessage): void {
    if (message.type === 'state') this.setState(message.state);
    else this.setDetail(message.invocation, message.record, message.ranNext ?? null);
  }

  setState(state: PanelState): void {
    const first = this.state === null;
    this.state = state;
    this.root.classList.remove('is-waiting');
    this.waiting.remove();
    const latest = state.timeline.length ? state.timeline[state.timeline.length - 1].invocation : (state.selected?.invocation ?? null);
    const cached = state.selected ? this.records.get(state.selected.invocation) : undefined;
    if ((latest !== null && this.lastLatest !== null && latest < this.lastLatest) || (cached && state.selected && cached.requestId !== state.selected.requestId)) {
      // The host started a new history (numbers restarted): cached records are stale.
      this.records.clear();
      this.ranNext.clear();
      this.shownInvocation = null;
      this.lastLatest = null;
      this.ui.selectedInvocation = null;
    }
    if (state.selected) this.remember(state.selected);
    if (this.lastLatest !== null && latest !== null && latest > this.lastLatest) {
      this.announce(state);
      this.ui.selectedInvocation = null;
      this.notice = null;
    }
    this.lastLatest = latest;
    if (this.ui.selectedInvocation !== null && !state.timeline.some((e) => e.invocation === this.ui.selectedInvocation)) {
      this.ui.selectedInvocation = null;
    }
    this.header.update(state);
    this.renderErrors(state);
    this.renderGrowth(state.growth, state.selected, state.estimate, state.selected?.memorySizeMB ?? state.settings?.memoryMB ?? null);
    this.renderDetail();
    this.timeline.update(state.timeline, this.displayedInvocation());
    this.lanes.update(state.timeline, this.displayedInvocation());
    replaceChildren(this.chart, memoryChart(this.doc, state.timeline, this.displayedInvocation()));
    if (first) {
      const scroller = this.doc.scrollingElement;
      if (scroller && this.ui.scrollTop > 0) scroller.scrollTop = this.ui.scrollTop;
    }
    this.save();
  }

  setDetail(invocation: number, record: InvocationRecord | null, ranNext: PendingWork[] | null = null): void {
    if (this.inFlight?.invocation === invocation) this.inFlight = null;
    if (record) {
      this.remember(record);
      this.ranNext.set(invocation, ranNext);
    } else if (this.ui.selectedInvocation === invocation) {
      this.notice = `Invocation #${invocation} is no longer in the history; showing the latest.`;
      this.ui.selectedInvocation = null;
      this.save();
    }
    // Also renders (and requests) a selection that changed while this answer was on its way.
    this.refreshSelection();
  }

  /** The UI state as it would be saved. */
  uiState(): PanelUiState {
    return { ...this.ui, expanded: Array.from(this.expanded).slice(-MAX_EXPANDED_PATHS), sections: { ...this.ui.sections } };
  }

  private post(message: WebviewToHostMessage): void {
    this.options.post(message);
  }

  private save(): void {
    this.options.saveUi?.(this.uiState(), this.state);
  }

  private remember(record: InvocationRecord): void {
    this.records.delete(record.invocation);
    this.records.set(record.invocation, record);
    while (this.records.size > RECORD_CACHE_LIMIT) {
      const oldest = this.records.keys().next().value as number;
      this.records.delete(oldest);
      this.ranNext.delete(oldest);
    }
  }

  private latestInvocation(): number | null {
    const timeline = this.state?.timeline ?? [];
    return timeline.length ? timeline[timeline.length - 1].invocation : (this.state?.selected?.invocation ?? null);
  }

  private displayedInvocation(): number | null {
    return this.ui.selectedInvocation ?? this.latestInvocation();
  }

  private followLatest(): void {
    this.ui.selectedInvocation = null;
    this.notice = null;
    this.save();
  }

  private select(invocation: number): void {
    this.ui.selectedInvocation = invocation === this.latestInvocation() ? null : invocation;
    this.notice = null;
    this.save();
    this.refreshSelection();
  }

  private refreshSelection(): void {
    if (!this.state) return;
    this.renderDetail();
    this.timeline.update(this.state.timeline, this.displayedInvocation());
    this.lanes.update(this.state.timeline, this.displayedInvocation());
    replaceChildren(this.chart, memoryChart(this.doc, this.state.timeline, this.displayedInvocation()));
  }

  private shownErrors = '[]';

  private renderErrors(state: PanelState): void {
    const { doc } = this;
    // The container is an alert: re-rendering identical errors on every state would make
    // screen readers announce them again after each status change.
    const key = JSON.stringify(state.errors);
    if (key === this.shownErrors) return;
    this.shownErrors = key;
    replaceChildren(this.errors, ...state.errors.map((error) =>
      el(doc, 'div', { class: 'ws-notice ws-notice-error' },
        codicon(doc, 'error'),
        el(doc, 'div', { class: 'ws-notice-text' },
          el(doc, 'span', { text: error.message }),
          error.detail ? el(doc, 'details', {}, el(doc, 'summary', { text: 'Details' }), el(doc, 'pre', { class: 'ws-pre', text: error.detail })) : null))));
  }

  /** `latest` is the record the growth series come from: it describes each variable in units. */
  private renderGrowth(growth: GrowthSeries[], latest: InvocationRecord | null, estimate: MemoryEstimate | null, memorySizeMB: number | null): void {
    const { doc } = this;
    const left = memorySizeMB === null ? null : estimateText(estimate, memorySizeMB);
    if (growth.length === 0 && left === null) {
      replaceChildren(this.growth);
      return;
    }
    const names = growth.map((g) => g.name);
    // Managed Instances: growth compares within one worker, so the warning names it.
    const where = latest?.worker !== undefined ? ` in ${laneName(laneOf(latest))}` : '';
    const headline = names.length
      ? `${names.join(', ')} ${names.length === 1 ? 'keeps' : 'keep'} growing${where} across warm invocations`
      : 'Memory keeps rising across warm invocations';
    replaceChildren(this.growth, el(doc, 'div', { class: 'ws-growth', attrs: { role: 'note', 'aria-label': 'Growth warning' } },
      codicon(doc, 'warning', 'ws-growth-icon'),
      el(doc, 'div', { class: 'ws-growth-text' },
        el(doc, 'strong', { text: headline }),
        ' ',
        el(doc, 'span', { class: 'ws-growth-hint', text: 'Module-scope values survive between warm invocations; a value that grows on every request leaks until the environment runs out of memory.' }),
        growth.length ? el(doc, 'ul', { class: 'ws-growth-list' }, ...growth.map((g) => {
          // Items are what people count; the structural size only when the value holds nothing countable.
          const series = g.itemSeries.length >= 2 ? g.itemSeries : g.sizeSeries;
          const variable = latest?.moduleScope.find((v) => v.name === g.name);
          const summary = variable ? growthInUnits(variable) : `size ${formatSeries(g.sizeSeries)}`;
          return el(doc, 'li', { class: 'ws-growth-item' }, ...spaced(doc,
            el(doc, 'span', { class: 'ws-kind', text: g.kind }),
            el(doc, 'span', { class: 'ws-name', text: `${g.name}:` }),
            sparkline(doc, series, `${g.name} ${g.itemSeries.length >= 2 ? 'items' : 'size'}`),
            el(doc, 'span', { class: 'ws-series', text: summary, attrs: { title: `size ${formatSeries(g.sizeSeries)}` } })));
        })) : null,
        left !== null && estimate ? el(doc, 'p', { class: 'ws-estimate', attrs: { title: estimateBasis(estimate) } }, codicon(doc, 'clock'), el(doc, 'span', { text: left })) : null,
      )));
  }

  private renderDetail(): void {
    const { doc } = this;
    const wanted = this.displayedInvocation();
    const record = wanted === null ? null : this.records.get(wanted) ?? null;
    const notice = this.notice ? el(doc, 'p', { class: 'ws-notice' }, codicon(doc, 'info'), el(doc, 'span', { text: this.notice })) : null;
    if (wanted === null) {
      this.shownInvocation = null;
      replaceChildren(this.detail, notice, el(doc, 'div', { class: 'ws-empty-detail' },
        codicon(doc, 'symbol-event', 'ws-empty-icon'),
        el(doc, 'h2', { class: 'ws-detail-title', attrs: { id: 'ws-detail-title' }, text: this.state?.busy ? 'Running the first invocation…' : 'No invocations yet' }),
        el(doc, 'p', { text: 'Invoke the handler to see what its module scope keeps between warm invocations and what its handler scope recreates.' })));
      return;
    }
    if (!record) {
      this.shownInvocation = null;
      const lost = this.inFlight !== null && Date.now() - this.inFlight.since > REQUEST_PATIENCE_MS;
      if (this.inFlight === null || lost) {
        this.inFlight = { invocation: wanted, since: Date.now() };
        this.post({ type: 'selectInvocation', invocation: wanted });
      }
      replaceChildren(this.detail, el(doc, 'p', { class: 'ws-waiting' }, codicon(doc, 'loading', 'codicon-modifier-spin'),
        el(doc, 'span', { attrs: { id: 'ws-detail-title' }, text: `Loading invocation #${wanted}…` })));
      return;
    }
    const isLatest = wanted === this.latestInvocation();
    const ranNext = this.ranNext.get(wanted);
    // An earlier record with pending work: the host tells what ran after it (asked once).
    if (!isLatest && ranNext === undefined && (record.pendingAtFreeze?.length ?? 0) > 0 && this.inFlight === null) {
      this.inFlight = { invocation: wanted, since: Date.now() };
      this.post({ type: 'selectInvocation', invocation: wanted });
    }
    const version = renderVersion(record, ranNext);
    // Rebuilding the same record would lose focus and scroll inside the trees for nothing.
    if (this.shownInvocation === wanted && this.shownVersion === version && !notice && this.detail.firstElementChild?.getAttribute('data-invocation') === String(wanted)) return;
    this.shownInvocation = wanted;
    this.shownVersion = version;
    replaceChildren(this.detail, notice, renderInvocation({
      doc,
      isExpanded: (path) => this.expanded.has(path),
      onToggle: (path, open) => {
        if (open) this.expanded.add(path);
        else for (const p of Array.from(this.expanded)) if (p === path || p.startsWith(`${path}/`)) this.expanded.delete(p);
        this.save();
      },
      isSectionOpen: (id, fallback) => this.ui.sections[id] ?? fallback,
      onSection: (id, open) => {
        this.ui.sections[id] = open;
        this.save();
      },
      openOutput: () => this.post({ type: 'openOutput' }),
      links: { handlerFile: this.state?.handler.file ?? '', workspaceRoot: this.state ? workspaceRootOf(this.state.handler) : null, openSource: (file, line) => this.post({ type: 'openSource', file, line }) },
      ranNext: isLatest ? null : ranNext ?? null,
    }, record, isLatest));
  }

  private announce(state: PanelState): void {
    const entry = state.timeline[state.timeline.length - 1];
    if (!entry) return;
    const parts = [`Invocation ${entry.invocation} ${entry.error ? 'failed' : 'finished'}`, entry.cold ? 'cold start' : 'warm', formatMs(entry.durationMs)];
    if (state.selected && state.selected.invocation === entry.invocation && state.selected.error) {
      parts.push(`${state.selected.error.errorType}: ${state.selected.error.errorMessage}`);
    }
    if (state.growth.length) parts.push(`${plural(state.growth.length, 'module variable')} growing: ${state.growth.map((g) => g.name).join(', ')}`);
    this.live.textContent = `${parts.join(', ')}.`;
  }

  private scrollTimer: ReturnType<typeof setTimeout> | null = null;

  private onScroll(): void {
    if (this.scrollTimer !== null) return;
    this.scrollTimer = setTimeout(() => {
      this.scrollTimer = null;
      this.ui.scrollTop = Math.max(0, Math.round(this.doc.scrollingElement?.scrollTop ?? 0));
      this.save();
    }, 250);
  }
}

/** What decides whether a shown record must be rebuilt: a measurement or the next invocation's answer changes it. */
function renderVersion(record: InvocationRecord, ranNext: PendingWork[] | null | undefined): string {
  const retained = record.moduleScope.map((variable) => variable.retainedBytes ?? '').join(',');
  return `${record.requestId}|${record.retained?.snapshotMs ?? ''}|${retained}|${ranNext === undefined ? '?' : JSON.stringify(ranNext)}`;
}

export function mountPanel(root: HTMLElement, options: PanelOptions): PanelController {
  return new PanelController(root, options);
}

/** Renders `state` into `root` in one call (tests, previews). */
export function renderPanel(
  root: HTMLElement,
  state: PanelState,
  ui: PanelUiState | undefined,
  post: (message: WebviewToHostMessage) => void,
  saveUi?: (ui: PanelUiState, state: PanelState | null) => void,
): PanelController {
  const panel = mountPanel(root, { post, ui, saveUi });
  panel.setState(state);
  return panel;
}
