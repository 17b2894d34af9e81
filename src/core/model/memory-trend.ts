/**
 * Growth in units people read: items a value holds and bytes it retains, per invocation, and
 * an estimate of the warm invocations left before the function reaches its memory size.
 * Pure functions over records (docs/snapshot-format.md, "Growth" and "Memory estimate").
 */
import type { MemoryReading, ModuleVariable, ValueNode } from './snapshot';

/**
 * What a value holds, counted as a user would: array elements, Map and Set entries, a
 * string's characters, a Buffer's bytes, an object's properties (when all were listed).
 * Null for values that hold nothing countable.
 */
export function itemCount(value: ValueNode): number | null {
  switch (value.type) {
    case 'array':
    case 'binary':
      return value.length;
    case 'map':
    case 'set':
      return value.size;
    case 'string':
      return value.length;
    case 'object':
      return value.truncated ? null : value.properties.length;
    default:
      return null;
  }
}

/** The unit `itemCount` counts for this value, singular. */
export function itemUnit(value: ValueNode): string {
  if (value.type === 'string') return 'character';
  if (value.type === 'binary') return value.className === 'Buffer' || value.className === 'ArrayBuffer' ? 'byte' : 'element';
  if (value.type === 'map') return 'entry';
  if (value.type === 'object') return 'property';
  return 'item';
}

/** Least-squares slope of `points` (x, y), or 0 with fewer than two distinct x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  }
  return den === 0 ? 0 : num / den;
}

/** A series of values taken one per invocation, as (index, value) points. */
export function perInvocation(series: readonly number[]): Array<[number, number]> {
  return series.map((value, index) => [index, value]);
}

/** Bytes the function holds after an invocation: the V8 heap plus memory outside it (Buffers). */
export function heldBytes(memory: MemoryReading): number {
  return memory.heapUsedBytes + (memory.externalBytes ?? 0);
}

export interface MemoryEstimate {
  /** Warm invocations left before the memory size is reached at this rate; null when not growing. */
  invocationsLeft: number | null;
  /** The growth rate the estimate uses. */
  bytesPerInvocation: number;
  /** Heap-used slope (always there) or the retained bytes of the growing bindings (when measured). */
  basis: 'heap' | 'retained';
}

/** Below this rate (bytes per invocation) the trend is noise: allocation and GC timing move the heap by more. */
export const MIN_TREND_BYTES = 1024;
/**
 * Heap readings needed before the heap's trend is trusted. Heap used after an invocation counts
 * the garbage not yet collected: over three readings a handler that keeps one letter per
 * invocation "grew" 300 KB per invocation (the demo printed ~277 invocations left for 128 MB).
 * Ten readings span collections, and the fit must be close too (HEAP_TREND_MIN_FIT).
 */
export const MIN_TREND_POINTS = 10;
/** How well a straight line must fit the heap readings (R²) for their slope to be a trend. */
export const HEAP_TREND_MIN_FIT = 0.8;

/** R² of the least-squares line through `points`: 1 on a line, near 0 for noise; 0 when y is flat. */
export function fitQuality(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 3) return 0;
  const k = slope(points);
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let residual = 0;
  let total = 0;
  for (const [x, y] of points) {
    const fitted = my + k * (x - mx);
    residual += (y - fitted) ** 2;
    total += (y - my) ** 2;
  }
  return total === 0 ? 0 : 1 - residual / total;
}

/**
 * An estimate, labelled as such wherever it is shown: the memory left (memory size minus Max
 * Memory Used) divided by the growth per invocation.
 */
export function estimateInvocationsLeft(memorySizeMB: number, maxMemoryUsedMB: number, bytesPerInvocation: number, basis: MemoryEstimate['basis']): MemoryEstimate {
  if (!(bytesPerInvocation >= MIN_TREND_BYTES)) return { invocationsLeft: null, bytesPerInvocation, basis };
  const leftBytes = Math.max(0, (memorySizeMB - maxMemoryUsedMB) * 1048576);
  return { invocationsLeft: Math.floor(leftBytes / bytesPerInvocation), bytesPerInvocation, basis };
}

/** Retained bytes per invocation of a binding from its measurements, or null with fewer than two. */
export function retainedSlope(variable: Pick<ModuleVariable, 'retainedSeries'>): number | null {
  const series = variable.retainedSeries ?? [];
  if (series.length < 2) return null;
  return slope(series.map((point) => [point.invocation, point.bytes]));
}

/** `1.2 MB`, `12 KB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  if (abs >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round(bytes)} B`;
}

function plural(count: number, unit: string): string {
  if (count === 1) return `${count} ${unit}`;
  return `${count} ${unit === 'entry' ? 'entries' : unit === 'property' ? 'properties' : `${unit}s`}`;
}

function signed(value: number, text: string): string {
  return `${value >= 0 ? '+' : '−'}${text}`;
}

/**
 * `arrayB: 3 items, +1 per invocation, retains 1.2 MB, +12 KB per invocation`: items always
 * (when countable), bytes when retained sizes were measured.
 */
export function describeGrowth(variable: ModuleVariable): string {
  return `${variable.name}: ${growthInUnits(variable)}`;
}

/** `3 items, +1 per invocation, retains 1.2 MB, +12 KB per invocation` (describeGrowth without the name). */
export function growthInUnits(variable: ModuleVariable): string {
  const parts: string[] = [];
  const items = itemCount(variable.value);
  if (items !== null) {
    const unit = itemUnit(variable.value);
    const rate = slope(perInvocation(variable.itemSeries ?? []));
    parts.push(plural(items, unit));
    if (rate !== 0) parts.push(`${signed(rate, formatRate(Math.abs(rate)))} per invocation`);
  }
  if (variable.retainedBytes !== undefined) {
    parts.push(`retains ${formatBytes(variable.retainedBytes)}`);
    const rate = retainedSlope(variable);
    if (rate !== null && rate !== 0) parts.push(`${signed(rate, formatBytes(Math.abs(rate)))} per invocation`);
  }
  if (parts.length === 0) parts.push(`size ${variable.sizeSeries.join(' → ')}`);
  return parts.join(', ');
}

/** `~812 warm invocations left before 128 MB (estimate: +100 KB per invocation, heap)`, or null without a trend. */
export function describeEstimate(estimate: MemoryEstimate | undefined, memorySizeMB: number): string | null {
  if (!estimate || estimate.invocationsLeft === null) return null;
  const basis = estimate.basis === 'heap' ? 'heap used' : 'retained bytes';
  return `~${estimate.invocationsLeft} warm invocations left before ${memorySizeMB} MB (estimate from ${basis}: +${formatBytes(estimate.bytesPerInvocation)} per invocation)`;
}

/**
 * Max Memory Used past the memory size in a local environment: on Lambda it would have run out of
 * memory there. Locally only the V8 heap is held to the memory size (--max-old-space-size), so
 * Buffers and native memory can grow past it without the failure Lambda would give: said, not
 * enforced. Nothing for a deployed function's record (Lambda, or an emulator, enforced its own).
 */
export function describeOverMemorySize(record: { source: 'local' | 'deployed'; maxMemoryUsedMB: number; memorySizeMB: number }): string | null {
  const { maxMemoryUsedMB, memorySizeMB } = record;
  if (record.source !== 'local' || maxMemoryUsedMB <= memorySizeMB) return null;
  return `Max Memory Used ${maxMemoryUsedMB} MB is over the ${memorySizeMB} MB memory size: on Lambda this environment would have run out of memory (locally only the V8 heap is held to the memory size)`;
}

function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(1);
}
