/**
 * A warm session: the execution environments of one function (local child processes or a
 * deployed function), the one queue in front of them, their status and the analysed
 * history of their invocations. Editor-agnostic: the CLI drives one per run, the extension
 * one per handler for local runs and one per deployed function, sharing the handler's
 * history so both appear in one timeline.
 */
import { InvocationHistory, type HistoryOptions } from './model/history';
import type { InvocationRecord, RawInvocation, RetainedMeasurement } from './model/snapshot';
import type { EnvironmentFactory, EnvironmentOptions, EnvironmentStatus, InvokeOptions, WarmEnvironment } from './runtime/environment-api';
import { EnvironmentPool, POOL_DISPOSED, type EnvironmentPoolOptions } from './runtime/environment-pool';
import { createLocalEnvironment, MeasurementRefusedError } from './runtime/local-environment';
import { localSecretMasker } from './runtime/local-secrets';
import { createDeployedFunction, type DeployedFunctionOptions } from './deployed/deployed-environment';
import type { SecretMasker } from './lambda/mask';
import { parseEvent } from './events';

export { parseEvent, InvalidEventError } from './events';
export { ThrottledError, DEFAULT_MAX_ENVIRONMENTS } from './runtime/environment-pool';

export interface WarmSessionOptions {
  /** Makes the function's environments: `localEnvironments(options)`, a deployed function, a test double. */
  environments: EnvironmentFactory;
  /**
   * Environments the function may have at once: a second concurrent invocation gets its
   * own environment (its own cold start and module state) up to this many; beyond it an
   * invocation is throttled (ThrottledError). Default DEFAULT_MAX_ENVIRONMENTS (10).
   */
  maxEnvironments?: number;
  /** `queue`: wait for a busy environment instead of throttling (a deployed function). */
  overflow?: EnvironmentPoolOptions['overflow'];
  /** Options for a new history, or a history shared with another session of the same handler. */
  history?: HistoryOptions | InvocationHistory;
}

export interface Disposable {
  dispose(): void;
}

export class WarmSession {
  readonly history: InvocationHistory;
  private readonly pool: EnvironmentPool;
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  private disposed = false;

  constructor(options: WarmSessionOptions) {
    this.history = options.history instanceof InvocationHistory ? options.history : new InvocationHistory(options.history);
    this.pool = new EnvironmentPool({
      create: options.environments,
      maxEnvironments: options.maxEnvironments,
      overflow: options.overflow,
      // Generations are numbered by the history, so they go on across replaced environments,
      // window reloads and the sessions that share it.
      newGeneration: () => this.history.newGeneration(),
    });
  }

  /** The most recently used environment's status, with the state of the busiest one. */
  status(): EnvironmentStatus {
    return this.pool.status();
  }

  /** Environments the function has now (each with its own process and module state). */
  get environmentCount(): number {
    return this.pool.size;
  }

  /**
   * Runs one invocation with an already parsed event and returns its analysed record.
   * `cold`: the invocation starts a new process (an idle environment is reset first).
   * Concurrent invocations run in environments of their own; one that finds every
   * environment busy is refused with ThrottledError (nothing ran, nothing is recorded).
   */
  async invoke(event: unknown, options: { cold?: boolean } = {}): Promise<InvocationRecord> {
    if (this.disposed) throw new Error(POOL_DISPOSED);
    const record = this.history.add(await this.pool.invoke(event, options));
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** Parses `text` as the event first: invalid JSON is refused (InvalidEventError) and nothing runs. */
  invokeText(text: string, source?: string): Promise<InvocationRecord> {
    let event: unknown;
    try {
      event = parseEvent(text, source);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.invoke(event);
  }

  /** Called with every new record of this session, in order. */
  onRecord(listener: (record: InvocationRecord) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  onStatusChange(listener: (status: EnvironmentStatus) => void): Disposable {
    return this.pool.onStatusChange(listener);
  }

  /**
   * Resets every environment once the invocations before it are done: a local one ends its
   * process (the next invocation is cold); a deployed one cannot be ended from here, so its
   * analysis starts over. History is kept.
   */
  reset(reason = 'requested'): Promise<void> {
    return this.pool.exclusive(async (environments) => {
      await Promise.all(environments.map(({ environment }) => environment.reset(reason)));
      for (const { index, environment } of environments) this.history.restartAnalysis(environment.source, index);
    });
  }

  /**
   * Retained bytes per module binding in the environment that ran the latest record, once the
   * invocations before it are done (runtime/heap/); the latest record gains them and is
   * returned. Refused with MeasurementRefusedError for a deployed function or when nothing is warm.
   */
  measureRetained(): Promise<InvocationRecord> {
    return this.pool.exclusive(async (environments) => {
      const latest = this.history.latest();
      const ran = latest && environments.find(({ index, environment }) => index === (latest.environment ?? 0) && environment.source === latest.source);
      if (!ran) throw new MeasurementRefusedError('no warm environment to measure: invoke the handler first.');
      if (!ran.environment.measureRetained) throw new MeasurementRefusedError('a deployed function’s heap cannot be snapshotted from here.');
      const record = this.history.annotateRetained(await ran.environment.measureRetained());
      if (!record) throw new MeasurementRefusedError('the environment of the latest invocation has ended since.');
      return record;
    });
  }

  /**
   * Ends the current environments once idle; later invocations run in environments from
   * `environments` (e.g. new settings), up to `maxEnvironments` of them (default 10).
   */
  replaceEnvironments(environments: EnvironmentFactory, maxEnvironments?: number): Promise<void> {
    return this.pool.replace(environments, maxEnvironments);
  }

  /** Refuses queued invocations and ends every environment. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    await this.pool.dispose();
  }
}

/**
 * Local environments with these options. Their records are masked before any session sees
 * them, so what the CLI prints, the panel shows and the editor saves never holds a
 * credential of the environment the child was given.
 */
export function localEnvironments(options: EnvironmentOptions): EnvironmentFactory {
  const masker = localSecretMasker(options);
  return () => new MaskedEnvironment(createLocalEnvironment(options), masker);
}

/**
 * A session over a deployed function (the records of deployed invocations mask what the
 * function's configuration and the caller's credentials hold themselves). One request at a
 * time from here, the next one waiting: the cloud scales out and throttles on its own.
 */
export function createDeployedSession(options: DeployedFunctionOptions, history?: WarmSessionOptions['history']): WarmSession {
  return new WarmSession({ environments: () => createDeployedFunction(options), history, maxEnvironments: 1, overflow: 'queue' });
}

class MaskedEnvironment implements WarmEnvironment {
  readonly source: WarmEnvironment['source'];
  readonly capacity: number;

  constructor(
    private readonly inner: WarmEnvironment,
    private readonly masker: SecretMasker,
  ) {
    this.source = inner.source;
    this.capacity = inner.capacity;
  }

  /**
   * The caller's ClientContext reaches the function; an early payload (`onPayload`) is not
   * passed on: it would reach the caller unmasked, and the masked record answers as well, later.
   */
  async invoke(event: unknown, options: InvokeOptions = {}): Promise<RawInvocation> {
    const inner = options.clientContext === undefined ? {} : { clientContext: options.clientContext };
    return this.masker.invocation(await this.inner.invoke(event, inner));
  }

  status(): EnvironmentStatus {
    return this.inner.status();
  }

  reset(reason?: string): Promise<void> {
    return this.inner.reset(reason);
  }

  measureRetained(): Promise<RetainedMeasurement> {
    // Binding names and byte counts: nothing of a value that could hold a secret.
    if (!this.inner.measureRetained) return Promise.reject(new MeasurementRefusedError('this environment cannot be measured.'));
    return this.inner.measureRetained();
  }

  onStatusChange(listener: (status: EnvironmentStatus) => void): Disposable {
    return this.inner.onStatusChange(listener);
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
