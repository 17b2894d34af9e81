/**
 * Lambda Managed Instances on the host side: one child process whose main thread runs the
 * handler in worker threads (child/services/worker-pool.ts), many invocations in flight at once
 * (up to the environment's capacity, which the session's pool keeps), never frozen. What
 * docs/managed-instances.md says Lambda does in this mode:
 * - each worker initialises the handler once; a worker's first invocation is its cold one and
 *   carries that worker's init time;
 * - the function's timeout applies to each invocation on its own: a timed-out invocation fails
 *   with Sandbox.Timedout, the environment and the other invocations go on, and the handler's
 *   code keeps running (its late result is dropped);
 * - when the process ends (every worker gone, out of memory) every invocation in flight fails
 *   and the next one starts a new environment.
 */
import { randomUUID } from 'node:crypto';
import type { LambdaError, RawInvocation, ResetReason } from '../model/snapshot';
import type { ChildHandle, ChildEvent } from './child-handle';
import { ConcurrentOutput } from './concurrent-output';
import { findingFromWire, responseFromWire, type ChildResultMessage } from './protocol';
import { billedDuration, bytesToMB, endLine, reportLine, startLine, timeoutError, timeoutMessage } from '../lambda/log-lines';

/** How long the host waits for capture after the handler settled before giving up on it. */
const CAPTURE_GRACE_MS = 10_000;
const OUTPUT_GRACE_MS = 1_000;
/** Max Memory Used reads /proc at most this often: results arrive many per millisecond. */
const HIGH_WATER_MARK_AGE_MS = 100;

export type InitOutcome =
  | { kind: 'ready'; initDurationMs: number; maxRssBytes: number; workerInitMs: number[] }
  | { kind: 'init-error'; initDurationMs: number | null; error: LambdaError; maxRssBytes: number; reset: ResetReason }
  | { kind: 'engine-error'; error: Error };

/** What the environment lends: its process's start and end, and the record's common fields. */
export interface ManagedKit {
  /** Spawns the child with the Managed Instances init, its output going to `output`. */
  spawn(output: ConcurrentOutput): Promise<ChildHandle>;
  awaitInit(child: ChildHandle): Promise<InitOutcome>;
  /** The process is gone (null: it never really started). */
  ended(reason: ResetReason | null): void;
  warm(): void;
  /** A record with the environment's fields, then `fields`. */
  record(requestId: string, startedAt: string, fields: Partial<RawInvocation>, logsCut: boolean): RawInvocation;
  sendInvoke(child: ChildHandle, requestId: string, event: unknown, clientContext: unknown): void;
  timeoutSeconds: number;
  memoryMB: number;
  /** What the caller's static checks found (EnvironmentOptions.handlerWarnings). */
  handlerWarnings: readonly string[];
}

interface InFlight {
  startedAt: number;
  overlapping: string[];
  settledAfterMs: number | null;
  finish: (outcome: Finish) => void;
  timer: NodeJS.Timeout;
}

type Finish = { kind: 'result'; result: ChildResultMessage } | { kind: 'timeout' } | { kind: 'ended'; reason: ResetReason; error: LambdaError } | { kind: 'unresponsive' };

interface Running {
  child: ChildHandle;
  output: ConcurrentOutput;
  init: Promise<InitOutcome>;
  workerInitMs: number[];
  maxRssBytes: number;
}

export class ManagedInvocations {
  private running: Running | null = null;
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly kit: ManagedKit) {}

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  async invoke(event: unknown, clientContext?: unknown): Promise<RawInvocation> {
    const requestId = randomUUID();
    const arrivedAt = new Date().toISOString();
    const running = this.running ?? this.start();
    const init = await running.init;
    if (init.kind === 'engine-error') throw init.error;
    if (init.kind === 'init-error') {
      const durationMs = init.initDurationMs ?? 0;
      const { text, cut } = running.output.take(requestId);
      const report = reportLine({ requestId, durationMs, billedDurationMs: billedDuration(durationMs), memorySizeMB: this.kit.memoryMB, maxMemoryUsedMB: bytesToMB(init.maxRssBytes), initDurationMs: durationMs });
      return this.kit.record(requestId, arrivedAt, {
        cold: true,
        durationMs,
        billedDurationMs: billedDuration(durationMs),
        initDurationMs: init.initDurationMs,
        maxMemoryUsedMB: bytesToMB(init.maxRssBytes),
        error: init.error,
        logs: text + startLine(requestId) + endLine(requestId) + report,
        reset: init.reset,
        captureError: 'the handler module failed to load',
        ...(init.reset === 'init-error' && this.kit.handlerWarnings.length ? { handlerWarnings: [...this.kit.handlerWarnings] } : {}),
      }, cut);
    }
    if (this.running !== running) return this.invoke(event, clientContext); // ended while this one waited: a new environment
    // Started when the workers could take it (an invocation sent during init waited for them).
    return this.run(running, requestId, new Date().toISOString(), event, clientContext);
  }

  /** Ends the process; invocations in flight fail with `reason`. */
  async end(reason: ResetReason): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    await running.child.kill();
    this.failAll(reason, { errorType: 'Runtime.ExitError', errorMessage: 'Error: the environment was reset during the invocation', trace: [] });
    this.kit.ended(reason);
  }

  private start(): Running {
    const running: Running = { child: null as unknown as ChildHandle, output: new ConcurrentOutput(), init: Promise.resolve({ kind: 'engine-error', error: new Error('not started') }), workerInitMs: [], maxRssBytes: 0 };
    running.init = this.initialise(running);
    this.running = running;
    return running;
  }

  /** Spawns the process and waits for every worker to load the handler. */
  private async initialise(running: Running): Promise<InitOutcome> {
    try {
      running.child = await this.kit.spawn(running.output);
    } catch (error) {
      this.running = null;
      this.kit.ended(null);
      return { kind: 'engine-error', error: error as Error };
    }
    const outcome = await this.kit.awaitInit(running.child);
    if (outcome.kind !== 'ready') {
      await running.child.kill();
      running.output.flush();
      this.running = null;
      this.kit.ended(outcome.kind === 'engine-error' ? null : outcome.reset);
      return outcome;
    }
    running.workerInitMs = outcome.workerInitMs;
    running.maxRssBytes = outcome.maxRssBytes;
    void this.pump(running);
    this.kit.warm();
    return outcome;
  }

  private async run(running: Running, requestId: string, startedAt: string, event: unknown, clientContext: unknown): Promise<RawInvocation> {
    const timeoutMs = this.kit.timeoutSeconds * 1000;
    const others = [...this.inFlight.keys()];
    for (const id of others) this.inFlight.get(id)?.overlapping.push(requestId);
    running.output.open(requestId);
    const finished = new Promise<Finish>((resolve) => {
      const timer = setTimeout(() => {
        const entry = this.inFlight.get(requestId);
        // Settled in time: capture gets its own allowance.
        if (entry && entry.settledAfterMs !== null) return;
        this.inFlight.delete(requestId);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.inFlight.set(requestId, { startedAt: performance.now(), overlapping: others, settledAfterMs: null, finish: resolve, timer });
    });
    const entry = this.inFlight.get(requestId) as InFlight;
    this.kit.sendInvoke(running.child, requestId, event, clientContext);
    const outcome = await finished;
    clearTimeout(entry.timer);
    this.inFlight.delete(requestId);
    const elapsedMs = performance.now() - entry.startedAt;
    if (outcome.kind === 'result') await running.output.waitFor(requestId, OUTPUT_GRACE_MS);
    const { text, cut } = running.output.take(requestId);
    const result = outcome.kind === 'result' ? outcome.result : null;
    const worker = result?.worker;
    const cold = result?.workerFirst === true;
    const initDurationMs = cold && worker !== undefined ? (running.workerInitMs[worker] ?? null) : null;
    if (result) running.maxRssBytes = Math.max(running.maxRssBytes, result.maxRssBytes, running.child.highWaterMarkBytes(HIGH_WATER_MARK_AGE_MS) ?? 0);
    const maxMemoryUsedMB = bytesToMB(running.maxRssBytes);
    let durationMs = result ? Math.min(result.durationMs, entry.settledAfterMs ?? elapsedMs) : elapsedMs;
    let error: LambdaError | null = result ? result.error : null;
    let trailer = '';
    let reset: ResetReason | null = null;
    if (outcome.kind === 'timeout') {
      durationMs = timeoutMs;
      error = timeoutError(requestId, this.kit.timeoutSeconds);
      trailer = `${new Date().toISOString()} ${requestId} ${timeoutMessage(this.kit.timeoutSeconds)}\n`;
    } else if (outcome.kind === 'unresponsive') {
      error = { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: the runtime settled the invocation but never sent its result`, trace: [] };
    } else if (outcome.kind === 'ended') {
      reset = outcome.reason;
      error = { ...outcome.error, errorMessage: `RequestId: ${requestId} ${outcome.error.errorMessage}` };
      trailer = `${error.errorMessage}\n${error.errorType}\n`;
    }
    const billed = outcome.kind === 'timeout' ? timeoutMs : billedDuration(durationMs);
    const logs = startLine(requestId) + text + endLine(requestId) + reportLine({ requestId, durationMs, billedDurationMs: billed, memorySizeMB: this.kit.memoryMB, maxMemoryUsedMB, initDurationMs }) + trailer;
    return this.kit.record(requestId, startedAt, {
      cold,
      durationMs,
      billedDurationMs: billed,
      initDurationMs,
      maxMemoryUsedMB,
      response: result && !result.error ? responseFromWire(result.responseJson) : null,
      error,
      logs,
      reset,
      moduleScope: result?.moduleScope ?? null,
      handlerScope: result?.handlerScope ?? null,
      parameters: result?.parameters ?? null,
      memory: result?.memory ?? null,
      captureError: result ? result.captureError : outcome.kind === 'timeout' ? 'the invocation timed out; its code may still be running in its worker, and nothing was captured' : 'the environment ended during the invocation; nothing was captured',
      ...(worker !== undefined ? { worker } : {}),
      overlapping: entry.overlapping,
      ...(result?.findings ? { findings: result.findings.map((finding) => findingFromWire(requestId, finding)) } : {}),
    }, cut);
  }

  /** Routes the child's messages to the invocations they answer, until the process ends. */
  private async pump(running: Running): Promise<void> {
    for (;;) {
      const event: ChildEvent | null = await running.child.next(60_000);
      if (this.running !== running) return;
      if (event === null) continue;
      if (event.kind === 'message') {
        const message = event.message;
        if (message.type === 'settled') {
          const entry = this.inFlight.get(message.requestId);
          if (!entry) continue;
          entry.settledAfterMs = performance.now() - entry.startedAt;
          clearTimeout(entry.timer);
          entry.timer = setTimeout(() => {
            this.inFlight.delete(message.requestId);
            entry.finish({ kind: 'unresponsive' });
          }, CAPTURE_GRACE_MS);
        } else if (message.type === 'result') {
          // A result after its invocation timed out finds no one waiting: dropped.
          this.inFlight.get(message.requestId)?.finish({ kind: 'result', result: message });
        }
        continue;
      }
      // The process ended (exit, a message the runtime does not send, the spawn failed).
      this.running = null;
      await running.child.kill();
      running.output.flush();
      const outOfMemory = running.child.ranOutOfMemory();
      const reason: ResetReason = outOfMemory ? 'out-of-memory' : event.kind === 'exit' && event.signal === null ? 'process-exit' : 'crashed';
      const why =
        event.kind === 'violation'
          ? `the runtime's message pipe carried ${event.reason}`
          : outOfMemory
            ? `Runtime exited with error: out of memory (the environment's ${this.kit.memoryMB} MB)`
            : event.kind === 'exit'
              ? `Runtime exited with error: ${event.signal ? `signal: ${event.signal}` : `exit status ${event.code ?? 0}`}`
              : 'Runtime exited with error: the process could not be reached';
      this.failAll(reason, { errorType: outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError', errorMessage: `Error: ${why}`, trace: [] });
      this.kit.ended(reason);
      return;
    }
  }

  private failAll(reason: ResetReason, error: LambdaError): void {
    for (const [id, entry] of [...this.inFlight]) {
      clearTimeout(entry.timer);
      this.inFlight.delete(id);
      entry.finish({ kind: 'ended', reason, error });
    }
  }
}
