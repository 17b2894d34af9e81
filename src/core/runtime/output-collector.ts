/**
 * Collects the child's stdout and stderr as log text and notices the end markers the child
 * writes at the end of each phase (see protocol.ts), so the host knows when a phase's output
 * has fully arrived although messages travel on a different pipe.
 *
 * Text is kept by stream and phase (the number of markers seen on its stream before it), so
 * that takeThrough(id) cuts exactly at a marker on each stream: on a cold start the child runs
 * the invocation right after init, and its first output can arrive before the host took init's.
 *
 * Bounded: a phase keeps its first LOG_HEAD_CHARS and its last LOG_TAIL_CHARS characters (all
 * streams together, lambda/limits.ts); what arrives in between is dropped as it arrives and a
 * line in the text says how much. A handler printing 100 MB costs the host a few MB, not 100.
 */
import { LOG_HEAD_CHARS, LOG_TAIL_CHARS, logCutLine } from '../lambda/limits';
import { OUTPUT_MARKER_PREFIX, OUTPUT_MARKER_SUFFIX } from './protocol';

/** Marker ids are request ids (UUIDs) or `init`: a longer "marker" is just text. */
const MAX_MARKER_CHARS = OUTPUT_MARKER_PREFIX.length + 64 + OUTPUT_MARKER_SUFFIX.length;

interface Waiter {
  id: string;
  resolve: () => void;
}

/** Text of one stream written in one phase, in arrival order with the other pieces. */
interface Piece {
  stream: string;
  phase: number;
  text: string;
  /** Part of its phase's tail: dropped from the front once the tail is over its budget. */
  tail: boolean;
}

/** What one phase has kept and dropped so far. */
interface PhaseBudget {
  headChars: number;
  tailChars: number;
  cutChars: number;
  /** The cut line has been put in text already taken. */
  noted: boolean;
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
  private readonly budgets = new Map<number, PhaseBudget>();
  /** Characters cut from text taken since the last takeCutChars(). */
  private cutTaken = 0;

  constructor(
    private readonly streamCount: number,
    private readonly limits: { headChars: number; tailChars: number } = { headChars: LOG_HEAD_CHARS, tailChars: LOG_TAIL_CHARS },
  ) {}

  push(stream: string, chunk: string): void {
    let buffer = (this.partial.get(stream) ?? '') + chunk;
    let from = 0;
    for (;;) {
      const start = buffer.indexOf(OUTPUT_MARKER_PREFIX, from);
      if (start < 0) break;
      const end = buffer.indexOf(OUTPUT_MARKER_SUFFIX, start + OUTPUT_MARKER_PREFIX.length);
      if (end < 0) break;
      if (end + OUTPUT_MARKER_SUFFIX.length - start > MAX_MARKER_CHARS) {
        from = start + 1; // too long for a marker: text
        continue;
      }
      this.append(stream, buffer.slice(0, start));
      this.mark(stream, buffer.slice(start + OUTPUT_MARKER_PREFIX.length, end));
      buffer = buffer.slice(end + OUTPUT_MARKER_SUFFIX.length);
      from = 0;
    }
    // Keep back a possible marker beginning split across chunks (never more than a marker).
    const hold = buffer.lastIndexOf(OUTPUT_MARKER_PREFIX.charAt(0));
    const rest = hold >= 0 ? buffer.slice(hold) : '';
    if (hold >= 0 && rest.length <= MAX_MARKER_CHARS && (rest.startsWith(OUTPUT_MARKER_PREFIX) || OUTPUT_MARKER_PREFIX.startsWith(rest))) {
      this.append(stream, buffer.slice(0, hold));
      this.partial.set(stream, buffer.slice(hold));
    } else {
      this.append(stream, buffer);
      this.partial.set(stream, '');
    }
  }

  /** Everything collected so far (held-back partial markers excepted); empties the buffer. */
  take(): string {
    const text = this.textOf(this.pieces);
    this.pieces = [];
    this.forgetDonePhases();
    return text;
  }

  /** Characters of output cut from the text taken since the last call (0: nothing was cut). */
  takeCutChars(): number {
    const cut = this.cutTaken;
    this.cutTaken = 0;
    return cut;
  }

  /**
   * What each stream wrote before marker `id` (all of a stream's text if `id` has not arrived
   * on it: the grace time ran out); later text stays for the next phase.
   */
  takeThrough(id: string): string {
    const taken: Piece[] = [];
    const kept: Piece[] = [];
    for (const piece of this.pieces) {
      const last = this.closed.get(piece.stream)?.get(id);
      if (last === undefined || piece.phase <= last) taken.push(piece);
      else kept.push(piece);
    }
    this.pieces = kept;
    for (const ids of this.closed.values()) ids.delete(id);
    const text = this.textOf(taken);
    this.forgetDonePhases();
    return text;
  }

  /**
   * Ends `stream`'s phase at `id` as its marker would have: the child wrote none there, having
   * written nothing since its last one (ChildResultMessage.quietStreams).
   */
  markQuiet(stream: string, id: string): void {
    this.mark(stream, id);
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

  /** The pieces' text in order, with the cut line before the first tail piece of a phase that lost text. */
  private textOf(pieces: Piece[]): string {
    let text = '';
    for (const piece of pieces) {
      const budget = this.budgets.get(piece.phase);
      if (piece.tail && budget && budget.cutChars > 0 && !budget.noted) {
        budget.noted = true;
        this.cutTaken += budget.cutChars;
        text += logCutLine(budget.cutChars);
      }
      text += piece.text;
    }
    return text;
  }

  /** Budgets of phases every stream has moved past and whose text is all taken. */
  private forgetDonePhases(): void {
    const current = Math.min(...[...this.phases.values()], this.phases.size < this.streamCount ? 0 : Infinity);
    for (const phase of this.budgets.keys()) {
      if (phase < current && !this.pieces.some((piece) => piece.phase === phase)) this.budgets.delete(phase);
    }
  }

  private append(stream: string, text: string): void {
    if (!text) return;
    const phase = this.phases.get(stream) ?? 0;
    let budget = this.budgets.get(phase);
    if (!budget) this.budgets.set(phase, (budget = { headChars: 0, tailChars: 0, cutChars: 0, noted: false }));
    const headRoom = this.limits.headChars - budget.headChars;
    if (headRoom > 0) {
      const head = text.length <= headRoom ? text : text.slice(0, headRoom);
      budget.headChars += head.length;
      const last = this.pieces.at(-1);
      if (last && last.stream === stream && last.phase === phase && !last.tail) last.text += head;
      else this.pieces.push({ stream, phase, text: head, tail: false });
      text = text.slice(head.length);
      if (!text) return;
    }
    // Tail pieces stay as they arrived (never joined), so the oldest can be dropped whole.
    this.pieces.push({ stream, phase, text, tail: true });
    budget.tailChars += text.length;
    this.trimTail(phase, budget);
  }

  /** Drops the oldest tail text of `phase` until its tail fits its budget. */
  private trimTail(phase: number, budget: PhaseBudget): void {
    let index = 0;
    while (budget.tailChars > this.limits.tailChars) {
      while (!(this.pieces[index].phase === phase && this.pieces[index].tail)) index++;
      const piece = this.pieces[index];
      const excess = budget.tailChars - this.limits.tailChars;
      const dropped = Math.min(excess, piece.text.length);
      if (dropped === piece.text.length) this.pieces.splice(index, 1);
      else piece.text = piece.text.slice(dropped);
      budget.tailChars -= dropped;
      budget.cutChars += dropped;
    }
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
