/**
 * Growth detection for module-scope variables.
 *
 * Definition (docs/snapshot-format.md, "Growth"): a variable is `growing` when the sizes
 * recorded after the last GROWTH_MIN_POINTS invocations of the same environment generation
 * are strictly increasing. With 3 points that is "its size went up at each of 3 consecutive
 * invocations of one warm run" (the cold invocation counts as the first: its size is
 * already measured after the handler ran, on top of an initial state we never see). So the
 * freeze scenario's arrayB (sizes 2, 4, 6) is flagged at the third invocation, as on the
 * panel of the product brief, and not at the second.
 */

/** Points of a size series needed before growth can be claimed. */
export const GROWTH_MIN_POINTS = 3;

/** Sizes kept per variable in `sizeSeries` (the most recent ones). */
export const SIZE_SERIES_LIMIT = 50;

/** True when the last `minPoints` sizes are strictly increasing. */
export function isGrowing(series: readonly number[], minPoints: number = GROWTH_MIN_POINTS): boolean {
  if (minPoints < 2 || series.length < minPoints) return false;
  for (let i = series.length - minPoints + 1; i < series.length; i++) {
    if (!(series[i] > series[i - 1])) return false;
  }
  return true;
}

/** The series with `size` appended, keeping at most `limit` points. */
export function extendSeries(series: readonly number[], size: number, limit: number = SIZE_SERIES_LIMIT): number[] {
  const next = [...series, size];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
