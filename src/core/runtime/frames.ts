/**
 * Newline-delimited JSON frames: the wire format of the pipe between the host and the child
 * (protocol.ts). JSON.stringify never emits a raw newline (it escapes the ones inside strings),
 * so one `\n` ends one message, as in Node's own IPC channel. Buffer-only on purpose: the child
 * uses this on its start-up path, where `stream`, `net` and `string_decoder` must not load.
 */

const NEWLINE = 0x0a;

export function encodeFrame(message: object): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits incoming bytes into frames. Chunks are kept as bytes until their frame is complete,
 * so a multi-byte UTF-8 character split across two reads decodes whole (a newline byte never
 * occurs inside one).
 */
export class FrameSplitter {
  private pending: Buffer[] = [];

  /** Adds `length` bytes of `chunk`; returns the text of every frame they complete. */
  push(chunk: Buffer, length: number = chunk.length): string[] {
    const frames: string[] = [];
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0 || end >= length) break;
      const tail = chunk.subarray(start, end);
      const bytes = this.pending.length ? Buffer.concat([...this.pending, tail]) : tail;
      this.pending = [];
      if (bytes.length) frames.push(bytes.toString('utf8'));
      start = end + 1;
    }
    // The caller may reuse `chunk` for its next read: keep a copy of the unfinished frame.
    if (start < length) this.pending.push(Buffer.from(chunk.subarray(start, length)));
    return frames;
  }
}
