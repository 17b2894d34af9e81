/**
 * Collects the child's stdout and stderr as log text and notices the end markers the child
 * writes at the end of each phase (see protocol.ts), so the host knows when a phase's output
 * has fully arrived although IPC messages travel on a different pipe.
 */
import { OUTPUT_MARKER_PREFIX, OUTPUT_MARKER_SUFFIX } from './protocol';

interface Waiter {
  id: string;
  resolve: () => void;
}

export class OutputCollector {
  private text = '';
  private readonly partial = new Map<string, string>();
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
      this.text += buffer.slice(0, start);
      this.mark(buffer.slice(start + OUTPUT_MARKER_PREFIX.length, end));
      buffer = buffer.slice(end + OUTPUT_MARKER_SUFFIX.length);
    }
    // Keep back a possible marker beginning split across chunks.
    const hold = buffer.lastIndexOf(OUTPUT_MARKER_PREFIX.charAt(0));
    const rest = hold >= 0 ? buffer.slice(hold) : '';
    if (hold >= 0 && (rest.startsWith(OUTPUT_MARKER_PREFIX) || OUTPUT_MARKER_PREFIX.startsWith(rest))) {
      this.text += buffer.slice(0, hold);
      this.partial.set(stream, buffer.slice(hold));
    } else {
      this.text += buffer;
      this.partial.set(stream, '');
    }
  }

  /** Everything collected so far (held-back partial markers excepted); empties the buffer. */
  take(): string {
    const text = this.text;
    this.text = '';
    return text;
  }

  /** Flushes held-back fragments, e.g. when the process has exited. */
  flush(): void {
    for (const [stream, rest] of this.partial) {
      this.text += rest.split(OUTPUT_MARKER_PREFIX.charAt(0)).join('');
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

  private mark(id: string): void {
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
