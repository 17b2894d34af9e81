/**
 * The response stream a streaming handler (awslambda.streamifyResponse) writes to. On Lambda it
 * is the body of a chunked POST to the Runtime API, wrapped so that the handler sees only
 * Writable's methods (3.x `src/ResponseStream.js` `createResponseStream`, 4.x
 * `createResponseStream` in dist/stream/response-stream.js); here the bytes are kept and become
 * the invocation's response once the stream ends. Node's `stream` module loads on first use:
 * only streaming handlers pay for it.
 */
import { append, apply, byteCount, clearIntervalSaved, copyBytes, defineProperty, ErrorCtor, jsonStringify, setIntervalSaved, Uint8ArrayCtor, utf8Text } from './intrinsics';

type Writable = import('node:stream').Writable;
type Chunk = string | Uint8Array;

const bufferIsBuffer = Buffer.isBuffer;

/** The Writable methods and properties the clients pass through to the handler. */
const PASSED_METHODS = [
  'cork', 'destroy', 'end', 'uncork',
  'addListener', 'emit', 'eventNames', 'getMaxListeners', 'listenerCount', 'listeners', 'off', 'on', 'once',
  'prependListener', 'prependOnceListener', 'rawListeners', 'removeAllListeners', 'removeListener', 'setMaxListeners',
] as const;
const READ_ONLY = ['writableFinished', 'writableObjectMode', 'writableEnded', 'writableNeedDrain', 'writableHighWaterMark', 'writableCorked', 'writableLength'] as const;

export interface ResponseStream {
  /** What the handler gets as its second argument. */
  stream: object;
  /**
   * Calls `listener` once the handler ended the stream (every byte written): a callback, not a
   * promise, whose `then` user code could have replaced on Promise.prototype.
   */
  whenEnded(listener: () => void): void;
  /** The handler called end(): what it wrote is the response, whatever fails afterwards. */
  endCalled(): boolean;
  /** The streamed bytes, as text. */
  body(): string;
  /** Ends the stream without a response (the invocation failed) and lets the event loop go. */
  close(): void;
}

/** Lambda's error for setContentType after the first write. */
function tooLate(): Error {
  const error = new ErrorCtor('Cannot set content-type, too late.');
  error.name = 'Runtime.InvalidStreamingOperation';
  return error;
}

export function createResponseStream(): ResponseStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Writable: WritableCtor } = require('node:stream') as typeof import('node:stream');
  const chunks: Uint8Array[] = [];
  let ended = false;
  let onEnded: (() => void) | null = null;
  const inner: Writable = new WritableCtor({
    write(chunk: Uint8Array, _encoding, callback) {
      append(chunks, chunk);
      callback();
    },
  });
  // The open request to the Runtime API keeps the event loop alive on Lambda: a stream the
  // handler never ends runs into the timeout instead of an empty event loop.
  const openRequest = setIntervalSaved(() => undefined, 0x7fffffff);
  const release = (): void => clearIntervalSaved(openRequest);
  inner.on('finish', () => {
    ended = true;
    release();
    onEnded?.();
  });
  // The clients listen for the request's errors (a write after end): no uncaught exception.
  inner.on('error', () => undefined);

  let firstWriteDone = false;
  let beforeFirstWrite: unknown;
  const writeRaw = (chunk: Chunk): boolean => inner.write(chunk);
  const stream: Record<string, unknown> = {};
  for (let i = 0; i < PASSED_METHODS.length; i++) {
    const name = PASSED_METHODS[i] as (typeof PASSED_METHODS)[number];
    const method = inner[name] as (...args: unknown[]) => unknown;
    stream[name] = (...args: unknown[]) => apply(method, inner, args);
  }
  stream.write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    // Anything but text and bytes is written as JSON, as the clients do.
    const data = typeof chunk === 'string' || bufferIsBuffer(chunk) || chunk instanceof Uint8ArrayCtor ? chunk : jsonStringify(chunk);
    if (!firstWriteDone && typeof beforeFirstWrite === 'function') apply(beforeFirstWrite, stream, [writeRaw]);
    firstWriteDone = true;
    return apply(inner.write, inner, [data, encoding, callback]) as boolean;
  };
  stream.setContentType = (_contentType: string): void => {
    if (firstWriteDone) throw tooLate();
  };
  // Null-prototype descriptors: defineProperty looks their fields up the prototype chain.
  const accessor = (name: string, get: () => unknown, set?: (value: unknown) => void): void => {
    defineProperty(stream, name, { __proto__: null, get, set, enumerable: true, configurable: true } as PropertyDescriptor);
  };
  accessor('_onBeforeFirstWrite', () => beforeFirstWrite, (value) => (beforeFirstWrite = value));
  accessor('destroyed', () => inner.destroyed);
  accessor('writable', () => inner.writable);
  for (let i = 0; i < READ_ONLY.length; i++) {
    const name = READ_ONLY[i] as (typeof READ_ONLY)[number];
    accessor(name, () => inner[name]);
  }

  return {
    stream,
    whenEnded(listener) {
      if (ended) listener();
      else onEnded = listener;
    },
    endCalled: () => inner.writableEnded,
    body() {
      let length = 0;
      for (let i = 0; i < chunks.length; i++) length += byteCount(chunks[i] as Uint8Array);
      const all = new Uint8ArrayCtor(length);
      let offset = 0;
      for (let i = 0; i < chunks.length; i++) {
        copyBytes(all, chunks[i] as Uint8Array, offset);
        offset += byteCount(chunks[i] as Uint8Array);
      }
      return utf8Text(all);
    },
    close() {
      release();
      if (!ended) inner.destroy();
    },
  };
}
