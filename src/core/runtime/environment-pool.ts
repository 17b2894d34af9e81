/**
 * The execution environments of one function and the one queue in front of them, kept the
 * way Lambda keeps them: an invocation goes to an idle environment (the most recently used
 * one, so warm state is reused); when none is idle and fewer than `maxEnvironments` exist,
 * a new environment is created (a cold start, with its own module state); else the
 * invocation is throttled, as Lambda's synchronous Invoke is (ThrottledError), or, with
 * `overflow: 'queue'`, waits its turn. Exclusive work (a reset, replacing the environments)
 * waits until every environment is idle, and nothing queued after it overtakes it (an
 * invocation that arrives meanwhile waits for it instead of being throttled: the wait is
 * ours, not the function's). An environment that has given its invocation's payload early
 * (InvokeOptions.onPayload) and is finishing it is as good as idle for one invocation, which
 * waits for it rather than start another environment or be throttled.
 *
 * Idle environments are reaped as Lambda reaps them, so a burst does not leave a laptop
 * with `maxEnvironments` frozen processes: one idle for `idleTimeoutMs` ends, except the
 * most recently used one, which stays warm (the one the next invocation goes to).
 *
 * Environments run what they are given, at most `capacity` at a time: there is no other
 * queue of invocations in the engine.
 */
import type { RawInvocation } from '../model/snapshot';
import type { EarlyPayload, EnvironmentFactory, EnvironmentStatus, InvokeOptions, WarmEnvironment } from './environment-api';

export interface EnvironmentPoolOptions {
  create: EnvironmentFactory;
  /**
   * Environments the function may have at once (what Lambda's concurrency limit bounds):
   * DEFAULT_MAX_ENVIRONMENTS when absent. 0 throttles every invocation, as a reserved
   * concurrency of 0 does (with `overflow: 'queue'` the least is 1).
   */
  maxEnvironments?: number;
  /**
   * What an invocation meets when every environment is busy and no other may start:
   * `throttle` (default) rejects it with ThrottledError, as Lambda does; `queue` makes it
   * wait (a deployed function seen from here, which scales out on its own).
   */
  overflow?: 'throttle' | 'queue';
  /** How long an environment other than the most recently used may stay idle (default IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
  /** Timers for the idle reaper (tests pass their own; default: Node's, unref'd). */
  timers?: ReaperTimers;
  /**
   * Hands out generation numbers. Every environment counts its own processes from 1; the pool
   * renumbers them so that a generation names one process among all environments of the
   * function. Default: a counter from 1.
   */
  newGeneration?: () => number;
}

/** An environment of the pool with its 0-based index (the `environment` of its records). */
export interface PooledEnvironment {
  readonly index: number;
  readonly environment: WarmEnvironment;
}

export interface ReaperTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const POOL_DISPOSED = 'This warm session has been disposed.';

/**
 * Environments a function gets by default: enough to see scale-out, few enough that a burst
 * of requests does not start dozens of node processes on a laptop. Lambda's own default is
 * the account's concurrency (1,000).
 */
export const DEFAULT_MAX_ENVIRONMENTS = 10;

/**
 * An idle environment other than the most recently used one ends after this long. Lambda
 * does not publish its idle lifetime; environments are commonly seen reaped after 5 to 15
 * minutes idle, so the short end of it.
 */
export const IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * An invocation refused because every environment the function may have is busy: Lambda's
 * 429 TooManyRequestsException ("Rate Exceeded.", reason
 * ReservedFunctionConcurrentInvocationLimitExceeded). Nothing ran.
 */
export class ThrottledError extends Error {
  readonly errorType = 'TooManyRequestsException';
  readonly reason = 'ReservedFunctionConcurrentInvocationLimitExceeded';

  constructor(readonly maxEnvironments: number) {
    super(
      maxEnvironments === 0
        ? 'Rate Exceeded. The function may have no environment at all (reserved concurrency 0): every invocation is throttled.'
        : `Rate Exceeded. All ${maxEnvironments} environment${maxEnvironments === 1 ? '' : 's'} the function may have ${maxEnvironments === 1 ? 'is' : 'are'} busy: the invocation was throttled, as Lambda throttles it.`,
    );
    this.name = 'ThrottledError';
  }
}

const NODE_TIMERS: ReaperTimers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const NOT_STARTED: EnvironmentStatus = { state: 'cold', frozen: false, warmInvocations: 0, generation: 0, nodeVersion: null, lastReset: null };

/** The busiest state first: what the function as a whole is doing. */
const BY_ACTIVITY: readonly EnvironmentStatus['state'][] = ['invoking', 'initializing', 'warm', 'cold'];

class Slot implements PooledEnvironment {
  inFlight = 0;
  /** Of those, invocations whose payload is out (InvokeOptions.onPayload): the slot is about to be free. */
  answered = 0;
  /** When it was last given or gave back an invocation (a counter, not a clock). */
  lastUsed = 0;
  /** The environment's own generation numbers -> the pool's. */
  private readonly generations = new Map<number, number>();
  subscription: { dispose(): void } | undefined;
  /** The reaper's timer while the environment is idle. */
  reaper: unknown;

  constructor(
    readonly index: number,
    readonly environment: WarmEnvironment,
    private readonly newGeneration: () => number,
  ) {}

  /** The pool's number for the environment's generation `own` (0: no process yet). */
  generation(own: number): number {
    if (own <= 0) return 0;
    let mapped = this.generations.get(own);
    if (mapped === undefined) {
      mapped = this.newGeneration();
      this.generations.set(own, mapped);
    }
    return mapped;
  }

  status(): EnvironmentStatus {
    const status = this.environment.status();
    return { ...status, generation: this.generation(status.generation) };
  }
}

/**
 * What a queued piece of work did when the pool looked at it: it started (or was refused),
 * it waits and holds everything behind it (`blocked`), or it waits for an environment that
 * answered its invocation and is finishing it (`held`) and lets later work be looked at.
 */
type Attempt = 'started' | 'blocked' | 'held';
type Waiting = { tryStart(): Attempt; reject(error: Error): void };

export class EnvironmentPool {
  private create: EnvironmentFactory;
  private maxEnvironments: number;
  private readonly throttles: boolean;
  private readonly idleTimeoutMs: number;
  private readonly timers: ReaperTimers;
  private readonly newGeneration: () => number;
  private slots: Slot[] = [];
  private readonly waiting: Waiting[] = [];
  private exclusiveRunning = false;
  /** While pump() runs: finishing environments (answered invocations) no held invocation has claimed yet. */
  private unclaimedFinishing = 0;
  private uses = 0;
  private disposed = false;
  private readonly listeners = new Set<(status: EnvironmentStatus) => void>();

  constructor(options: EnvironmentPoolOptions) {
    this.create = options.create;
    this.throttles = (options.overflow ?? 'throttle') === 'throttle';
    this.maxEnvironments = this.limit(options.maxEnvironments);
    this.idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.timers = options.timers ?? NODE_TIMERS;
    let generations = 0;
    this.newGeneration = options.newGeneration ?? (() => ++generations);
  }

  /**
   * Runs one invocation in an environment of the pool; `cold` makes it a cold start (an idle
   * environment is reset first). The record says which environment ran it (`environment`)
   * and carries the pool's generation number. Rejects with ThrottledError when no
   * environment can take it (overflow `throttle`). An invocation that finds no idle
   * environment while one finishes an invocation whose payload is out (`onPayload`) waits for
   * that one instead: it is free sooner than a new one starts (a client answered early sends
   * its next call then). One waits per finishing environment; the next ones scale out.
   */
  invoke(event: unknown, options: { cold?: boolean } & InvokeOptions = {}): Promise<RawInvocation> {
    const cold = options.cold ?? false;
    return this.enqueue((resolve, reject) => {
      if (this.exclusiveRunning) return 'blocked';
      const idle = this.idleSlot(cold);
      let slot = idle;
      if (!slot && this.unclaimedFinishing > 0) {
        // One invocation per finishing environment waits for it; the next ones go on.
        this.unclaimedFinishing -= 1;
        return 'held';
      }
      if (!slot) {
        try {
          slot = this.newSlot();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return 'started';
        }
      }
      if (!slot) {
        if (!this.throttles) return 'blocked';
        reject(new ThrottledError(this.maxEnvironments));
        return 'started';
      }
      this.run(slot, event, cold && idle !== undefined, options).then(resolve, reject);
      return 'started';
    });
  }

  /** Runs `task` once every environment is idle; nothing queued after it starts before it ends. */
  exclusive<T>(task: (environments: readonly PooledEnvironment[]) => Promise<T>): Promise<T> {
    return this.enqueue((resolve, reject) => {
      if (this.exclusiveRunning || this.slots.some((slot) => slot.inFlight > 0)) return 'blocked';
      this.exclusiveRunning = true;
      const done = () => {
        this.exclusiveRunning = false;
        this.pump();
      };
      Promise.resolve()
        .then(() => task(this.slots.slice()))
        .then(
          (value) => {
            done();
            resolve(value);
          },
          (error: unknown) => {
            done();
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      return 'started';
    });
  }

  /**
   * Ends every environment once idle; later invocations run in environments from `create`,
   * up to `maxEnvironments` of them (default DEFAULT_MAX_ENVIRONMENTS, as for a new pool).
   */
  replace(create: EnvironmentFactory, maxEnvironments?: number): Promise<void> {
    return this.exclusive(async () => {
      const old = this.slots;
      this.slots = [];
      this.create = create;
      this.maxEnvironments = this.limit(maxEnvironments);
      await Promise.all(old.map((slot) => this.end(slot)));
    });
  }

  /**
   * The function's status: that of the most recently used environment, with the state of
   * the busiest one (invoking while any environment invokes).
   */
  status(): EnvironmentStatus {
    const latest = this.mostRecent(this.slots);
    if (!latest) return NOT_STARTED;
    const states = new Set(this.slots.map((slot) => slot.environment.status().state));
    const state = BY_ACTIVITY.find((candidate) => states.has(candidate)) ?? 'cold';
    return { ...latest.status(), state };
  }

  onStatusChange(listener: (status: EnvironmentStatus) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Refuses what is still queued and ends every environment now (a running invocation ends as its environment decides). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const waiting of this.waiting.splice(0)) waiting.reject(new Error(POOL_DISPOSED));
    this.listeners.clear();
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => this.end(slot)));
  }

  /** Environments the function has now (started or about to start). */
  get size(): number {
    return this.slots.length;
  }

  private limit(maxEnvironments: number | undefined): number {
    return Math.max(this.throttles ? 0 : 1, Math.floor(maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS));
  }

  private enqueue<T>(tryStart: (resolve: (value: T) => void, reject: (error: Error) => void) => Attempt): Promise<T> {
    if (this.disposed) return Promise.reject(new Error(POOL_DISPOSED));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ tryStart: () => tryStart(resolve, reject), reject });
      this.pump();
    });
  }

  /**
   * Starts queued work in order while it can start; the first that cannot holds the rest back,
   * except an invocation held for a finishing environment, which lets later ones be looked at.
   */
  private pump(): void {
    this.unclaimedFinishing = this.slots.reduce((sum, slot) => sum + slot.answered, 0);
    for (let index = 0; !this.disposed && index < this.waiting.length; ) {
      const attempt = this.waiting[index].tryStart();
      if (attempt === 'started') this.waiting.splice(index, 1);
      else if (attempt === 'held') index += 1;
      else break;
    }
  }

  private async run(slot: Slot, event: unknown, resetFirst: boolean, { clientContext, onPayload }: InvokeOptions): Promise<RawInvocation> {
    slot.inFlight += 1;
    let answered = false;
    let finished = false;
    slot.lastUsed = ++this.uses;
    this.timers.clear(slot.reaper);
    slot.reaper = undefined;
    try {
      if (resetFirst) await slot.environment.reset('requested');
      const raw = await slot.environment.invoke(event, {
        ...(clientContext === undefined ? {} : { clientContext }),
        ...(onPayload && {
          onPayload: (early: EarlyPayload) => {
            // Once, and never after the run ended (the count would stay up for good).
            if (answered || finished) return;
            answered = true;
            slot.answered += 1;
            onPayload(early);
          },
        }),
      });
      return { ...raw, environment: slot.index, generation: slot.generation(raw.generation) };
    } finally {
      finished = true;
      if (answered) slot.answered -= 1;
      slot.inFlight -= 1;
      slot.lastUsed = ++this.uses;
      if (slot.inFlight === 0) this.armReaper(slot);
      this.pump();
    }
  }

  private armReaper(slot: Slot): void {
    this.timers.clear(slot.reaper);
    slot.reaper = this.timers.set(() => this.reap(slot), this.idleTimeoutMs);
  }

  /**
   * Ends `slot` if it is still idle and not the most recently used environment (that one
   * stays warm: it is where the next invocation goes, so it is looked at again later).
   */
  private reap(slot: Slot): void {
    slot.reaper = undefined;
    if (this.disposed || !this.slots.includes(slot) || slot.inFlight > 0 || this.exclusiveRunning) return;
    if (this.mostRecent(this.slots) === slot) {
      this.armReaper(slot);
      return;
    }
    this.slots = this.slots.filter((other) => other !== slot);
    void this.end(slot).catch(() => undefined);
    // Its index is free again; nothing waits on a reap, but the status listeners see one fewer.
    this.notify();
  }

  /** The most recently used environment with room for one more invocation (cold: with none running). */
  private idleSlot(cold: boolean): Slot | undefined {
    return this.mostRecent(this.slots.filter((slot) => (cold ? slot.inFlight === 0 : slot.inFlight < slot.environment.capacity)));
  }

  /** A new environment with the lowest index no current one has (a reaped one's index is reused). */
  private newSlot(): Slot | undefined {
    if (this.slots.length >= this.maxEnvironments) return undefined;
    const taken = new Set(this.slots.map((slot) => slot.index));
    let index = 0;
    while (taken.has(index)) index += 1;
    const slot = new Slot(index, this.create(index), this.newGeneration);
    slot.subscription = slot.environment.onStatusChange((status) => {
      // Numbered as soon as it shows, so the status and the record agree on the generation.
      slot.generation(status.generation);
      this.notify();
    });
    this.slots.push(slot);
    return slot;
  }

  private notify(): void {
    // serve's pools have no listener: no status is built twice per invocation for nobody.
    if (this.listeners.size === 0) return;
    const overall = this.status();
    for (const listener of [...this.listeners]) listener(overall);
  }

  private mostRecent(slots: readonly Slot[]): Slot | undefined {
    return slots.reduce<Slot | undefined>((best, slot) => (best === undefined || slot.lastUsed > best.lastUsed ? slot : best), undefined);
  }

  private async end(slot: Slot): Promise<void> {
    this.timers.clear(slot.reaper);
    slot.reaper = undefined;
    slot.subscription?.dispose();
    await slot.environment.dispose();
  }
}
