/**
 * Text that keeps its first and last characters as it arrives, and only counts what falls
 * between them: a process's output held at a bounded cost however much the process writes.
 * Used by the Runtime API backend (one invocation at a time) and, per invocation, by
 * concurrent-output.ts (Managed Instances, both engines); output-collector.ts bounds a local environment's
 * output to the same limits per phase and stream around its markers.
 */
import { LOG_HEAD_CHARS, LOG_TAIL_CHARS, logCutLine } from '../lambda/limits';

export class HeadTailText {
  private head = '';
  /** Tail chunks as they arrived; those before `first` are dropped (a queue without shifting). */
  private tail: string[] = [];
  private first = 0;
  private tailChars = 0;
  private cutChars = 0;

  constructor(private readonly limits: { headChars: number; tailChars: number } = { headChars: LOG_HEAD_CHARS, tailChars: LOG_TAIL_CHARS }) {}

  push(text: string): void {
    const room = this.limits.headChars - this.head.length;
    if (room > 0) {
      const part = text.slice(0, room);
      this.head += part;
      text = text.slice(part.length);
    }
    if (text === '') return;
    this.tail.push(text);
    this.tailChars += text.length;
    while (this.tailChars > this.limits.tailChars) {
      const oldest = this.tail[this.first];
      const excess = this.tailChars - this.limits.tailChars;
      const dropped = Math.min(excess, oldest.length);
      if (dropped === oldest.length) this.first += 1;
      else this.tail[this.first] = oldest.slice(dropped);
      this.tailChars -= dropped;
      this.cutChars += dropped;
    }
    // Compacted once half the queue is dropped chunks: each chunk is moved a bounded number of times.
    if (this.first > 64 && this.first * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.first);
      this.first = 0;
    }
  }

  /**
   * Everything kept, with a line where text was cut saying how much (never splitting a UTF-16
   * surrogate pair there), and empty again.
   */
  take(): { text: string; cutChars: number } {
    let head = this.head;
    let tail = this.tail.slice(this.first).join('');
    let cut = this.cutChars;
    if (cut > 0) {
      if (isHighSurrogate(head.charCodeAt(head.length - 1))) {
        head = head.slice(0, -1);
        cut += 1;
      }
      if (isLowSurrogate(tail.charCodeAt(0))) {
        tail = tail.slice(1);
        cut += 1;
      }
    }
    this.head = '';
    this.tail = [];
    this.first = 0;
    this.tailChars = 0;
    this.cutChars = 0;
    return { text: cut > 0 ? head + logCutLine(cut) + tail : head + tail, cutChars: cut };
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
