/**
 * The child's end of the message pipe (protocol.ts): frames read with `fs.read` (libuv's
 * threadpool) and written with `fs.writeSync`, so that no `net`, `stream` or `child_process`
 * module loads on the start-up path, as they would for Node's IPC channel or a stream.
 *
 * A pending read keeps the event loop alive and cannot be cancelled, so reading is paused
 * while an invocation is under way: the bootstrap calls pause() when an `invoke` arrives and
 * resume() once its result is sent. The host sends nothing in between (protocol.ts), and the
 * handler's empty event loop stays observable (Lambda's callbackWaitsForEmptyEventLoop).
 * End of file or a failed read or write means the host went away.
 *
 * A pending read also holds up process.exit(): Node joins libuv's threadpool on exit, and the
 * thread blocked in read() returns only when the host writes or goes away. Until the first
 * invoke has arrived that is soon (the host sends init and the first invoke at once), but
 * between invocations the host may never write again. So an exit while idle (freeze off: a
 * timer calls process.exit() or throws) ends the process with SIGKILL once the 'exit'
 * listeners ran: the host tells an idle exit by its `fatal` message or by the process being
 * gone, never by its exit code. An exit during init or an invocation keeps its code, and so
 * does one while frozen between invocations: a frozen process runs again only when the host
 * continues it and at once sends a message, the next invoke or a heap snapshot request (or
 * when the host is gone: end of file), so
 * the pending read completes and the exit with it (a timer that came due while frozen and
 * calls process.exit(7) as the process thaws reports `exit status 7`).
 */
import { read } from 'node:fs';
import { encodeFrame, FrameSplitter } from '../../frames';
import type { ChildToHost, HostToChild } from '../../protocol';
import { writeAllSync } from './fd-write';

const READ_SIZE = 64 * 1024;
/** Only for a non-blocking descriptor (not what libuv gives the child, but possible). */
const READ_RETRY_MS = 5;

export interface HostChannel {
  /** Writes the whole message before returning; the host's absence ends the process (onClosed). */
  send(message: ChildToHost): void;
  /** Reads no further once the read in progress (if any) completes. */
  pause(): void;
  /** Reads again (the next message is due, or the host's exit is to be noticed). */
  resume(): void;
  /** The host freezes this process between invocations: a pending read never blocks an exit for long. */
  frozenBetweenInvocations(): void;
}

type ReallyExit = (code?: number) => never;

/** process.exit() ends with process.reallyExit(code) (patched in user land too, e.g. by nyc). */
function guardExit(wouldHang: () => boolean): void {
  const target = process as unknown as { reallyExit?: ReallyExit };
  const reallyExit = target.reallyExit;
  if (typeof reallyExit !== 'function') return;
  target.reallyExit = function exitWithoutJoiningARead(this: unknown, code?: number): never {
    if (wouldHang()) process.kill(process.pid, 'SIGKILL');
    return reallyExit.call(this, code);
  };
}

export function openHostChannel(fd: number, onMessage: (message: HostToChild) => void, onClosed: () => void): HostChannel {
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  const splitter = new FrameSplitter();
  let reading = false;
  let paused = false;
  let closed = false;
  /** An invoke arrived: from now on a pending read may wait for as long as the host likes. */
  let invoked = false;
  /** Unless the host freezes us between invocations: then it writes as soon as we run again. */
  let frozenWhileIdle = false;
  guardExit(() => reading && invoked && !frozenWhileIdle);

  const close = (): void => {
    if (closed) return;
    closed = true;
    onClosed();
  };

  const deliver = (text: string): void => {
    let message: HostToChild;
    try {
      message = JSON.parse(text) as HostToChild;
    } catch {
      return; // not one of the host's frames: nothing to act on
    }
    if (message.type === 'invoke') invoked = true;
    onMessage(message);
  };

  const arm = (): void => {
    if (reading || paused || closed) return;
    reading = true;
    read(fd, buffer, 0, buffer.length, null, (error, bytesRead) => {
      reading = false;
      if (error) {
        const code = error.code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') setTimeout(arm, READ_RETRY_MS);
        else close();
        return;
      }
      if (bytesRead === 0) return close();
      // Delivering may pause() (an invoke arrived): then arm() below reads no further.
      for (const text of splitter.push(buffer, bytesRead)) deliver(text);
      arm();
    });
  };

  return {
    send(message) {
      if (closed) return;
      try {
        writeAllSync(fd, encodeFrame(message));
      } catch {
        close();
      }
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      arm();
    },
    frozenBetweenInvocations() {
      frozenWhileIdle = true;
    },
  };
}
