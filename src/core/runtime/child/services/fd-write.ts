/**
 * Synchronous, complete writes to a file descriptor (the message pipe, fds 1 and 2) with
 * `fs.writeSync` alone: no stream object, so none of `net`/`stream` loads in the child.
 *
 * The child's ends of the pipes are blocking (libuv creates them that way), so one writeSync
 * normally writes everything, however large (a result record can be ~300 KB, more than a pipe
 * holds: the call waits for the host to read). A descriptor can still be non-blocking, e.g.
 * fd 1 once user code touched `process.stdout` (its stream sets O_NONBLOCK): partial writes and
 * EAGAIN are retried, sleeping between tries, until it is all out. A write that makes no
 * progress for STALL_LIMIT_MS, or fails otherwise (EPIPE: the host is gone), throws.
 *
 * Runs after user code loaded: only built-ins saved before it (intrinsics.ts), so that a
 * replaced fs.writeSync, Buffer.from or Date.now never sees (or alters) what is written.
 */
import { byteCount, dateNow, fsWriteSync, ownValue, utf8Bytes } from './intrinsics';

const STALL_LIMIT_MS = 30_000;
const RETRY_SLEEP_MS = 1;

/** Blocks the thread without spinning (the event loop cannot run while a write is half done). */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const wait = Atomics.wait;

function isRetryable(error: unknown): boolean {
  const code = ownValue(error, 'code');
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

export function writeAllSync(fd: number, text: string): void {
  const bytes = utf8Bytes(text);
  const length = byteCount(bytes);
  let offset = 0;
  let stalledSince: number | null = null;
  while (offset < length) {
    try {
      offset += fsWriteSync(fd, bytes, offset, length - offset);
      stalledSince = null;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const now = dateNow();
      stalledSince ??= now;
      if (now - stalledSince > STALL_LIMIT_MS) throw error;
      wait(sleeper, 0, 0, RETRY_SLEEP_MS);
    }
  }
}
