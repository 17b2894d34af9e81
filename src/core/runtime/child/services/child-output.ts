/**
 * The child's stdout and stderr without Node's stream objects, as long as user code does not
 * ask for them. `process.stdout`/`process.stderr` are lazy getters: on a pipe the first access
 * builds a net.Socket (loading `net` and `stream`, compiled from source under a V8 flag) and
 * makes the fd non-blocking. So the runtime writes with `fs.writeSync(fd)` and wraps the
 * getters only to notice that user code created a stream: from then on it writes through that
 * stream too, so that its own lines stay in order with the user's (stream writes can be queued).
 */
import { writeAllSync } from './fd-write';
import { apply, PromiseCtor } from './intrinsics';

/** Made before user code runs: `Promise.resolve` may be replaced by then. */
const done = PromiseCtor.resolve();

export interface ChildOutput {
  /** Writes text after everything written to this output so far, user code's included. */
  write(text: string): void;
  /** Same as write(), and resolves once the text is out of the process (end markers). */
  writeAndFlush(text: string): Promise<void>;
  /**
   * False when nothing can have been written since the last writeAndFlush(): no write() and no
   * stream for user code (once user code holds one, always true). Writes straight to the
   * descriptor (`fs.writeSync(1)`, a native addon's printf) are not seen.
   */
  mayHaveWritten(): boolean;
}

type StdioName = 'stdout' | 'stderr';

/** Lost output beats a runtime that fails: a broken pipe means the host is gone anyway. */
function writeQuietly(fd: number, text: string): void {
  try {
    writeAllSync(fd, text);
  } catch {
    /* the message channel notices the host's absence */
  }
}

/**
 * `direct`: a worker thread (Managed Instances), whose process.stdout is a stream the main
 * thread relays (a message and a write on the main thread for each write): the runtime's own
 * lines and markers go to the descriptor the threads share instead.
 */
export function watchOutput(name: StdioName, fd: number, direct: boolean, asRuntimeWork: <T>(make: () => T) => T): ChildOutput {
  if (direct) {
    return {
      write: (text) => writeQuietly(fd, text),
      writeAndFlush(text) {
        writeQuietly(fd, text);
        return done;
      },
      mayHaveWritten: () => true,
    };
  }
  let stream: NodeJS.WriteStream | null = null;
  const descriptor = Object.getOwnPropertyDescriptor(process, name);
  const create = descriptor?.get;
  if (descriptor?.configurable && create) {
    Object.defineProperty(process, name, {
      ...descriptor,
      get() {
        // The stream's pipe is ours, not work the user's code left running (pending-work.ts).
        stream ??= asRuntimeWork(() => apply(create, process, []) as NodeJS.WriteStream);
        return stream;
      },
    });
  } else {
    // Not a lazy getter (another Node version?): use the stream, as before.
    stream = process[name];
  }
  // A destroyed stdio stream does not close its fd: writes still get out that way.
  const liveStream = (): NodeJS.WriteStream | null => (stream && !stream.destroyed && !stream.writableEnded ? stream : null);

  let written = false;
  return {
    write(text) {
      written = true;
      const target = liveStream();
      if (target) target.write(text);
      else writeQuietly(fd, text);
    },
    writeAndFlush(text) {
      written = false;
      const target = liveStream();
      if (!target) {
        writeQuietly(fd, text);
        return done;
      }
      return new PromiseCtor<void>((resolve) => target.write(text, () => resolve()));
    },
    mayHaveWritten: () => written || stream !== null,
  };
}
