/**
 * Environments and workers as lanes on one time axis (issue 12): each invocation a bar in the
 * lane that ran it (an execution environment, or one worker of it in Managed Instances mode),
 * so invocations in flight at the same time are visible at a glance. Shown only when the
 * history involves more than one lane: the default mode with one environment keeps the panel
 * as it was.
 *
 * Geometry: bars are SVG rects whose `x`/`width` are percentages of the track (attributes, so
 * the CSP's ban on inline styles holds and text is never stretched). Long idle gaps between
 * bursts are cut out of the axis and drawn as a break, so a burst of 10 ms invocations a minute
 * after the previous one is still readable. A cold start's init is drawn before its run:
 * `startedAt` is when the request arrived, and the init ran before the handler did.
 *
 * Keyboard: one bar is in the tab order (roving tabindex); Left/Right move within a lane,
 * Up/Down to the nearest bar of the next lane, Home/End to the first/last bar; Enter or Space
 * selects. Everything shown is text nodes and attributes: nothing captured is ever markup.
 */
import type { TimelineEntry } from '../../src/webview-protocol/panel';
import { codicon, el, replaceChildren, svg } from './dom';
import { formatMs, plural } from './format';

/** Bars drawn at most: a window of the history around the selected invocation. */
export const MAX_LANE_BARS = 64;
/** Share of the track a cut-out idle gap takes. */
const BREAK_SHARE = 0.03;
/** An idle gap longer than this and than a quarter of the busy time is cut out of the axis. */
const GAP_MIN_MS = 200;
const GAP_BUSY_SHARE = 0.25;
/** Height of one stacked row of bars in a lane, px (SVG attribute geometry). */
const ROW_PX = 20;
const BAR_PX = 16;
const LANE_PAD_PX = 3;

// ---------------------------------------------------------------------------------------
// View model (pure)
// ---------------------------------------------------------------------------------------

export interface LaneKey {
  environment: number;
  /** Null in the default mode (one invocation at a time per environment). */
  worker: number | null;
}

export function laneOf(entry: Pick<TimelineEntry, 'environment' | 'worker'>): LaneKey {
  return { environment: entry.environment ?? 0, worker: entry.worker ?? null };
}

/** `environment 0, worker 1`, `environment 2`. */
export function laneName(lane: LaneKey): string {
  return lane.worker === null ? `environment ${lane.environment}` : `environment ${lane.environment}, worker ${lane.worker}`;
}

function laneId(lane: LaneKey): string {
  return `${lane.environment}/${lane.worker ?? ''}`;
}

/**
 * Distinct lanes among the local invocations: the lanes view shows when there is more than one.
 * Deployed invocations stay out: which of the cloud's environments ran them is not known.
 */
export function laneCount(timeline: readonly TimelineEntry[]): number {
  return new Set(localOnly(timeline).map((entry) => laneId(laneOf(entry)))).size;
}

function localOnly(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  return timeline.filter((entry) => entry.source === 'local');
}

export interface LaneBar {
  invocation: number;
  cold: boolean;
  error: boolean;
  /** Cross-talk findings of the invocation. */
  findings: number;
  /** Stacked row within the lane: invocations in flight together in one lane get rows of their own. */
  row: number;
  /** Start of the bar (init included) and where the run starts, 0..1 of the track. */
  x: number;
  runX: number;
  /** End of the bar, 0..1. */
  end: number;
  initMs: number | null;
  durationMs: number;
  selected: boolean;
  /** In flight in the same environment while the selected invocation ran. */
  overlapsSelected: boolean;
}

export interface Lane {
  key: LaneKey;
  name: string;
  rows: number;
  /** By start time. */
  bars: LaneBar[];
}

export interface LaneTick {
  x: number;
  label: string;
  anchor: 'start' | 'end';
}

export interface LaneLayout {
  lanes: Lane[];
  /** Cut-out idle gaps: where each starts, 0..1 (each is BREAK_SHARE wide). */
  breaks: number[];
  breakShare: number;
  ticks: LaneTick[];
  environments: number;
  workers: number;
  /** Most invocations in flight at once in one environment. */
  maxInFlight: number;
  /** The window of the history drawn (1-based invocation numbers) and the history's length. */
  first: number;
  last: number;
  total: number;
}

interface Span {
  entry: TimelineEntry;
  start: number;
  runStart: number;
  end: number;
}

function spanOf(entry: TimelineEntry): Span | null {
  const start = Date.parse(entry.startedAt);
  if (!Number.isFinite(start)) return null;
  const init = entry.cold && entry.initDurationMs !== null && entry.initDurationMs > 0 ? entry.initDurationMs : 0;
  const runStart = start + init;
  return { entry, start, runStart, end: runStart + Math.max(0, entry.durationMs) };
}

/** The entries drawn: at most `limit`, around the selected one (the latest when none). */
export function laneWindow<T extends { invocation: number }>(timeline: readonly T[], selected: number | null, limit = MAX_LANE_BARS): T[] {
  if (timeline.length <= limit) return timeline.slice();
  const found = selected === null ? -1 : timeline.findIndex((entry) => entry.invocation === selected);
  const index = found < 0 ? timeline.length - 1 : found;
  const start = Math.max(0, Math.min(timeline.length - limit, index - Math.floor(limit / 2)));
  return timeline.slice(start, start + limit);
}

/** Time to track position, with long idle gaps cut out: stretches of linear time separated by breaks. */
function timeAxis(spans: readonly Span[]): { at(t: number): number; breaks: number[]; ticks: LaneTick[] } {
  const sorted = spans.slice().sort((a, b) => a.start - b.start);
  const busy: Array<[number, number]> = [];
  for (const span of sorted) {
    const last = busy[busy.length - 1];
    if (last && span.start <= last[1]) last[1] = Math.max(last[1], span.end);
    else busy.push([span.start, span.end]);
  }
  const busyMs = busy.reduce((sum, [a, b]) => sum + (b - a), 0);
  const gapLimit = Math.max(GAP_MIN_MS, GAP_BUSY_SHARE * busyMs);
  const stretches: Array<[number, number]> = [];
  for (const [a, b] of busy) {
    const last = stretches[stretches.length - 1];
    if (last && a - last[1] <= gapLimit) last[1] = Math.max(last[1], b);
    else stretches.push([a, b]);
  }
  const lengths = stretches.map(([a, b]) => Math.max(b - a, 1));
  const total = lengths.reduce((sum, length) => sum + length, 0);
  const usable = 1 - BREAK_SHARE * (stretches.length - 1);
  const offsets: number[] = [];
  let offset = 0;
  for (const length of lengths) {
    offsets.push(offset);
    offset += (length / total) * usable + BREAK_SHARE;
  }
  const origin = stretches[0]?.[0] ?? 0;
  const at = (t: number): number => {
    let i = stretches.length - 1;
    while (i > 0 && t < stretches[i][0]) i--;
    return Math.min(1, Math.max(0, offsets[i] + ((t - stretches[i][0]) / total) * usable));
  };
  const ticks: LaneTick[] = stretches.map(([a], i) => ({ x: offsets[i], label: i === 0 ? '0 ms' : `+${formatMs(a - origin)}`, anchor: 'start' }));
  const lastStretch = stretches[stretches.length - 1];
  if (lastStretch) ticks.push({ x: 1, label: `+${formatMs(lastStretch[1] - origin)}`, anchor: 'end' });
  return { at, breaks: offsets.slice(1).map((x) => x - BREAK_SHARE), ticks };
}

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Null when the history involves one lane only (then the panel shows no lanes). */
export function layoutLanes(timeline: readonly TimelineEntry[], selected: number | null, limit = MAX_LANE_BARS): LaneLayout | null {
  const local = localOnly(timeline);
  if (laneCount(local) <= 1) return null;
  const shown = laneWindow(local, selected, limit);
  const spans = shown.map(spanOf).filter((span): span is Span => span !== null);
  if (spans.length === 0) return null;
  const axis = timeAxis(spans);
  const chosen = spans.find((span) => span.entry.invocation === selected) ?? null;
  const byLane = new Map<string, { key: LaneKey; spans: Span[] }>();
  for (const span of spans) {
    const key = laneOf(span.entry);
    const id = laneId(key);
    const lane = byLane.get(id) ?? byLane.set(id, { key, spans: [] }).get(id)!;
    lane.spans.push(span);
  }
  const lanes: Lane[] = Array.from(byLane.values())
    .sort((a, b) => a.key.environment - b.key.environment || (a.key.worker ?? -1) - (b.key.worker ?? -1))
    .map(({ key, spans: laneSpans }) => {
      const rowEnds: number[] = [];
      const bars = laneSpans.slice().sort((a, b) => a.start - b.start || a.entry.invocation - b.entry.invocation).map((span): LaneBar => {
        let row = rowEnds.findIndex((end) => end <= span.start);
        if (row < 0) row = rowEnds.push(span.end) - 1;
        else rowEnds[row] = span.end;
        const { entry } = span;
        return {
          invocation: entry.invocation,
          cold: entry.cold,
          error: entry.error,
          findings: entry.findings ?? 0,
          row,
          x: axis.at(span.start),
          runX: axis.at(span.runStart),
          end: axis.at(span.end),
          initMs: span.runStart > span.start ? span.runStart - span.start : null,
          durationMs: entry.durationMs,
          selected: entry.invocation === selected,
          overlapsSelected: chosen !== null && chosen !== span && (chosen.entry.environment ?? 0) === key.environment && overlaps(chosen, span),
        };
      });
      return { key, name: laneName(key), rows: Math.max(1, rowEnds.length), bars };
    });
  return {
    lanes,
    breaks: axis.breaks,
    breakShare: BREAK_SHARE,
    ticks: axis.ticks,
    environments: new Set(lanes.map((lane) => lane.key.environment)).size,
    workers: lanes.filter((lane) => lane.key.worker !== null).length,
    maxInFlight: maxInFlight(spans),
    first: shown[0].invocation,
    last: shown[shown.length - 1].invocation,
    total: local.length,
  };
}

/** Most spans open at one instant within one environment (a sweep over starts and ends). */
function maxInFlight(spans: readonly Span[]): number {
  let most = 0;
  const byEnvironment = new Map<number, Span[]>();
  for (const span of spans) {
    const environment = span.entry.environment ?? 0;
    byEnvironment.set(environment, [...(byEnvironment.get(environment) ?? []), span]);
  }
  for (const group of byEnvironment.values()) {
    const events = group.flatMap((span) => [[span.start, 1], [span.end, -1]] as Array<[number, number]>).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    for (const [, delta] of events) most = Math.max(most, (open += delta));
  }
  return most;
}

/** What a bar says to screen readers and in its tooltip. */
export function barLabel(bar: LaneBar, lane: Lane): string {
  // Starts with the bar's visible text (`#3`), so voice control users can say what they see.
  return [
    `#${bar.invocation}`,
    `invocation ${bar.invocation} in ${lane.name}`,
    bar.cold ? 'cold start' : 'warm',
    bar.initMs !== null ? `init ${formatMs(bar.initMs)}` : '',
    `duration ${formatMs(bar.durationMs)}`,
    bar.error ? 'error' : '',
    bar.findings ? plural(bar.findings, 'cross-talk finding') : '',
    bar.overlapsSelected ? 'in flight with the selected invocation' : '',
  ].filter(Boolean).join(', ');
}

function summary(layout: LaneLayout): string {
  return [
    plural(layout.environments, 'environment'),
    layout.workers ? plural(layout.workers, 'worker') : '',
    `up to ${layout.maxInFlight} in flight`,
    layout.last - layout.first + 1 < layout.total ? `#${layout.first}–#${layout.last} of ${layout.total}` : '',
  ].filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------------------------------
// Renderer
// ---------------------------------------------------------------------------------------

export interface LanesOptions {
  doc: Document;
  onSelect(invocation: number): void;
}

const pct = (fraction: number): string => `${(fraction * 100).toFixed(3)}%`;

export class LanesView {
  /** Empty (and invisible) while the history has one lane. */
  readonly element: HTMLDivElement;
  private layout: LaneLayout | null = null;
  private shownKey = '';

  constructor(private readonly options: LanesOptions) {
    this.element = el(options.doc, 'div', { class: 'ws-lanes-area' });
    this.element.addEventListener('click', (event) => {
      const invocation = invocationOf(event.target);
      if (invocation !== null) this.options.onSelect(invocation);
    });
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  update(timeline: readonly TimelineEntry[], selected: number | null): void {
    const layout = layoutLanes(timeline, selected);
    // Same picture: keep the DOM (and the focus inside it).
    const key = layout ? JSON.stringify(layout) : '';
    if (key === this.shownKey) return;
    this.shownKey = key;
    const focused = invocationOf(this.options.doc.activeElement);
    const hadFocus = focused !== null && this.element.contains(this.options.doc.activeElement);
    this.layout = layout;
    if (!layout) {
      replaceChildren(this.element);
      return;
    }
    replaceChildren(this.element, this.render(layout));
    if (hadFocus) this.barElement(focused)?.focus();
  }

  private render(layout: LaneLayout): HTMLElement {
    const { doc } = this.options;
    const allBars = layout.lanes.flatMap((lane) => lane.bars);
    const tabbable = (allBars.find((bar) => bar.selected) ?? allBars[allBars.length - 1])?.invocation;
    const rows = layout.lanes.map((lane, index) => {
      const height = lane.rows * ROW_PX + 2 * LANE_PAD_PX;
      const track = svg(doc, 'svg', { class: 'ws-lane-track', width: '100%', height },
        ...layout.breaks.map((x) => svg(doc, 'rect', { class: 'ws-lane-break', x: pct(x), width: pct(layout.breakShare), y: 0, height })),
        ...lane.bars.map((bar) => this.bar(bar, lane, bar.invocation === tabbable)),
        // Badges last, so a neighbouring bar never hides one.
        ...lane.bars.filter((bar) => bar.findings > 0).map((bar) => svg(doc, 'svg', { class: 'ws-lane-badge', x: pct(bar.end), y: LANE_PAD_PX + bar.row * ROW_PX, overflow: 'visible', 'aria-hidden': 'true', 'data-invocation': bar.invocation },
          svg(doc, 'circle', { cx: 0, cy: BAR_PX / 2, r: 7 }),
          svg(doc, 'text', { x: 0, y: BAR_PX / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, String(bar.findings)))),
      );
      const labelId = `ws-lane-${index}`;
      return el(doc, 'div', { class: 'ws-lane', attrs: { role: 'group', 'aria-labelledby': labelId } },
        el(doc, 'span', { class: 'ws-lane-label', attrs: { id: labelId }, text: lane.name }),
        track);
    });
    const axis = svg(doc, 'svg', { class: 'ws-lane-axis', width: '100%', height: 16, 'aria-hidden': 'true' },
      ...layout.ticks.map((tick) => svg(doc, 'text', { x: pct(tick.x), y: 12, 'text-anchor': tick.anchor }, tick.label)),
      ...layout.breaks.map((x) => svg(doc, 'text', { class: 'ws-lane-break-mark', x: pct(x + layout.breakShare / 2), y: 12, 'text-anchor': 'middle' }, '…')));
    const legend = el(doc, 'div', { class: 'ws-legend ws-lanes-legend', attrs: { 'aria-hidden': 'true' } },
      el(doc, 'span', { class: 'ws-legend-item ws-legend-init', text: 'init' }),
      el(doc, 'span', { class: 'ws-legend-item ws-legend-cold', text: 'cold start' }),
      el(doc, 'span', { class: 'ws-legend-item ws-legend-warm', text: 'warm' }),
      el(doc, 'span', { class: 'ws-legend-item ws-legend-findings', text: 'cross-talk findings' }),
      layout.breaks.length ? el(doc, 'span', { text: '… idle time cut out' }) : null);
    return el(doc, 'section', { class: 'ws-lanes', attrs: { 'aria-labelledby': 'ws-lanes-title' } },
      el(doc, 'h2', { class: 'ws-pane-title', attrs: { id: 'ws-lanes-title' } },
        codicon(doc, 'split-vertical'), el(doc, 'span', { text: 'Lanes' }),
        el(doc, 'span', { class: 'ws-lanes-summary', text: summary(layout) })),
      el(doc, 'div', { class: 'ws-lanes-grid' }, ...rows, el(doc, 'span', { class: 'ws-lane-label' }), axis),
      legend);
  }

  private bar(bar: LaneBar, lane: Lane, tabbable: boolean): SVGElement {
    const { doc } = this.options;
    const y = LANE_PAD_PX + bar.row * ROW_PX;
    const label = barLabel(bar, lane);
    const classes = ['ws-lane-bar', bar.cold ? 'is-cold' : 'is-warm'];
    if (bar.error) classes.push('is-error');
    if (bar.findings) classes.push('has-findings');
    if (bar.selected) classes.push('is-selected');
    if (bar.overlapsSelected) classes.push('is-overlapping');
    return svg(doc, 'g', {
      class: classes.join(' '),
      role: 'button',
      tabindex: tabbable ? 0 : -1,
      'aria-label': label,
      'aria-current': bar.selected ? 'true' : null,
      'data-invocation': bar.invocation,
    },
    bar.initMs !== null ? svg(doc, 'rect', { class: 'ws-lane-init', x: pct(bar.x), width: pct(Math.max(0, bar.runX - bar.x)), y, height: BAR_PX, rx: 2 }) : null,
    svg(doc, 'rect', { class: 'ws-lane-run', x: pct(bar.runX), width: pct(Math.max(0.002, bar.end - bar.runX)), y, height: BAR_PX, rx: 2 }),
    svg(doc, 'svg', { x: pct(bar.x), y, overflow: 'visible' },
      svg(doc, 'text', { class: 'ws-lane-text', x: 4, y: BAR_PX / 2, 'dominant-baseline': 'central' }, `#${bar.invocation}`)));
  }

  private barElement(invocation: number): SVGElement | null {
    return this.element.querySelector(`.ws-lane-bar[data-invocation="${invocation}"]`);
  }

  private onKeyDown(event: KeyboardEvent): void {
    const current = invocationOf(event.target);
    const layout = this.layout;
    if (current === null || !layout) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.options.onSelect(current);
      return;
    }
    const target = neighbour(layout, current, event.key);
    if (target === null) return;
    event.preventDefault();
    const from = this.barElement(current);
    const to = this.barElement(target);
    if (!to) return;
    from?.setAttribute('tabindex', '-1');
    to.setAttribute('tabindex', '0');
    to.focus();
  }
}

/** The bar a navigation key moves to from `current`, or null when the key is not one or leads nowhere. */
export function neighbour(layout: LaneLayout, current: number, key: string): number | null {
  const laneIndex = layout.lanes.findIndex((lane) => lane.bars.some((bar) => bar.invocation === current));
  if (laneIndex < 0) return null;
  const lane = layout.lanes[laneIndex];
  const index = lane.bars.findIndex((bar) => bar.invocation === current);
  const all = layout.lanes.flatMap((l) => l.bars);
  switch (key) {
    case 'ArrowRight': return lane.bars[index + 1]?.invocation ?? null;
    case 'ArrowLeft': return lane.bars[index - 1]?.invocation ?? null;
    case 'Home': return all[0]?.invocation ?? null;
    case 'End': return all[all.length - 1]?.invocation ?? null;
    case 'ArrowUp':
    case 'ArrowDown': {
      const other = layout.lanes[laneIndex + (key === 'ArrowDown' ? 1 : -1)];
      if (!other || other.bars.length === 0) return null;
      const x = lane.bars[index].x;
      return other.bars.reduce((best, bar) => (Math.abs(bar.x - x) < Math.abs(best.x - x) ? bar : best)).invocation;
    }
    default: return null;
  }
}

function invocationOf(target: EventTarget | Element | null): number | null {
  const element = target as Element | null;
  const holder = element?.closest?.('[data-invocation]');
  const invocation = Number(holder?.getAttribute('data-invocation'));
  return Number.isSafeInteger(invocation) && invocation > 0 ? invocation : null;
}
