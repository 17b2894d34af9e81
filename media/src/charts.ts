/**
 * Small inline SVG charts. Geometry lives in SVG attributes and colours in panel.css
 * classes (theme variables), so nothing needs an inline style.
 */
import type { TimelineEntry } from '../../src/webview-protocol/panel';
import { el, svg } from './dom';
import { bytesToMB, formatMB, formatSeries } from './format';

function points(values: readonly number[], width: number, height: number, pad: number, min: number, max: number): string {
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  return values
    .map((value, i) => {
      const x = values.length > 1 ? pad + i * step : width / 2;
      const y = height - pad - ((value - min) / span) * (height - 2 * pad);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** Keeps at most `limit` points, taking each bucket's maximum (peaks matter for memory). */
export function downsample(values: readonly number[], limit: number): number[] {
  if (values.length <= limit) return values.slice();
  const out: number[] = [];
  const bucket = values.length / limit;
  for (let i = 0; i < limit; i++) {
    let peak = -Infinity;
    for (let j = Math.floor(i * bucket); j < Math.floor((i + 1) * bucket); j++) peak = Math.max(peak, values[j]);
    out.push(peak);
  }
  return out;
}

/** A sparkline of a size series: area, line, and dots when few. Labelled for screen readers. */
export function sparkline(doc: Document, series: readonly number[], label: string): SVGElement {
  const width = 96;
  const height = 22;
  const pad = 3;
  const values = downsample(series, 60);
  const max = Math.max(...values, 1);
  const chart = svg(doc, 'svg', {
    class: 'ws-sparkline',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `${label}: ${formatSeries(series)}`,
  });
  chart.appendChild(svg(doc, 'title', {}, formatSeries(series)));
  const line = points(values, width, height, pad, 0, max);
  const coords = line.split(' ').map((point) => point.split(','));
  if (coords.length > 1) {
    const area = `${coords[0][0]},${height - pad} ${line} ${coords[coords.length - 1][0]},${height - pad}`;
    chart.appendChild(svg(doc, 'polygon', { class: 'ws-spark-area', points: area }));
  }
  chart.appendChild(svg(doc, 'polyline', { class: 'ws-spark-line', points: line, fill: 'none' }));
  const dots = coords.length <= 12 ? coords : coords.slice(-1);
  dots.forEach(([cx, cy], i) => chart.appendChild(svg(doc, 'circle', { class: i === dots.length - 1 ? 'ws-spark-dot is-last' : 'ws-spark-dot', cx, cy, r: i === dots.length - 1 ? 2.5 : 1.6 })));
  return chart;
}

/**
 * Memory over invocations: max memory used (what Lambda reports) and the V8 heap used.
 * One polyline per series whatever the history length (downsampled above 300 points).
 */
export function memoryChart(doc: Document, timeline: readonly TimelineEntry[], selected: number | null): HTMLElement {
  if (timeline.length === 0) {
    return el(doc, 'figure', { class: 'ws-chart is-empty' }, el(doc, 'p', { class: 'ws-muted', text: 'Memory readings appear after the first invocation.' }));
  }
  const width = 300;
  const height = 80;
  const pad = 4;
  const used = downsample(timeline.map((e) => e.maxMemoryUsedMB), 300);
  const heapValues = timeline.map((e) => (e.heapUsedBytes === null ? 0 : bytesToMB(e.heapUsedBytes)));
  const hasHeap = timeline.some((e) => e.heapUsedBytes !== null);
  const heap = downsample(heapValues, 300);
  const max = Math.max(...used, ...heap, 1) * 1.1;
  const lastUsed = timeline.length ? timeline[timeline.length - 1].maxMemoryUsedMB : 0;
  const peak = Math.max(0, ...timeline.map((e) => e.maxMemoryUsedMB));
  const description = timeline.length
    ? `Memory over ${timeline.length} invocations: max memory used ${formatMB(lastUsed)} at the latest, peak ${formatMB(peak)}.`
    : 'No invocations yet.';
  const chart = svg(doc, 'svg', {
    class: 'ws-memory-chart',
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    height,
    role: 'img',
    'aria-label': description,
  });
  for (const fraction of [0.25, 0.5, 0.75]) {
    const y = (height - pad - fraction * (height - 2 * pad)).toFixed(1);
    chart.appendChild(svg(doc, 'line', { class: 'ws-grid', x1: 0, x2: width, y1: y, y2: y, 'vector-effect': 'non-scaling-stroke' }));
  }
  if (selected !== null && timeline.length > 1) {
    const index = timeline.findIndex((e) => e.invocation === selected);
    if (index >= 0) {
      const x = (pad + (index / (timeline.length - 1)) * (width - 2 * pad)).toFixed(1);
      chart.appendChild(svg(doc, 'line', { class: 'ws-chart-cursor', x1: x, x2: x, y1: 0, y2: height, 'vector-effect': 'non-scaling-stroke' }));
    }
  }
  if (timeline.length) {
    if (hasHeap) chart.appendChild(svg(doc, 'polyline', { class: 'ws-line-heap', fill: 'none', points: points(heap, width, height, pad, 0, max), 'vector-effect': 'non-scaling-stroke' }));
    chart.appendChild(svg(doc, 'polyline', { class: 'ws-line-used', fill: 'none', points: points(used, width, height, pad, 0, max), 'vector-effect': 'non-scaling-stroke' }));
  }
  const latestHeap = hasHeap && timeline.length ? heapValues[heapValues.length - 1] : null;
  const legend = el(doc, 'div', { class: 'ws-legend' },
    el(doc, 'span', { class: 'ws-legend-item ws-legend-used', text: `Max memory used ${timeline.length ? formatMB(lastUsed) : '–'}` }),
    hasHeap ? el(doc, 'span', { class: 'ws-legend-item ws-legend-heap', text: `Heap used ${latestHeap === null ? '–' : formatMB(latestHeap)}` }) : null,
    el(doc, 'span', { class: 'ws-legend-scale', text: `scale 0–${formatMB(max)}` }),
  );
  return el(doc, 'figure', { class: 'ws-chart' }, chart, legend);
}
