/**
 * Collects the child's stdout and stderr as log text and notices the end markers the child
 * writes at the end of each phase (see protocol.ts), so the host knows when a phase's output
 * has fully arrived although messages travel on a different pipe.
 *
 * Text is kept by stream and phase (the number of markers seen on its stream before it), so
 * that takeThrough(id) cuts exactly at a marker on each stream: on a cold start the child runs
 * the invocation right after init, and its first output can arrive before the host took init's.
 */
import { OUTPUT_MARKER_PREFIX, OUTPUT_MARKER_SUFFIX } from './protocol';

interface Waiter {
  id: string;
  resolve: () => void;
}

/** Text of one stream written in one phase, in arrival order with the other pieces. */
interface Piece {
  stream: string;
  phase: number;
  text: string;
}

export class OutputCollector {
  private pieces: Piece[] = [];
  private readonly partial = new Map<string, string>();
  /** Per stream: markers seen so far, i.e. the phase of the text arriving now. */
  private readonly phases = new Map<string, number>();
  /** Per stream: the phase each marker closed (until its text is taken). */
  private readonly closed = new Map<string, Map<string, number>>();
  private readonly seen = new Map<string, number>();
  private readonly complete = new Set<string>();
  private waiters: Waiter[] = [];

  constructor(private readonly streamCount: number) {}

  push(stream: string, chunk: string): void {
    let buffer = (this.partial.get(stream) ?? '') + chunk;
    for (;;) {
      const start = buffer.indexOf(OUTPUT_MARKER_PREFIX);
      if (start < 0) break;
      const end = buffer.indexOf(OUTPUT_MARKER_SUFFIX, start + OUTPUT_MARKER_PREFIX.length);
      if (end < 0) break;
      this.append(stream, buffer.slice(0, start));
      this.mark(stream, buffer.slice(start + OUTPUT_MARKER_PREFIX.length, end));
      buffer = buffer.slice(end + OUTPUT_MARKER_SUFFIX.length);
    }
    // Keep back a possible marker beginning split across chunks.
    const hold = buffer.lastIndexOf(OUTPUT_MARKER_PREFIX.charAt(0));
    const rest = hold >= 0 ? buffer.slice(hold) : '';
    if (hold >= 0 && (rest.startsWith(OUTPUT_MARKER_PREFIX) || OUTPUT_MARKER_PREFIX.startsWith(rest))) {
      this.append(stream, buffer.slice(0, hold));
      this.partial.set(stream, buffer.slice(hold));
    } else {
      this.append(stream, buffer);
      this.partial.set(stream, '');
    }
  }

  /** Everything collected so far (held-back partial markers excepted); empties the buffer. */
  take(): string {
    const text = this.pieces.map((piece) => piece.text).join('');
    this.pieces = [];
    return text;
  }

  /**
   * What each stream wrote before marker `id` (all of a stream's text if `id` has not arrived
   * on it: the grace time ran out); later text stays for the next phase.
   */
  takeThrough(id: string): string {
    let text = '';
    const kept: Piece[] = [];
    for (const piece of this.pieces) {
      const last = this.closed.get(piece.stream)?.get(id);
      if (last === undefined || piece.phase <= last) text += piece.text;
      else kept.push(piece);
    }
    this.pieces = kept;
    for (const ids of this.closed.values()) ids.delete(id);
    return text;
  }

  /** Flushes held-back fragments, e.g. when the process has exited. */
  flush(): void {
    for (const [stream, rest] of this.partial) {
      this.append(stream, rest.split(OUTPUT_MARKER_PREFIX.charAt(0)).join(''));
      this.partial.set(stream, '');
    }
  }

  /** Resolves once marker `id` arrived on every stream, or after `timeoutMs`. */
  waitFor(id: string, timeoutMs: number): Promise<void> {
    if (this.complete.delete(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        id,
        resolve: () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => waiter.resolve(), timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Wakes every waiter (the process is gone; no more output will come). */
  releaseAll(): void {
    for (const waiter of [...this.waiters]) waiter.resolve();
  }

  private append(stream: string, text: string): void {
    if (!text) return;
    const phase = this.phases.get(stream) ?? 0;
    const last = this.pieces.at(-1);
    if (last && last.stream === stream && last.phase === phase) last.text += text;
    else this.pieces.push({ stream, phase, text });
  }

  private mark(stream: string, id: string): void {
    const phase = this.phases.get(stream) ?? 0;
    let ids = this.closed.get(stream);
    if (!ids) this.closed.set(stream, (ids = new Map()));
    ids.set(id, phase);
    this.phases.set(stream, phase + 1);
    const count = (this.seen.get(id) ?? 0) + 1;
    this.seen.set(id, count);
    if (count >= this.streamCount) {
      this.seen.delete(id);
      const waiting = this.waiters.filter((w) => w.id === id);
      if (waiting.length === 0) this.complete.add(id);
      for (const waiter of waiting) waiter.resolve();
    }
  }
}
