/**
 * The snapshot contract: what one invocation looks like once captured and analysed.
 *
 * This file is the single source of truth for the JSON the CLI prints (`--json`), the
 * records the extension keeps in its history and posts to the panel, and what the cloud
 * probe decodes. It is plain data (JSON-safe) on purpose: it crosses process boundaries,
 * the webview boundary and CI logs. Documented in docs/snapshot-format.md.
 */

import type { MemoryEstimate } from './memory-trend';

/** A captured value, bounded by the capture budgets. Never holds live user objects. */
export type ValueNode =
  | { type: 'string'; value: string; length: number; truncated: boolean }
  /** Non-finite numbers and -0 are spelled out because JSON cannot carry them. */
  | { type: 'number'; value: number | 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { type: 'bigint'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'undefined' }
  | { type: 'null' }
  | { type: 'symbol'; description: string }
  | { type: 'array'; className: string; length: number; items: ValueNode[]; truncated: boolean }
  | { type: 'object'; className: string; properties: PropertyNode[]; truncated: boolean }
  | { type: 'map'; className: string; size: number; entries: MapEntryNode[]; truncated: boolean }
  | { type: 'set'; className: string; size: number; items: ValueNode[]; truncated: boolean }
  | { type: 'function'; name: string; kind: 'function' | 'arrow' | 'async' | 'generator' | 'class' | 'bound' | 'native' }
  | { type: 'date'; iso: string | null }
  | { type: 'regexp'; source: string; flags: string }
  | { type: 'error'; className: string; message: string; stack: string | null }
  /** Node Buffers, ArrayBuffers and typed arrays: a short preview of the first elements. */
  | { type: 'binary'; className: string; byteLength: number; length: number; preview: number[]; truncated: boolean }
  /** `unknown`: capture does not read a promise's state (Node has no way to read it that runs no user code); records from earlier versions carry the others. */
  | { type: 'promise'; state: 'pending' | 'fulfilled' | 'rejected' | 'unknown'; value: ValueNode | null }
  /** A Proxy: its target and handler are never touched, so no trap runs. */
  | { type: 'proxy' }
  /** WeakMap, WeakSet, WeakRef: contents are not enumerable by design. */
  | { type: 'weak'; className: string }
  /** A value already shown higher up in the same tree: a cycle or a shared reference. */
  | { type: 'ref'; path: string }
  /** A getter (and/or setter) property: shown, never invoked. */
  | { type: 'accessor'; hasGetter: boolean; hasSetter: boolean }
  /** A `let`/`const`/`class` binding still in its temporal dead zone. */
  | { type: 'uninitialized' }
  /** The depth budget ran out: the value exists but is not expanded. */
  | { type: 'depth-limit'; className: string; summary: string };

export interface PropertyNode {
  name: string;
  value: ValueNode;
}

export interface MapEntryNode {
  key: ValueNode;
  value: ValueNode;
}

/** How a binding was declared. Module bindings come from the module's syntax tree. */
export type BindingKind =
  | 'var'
  | 'let'
  | 'const'
  | 'function'
  | 'class'
  | 'import'
  | 'parameter'
  | 'local'
  | 'block'
  | 'catch'
  | 'unknown';

export type Change = 'added' | 'changed' | 'unchanged' | 'removed';

/**
 * A size measure used for growth detection: array length, Map/Set size, bytes of
 * strings and buffers, key count of objects, plus the sizes nested inside.
 */
export interface SizeMeasure {
  total: number;
  /** False when the walk hit its budget and `total` is a lower bound. */
  exact: boolean;
}

/** A variable as captured inside the child, before comparison with earlier invocations. */
export interface CapturedVariable {
  name: string;
  kind: BindingKind;
  value: ValueNode;
  size: SizeMeasure;
}

export interface Variable {
  name: string;
  kind: BindingKind;
  value: ValueNode;
  change: Change;
}

export interface ModuleVariable extends Variable {
  size: number;
  /** True when the size grew over 3 or more consecutive warm invocations. */
  growing: boolean;
  /** Sizes over the current warm run of this environment, oldest first, this one last. */
  sizeSeries: number[];
  /**
   * Bytes freed if this binding alone were cleared (dominators of a heap snapshot), when a
   * retained-size measurement followed this invocation.
   */
  retainedBytes?: number;
  /** Other module bindings holding the very same object (each then retains ~nothing of it). */
  sharedWith?: string[];
  /** Items the value held after each invocation of this warm run (memory-trend.ts itemCount), when countable. */
  itemSeries?: number[];
  /** Retained bytes at each measurement of this warm run, with the invocation it followed. */
  retainedSeries?: Array<{ invocation: number; bytes: number }>;
}

/** Retained bytes of the module-scope bindings, measured on demand between two invocations. */
export interface RetainedMeasurement {
  bindings: Array<{ name: string; retainedBytes: number; sharedWith: string[] }>;
  /** How long the child was paused writing the snapshot. */
  snapshotMs: number;
  analysisMs: number;
  snapshotBytes: number;
  heapObjects: number;
}

/** What keeps running after the handler settled (runtime/child/services/pending-work.ts). */
export type PendingWorkKind = 'timer' | 'interval' | 'immediate' | 'promise' | 'socket' | 'server' | 'child-process';

export interface PendingWork {
  kind: PendingWorkKind;
  /** `file:line` of the user code that created it. */
  createdAt: string;
}

/** A top-level statement of the handler module as the init profile names it. */
export interface InitProfileLabel {
  /** `require('./db')` or the statement's first line. */
  what: string;
  line: number;
}

/** Time one top-level statement took on a cold start. */
export interface InitProfileEntry extends InitProfileLabel {
  ms: number;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  /** Memory of objects outside the V8 heap (Buffers' bytes, native add-ons); absent in records of older versions. */
  externalBytes?: number;
}

/** Why an environment ended; the next invocation after it is cold. */
export type ResetReason =
  | 'requested'
  | 'timeout'
  | 'out-of-memory'
  | 'process-exit'
  | 'uncaught-exception'
  | 'unhandled-rejection'
  | 'init-error'
  | 'crashed';

/** A record field that can be cut to its size limit: `logs` (output between START and END), `error` (its type, message or trace). */
export type TruncatedField = 'logs' | 'error';

/**
 * The Lambda runtimes Warm State models as profiles: what each one does to a handler lives in
 * src/core/lambda/runtime-profiles.ts. Declared here because records carry it.
 */
export type RuntimeProfileName = 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';

/**
 * Where a local run's profile came from, highest precedence first: `--runtime`, the
 * `warmState.runtime` setting, the template's `Runtime`, the major of the local Node.
 */
export type RuntimeSource = 'flag' | 'setting' | 'template' | 'node-major';

/** What the engine (local child or deployed function) reports for one invocation. */
export interface RawInvocation {
  /** Where it ran: the local child process or a deployed function. */
  source: 'local' | 'deployed';
  cold: boolean;
  requestId: string;
  /** ISO time when the invocation started. */
  startedAt: string;
  durationMs: number;
  billedDurationMs: number;
  /** Present on cold starts only. */
  initDurationMs: number | null;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** The handler's result (JSON value), or null on error. */
  response: unknown;
  error: LambdaError | null;
  /** Lambda-format log text for this invocation, START to REPORT. */
  logs: string;
  /** Null when scopes were not captured (deployed function without the probe, or a crash). */
  moduleScope: CapturedVariable[] | null;
  handlerScope: CapturedVariable[] | null;
  /** The handler's parameters (event, context, callback), listed apart from its locals. */
  parameters: CapturedVariable[] | null;
  memory: MemoryReading | null;
  /** Why the environment ended during or right after this invocation, else null. */
  reset: ResetReason | null;
  /** Explains a capture that could not be made, else null. */
  captureError: string | null;
  /**
   * Work still alive when the handler settled, that will run later: on Lambda after the freeze,
   * inside a later invocation. Absent when capture is off and in records of older versions.
   */
  pendingAtFreeze?: PendingWork[];
  /** Work left pending by an earlier invocation of this environment that ran during this one. */
  pendingRan?: PendingWork[];
  /** Cold records with the init profile on: time per top-level statement, slowest first. */
  initProfile?: InitProfileEntry[];
  /** e.g. "v20.20.2" for local runs, the runtime identifier for deployed ones. */
  runtimeVersion: string;
  /**
   * Local runs: the runtime profile the environment ran as. Optional because deployed records
   * and history saved by older versions have none.
   */
  runtime?: RuntimeProfileName;
  /** Local runs: where `runtime` came from. */
  runtimeSource?: RuntimeSource;
  /**
   * Local runs: a sentence when the Node.js major that ran (`runtimeVersion`) differs from the
   * profile's, else null.
   */
  nodeMismatch?: string | null;
  /**
   * Local records of an init failure: what the static checks of the handler found beforehand
   * (a template's Handler that names no file, an export the file does not have), as hints next
   * to Lambda's error. Absent when there were none, and in history saved by older versions.
   */
  handlerWarnings?: string[];
  /**
   * Names the process that ran it: a new number at every cold start, in any of the function's
   * environments (the session numbers them across its environments; an environment alone
   * counts its own cold starts from 1).
   */
  generation: number;
  /**
   * 0-based index of the execution environment that ran it, among the environments of the
   * function in this session; set by the session (absent in records saved by older versions).
   */
  environment?: number;
  /**
   * Managed Instances mode only: 0-based index of the worker thread of its environment that ran
   * it. Its `moduleScope` is that worker's module scope (each worker loads the handler once), and
   * change marks and growth compare it with that worker's earlier invocations only.
   */
  worker?: number;
  /**
   * Managed Instances mode only: request ids of the other invocations in flight in the same
   * environment while this one ran (any worker), in the order they started.
   */
  overlapping?: string[];
  /** Managed Instances mode only: what the cross-talk tracking found during this invocation (it is the reader). */
  findings?: CrossTalkFinding[];
  /**
   * Fields cut to the record's size limits (docs/snapshot-format.md#size-limits), empty when
   * nothing was cut. Local records always have it; deployed ones and records saved by older
   * versions do not.
   */
  truncatedFields?: TruncatedField[];
  /** Deployed invocations only (absent for local ones): the function and what the client met. */
  deployed?: DeployedDetails;
}

/**
 * Added for deployed mode (issue 6): facts about a deployed invocation that have no place
 * in the local fields, so the panel and the CLI can say them instead of guessing.
 */
export interface DeployedDetails {
  functionName: string;
  qualifier: string | null;
  /** X-Amz-Executed-Version: `$LATEST` or the version an alias resolved to. */
  executedVersion: string | null;
  region: string | null;
  /** HTTP attempts the SDK made; more than 1 means retries (throttling, network). */
  attempts: number;
  /** Total time the SDK waited between those retries, in ms. */
  retryDelayMs: number;
  /** False when the log tail had no REPORT line: durations and memory are then unknown and reported as 0. */
  reportFound: boolean;
  /** 'attached': the probe's snapshot line was found; 'absent': no probe line; 'not-node': the runtime cannot take the probe. */
  probe: 'attached' | 'absent' | 'not-node';
  /** Scope-qualified names (`module.cache`) whose values were cut to fit the 4 KB log tail; never silently dropped. */
  truncated: string[];
  /** Notes for the user: retries, a missing REPORT line, a response that is not JSON. */
  warnings: string[];
}

/** Where one invocation touched a module-scope binding: its request id and the source line. */
export interface InvocationSite {
  requestId: string;
  /** 1-based line in the handler file. */
  line: number;
}

/**
 * Cross-talk between invocations in flight in one worker (Managed Instances): `writer` set a
 * module-scope binding (or a property path below one), awaited, `interloper` (another
 * invocation) set it meanwhile, and `reader` (the writer's invocation again) read the
 * interloper's value where it expected its own.
 */
export interface CrossTalkFinding {
  kind: 'cross-talk';
  /** The binding, or the property path below one (`state.currentUser`). */
  variable: string;
  worker: number;
  writer: InvocationSite;
  interloper: InvocationSite;
  reader: InvocationSite;
}

/** One invocation after analysis against the earlier ones: the `--json` line, the panel's record. */
export interface InvocationRecord extends Omit<RawInvocation, 'moduleScope' | 'handlerScope' | 'parameters'> {
  /** 1-based count within this session (CLI run or editor history). */
  invocation: number;
  moduleScope: ModuleVariable[];
  handlerScope: Variable[];
  parameters: Variable[];
  /** Names of module-scope variables flagged as growing, for quick display. */
  growing: string[];
  /**
   * An estimate of the warm invocations left before the memory size is reached, from the
   * growth of heap and external memory per invocation (or of retained bytes, when measured).
   */
  memoryEstimate?: MemoryEstimate;
  /** The retained-size measurement that followed this invocation, when one did (its cost). */
  retained?: Omit<RetainedMeasurement, 'bindings'>;
}
