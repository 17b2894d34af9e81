/**
 * The host's hold on one environment's child process: its message pipe (checked by a gate,
 * child-messages.ts), its output, its exit, and freeze and thaw of its process group. Events
 * are queued and taken one at a time with next().
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { OutputCollector } from './output-collector';
import { encodeFrame, FrameSplitter, FrameTooLargeError } from './frames';
import { ChildMessageGate, type Accepted } from './child-messages';
import { endProcessTree, endTreeOnExit, signalGroup } from './process-group';
import { CHANNEL_FD, CHILD_MESSAGE_LIMIT_BYTES, type ChildToHost, type HostToChild } from './protocol';

/**
 * After the child exited, how long its pipes may stay open before the host closes them itself:
 * only a process that left the group (setsid) and kept them can hold them that long.
 */
const CLOSE_GRACE_MS = 1_000;
/** What V8 prints on stderr when the heap is over `--max-old-space-size`. */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

/** What checks the pipe's messages: the default mode's order, or Managed Instances' (many at once). */
export interface MessageGate {
  expectInvocation(requestId: string): void;
  expectSnapshot(): void;
  accept(text: string): Accepted;
}

export interface ChildHandleOptions {
  gate?: MessageGate;
  /** Takes the output instead of `output` (Managed Instances: lines are sorted by request id). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /**
   * Managed Instances: messages sent in one turn of the event loop go out in one write (many
   * invocations start at once; a write each cost a system call each).
   */
  batchWrites?: boolean;
}

/**
 * How long an environment stays idle before its whole process group is stopped (freezeSoon).
 * Short next to anything a person does, long next to a load test's gap between invocations.
 */
const GROUP_FREEZE_DELAY_MS = 20;

/** A child process event relevant to the invocation in progress. */
export type ChildEvent =
  | { kind: 'message'; message: ChildToHost }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawn-error'; error: Error }
  /** The pipe carried something the runtime does not send (child-messages.ts); the child is being ended. */
  | { kind: 'violation'; reason: string };

export class ChildHandle {
  readonly output = new OutputCollector(2);
  private readonly queue: ChildEvent[] = [];
  private waiter: ((event: ChildEvent) => void) | null = null;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** Everything the child wrote to stderr recently (for out-of-memory detection). */
  stderrTail = '';
  frozen = false;
  private pendingFreeze: NodeJS.Timeout | null = null;
  /** The message pipe (protocol.ts); null when the process could not be spawned. */
  private readonly channel: Socket | null;
  private readonly gate: MessageGate;
  private readonly batchWrites: boolean;
  /** Set once the pipe carried something invalid: nothing more is read from it. */
  private violation: string | null = null;
  private readonly closed: Promise<void>;

  constructor(
    readonly process: ChildProcess,
    options: ChildHandleOptions = {},
  ) {
    this.gate = options.gate ?? new ChildMessageGate();
    this.batchWrites = options.batchWrites === true;
    const onOutput = options.onOutput ?? ((stream: 'stdout' | 'stderr', chunk: string) => this.output.push(stream, chunk));
    this.channel = (process.stdio[CHANNEL_FD] ?? null) as Socket | null;
    const frames = new FrameSplitter(CHILD_MESSAGE_LIMIT_BYTES);
    // 'close' (below) comes after the last 'data': a frame cut off by an exit is dropped.
    this.channel?.on('data', (chunk: Buffer) => {
      if (this.violation !== null) return;
      let texts: string[];
      try {
        texts = frames.push(chunk);
      } catch (error) {
        if (!(error instanceof FrameTooLargeError)) throw error;
        return this.violate(error.message);
      }
      for (const text of texts) {
        const accepted = this.gate.accept(text);
        if (!accepted.ok) return this.violate(accepted.violation);
        this.push({ kind: 'message', message: accepted.message });
      }
    });
    // A write to a child that just died: its exit reports what happened (and send() pushes it).
    this.channel?.on('error', () => undefined);
    this.closed = new Promise((resolve) => process.once('close', () => resolve()));
    const pid = process.pid;
    const released = pid === undefined ? null : endTreeOnExit(pid);
    process.on('error', (error) => this.push({ kind: 'spawn-error', error }));
    process.on('exit', (code, signal) => {
      this.exited = { code, signal };
      this.frozen = false;
      this.cancelPendingFreeze();
      if (pid === undefined) return;
      // The environment ends with its first process: whatever the handler started goes too.
      signalGroup(pid, 'SIGKILL');
      released?.();
      setTimeout(() => this.closePipes(), CLOSE_GRACE_MS).unref();
    });
    // 'close' comes after all stdio data: only then is the output complete.
    process.on('close', () => {
      this.output.flush();
      this.output.releaseAll();
      this.push({ kind: 'exit', code: this.exited?.code ?? null, signal: this.exited?.signal ?? null });
    });
    process.stdout?.setEncoding('utf8');
    process.stderr?.setEncoding('utf8');
    process.stdout?.on('data', (chunk: string) => onOutput('stdout', chunk));
    process.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4096);
      onOutput('stderr', chunk);
    });
  }

  /** Ends the environment for a message the runtime did not send; the waiting step records why. */
  private violate(reason: string): void {
    this.violation = reason;
    this.channel?.destroy();
    this.push({ kind: 'violation', reason });
    void this.kill();
  }

  private push(event: ChildEvent): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter(event);
    } else {
      this.queue.push(event);
    }
  }

  /** Takes every queued event (left over from before the current invocation). */
  drain(): ChildEvent[] {
    return this.queue.splice(0);
  }

  /** Next event, or null after `timeoutMs`. */
  next(timeoutMs: number): Promise<ChildEvent | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (event) => {
        clearTimeout(timer);
        resolve(event);
      };
    });
  }

  /** A send to a child that just died fails quietly: its exit event reports what happened. */
  send(message: HostToChild): void {
    const channel = this.channel;
    if (this.process.pid === undefined || !channel || channel.destroyed || !channel.writable) return;
    if (message.type === 'invoke') this.gate.expectInvocation(message.requestId);
    if (message.type === 'heap-snapshot') this.gate.expectSnapshot();
    if (this.batchWrites && !channel.writableCorked) {
      channel.cork();
      process.nextTick(() => channel.uncork());
    }
    channel.write(encodeFrame(message), (error) => {
      if (error) this.push({ kind: 'spawn-error', error });
    });
  }

  /** Stops every process of the environment (POSIX; the caller never freezes on Windows). */
  freeze(): void {
    this.cancelPendingFreeze();
    if (this.exited || this.frozen || this.process.pid === undefined) return;
    if (signalGroup(this.process.pid, 'SIGSTOP')) this.frozen = true;
  }

  /**
   * Stops the process group once the environment has stayed idle for GROUP_FREEZE_DELAY_MS.
   * The child's own JavaScript is frozen already: it waits for the next message in a blocking
   * read as soon as its result is out (host-channel.ts). The signal is for what runs outside
   * that thread (processes the handler started, worker threads), and it waits because stopping
   * and continuing a group wakes every thread of every process in it: on a busy machine that
   * cost each warm invocation tenths of a millisecond, and invocations that follow each other
   * at once (a load test, `serve` behind a client) now pay none of it.
   */
  freezeSoon(): void {
    if (this.pendingFreeze) return;
    this.pendingFreeze = setTimeout(() => {
      this.pendingFreeze = null;
      this.freeze();
    }, GROUP_FREEZE_DELAY_MS);
    // Never what keeps the CLI or a test alive: ending the environment kills the group anyway.
    this.pendingFreeze.unref();
  }

  /** Frozen, or about to be: its JavaScript waits already, the group stops soon (what the environment's status shows). */
  get frozenOrFreezing(): boolean {
    return this.frozen || this.pendingFreeze !== null;
  }

  private cancelPendingFreeze(): void {
    if (!this.pendingFreeze) return;
    clearTimeout(this.pendingFreeze);
    this.pendingFreeze = null;
  }

  thaw(): void {
    // An invocation that starts before the scheduled freeze ran: the child was never stopped.
    this.cancelPendingFreeze();
    if (this.exited || !this.frozen || this.process.pid === undefined) return;
    signalGroup(this.process.pid, 'SIGCONT');
    this.frozen = false;
  }

  /** Ends every process of the environment and waits until its output is complete. */
  async kill(): Promise<void> {
    if (this.process.pid === undefined) return;
    if (!this.exited) endProcessTree(this.process.pid);
    await this.closed;
  }

  /** The pipes stayed open after the exit (an escaped process holds them): stop waiting for them. */
  private closePipes(): void {
    for (const stream of this.process.stdio) stream?.destroy();
  }

  /** True when V8 said, on stderr, that the heap ran out. */
  ranOutOfMemory(): boolean {
    return OUT_OF_MEMORY.test(this.stderrTail);
  }

  /**
   * Peak resident memory of the child from the OS (Linux), else null. `maxAgeMs`: a reading
   * that recent will do (Managed Instances ask at every result, many per millisecond).
   */
  highWaterMarkBytes(maxAgeMs = 0): number | null {
    if (maxAgeMs > 0 && this.lastHighWaterMark && performance.now() - this.lastHighWaterMark.at <= maxAgeMs) return this.lastHighWaterMark.bytes;
    const bytes = this.readHighWaterMark();
    this.lastHighWaterMark = { at: performance.now(), bytes };
    return bytes;
  }

  private lastHighWaterMark: { at: number; bytes: number | null } | null = null;

  private readHighWaterMark(): number | null {
    if (process.platform !== 'linux' || this.process.pid === undefined) return null;
    try {
      const status = readFileSync(`/proc/${this.process.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
      return match ? Number(match[1]) * 1024 : null;
    } catch {
      return null;
    }
  }
}

