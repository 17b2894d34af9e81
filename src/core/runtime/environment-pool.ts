/**
 * The execution environments of one function and the one queue in front of them, kept the
 * way Lambda keeps them: an invocation goes to an idle environment (the most recently used
 * one, so warm state is reused); when none is idle and fewer than `maxEnvironments` exist,
 * a new environment is created (a cold start); else the invocation waits its turn.
 * Exclusive work (a reset, replacing the environments) waits until every environment is
 * idle, and nothing queued after it overtakes it.
 *
 * Environments run what they are given, at most `capacity` at a time: there is no other
 * queue of invocations in the engine.
 */
import type { RawInvocation } from '../model/snapshot';
import type { EnvironmentFactory, EnvironmentStatus, WarmEnvironment } from './environment-api';

export interface EnvironmentPoolOptions {
  create: EnvironmentFactory;
  /**
   * Environments the function may have at once (what Lambda's concurrency limit bounds).
   * Default 1: one invocation at a time.
   */
  maxEnvironments?: number;
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

export const POOL_DISPOSED = 'This warm session has been disposed.';

const NOT_STARTED: EnvironmentStatus = { state: 'cold', frozen: false, warmInvocations: 0, generation: 0, nodeVersion: null, lastReset: null };

/** The busiest state first: what the function as a whole is doing. */
const BY_ACTIVITY: readonly EnvironmentStatus['state'][] = ['invoking', 'initializing', 'warm', 'cold'];

class Slot implements PooledEnvironment {
  inFlight = 0;
  /** When it was last given or gave back an invocation (a counter, not a clock). */
  lastUsed = 0;
  /** The environment's own generation numbers -> the pool's. */
  private readonly generations = new Map<number, number>();
  subscription: { dispose(): void } | undefined;

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

/** A queued piece of work: starts if it can now (true) or stays queued (false). */
type Waiting = { tryStart(): boolean; reject(error: Error): void };

export class EnvironmentPool {
  private create: EnvironmentFactory;
  private readonly maxEnvironments: number;
  private readonly newGeneration: () => number;
  private slots: Slot[] = [];
  private readonly waiting: Waiting[] = [];
  private exclusiveRunning = false;
  private uses = 0;
  private disposed = false;
  private readonly listeners = new Set<(status: EnvironmentStatus) => void>();

  constructor(options: EnvironmentPoolOptions) {
    this.create = options.create;
    this.maxEnvironments = Math.max(1, Math.floor(options.maxEnvironments ?? 1));
    let generations = 0;
    this.newGeneration = options.newGeneration ?? (() => ++generations);
  }

  /**
   * Runs one invocation in an environment of the pool; `cold` makes it a cold start (an idle
   * environment is reset first). The record says which environment ran it (`environment`)
   * and carries the pool's generation number.
   */
  invoke(event: unknown, options: { cold?: boolean } = {}): Promise<RawInvocation> {
    const cold = options.cold ?? false;
    return this.enqueue((resolve, reject) => {
      if (this.exclusiveRunning) return false;
      const idle = this.idleSlot(cold);
      let slot = idle;
      if (!slot) {
        try {
          slot = this.newSlot();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return true;
        }
      }
      if (!slot) return false;
      this.run(slot, event, cold && idle !== undefined).then(resolve, reject);
      return true;
    });
  }

  /** Runs `task` once every environment is idle; nothing queued after it starts before it ends. */
  exclusive<T>(task: (environments: readonly PooledEnvironment[]) => Promise<T>): Promise<T> {
    return this.enqueue((resolve, reject) => {
      if (this.exclusiveRunning || this.slots.some((slot) => slot.inFlight > 0)) return false;
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
      return true;
    });
  }

  /** Ends every environment once idle; later invocations run in environments from `create`. */
  replace(create: EnvironmentFactory): Promise<void> {
    return this.exclusive(async () => {
      const old = this.slots;
      this.slots = [];
      this.create = create;
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

  private enqueue<T>(tryStart: (resolve: (value: T) => void, reject: (error: Error) => void) => boolean): Promise<T> {
    if (this.disposed) return Promise.reject(new Error(POOL_DISPOSED));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ tryStart: () => tryStart(resolve, reject), reject });
      this.pump();
    });
  }

  /** Starts queued work in order while it can start; the first that cannot holds the rest back. */
  private pump(): void {
    while (!this.disposed && this.waiting.length > 0 && this.waiting[0].tryStart()) this.waiting.shift();
  }

  private async run(slot: Slot, event: unknown, resetFirst: boolean): Promise<RawInvocation> {
    slot.inFlight += 1;
    slot.lastUsed = ++this.uses;
    try {
      if (resetFirst) await slot.environment.reset('requested');
      const raw = await slot.environment.invoke(event);
      return { ...raw, environment: slot.index, generation: slot.generation(raw.generation) };
    } finally {
      slot.inFlight -= 1;
      slot.lastUsed = ++this.uses;
      this.pump();
    }
  }

  /** The most recently used environment with room for one more invocation (cold: with none running). */
  private idleSlot(cold: boolean): Slot | undefined {
    return this.mostRecent(this.slots.filter((slot) => (cold ? slot.inFlight === 0 : slot.inFlight < slot.environment.capacity)));
  }

  private newSlot(): Slot | undefined {
    if (this.slots.length >= this.maxEnvironments) return undefined;
    const slot = new Slot(this.slots.length, this.create(this.slots.length), this.newGeneration);
    slot.subscription = slot.environment.onStatusChange((status) => {
      // Numbered as soon as it shows, so the status and the record agree on the generation.
      slot.generation(status.generation);
      const overall = this.status();
      for (const listener of [...this.listeners]) listener(overall);
    });
    this.slots.push(slot);
    return slot;
  }

  private mostRecent(slots: readonly Slot[]): Slot | undefined {
    return slots.reduce<Slot | undefined>((best, slot) => (best === undefined || slot.lastUsed > best.lastUsed ? slot : best), undefined);
  }

  private async end(slot: Slot): Promise<void> {
    slot.subscription?.dispose();
    await slot.environment.dispose();
  }
}
