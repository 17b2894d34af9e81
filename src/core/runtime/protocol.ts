/**
 * Typed messages between the host (LocalEnvironment) and the child bootstrap, plus the marker
 * the child writes to stdout and stderr to close each phase's output (messages and output
 * travel on separate pipes, so the host waits for both before cutting the logs).
 *
 * Messages travel as newline-delimited JSON (frames.ts) on one plain pipe, the child's fd
 * CHANNEL_FD, in both directions. Not Node's IPC channel: in a child started with a V8 flag
 * (--max-old-space-size) every builtin beyond the start-up snapshot compiles from source, and
 * the IPC channel alone loads some thirty of them (child_process, net, dgram, stream...).
 *
 * Order of messages: the host sends `init` and, without waiting, the first `invoke`; the child
 * runs that invocation once init is done (and drops it when init failed). After that the host
 * sends one `invoke` at a time, only after the previous `result` (or after a kill), and sends
 * nothing while an invocation runs: the child relies on that to leave its event loop empty
 * (no pending read) while the handler runs. The child answers init once (`ready` or
 * `init-error`) and each invocation with one `result`, after one `settled` when it captures
 * scopes (capture's time is not the handler's); `fatal` may come
 * at any time. The host checks every message and this order (child-messages.ts): user code can
 * write to the pipe too.
 */
import type { CapturedVariable, CrossTalkFinding, InitProfileEntry, LambdaError, MemoryReading, PendingWork, RuntimeProfileName } from '../model/snapshot';
import type { CaptureBudgets } from './environment-api';

export type ModuleLoadFormat = 'commonjs' | 'module';

/** The handler file as the host instrumented it (prepare-handler.ts), for the source it read. */
export interface PreparedHandler {
  sourceLength: number;
  sourceHash: string;
  code: string;
}

/** First message host -> child: everything the bootstrap needs to load the handler. */
export interface ChildInitMessage {
  type: 'init';
  file: string;
  handlerExport: string;
  /** How Lambda would load the file: require() or import(). */
  format: ModuleLoadFormat;
  /** For error messages: `handler.test` style module name without extension. */
  handlerString: string;
  /**
   * `setting`: `handlerString` is the function's Handler setting and the child finds the module
   * from it as the runtime interface client does (client-loader.ts); `file`: `file` was named
   * directly (`warm-state invoke FILE`) and is loaded as is, with `handlerExport`.
   */
  loadBy: 'setting' | 'file';
  capture: boolean;
  budgets: CaptureBudgets;
  /** The Lambda runtime profile the child behaves as (runtime-profiles.ts). */
  runtime: RuntimeProfileName;
  functionName: string;
  memoryMB: number;
  region: string;
  childDir: string;
  /** Name of the hooks channel the instrumented code calls (runtime-globals.ts), drawn by the host. */
  hooksName: string;
  /** Null when the child must instrument the handler file itself. */
  prepared: PreparedHandler | null;
  /**
   * The host found the handler to be a function written in the handler file: only that
   * file's functions get frame hooks. Else every function of the user's files does (see
   * prepare-handler.ts).
   */
  handlerInFile: boolean;
  /** Time each top-level statement of the handler module (instrument/init-profile.ts). */
  initProfile: boolean;
  /**
   * The host stops this process between invocations (SIGSTOP) and sends a message (the next
   * invoke, a heap snapshot request) right after continuing it: a read pending while idle
   * always completes (host-channel.ts).
   */
  frozenBetweenInvocations: boolean;
  /**
   * Lambda Managed Instances (worker-pool.ts): the main thread starts `workers` worker threads
   * and passes them the invocations, up to `concurrency` in flight; each worker gets this
   * message too (its index is in its argv, WORKER_FLAG). Absent in the default mode.
   */
  managed?: { workers: number; concurrency: number };
}

export interface ChildInvokeMessage {
  type: 'invoke';
  requestId: string;
  event: unknown;
  /**
   * The function's timeout. The child starts the clock of getRemainingTimeInMillis() when the
   * invocation starts, which for the first one is after init (the host sends it during init).
   */
  timeoutMs: number;
  invokedFunctionArn: string;
  /** The caller's ClientContext (Invoke's, decoded JSON), the runtime client's `context.clientContext`; absent when none. */
  clientContext?: unknown;
}

/**
 * Between invocations only: write a heap snapshot to `file` for retained sizes
 * (child/services/heap-snapshot.ts). The snapshot itself never travels on the pipe.
 */
export interface ChildHeapSnapshotRequest {
  type: 'heap-snapshot';
  file: string;
  /** The one-off property name that marks the module's context in the snapshot. */
  anchorKey: string;
}

export type HostToChild = ChildInitMessage | ChildInvokeMessage | ChildHeapSnapshotRequest;

export interface ChildReadyMessage {
  type: 'ready';
  initDurationMs: number;
  /** With init.initProfile: time per top-level statement, slowest first. */
  initProfile?: InitProfileEntry[];
  nodeVersion: string;
  /** Peak resident memory so far (process.resourceUsage().maxRSS). */
  maxRssBytes: number;
  /** Managed Instances: each worker's init time, by worker index (`initDurationMs` is the slowest). */
  workerInitMs?: number[];
}

export interface ChildInitErrorMessage {
  type: 'init-error';
  initDurationMs: number;
  nodeVersion: string;
  error: LambdaError;
  maxRssBytes: number;
}

/** The handler settled: the host stops the Lambda timeout clock here (capture follows). */
export interface ChildSettledMessage {
  type: 'settled';
  requestId: string;
  durationMs: number;
}

export interface ChildResultMessage {
  type: 'result';
  requestId: string;
  durationMs: number;
  /**
   * The response as the runtime made it: the JSON text of the handler's value (for a streaming
   * handler, of the streamed text), Invoke's payload as it is. Null when the invocation failed.
   * Text, not a value: the payload goes out as it came, parsed only for the record.
   */
  responseJson: string | null;
  error: LambdaError | null;
  moduleScope: CapturedVariable[] | null;
  handlerScope: CapturedVariable[] | null;
  parameters: CapturedVariable[] | null;
  captureError: string | null;
  captureMs: number;
  /** Null when capture is off. */
  pendingAtFreeze: PendingWork[] | null;
  pendingRan: PendingWork[] | null;
  /**
   * Heap and resident memory after the invocation; null when capture is off (`warm-state serve`
   * returns only the payload and the log tail: reading them costs the child three system calls
   * an invocation, for figures nobody would see). maxRssBytes, which the REPORT line shows, is always there.
   */
  memory: MemoryReading | null;
  maxRssBytes: number;
  /** Managed Instances: the worker that ran it. */
  worker?: number;
  /** Managed Instances: the first invocation that worker was given (its cold one). */
  workerFirst?: boolean;
  /** Managed Instances: cross-talk found while it ran, where it was the reader. */
  findings?: WireCrossTalkFinding[];
  /**
   * Outputs that carried nothing since their last marker, so the child wrote no end marker on
   * them: the host ends their phase itself, once what it already received is read.
   */
  quietStreams?: Array<'stdout' | 'stderr'>;
}

/**
 * A cross-talk finding as the result message carries it: the record's `CrossTalkFinding` without
 * what the message already says (the writer and the reader are the invocation whose result it
 * is: findings are reported per reader, about its own writes). A few similar findings are most
 * of a result's bytes otherwise (three request ids and four objects each), which the child
 * encodes and the host parses once per invocation. `findingFromWire` rebuilds the record's form.
 */
export type WireCrossTalkFinding = [variable: string, worker: number, writerLine: number, interloperRequestId: string, interloperLine: number, readerLine: number];

export function findingFromWire(requestId: string, wire: WireCrossTalkFinding): CrossTalkFinding {
  const [variable, worker, writerLine, interloperRequestId, interloperLine, readerLine] = wire;
  return {
    kind: 'cross-talk',
    variable,
    worker,
    writer: { requestId, line: writerLine },
    interloper: { requestId: interloperRequestId, line: interloperLine },
    reader: { requestId, line: readerLine },
  };
}

/** An uncaught exception or unhandled rejection: the child exits right after sending it. */
export interface ChildFatalMessage {
  type: 'fatal';
  reason: 'uncaught-exception' | 'unhandled-rejection';
  error: LambdaError;
}

export type ChildHeapSnapshotMessage =
  | {
      type: 'heap-snapshot-written';
      ok: true;
      anchorKey: string;
      durationMs: number;
      /** The module's bindings: shown name and the variable that holds it in the module's context. */
      bindings: Array<{ name: string; variable: string }>;
    }
  | { type: 'heap-snapshot-written'; ok: false; reason: string };

export type ChildToHost = ChildReadyMessage | ChildInitErrorMessage | ChildSettledMessage | ChildResultMessage | ChildFatalMessage | ChildHeapSnapshotMessage;

/**
 * Written to stdout and stderr at the end of init and of each invocation (an invocation's only on
 * the outputs that may have carried something: ChildResultMessage.quietStreams): `\0ws:<id>\0`.
 */
export const OUTPUT_MARKER_PREFIX = '\u0000ws:';
export const OUTPUT_MARKER_SUFFIX = '\u0000';

export function outputMarker(id: string): string {
  return `${OUTPUT_MARKER_PREFIX}${id}${OUTPUT_MARKER_SUFFIX}`;
}

/**
 * The largest message the host reads from the child: 16 MiB. A result holds at most a 6 MiB
 * response (Lambda's payload limit, enforced in the child; twice that at worst once escaped as a
 * string in the message, a response of quotes or backslashes), three scopes the serializer keeps
 * under about 160,000 characters each, and an error within TRANSPORT_ERROR_LIMITS, so this
 * leaves room; anything longer is refused before it is buffered (frames.ts).
 */
export const CHILD_MESSAGE_LIMIT_BYTES = 16 * 1024 * 1024;

/** The child's fd of the message pipe (a socket pair on POSIX: both directions on one fd). */
export const CHANNEL_FD = 3;

/** Argument after the bootstrap path when capture is off, so the child does not start its worker. */
export const NO_CAPTURE_FLAG = '--warm-state-no-capture';
/** In a worker thread's argv (Managed Instances): `--warm-state-worker=<index>`; the bootstrap then plays a worker. */
export const WORKER_FLAG = '--warm-state-worker=';

/** Marker id closing the init phase. */
export const INIT_MARKER_ID = 'init';

/**
 * What a worker thread tells the child's main thread (Managed Instances, worker-pool.ts): init's
 * answer (the main thread combines the workers'), and that an invocation is done (the worker
 * wrote its messages to the host's pipe itself).
 */
export type WorkerToMain =
  | { type: 'ready'; message: ChildReadyMessage }
  | { type: 'init-error'; message: ChildInitErrorMessage }
  /** The worker wrote the invocation's result to the host's pipe itself (shared-pipe.ts): one fewer in flight there. */
  | { type: 'done'; requestId: string };

/**
 * The record's `response` for a result's `responseJson`: the parsed value, null for none. Text
 * that is not JSON (only a forged message carries it: the runtime sends JSON text, see
 * toJsonResponse in bootstrap.ts) stays the text, as Invoke's payload did.
 */
export function responseFromWire(responseJson: string | null): unknown {
  if (responseJson === null) return null;
  try {
    return JSON.parse(responseJson) as unknown;
  } catch {
    return responseJson;
  }
}
