/** Invocation model: the snapshot contract plus pure analysis (changes, growth) and formatting. */
export * from './snapshot';
export { valuesEqual, changeOf, removedSince, propertyOf, type Comparable } from './compare';
export { isGrowing, extendSeries, GROWTH_MIN_POINTS, SIZE_SERIES_LIMIT } from './growth';
export { InvocationHistory, DEFAULT_HISTORY_LIMIT, type HistoryOptions } from './history';
export { previewValue, previewNested, previewKey, describeExtent, formatCount, DEFAULT_PREVIEW_BUDGET, type PreviewStyle } from './preview';
