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

/** A frame grew past the splitter's maximum: nothing more is read from this stream. */
export class FrameTooLargeError extends Error {
  constructor(readonly maxFrameBytes: number) {
    super(`a message of more than ${maxFrameBytes} bytes`);
    this.name = 'FrameTooLargeError';
  }
}

/**
 * Splits incoming bytes into frames. Chunks are kept as bytes until their frame is complete,
 * so a multi-byte UTF-8 character split across two reads decodes whole (a newline byte never
 * occurs inside one).
 *
 * `maxFrameBytes` bounds what is ever held: the host reads a pipe that user code can write to,
 * and an endless line would otherwise grow it without limit (or past V8's longest string). Once
 * a frame passes it, push() throws FrameTooLargeError, now and on every later call.
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(private readonly maxFrameBytes: number = Number.POSITIVE_INFINITY) {}

  /** Adds `length` bytes of `chunk`; returns the text of every frame they complete. */
  push(chunk: Buffer, length: number = chunk.length): string[] {
    if (this.overflowed) throw new FrameTooLargeError(this.maxFrameBytes);
    const frames: string[] = [];
    let start = 0;
    for (;;) {
      const found = chunk.indexOf(NEWLINE, start);
      const end = found < 0 || found >= length ? length : found;
      this.checkSize(this.pendingBytes + (end - start));
      if (end === length) break;
      const tail = chunk.subarray(start, end);
      const bytes = this.pending.length ? Buffer.concat([...this.pending, tail]) : tail;
      this.pending = [];
      this.pendingBytes = 0;
      if (bytes.length) frames.push(bytes.toString('utf8'));
      start = end + 1;
    }
    // The caller may reuse `chunk` for its next read: keep a copy of the unfinished frame.
    if (start < length) {
      this.pending.push(Buffer.from(chunk.subarray(start, length)));
      this.pendingBytes += length - start;
    }
    return frames;
  }

  private checkSize(frameBytes: number): void {
    if (frameBytes <= this.maxFrameBytes) return;
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    throw new FrameTooLargeError(this.maxFrameBytes);
  }
}
