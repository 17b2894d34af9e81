/**
 * What the host accepts on the child's message pipe (protocol.ts). User code shares the child's
 * process and can write to the pipe too, so every line is checked before the host acts on it:
 * its shape (one schema per message type, every field) and its place in the protocol's order
 * (one `result` per invocation, after one `settled` when the child captures scopes, each for
 * the invocation under way; the init answer once; one snapshot answer per heap-snapshot
 * request). Anything else is a violation: the host ends the environment and says why.
 *
 * A well-formed message in its expected place cannot be told from the runtime's own: see
 * docs/security.md ("The child's pipe").
 */
import { isCapturedVariable, isLambdaError, isMemoryReading, isObject } from '../model/snapshot-guards';
import type { PendingWorkKind } from '../model/snapshot';
import type { ChildToHost } from './protocol';

export type Accepted = { ok: true; message: ChildToHost } | { ok: false; violation: string };

/** Checks a field's value; an absent field is checked as `undefined`. */
type Check = (value: unknown) => boolean;
/**
 * A check for every field of a message but its `type` (a new field without one does not
 * compile), or one check of the whole message for a type with several shapes.
 */
type Schema<M> = { [K in Exclude<keyof M, 'type'>]-?: Check } | ((message: Record<string, unknown>) => string | null);
type MessageOf<T extends ChildToHost['type']> = Extract<ChildToHost, { type: T }>;

const isString: Check = (value) => typeof value === 'string';
const isCount: Check = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const orNull = (check: Check): Check => (value) => value === null || check(value);
const optional = (check: Check): Check => (value) => value === undefined || check(value);
const listOf = (check: Check): Check => (value) => Array.isArray(value) && value.every(check);
const PENDING_KINDS: readonly PendingWorkKind[] = ['timer', 'interval', 'immediate', 'promise', 'socket', 'server', 'child-process'];

const isVariables = listOf(isCapturedVariable);
const isPendingWork = listOf((value) => isObject(value) && PENDING_KINDS.includes(value.kind as PendingWorkKind) && isString(value.createdAt));
const isInitProfile = listOf((value) => isObject(value) && isString(value.what) && isCount(value.line) && isCount(value.ms));
/** A WireCrossTalkFinding: [variable, worker, writer's line, interloper's request id, its line, reader's line]. */
const isWireFinding: Check = (value) =>
  Array.isArray(value) && value.length === 6 && isString(value[0]) && isCount(value[1]) && isCount(value[2]) && isString(value[3]) && isCount(value[4]) && isCount(value[5]);
const isBinding: Check = (value) => isObject(value) && isString(value.name) && isString(value.variable);

type FieldChecks = ReadonlyArray<readonly [string, Check]>;

/** The first field of `message` that fails its check, or null. */
function invalidField(message: Record<string, unknown>, fields: FieldChecks): string | null {
  for (const [field, check] of fields) {
    if (!check(Object.prototype.hasOwnProperty.call(message, field) ? message[field] : undefined)) return field;
  }
  return null;
}

const SNAPSHOT_WRITTEN: FieldChecks = Object.entries({ anchorKey: isString, durationMs: isCount, bindings: listOf(isBinding) });
const SNAPSHOT_REFUSED: FieldChecks = Object.entries({ reason: isString });

const SCHEMAS: { [T in ChildToHost['type']]: Schema<MessageOf<T>> } = {
  ready: { initDurationMs: isCount, initProfile: optional(isInitProfile), nodeVersion: isString, maxRssBytes: isCount, workerInitMs: optional(listOf(isCount)) },
  'init-error': { initDurationMs: isCount, nodeVersion: isString, error: isLambdaError, maxRssBytes: isCount },
  settled: { requestId: isString, durationMs: isCount },
  result: {
    requestId: isString,
    durationMs: isCount,
    responseJson: orNull(isString),
    error: orNull(isLambdaError),
    moduleScope: orNull(isVariables),
    handlerScope: orNull(isVariables),
    parameters: orNull(isVariables),
    captureError: orNull(isString),
    captureMs: isCount,
    pendingAtFreeze: orNull(isPendingWork),
    pendingRan: orNull(isPendingWork),
    memory: orNull(isMemoryReading),
    maxRssBytes: isCount,
    worker: optional(isCount),
    workerFirst: optional((value) => typeof value === 'boolean'),
    findings: optional(listOf(isWireFinding)),
    quietStreams: optional(listOf((value) => value === 'stdout' || value === 'stderr')),
  },
  fatal: { reason: (value) => value === 'uncaught-exception' || value === 'unhandled-rejection', error: isLambdaError },
  'heap-snapshot-written': (message) =>
    message.ok === true ? invalidField(message, SNAPSHOT_WRITTEN) : message.ok === false ? invalidField(message, SNAPSHOT_REFUSED) : 'ok',
};

/** Each type's checks, listed once (not per message). */
type WholeCheck = (message: Record<string, unknown>) => string | null;
const CHECKS = new Map<string, FieldChecks | WholeCheck>(
  Object.entries(SCHEMAS as Record<string, Record<string, Check> | WholeCheck>).map(([type, schema]) => [type, typeof schema === 'function' ? schema : Object.entries(schema)]),
);

/** A bounded, printable excerpt of something the child sent, for the violation's text. */
function quote(text: string): string {
  const printable = text.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(text.length > 40 ? `${printable}...` : printable);
}

/** Parses and checks one line against its message type's schema. */
export function decodeChildMessage(text: string): Accepted {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, violation: `a line that is not JSON (${quote(text)})` };
  }
  if (!isObject(value) || typeof value.type !== 'string') return { ok: false, violation: `a message without a type (${quote(text)})` };
  const type = value.type;
  const checks = CHECKS.get(type);
  if (checks === undefined) return { ok: false, violation: `a message of unknown type ${quote(type)}` };
  const invalid = typeof checks === 'function' ? checks(value) : invalidField(value, checks);
  if (invalid !== null) return { ok: false, violation: `a "${type}" message with an invalid ${invalid}` };
  return { ok: true, message: value as unknown as ChildToHost };
}

/** Where the protocol is: what the child may send next. */
type Phase =
  | { name: 'init'; firstRequestId: string | null }
  | { name: 'running'; requestId: string }
  | { name: 'capturing'; requestId: string }
  | { name: 'idle' }
  | { name: 'snapshot' }
  | { name: 'ended' };

/**
 * The protocol's order, as the host sees it: init answers once (`ready`, `init-error`), then per
 * invocation the host sent one `result` with its request id (after one `settled` when the child
 * captures scopes), and per heap
 * snapshot it asked for one `heap-snapshot-written`; `fatal` may come at any time before the end.
 * One gate per child process.
 */
export class ChildMessageGate {
  private phase: Phase = { name: 'init', firstRequestId: null };

  /** `capturing`: the child captures scopes, so each result must follow its `settled`. */
  constructor(private readonly capturing = true) {}

  /** The host sent an invoke (during init: the first one, run once init is done). */
  expectInvocation(requestId: string): void {
    if (this.phase.name === 'init') this.phase = { name: 'init', firstRequestId: requestId };
    else this.phase = { name: 'running', requestId };
  }

  /** The host asked the idle child for a heap snapshot. */
  expectSnapshot(): void {
    this.phase = { name: 'snapshot' };
  }

  accept(text: string): Accepted {
    const decoded = decodeChildMessage(text);
    if (!decoded.ok) return decoded;
    const message = decoded.message;
    const next = this.after(message);
    if (next === null) return { ok: false, violation: `a "${message.type}" message ${this.expectation()}` };
    this.phase = next;
    return decoded;
  }

  /** The phase after `message`, or null when it has no place here. */
  private after(message: ChildToHost): Phase | null {
    const phase = this.phase;
    if (phase.name === 'ended') return null;
    if (message.type === 'fatal') return { name: 'ended' };
    switch (phase.name) {
      case 'init':
        if (message.type === 'init-error') return { name: 'ended' };
        if (message.type !== 'ready') return null;
        return phase.firstRequestId === null ? { name: 'idle' } : { name: 'running', requestId: phase.firstRequestId };
      case 'running':
        if (message.type === 'settled' && this.capturing && message.requestId === phase.requestId) return { name: 'capturing', requestId: phase.requestId };
        // Without capture the result comes with no `settled` before it.
        return message.type === 'result' && !this.capturing && message.requestId === phase.requestId ? { name: 'idle' } : null;
      case 'capturing':
        return message.type === 'result' && message.requestId === phase.requestId ? { name: 'idle' } : null;
      case 'snapshot':
        return message.type === 'heap-snapshot-written' ? { name: 'idle' } : null;
      case 'idle':
        return null;
    }
  }

  private expectation(): string {
    switch (this.phase.name) {
      case 'init':
        return 'during init (expected "ready" or "init-error")';
      case 'running':
        return `while the handler ran (expected "${this.capturing ? 'settled' : 'result'}" for the invocation under way)`;
      case 'capturing':
        return 'after the handler settled (expected one "result" for the invocation under way)';
      case 'snapshot':
        return 'while writing a heap snapshot (expected "heap-snapshot-written")';
      case 'idle':
        return 'between invocations (nothing was expected)';
      case 'ended':
        return 'after the child reported its end';
    }
  }
}

/**
 * The protocol's order in Managed Instances mode: init answers once, then any number of
 * invocations are under way at once, each with one `result` (after one `settled` when the child
 * captures scopes) for a request id the host sent. No heap snapshots (the host does not ask for them in this mode).
 */
export class ConcurrentMessageGate {
  private initAnswered = false;
  private ended = false;
  /** Request ids sent and not yet answered, with whether they settled. */
  private readonly underWay = new Map<string, 'running' | 'capturing'>();

  /** `capturing`: the child captures scopes, so each result must follow its `settled`. */
  constructor(private readonly capturing = true) {}

  expectInvocation(requestId: string): void {
    this.underWay.set(requestId, 'running');
  }

  expectSnapshot(): void {
    // Never asked in this mode: any answer is a violation.
  }

  accept(text: string): Accepted {
    const decoded = decodeChildMessage(text);
    if (!decoded.ok) return decoded;
    const message = decoded.message;
    const violation = this.check(message);
    if (violation !== null) return { ok: false, violation: `a "${message.type}" message ${violation}` };
    return decoded;
  }

  /** Moves the order on for `message`; why it has no place here, else null. */
  private check(message: ChildToHost): string | null {
    if (this.ended) return 'after the child reported its end';
    if (message.type === 'fatal' || message.type === 'init-error') {
      if (message.type === 'init-error' && this.initAnswered) return 'after init (expected only once, during init)';
      this.ended = true;
      return null;
    }
    if (message.type === 'ready') {
      if (this.initAnswered) return 'after init (expected only once, during init)';
      this.initAnswered = true;
      return null;
    }
    if (!this.initAnswered) return 'during init (expected "ready" or "init-error")';
    if (message.type === 'heap-snapshot-written') return 'in Managed Instances mode (no heap snapshot was asked for)';
    const state = this.underWay.get(message.requestId);
    if (message.type === 'settled') {
      if (state !== 'running' || !this.capturing) return 'for no invocation under way';
      this.underWay.set(message.requestId, 'capturing');
      return null;
    }
    // Without capture the result comes with no `settled` before it.
    if (state !== (this.capturing ? 'capturing' : 'running')) return this.capturing ? 'for no invocation that settled' : 'for no invocation under way';
    this.underWay.delete(message.requestId);
    return null;
  }
}
