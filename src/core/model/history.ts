/**
 * The analysed history of one session: turns each RawInvocation from an engine into an
 * InvocationRecord with 1-based numbering, change marks, module sizes, size series and
 * growth flags. Editor-agnostic; the CLI and the extension both keep one per session.
 */
import { changeOf, removedSince } from './compare';
import { extendSeries, isGrowing, GROWTH_MIN_POINTS, SIZE_SERIES_LIMIT } from './growth';
import type { CapturedVariable, InvocationRecord, ModuleVariable, RawInvocation, Variable } from './snapshot';

export interface HistoryOptions {
  /** Records kept in memory, oldest dropped first (default 200). Numbering never restarts. */
  limit?: number;
  /** Points needed to call a size series growing (default GROWTH_MIN_POINTS = 3). */
  growthPoints?: number;
  /** Points kept per size series (default SIZE_SERIES_LIMIT = 50). */
  seriesLimit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 200;

/** What the analysis remembers of the current environment generation. */
interface GenerationState {
  key: string;
  /** Scopes of the latest invocation of this generation that had them captured. */
  moduleScope: CapturedVariable[] | null;
  handlerScope: CapturedVariable[] | null;
  parameters: CapturedVariable[] | null;
  /** Module-scope size series, oldest first. */
  series: Map<string, number[]>;
}

export class InvocationHistory {
  private readonly limit: number;
  private readonly growthPoints: number;
  private readonly seriesLimit: number;
  private readonly kept: InvocationRecord[] = [];
  private count = 0;
  private state: GenerationState | null = null;

  constructor(options: HistoryOptions = {}) {
    this.limit = Math.max(1, options.limit ?? DEFAULT_HISTORY_LIMIT);
    this.growthPoints = options.growthPoints ?? GROWTH_MIN_POINTS;
    this.seriesLimit = Math.max(this.growthPoints, options.seriesLimit ?? SIZE_SERIES_LIMIT);
  }

  /** Analyses `raw` against the earlier invocations of the same environment generation and records it. */
  add(raw: RawInvocation): InvocationRecord {
    this.count += 1;
    const state = this.stateFor(raw);
    const { moduleScope, handlerScope, parameters, ...rest } = raw;

    const module = moduleScope ? this.analyseModule(moduleScope, state) : [];
    const handler = handlerScope ? analyseScope(handlerScope, state.handlerScope) : [];
    const params = parameters ? analyseScope(parameters, state.parameters) : [];

    // Only captured scopes move the baseline: a crash without capture compares nothing.
    if (moduleScope) state.moduleScope = moduleScope;
    if (handlerScope) state.handlerScope = handlerScope;
    if (parameters) state.parameters = parameters;

    const record: InvocationRecord = {
      invocation: this.count,
      ...rest,
      moduleScope: module,
      handlerScope: handler,
      parameters: params,
      growing: module.filter((v) => v.growing).map((v) => v.name),
    };
    this.kept.push(record);
    if (this.kept.length > this.limit) this.kept.splice(0, this.kept.length - this.limit);
    return record;
  }

  /** Kept records, oldest first. */
  records(): readonly InvocationRecord[] {
    return this.kept.slice();
  }

  latest(): InvocationRecord | undefined {
    return this.kept[this.kept.length - 1];
  }

  /** Invocations added so far (including records dropped by the limit). */
  get size(): number {
    return this.count;
  }

  /** Forgets everything; numbering starts again at 1. */
  clear(): void {
    this.kept.length = 0;
    this.count = 0;
    this.state = null;
  }

  private stateFor(raw: RawInvocation): GenerationState {
    const key = `${raw.source}:${raw.generation}`;
    // A cold start is a new environment even if an engine reused the generation number.
    if (!this.state || this.state.key !== key || raw.cold) {
      this.state = { key, moduleScope: null, handlerScope: null, parameters: null, series: new Map() };
    }
    return this.state;
  }

  private analyseModule(current: CapturedVariable[], state: GenerationState): ModuleVariable[] {
    const previous = new Map((state.moduleScope ?? []).map((v) => [v.name, v]));
    const result: ModuleVariable[] = current.map((variable) => {
      const before = previous.get(variable.name);
      const series = extendSeries(state.series.get(variable.name) ?? [], variable.size.total, this.seriesLimit);
      state.series.set(variable.name, series);
      return {
        name: variable.name,
        kind: variable.kind,
        value: variable.value,
        change: changeOf(comparable(variable), before && comparable(before)),
        size: variable.size.total,
        growing: isGrowing(series, this.growthPoints),
        sizeSeries: series,
      };
    });
    for (const gone of removedSince(current, state.moduleScope ?? [])) {
      result.push({
        name: gone.name,
        kind: gone.kind,
        value: gone.value,
        change: 'removed',
        size: gone.size.total,
        growing: false,
        sizeSeries: state.series.get(gone.name) ?? [],
      });
      state.series.delete(gone.name);
    }
    return result;
  }
}

function comparable(variable: CapturedVariable): { name: string; value: CapturedVariable['value']; sizeTotal: number } {
  return { name: variable.name, value: variable.value, sizeTotal: variable.size.total };
}

/** Handler scope and parameters: change marks only (they are recreated every invocation). */
function analyseScope(current: CapturedVariable[], previous: CapturedVariable[] | null): Variable[] {
  const before = new Map((previous ?? []).map((v) => [v.name, v]));
  const result: Variable[] = current.map((variable) => {
    const earlier = before.get(variable.name);
    return { name: variable.name, kind: variable.kind, value: variable.value, change: changeOf(comparable(variable), earlier && comparable(earlier)) };
  });
  for (const gone of removedSince(current, previous ?? [])) {
    result.push({ name: gone.name, kind: gone.kind, value: gone.value, change: 'removed' });
  }
  return result;
}
