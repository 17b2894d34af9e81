/**
 * Managed Instances: the child's worker threads write their invocations' messages to the host's
 * pipe themselves, so the main thread (which relayed every message, and was the busiest thread
 * of the process at 64 invocations in flight) only hands out invocations. A frame bigger than
 * a pipe's atomic write (4 KB) could interleave with another thread's: every writer holds a lock
 * in memory shared by the threads for the whole frame.
 *
 * Runs after user code loaded: Atomics' functions are saved as this module loads, before it.
 */
import { writeAllSync } from './fd-write';

const compareExchange = Atomics.compareExchange;
const wait = Atomics.wait;
const store = Atomics.store;
const notify = Atomics.notify;

/** One 32-bit cell: 0 free, 1 held. Made by the main thread, handed to every worker. */
export type PipeLock = Int32Array;

export function createPipeLock(): PipeLock {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Writes `text` and a newline to `fd` while no other thread of the process writes a frame. */
export function writeFrameLocked(lock: PipeLock, fd: number, text: string): void {
  while (compareExchange(lock, 0, 0, 1) !== 0) wait(lock, 0, 1, 5);
  try {
    writeAllSync(fd, `${text}\n`);
  } finally {
    store(lock, 0, 0);
    notify(lock, 0, 1);
  }
}
