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
 */
import { writeSync } from 'node:fs';

const STALL_LIMIT_MS = 30_000;
const RETRY_SLEEP_MS = 1;

let sleeper: Int32Array | null = null;
/** Blocks the thread without spinning (the event loop cannot run while a write is half done). */
function sleepSync(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

function isRetryable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

export function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  let stalledSince: number | null = null;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
      stalledSince = null;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const now = Date.now();
      stalledSince ??= now;
      if (now - stalledSince > STALL_LIMIT_MS) throw error;
      sleepSync(RETRY_SLEEP_MS);
    }
  }
}
