/**
 * The child's end of the message pipe (protocol.ts): frames written with `fs.writeSync`, read
 * with `fs.read` (libuv's threadpool) or, between the invocations of a frozen environment, with
 * `fs.readSync` on this thread, so that no `net`, `stream` or `child_process` module loads on
 * the start-up path, as they would for Node's IPC channel or a stream.
 *
 * A pending read keeps the event loop alive and cannot be cancelled, so reading is paused
 * while an invocation is under way: the bootstrap calls pause() when an `invoke` arrives and
 * resume() once its result is sent. The host sends nothing in between (protocol.ts), and the
 * handler's empty event loop stays observable (Lambda's callbackWaitsForEmptyEventLoop).
 * End of file or a failed read or write means the host went away.
 *
 * The first read (POSIX) is a blocking read on this thread too: the host writes init and the
 * first invoke as soon as it has spawned us, and nothing runs here before init. A threadpool
 * read would start the threadpool, which creates its four threads and waits for each to run,
 * on every cold start, for a message that is usually in the pipe already. It reads until one
 * frame is complete and delivers what it got from an immediate, after the entry module has
 * finished loading, as a threadpool read's callback would; anything after that first frame
 * (an invoke the host wrote later) comes through the usual reads. A descriptor that turns out
 * non-blocking falls back to the threadpool.
 *
 * Frozen between invocations (the host's default, as on Lambda): once an invocation's result is
 * sent and the turn of the event loop it was sent in is over (what the runtime client does
 * before it asks for the next event), this thread waits in a blocking read until the host
 * writes again. No JavaScript of this process runs meanwhile: no timer, no callback, no
 * promise, exactly what Lambda's freeze shows a handler. The host stops the whole process
 * group too, but only once the environment stayed idle for a moment (child-handle.ts), for
 * what runs outside this thread (processes the handler started, worker threads): a warm
 * invocation that follows at once pays for no signals and no threadpool hand-offs, each of
 * which wakes threads in two processes. A read on this thread also never holds up an exit
 * the way a threadpool read does.
 *
 * A pending threadpool read holds up process.exit(): Node joins libuv's threadpool on exit,
 * and the thread blocked in read() returns only when the host writes or goes away. Such a
 * read is pending between invocations when freeze is off (and, on Windows or when the first
 * read fell back to the threadpool, until the first invoke arrives): there an exit while idle (a
 * timer calls process.exit() or throws) ends the process with SIGKILL once the 'exit'
 * listeners ran: the host tells an idle exit by its `fatal` message or by the process being
 * gone, never by its exit code. An exit during init or an invocation keeps its code, and so
 * does one that a timer makes as a frozen process runs again (it reports `exit status 7`).
 *
 * User code shares this process, so this end runs none of it: frames are encoded by
 * json-encode.ts (no toJSON, no prototypes), written and read with fs functions saved before
 * user code loaded, split and decoded with the intrinsic typed-array methods (not Buffer's,
 * which user code may replace), parsed with the saved JSON.parse. The wire format is frames.ts's.
 */
import type { ChildToHost, HostToChild } from '../../protocol';
import { writeAllSync } from './fd-write';
import { encodeMessage } from './json-encode';
import {
  apply,
  append,
  ArrayBufferCtor,
  byteIndexOf,
  copyBytes,
  fsRead,
  fsReadSync,
  itemAt,
  jsonParse,
  killSelf,
  ownByteLength,
  ownValue,
  setImmediateSaved,
  setTimeoutSaved,
  Uint8ArrayCtor,
  utf8Text,
} from './intrinsics';

const READ_SIZE = 64 * 1024;
const NEWLINE = 0x0a;
/** Only for a non-blocking descriptor (not what libuv gives the child, but possible). */
const READ_RETRY_MS = 5;

export interface HostChannel {
  /** Writes the whole message before returning; the host's absence ends the process (onClosed). */
  send(message: ChildToHost): void;
  /** Reads no further once the read in progress (if any) completes. */
  pause(): void;
  /** Reads again (the next message is due, or the host's exit is to be noticed). */
  resume(): void;
  /** The environment is frozen between invocations: wait for the host on this thread then (file comment). */
  frozenBetweenInvocations(): void;
}

type ReallyExit = (code?: number) => never;

/** process.exit() ends with process.reallyExit(code) (patched in user land too, e.g. by nyc). */
function guardExit(wouldHang: () => boolean): void {
  const target = process as unknown as { reallyExit?: ReallyExit };
  const reallyExit = target.reallyExit;
  if (typeof reallyExit !== 'function') return;
  target.reallyExit = function exitWithoutJoiningARead(this: unknown, code?: number): never {
    if (wouldHang()) killSelf('SIGKILL');
    return apply(reallyExit, this, [code]) as never;
  };
}

/**
 * Splits what each read put into `chunk` (a view of all of `source`) into frames
 * (newline-delimited, frames.ts). A frame's bytes are kept until its newline arrives, so a
 * multi-byte character split across two reads decodes whole.
 */
function frameReader(chunk: Uint8Array, source: ArrayBuffer, deliver: (text: string) => void): (length: number) => void {
  /** Copies of the frame under way from earlier reads (the next read overwrites `chunk`). */
  let pending: Uint8Array[] = [];
  let pendingLengths: number[] = [];
  let pendingTotal = 0;
  return (length) => {
    let start = 0;
    for (;;) {
      const end = byteIndexOf(chunk, NEWLINE, start);
      if (end < 0 || end >= length) break;
      const tail = new Uint8ArrayCtor(source, start, end - start);
      if (pendingTotal === 0) {
        if (end > start) deliver(utf8Text(tail));
      } else {
        const frame = new Uint8ArrayCtor(pendingTotal + end - start);
        let offset = 0;
        for (let i = 0; i < pending.length; i++) {
          copyBytes(frame, itemAt(pending, i) as Uint8Array, offset);
          offset += itemAt(pendingLengths, i) as number;
        }
        copyBytes(frame, tail, offset);
        pending = [];
        pendingLengths = [];
        pendingTotal = 0;
        deliver(utf8Text(frame));
      }
      start = end + 1;
    }
    if (start < length) {
      const rest = new Uint8ArrayCtor(length - start);
      copyBytes(rest, new Uint8ArrayCtor(source, start, length - start), 0);
      append(pending, rest);
      append(pendingLengths, length - start);
      pendingTotal += length - start;
    }
  };
}

export function openHostChannel(fd: number, onMessage: (message: HostToChild) => void, onClosed: () => void): HostChannel {
  const source = new ArrayBufferCtor(READ_SIZE);
  const buffer = ownByteLength(new Uint8ArrayCtor(source));
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
    let message: unknown;
    try {
      message = jsonParse(text);
    } catch {
      return; // not one of the host's frames: nothing to act on
    }
    if (ownValue(message, 'type') === 'invoke') invoked = true;
    onMessage(message as HostToChild);
  };
  /** Frames of the first, blocking read, kept until they are delivered; null once it is over. */
  let firstFrames: string[] | null = process.platform === 'win32' ? null : [];
  const receive = frameReader(buffer, source, (text) => (firstFrames ? append(firstFrames, text) : deliver(text)));

  /**
   * One blocking read on this thread: the bytes read (0: end of file or a failed read, the host
   * went away), or null when the descriptor is non-blocking and cannot be waited on here.
   */
  const readHere = (): number | null => {
    for (;;) {
      try {
        return fsReadSync(fd, buffer, 0, READ_SIZE, null);
      } catch (error) {
        const code = ownValue(error, 'code');
        if (code === 'EINTR') continue;
        return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? null : 0;
      }
    }
  };

  /** Reads on this thread until a frame is complete; false when the descriptor would block (then nothing is delivered yet). */
  const readFirstFrames = (frames: string[]): boolean => {
    let ended = false;
    while (frames.length === 0 && !ended) {
      const bytesRead = readHere();
      if (bytesRead === null) return false;
      if (bytesRead === 0) ended = true;
      else receive(bytesRead);
    }
    reading = true;
    setImmediateSaved(() => {
      reading = false;
      firstFrames = null;
      for (let i = 0; i < frames.length; i++) deliver(itemAt(frames, i) as string);
      if (ended) close();
      else arm();
    });
    return true;
  };

  /** Waits for the host's next message on this thread (the file comment's freeze); an invoke pauses reading. */
  const waitForHost = (): void => {
    while (!paused && !closed) {
      const bytesRead = readHere();
      // A non-blocking descriptor cannot be waited on here: the threadpool read retries.
      if (bytesRead === null) return arm();
      if (bytesRead === 0) return close();
      receive(bytesRead);
    }
  };
  let waitScheduled = false;
  const waitAfterThisTurn = (): void => {
    if (waitScheduled) return;
    waitScheduled = true;
    setImmediateSaved(() => {
      waitScheduled = false;
      waitForHost();
    });
  };

  const arm = (): void => {
    if (reading || paused || closed) return;
    if (firstFrames) {
      if (readFirstFrames(firstFrames)) return;
      firstFrames = null;
    }
    reading = true;
    fsRead(fd, buffer, 0, READ_SIZE, null, (error, bytesRead) => {
      reading = false;
      if (error) {
        const code = ownValue(error, 'code');
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') setTimeoutSaved(arm, READ_RETRY_MS);
        else close();
        return;
      }
      if (bytesRead === 0) return close();
      // Delivering may pause() (an invoke arrived): then arm() below reads no further.
      receive(bytesRead);
      arm();
    });
  };

  return {
    send(message) {
      if (closed) return;
      try {
        writeAllSync(fd, `${encodeMessage(message)}\n`);
      } catch {
        close();
      }
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      if (invoked && frozenWhileIdle) waitAfterThisTurn();
      else arm();
    },
    frozenBetweenInvocations() {
      frozenWhileIdle = true;
    },
  };
}
