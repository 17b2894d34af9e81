/**
 * The analysed history of one session: turns each RawInvocation from an engine into an
 * InvocationRecord with 1-based numbering, change marks, module sizes, size series and
 * growth flags. Editor-agnostic; the CLI keeps one per run, the extension one per handler
 * (shared by its local and deployed sessions, saved through a RecordStore).
 */
import { changeOf, removedSince } from './compare';
import { extendSeries, isGrowing, GROWTH_MIN_POINTS, SIZE_SERIES_LIMIT } from './growth';
import { estimateInvocationsLeft, fitQuality, HEAP_TREND_MIN_FIT, heldBytes, itemCount, MIN_TREND_POINTS, perInvocation, retainedSlope, slope } from './memory-trend';
import type { CapturedVariable, InvocationRecord, ModuleVariable, RawInvocation, RetainedMeasurement, Variable } from './snapshot';

/**
 * Where a history is kept between runs (the editor's workspace storage). `load` is read once
 * when the history is created; `save` gets the kept records after every change. What it
 * loads comes from disk: it must return only records that passed the record guards.
 */
export interface RecordStore {
  load(): InvocationRecord[];
  save(records: readonly InvocationRecord[]): void;
}

export interface HistoryOptions {
  /**
   * Records kept in memory, oldest dropped first (default 200). Numbering never restarts.
   * A function is read at every change (the editor's setting may change at any time).
   */
  limit?: number | (() => number);
  /** Points needed to call a size series growing (default GROWTH_MIN_POINTS = 3). */
  growthPoints?: number;
  /** Points kept per size series (default SIZE_SERIES_LIMIT = 50). */
  seriesLimit?: number;
  /** Restores the records saved before and saves every change. */
  store?: RecordStore;
}

export const DEFAULT_HISTORY_LIMIT = 200;

/** What the analysis remembers of one environment's current generation. */
interface GenerationState {
  generation: number;
  /** Scopes of the latest invocation of this generation that had them captured. */
  moduleScope: CapturedVariable[] | null;
  handlerScope: CapturedVariable[] | null;
  parameters: CapturedVariable[] | null;
  /** Module-scope size series, oldest first. */
  series: Map<string, number[]>;
  /** Item counts per module variable, oldest first. */
  items: Map<string, number[]>;
  /** Retained bytes per module variable, one point per measurement. */
  retained: Map<string, Array<{ invocation: number; bytes: number }>>;
  /** Heap plus external bytes after each invocation of this warm run. */
  held: number[];
}

/** Points of the heap series the memory estimate fits (the most recent ones). */
const TREND_WINDOW = 10;

export class InvocationHistory {
  private readonly limit: () => number;
  private readonly growthPoints: number;
  private readonly seriesLimit: number;
  private readonly store: RecordStore | undefined;
  private readonly kept: InvocationRecord[] = [];
  private count = 0;
  /** The highest generation handed out or recorded (restored records included). */
  private generations = 0;
  /**
   * One analysis state per environment (`source:index`), or per worker of one (`source:index:worker`):
   * invocations of different environments or workers have different module scopes, so they are
   * never compared with each other.
   */
  private readonly states = new Map<string, GenerationState>();

  constructor(options: HistoryOptions = {}) {
    const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
    this.limit = typeof limit === 'function' ? () => Math.max(1, limit()) : () => Math.max(1, limit);
    this.growthPoints = options.growthPoints ?? GROWTH_MIN_POINTS;
    this.seriesLimit = Math.max(this.growthPoints, options.seriesLimit ?? SIZE_SERIES_LIMIT);
    this.store = options.store;
    const restored = this.store?.load() ?? [];
    if (restored.length > 0) {
      // Numbers and generations go on from the saved ones; the analysis starts afresh (the
      // processes that made them are gone).
      this.kept.push(...restored.slice(-this.limit()));
      this.count = restored[restored.length - 1].invocation;
      this.generations = Math.max(...restored.map((record) => record.generation));
    }
  }

  /** Analyses `raw` against the earlier invocations of the same environment and generation, and records it. */
  add(raw: RawInvocation): InvocationRecord {
    this.count += 1;
    this.generations = Math.max(this.generations, raw.generation);
    const state = this.stateFor(raw);
    const { moduleScope, handlerScope, parameters, ...rest } = raw;

    const module = moduleScope ? this.analyseModule(moduleScope, state) : [];
    const handler = handlerScope ? analyseScope(handlerScope, state.handlerScope) : [];
    const params = parameters ? analyseScope(parameters, state.parameters) : [];

    // Only captured scopes move the baseline: a crash without capture compares nothing.
    if (moduleScope) state.moduleScope = moduleScope;
    if (handlerScope) state.handlerScope = handlerScope;
    if (parameters) state.parameters = parameters;

    if (raw.memory) state.held = extendSeries(state.held, heldBytes(raw.memory), TREND_WINDOW);
    const record: InvocationRecord = {
      invocation: this.count,
      ...rest,
      moduleScope: module,
      handlerScope: handler,
      parameters: params,
      growing: module.filter((v) => v.growing).map((v) => v.name),
    };
    // Heap used moves with allocation and collection timing: only a steady rise over a full
    // window, close to a line, is a trend.
    const heldPoints = perInvocation(state.held);
    if (state.held.length >= MIN_TREND_POINTS && fitQuality(heldPoints) >= HEAP_TREND_MIN_FIT) {
      record.memoryEstimate = estimateInvocationsLeft(raw.memorySizeMB, raw.maxMemoryUsedMB, slope(heldPoints), 'heap');
    }
    this.kept.push(record);
    const limit = this.limit();
    if (this.kept.length > limit) this.kept.splice(0, this.kept.length - limit);
    this.store?.save(this.kept);
    return record;
  }

  /**
   * A generation number no record of this history has: sessions number the processes of
   * all their environments with it, so one generation always means one process, also across
   * environments replaced earlier, window reloads and sessions sharing this history.
   */
  newGeneration(): number {
    return ++this.generations;
  }

  /**
   * The next invocation of this environment is compared with nothing, as after a cold start.
   * What a reset means for an environment that cannot be ended from here (a deployed one).
   */
  restartAnalysis(source: RawInvocation['source'], environment: number): void {
    const prefix = laneOf({ source, environment });
    for (const lane of [...this.states.keys()]) if (lane === prefix || lane.startsWith(`${prefix}:`)) this.states.delete(lane);
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
    this.generations = 0;
    this.states.clear();
    this.store?.save(this.kept);
  }

  private stateFor(raw: RawInvocation): GenerationState {
    const lane = laneOf(raw);
    const known = this.states.get(lane);
    // A cold start is a new process even if an engine reused the generation number.
    if (known && known.generation === raw.generation && !raw.cold) return known;
    const state: GenerationState = { generation: raw.generation, moduleScope: null, handlerScope: null, parameters: null, series: new Map(), items: new Map(), retained: new Map(), held: [] };
    this.states.set(lane, state);
    return state;
  }

  private analyseModule(current: CapturedVariable[], state: GenerationState): ModuleVariable[] {
    const previous = new Map((state.moduleScope ?? []).map((v) => [v.name, v]));
    const result: ModuleVariable[] = current.map((variable) => {
      const before = previous.get(variable.name);
      const series = extendSeries(state.series.get(variable.name) ?? [], variable.size.total, this.seriesLimit);
      state.series.set(variable.name, series);
      const items = itemCount(variable.value);
      const itemSeries = items === null ? [] : extendSeries(state.items.get(variable.name) ?? [], items, this.seriesLimit);
      state.items.set(variable.name, itemSeries);
      const retainedSeries = state.retained.get(variable.name);
      return {
        name: variable.name,
        kind: variable.kind,
        value: variable.value,
        change: changeOf(comparable(variable), before && comparable(before)),
        size: variable.size.total,
        growing: isGrowing(series, this.growthPoints) || isGrowing(retainedSeries?.map((point) => point.bytes) ?? [], this.growthPoints),
        sizeSeries: series,
        ...(items === null ? {} : { itemSeries }),
        ...(retainedSeries ? { retainedSeries } : {}),
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
      state.items.delete(gone.name);
      state.retained.delete(gone.name);
    }
    return result;
  }

  /**
   * Adds a retained-size measurement taken after the latest record: its module variables gain
   * `retainedBytes` and `sharedWith`, their retained series a point, and the memory estimate
   * the retained growth of the growing variables when two measurements give it. Returns the
   * updated record (a new object: records already handed out are never changed).
   */
  annotateRetained(measurement: RetainedMeasurement): InvocationRecord | undefined {
    const latest = this.kept[this.kept.length - 1];
    const state = latest && this.states.get(laneOf(latest));
    if (!latest || !state || state.generation !== latest.generation) return undefined;
    const byName = new Map(measurement.bindings.map((binding) => [binding.name, binding]));
    const moduleScope = latest.moduleScope.map((variable): ModuleVariable => {
      const binding = byName.get(variable.name);
      if (!binding || variable.change === 'removed') return variable;
      const retainedSeries = [...(state.retained.get(variable.name) ?? []), { invocation: latest.invocation, bytes: binding.retainedBytes }].slice(-this.seriesLimit);
      state.retained.set(variable.name, retainedSeries);
      const growing = variable.growing || isGrowing(retainedSeries.map((point) => point.bytes), this.growthPoints);
      return { ...variable, growing, retainedBytes: binding.retainedBytes, sharedWith: binding.sharedWith, retainedSeries };
    });
    const { bindings: _bindings, ...cost } = measurement;
    const updated: InvocationRecord = { ...latest, moduleScope, growing: moduleScope.filter((v) => v.growing).map((v) => v.name), retained: cost };
    const retainedGrowth = moduleScope.reduce((sum, variable) => sum + Math.max(0, (variable.growing ? retainedSlope(variable) : null) ?? 0), 0);
    if (retainedGrowth > 0) updated.memoryEstimate = estimateInvocationsLeft(latest.memorySizeMB, latest.maxMemoryUsedMB, retainedGrowth, 'retained');
    this.kept[this.kept.length - 1] = updated;
    this.store?.save(this.kept);
    return updated;
  }
}

/**
 * The last of `records` from each environment (source and index; in Managed Instances mode each
 * worker of it), in order of the environments' first records: what an environment's (or a
 * worker's) state is judged by at the end of a run.
 */
export function latestPerEnvironment(records: readonly InvocationRecord[]): InvocationRecord[] {
  const latest = new Map<string, InvocationRecord>();
  for (const record of records) {
    const lane = laneOf(record);
    latest.delete(lane);
    latest.set(lane, record);
  }
  return [...latest.values()].sort((a, b) => (a.environment ?? 0) - (b.environment ?? 0) || (a.worker ?? 0) - (b.worker ?? 0));
}

/**
 * What one analysis state follows: an environment's process, or in Managed Instances mode one
 * worker thread of it (each loads the handler and has a module scope of its own).
 */
function laneOf(record: Pick<RawInvocation, 'source' | 'environment' | 'worker'>): string {
  const environment = `${record.source}:${record.environment ?? 0}`;
  return record.worker === undefined ? environment : `${environment}:${record.worker}`;
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
