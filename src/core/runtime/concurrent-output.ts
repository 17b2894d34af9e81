/**
 * A process's output in Managed Instances mode, where many invocations write at once (a local
 * environment's child, or a runtime client the Runtime API backend runs): each line goes to the
 * invocation whose request id it carries (the runtime's console lines name it, from the
 * invocation's async context), a line without one continues the previous line of its stream (a
 * multi-line message), and what belongs to no invocation in flight (init, the runtime's own
 * worker errors) is kept for the next record. Our child writes end markers: an invocation's
 * output is complete once those of both streams arrived (protocol.ts outputMarker).
 *
 * Bounded: per invocation and for the shared text, the first LOG_HEAD_CHARS and the last
 * LOG_TAIL_CHARS characters are kept, with a line saying how much was cut between them; a line
 * still unfinished is passed on in pieces of at most PARTIAL_LINE_CHARS (its continuation
 * goes where its start went), so a stream written without newlines is held at a bounded cost too.
 */
import { HeadTailText } from './head-tail-text';
import { OUTPUT_MARKER_PREFIX, OUTPUT_MARKER_SUFFIX } from './protocol';

type Stream = 'stdout' | 'stderr';

/** The most of an unfinished line held before its start is passed on. */
export const PARTIAL_LINE_CHARS = 64 * 1024;
/** Longer than any marker (protocol.ts outputMarker: a request id between prefix and suffix). */
const MARKER_MAX_CHARS = 128;

/**
 * Where an end marker still arriving begins in `text` (its prefix whole or in part, and no
 * suffix yet, in the last MARKER_MAX_CHARS characters); text.length when none does. Text is
 * passed on up to there, so that a marker is never split.
 */
function arrivingMarkerAt(text: string): number {
  const prefixAt = text.lastIndexOf(OUTPUT_MARKER_PREFIX);
  const suffixAt = prefixAt < 0 ? -1 : text.indexOf(OUTPUT_MARKER_SUFFIX, prefixAt + OUTPUT_MARKER_PREFIX.length);
  if (prefixAt > text.length - MARKER_MAX_CHARS && suffixAt < 0) return prefixAt;
  // The first characters of a prefix at the very end, after the last whole marker if any.
  const after = suffixAt < 0 ? 0 : suffixAt + OUTPUT_MARKER_SUFFIX.length;
  for (let length = Math.min(OUTPUT_MARKER_PREFIX.length - 1, text.length - after); length > 0; length--) {
    if (OUTPUT_MARKER_PREFIX.startsWith(text.slice(text.length - length))) return text.length - length;
  }
  return text.length;
}

/**
 * A console line of the runtime in this mode: JSON with the request id third, as the 4.x client
 * writes it (`{"timestamp":...,"level":...,"requestId":...}`), or the text format's ISO time,
 * tab, request id, tab.
 */
const LINE_OWNER = /^(?:\{"timestamp":"[^"]*","level":"[A-Z]+","requestId":"([^"]+)"|\d{4}-\d\d-\d\dT[^\t]*\t([^\t\n]+)\t)/;

interface Owner {
  text: HeadTailText;
  /** Streams whose end marker arrived. */
  ended: Set<Stream>;
  waiters: Array<() => void>;
}

export class ConcurrentOutput {
  private readonly owners = new Map<string, Owner>();
  private readonly shared = new HeadTailText();
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };
  /** Who wrote the last complete line of each stream (continuation lines follow it). */
  private readonly lastOwner: Record<Stream, string | null> = { stdout: null, stderr: null };
  /** The stream's last piece was the start of a line: the next piece continues it, whatever it starts with. */
  private readonly continuing: Record<Stream, boolean> = { stdout: false, stderr: false };

  /** An invocation starts: lines with its request id are its own from now on. */
  open(requestId: string): void {
    this.owners.set(requestId, { text: new HeadTailText(), ended: new Set(), waiters: [] });
  }

  push(stream: Stream, chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.route(stream, `${line}\n`);
    // A marker never ends with a newline: take it as soon as it is whole.
    const rest = this.partial[stream];
    if (rest.startsWith(OUTPUT_MARKER_PREFIX) && rest.endsWith(OUTPUT_MARKER_SUFFIX) && rest.length > OUTPUT_MARKER_PREFIX.length) {
      this.partial[stream] = '';
      this.route(stream, rest);
    } else if (rest.length > PARTIAL_LINE_CHARS) {
      const cut = arrivingMarkerAt(rest);
      this.partial[stream] = rest.slice(cut);
      this.route(stream, rest.slice(0, cut), true);
    }
  }

  /** Resolves once both end markers of `requestId` arrived, or after `timeoutMs`. */
  waitFor(requestId: string, timeoutMs: number): Promise<void> {
    const owner = this.owners.get(requestId);
    if (!owner || owner.ended.size === 2) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      owner.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The invocation's text (and the shared text gathered since the last take, first); forgets it. */
  take(requestId: string): { text: string; cut: boolean } {
    const owner = this.owners.get(requestId);
    this.owners.delete(requestId);
    const shared = this.shared.take();
    const own = owner?.text.take() ?? { text: '', cutChars: 0 };
    return { text: shared.text + own.text, cut: shared.cutChars + own.cutChars > 0 };
  }

  /** Flushes unterminated lines (the process ended). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.route(stream, `${this.partial[stream]}\n`);
      this.partial[stream] = '';
    }
  }

  /** `line` is a whole line, or with `unfinished`, the start of one (what follows continues it). */
  private route(stream: Stream, line: string, unfinished = false): void {
    // Markers may sit at the start of a line the runtime's write and a user's raw write shared.
    let text = line;
    for (;;) {
      const start = text.indexOf(OUTPUT_MARKER_PREFIX);
      const end = start < 0 ? -1 : text.indexOf(OUTPUT_MARKER_SUFFIX, start + OUTPUT_MARKER_PREFIX.length);
      if (end < 0) break;
      this.markEnded(stream, text.slice(start + OUTPUT_MARKER_PREFIX.length, end));
      text = text.slice(0, start) + text.slice(end + OUTPUT_MARKER_SUFFIX.length);
    }
    const continues = this.continuing[stream];
    this.continuing[stream] = unfinished;
    // A lone newline is dropped, unless it ends a line passed on in pieces.
    if (!text || (text === '\n' && !continues)) return;
    const match = continues ? null : LINE_OWNER.exec(text);
    const id = match ? (match[1] ?? match[2] ?? null) : null;
    const ownerId = id !== null ? (this.owners.has(id) ? id : null) : this.lastOwner[stream];
    this.lastOwner[stream] = ownerId;
    const owner = ownerId === null ? undefined : this.owners.get(ownerId);
    (owner?.text ?? this.shared).push(text);
  }

  private markEnded(stream: Stream, id: string): void {
    const owner = this.owners.get(id);
    if (!owner) return;
    owner.ended.add(stream);
    if (owner.ended.size < 2) return;
    for (const waiter of owner.waiters.splice(0)) waiter();
  }
}
