/**
 * Pending work at freeze: what is still alive when the handler settles and will run later
 * (timers, intervals, immediates, promises of this invocation still pending with a reaction
 * attached, sockets, servers, child processes), each with the line that created it, and, in
 * the next invocation, which of those ran there (on Lambda: after the thaw, inside another
 * request). Tracked with async_hooks; a creation site is a stack captured unformatted and
 * turned into `file:line` only for what survives, with our own formatter (never the user's
 * Error.prepareStackTrace).
 *
 * Its hooks run while user code runs, and settle() right after it: only built-ins saved before
 * user code (intrinsics.ts and below), null-prototype tables and descriptors, `append`.
 */
import { createHook } from 'node:async_hooks';
import type { PendingWork, PendingWorkKind } from '../../../model/snapshot';
import { append, apply, defineProperty, getOwnPropertyDescriptor, getPrototypeOf, hasOwn, isArray, itemAt, MapCtor, objectCreate, realmGlobal, startsWithText } from './intrinsics';

// Saved before user code runs: it may replace Error, its statics or Map's methods later.
const SavedError = Error;
const captureStackTrace = Error.captureStackTrace;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapDelete = Map.prototype.delete;
const mapEntries = Map.prototype.entries;
const mapIteratorNext = (getPrototypeOf(new Map().entries()) as { next: () => unknown }).next;

interface Site {
  stack?: unknown;
}

interface Tracked {
  kind: PendingWorkKind;
  site: Site;
  /** Set for promises: created during the current invocation. */
  invocation: number;
  /** A promise with a `then`/`await` on it (a reaction that will run when it settles). */
  hasReaction: boolean;
  /** Timers and immediates: Node's object, to tell one cleared whose destroy is still queued. */
  resource: object | null;
}

/** Null-prototype: an async resource type that is not listed is never looked up on Object.prototype. */
const KIND_OF_TYPE = objectCreate(null) as Record<string, PendingWorkKind | undefined>;
KIND_OF_TYPE.Timeout = 'timer';
KIND_OF_TYPE.Immediate = 'immediate';
KIND_OF_TYPE.PROMISE = 'promise';
KIND_OF_TYPE.TCPWRAP = 'socket';
KIND_OF_TYPE.TLSWRAP = 'socket';
KIND_OF_TYPE.PIPEWRAP = 'socket';
KIND_OF_TYPE.UDPWRAP = 'socket';
KIND_OF_TYPE.TCPSERVERWRAP = 'server';
KIND_OF_TYPE.PIPESERVERWRAP = 'server';
KIND_OF_TYPE.PROCESSWRAP = 'child-process';

/**
 * Sockets the runtime is making on user code's behalf that are not the user's work:
 * process.stdout/stderr's pipe, built on first access (child-output.ts), lives as long as the
 * process and would otherwise read as a socket left running at every freeze. One socket, and
 * sockets only: whatever else runs meanwhile (patched stream methods) is tracked as ever.
 */
let runtimeSocketsToSkip = 0;

/** Runs `make`, which creates one stdio stream: the first socket it creates is never pending work. */
export function asRuntimeWork<T>(make: () => T): T {
  const outer = runtimeSocketsToSkip;
  runtimeSocketsToSkip = 1;
  try {
    return make();
  } finally {
    runtimeSocketsToSkip = outer;
  }
}

/** Frames read per creation site: enough to get past Node's own frames to the user's line. */
const SITE_FRAMES = 12;

/** A Map read and written with its saved methods only. */
function mapOf<V>(): { get(key: number): V | undefined; set(key: number, value: V): void; delete(key: number): void; forEach(visit: (key: number, value: V) => void): void } {
  const map = new MapCtor<number, V>();
  return {
    get: (key) => apply(mapGet, map, [key]) as V | undefined,
    set: (key, value) => void apply(mapSet, map, [key, value]),
    delete: (key) => void apply(mapDelete, map, [key]),
    forEach(visit) {
      const iterator = apply(mapEntries, map, []) as object;
      for (;;) {
        const step = apply(mapIteratorNext, iterator, []) as IteratorResult<[number, V]>;
        if (step.done) return;
        visit(step.value[0], step.value[1]);
      }
    },
  };
}

export interface PendingWorkTracker {
  /** Starts an invocation: promises created from now on belong to it. */
  start(): void;
  /** At the handler's settle: what is pending, and which of the last freeze's pending work ran during this invocation. */
  settle(): { pending: PendingWork[]; ran: PendingWork[] };
}

/** `isRuntimeFrame(file)` is true for our own bundle and Node's internals: a site is the first frame after them. */
export function installPendingWorkTracker(isRuntimeFrame: (file: string) => boolean): PendingWorkTracker {
  const live = mapOf<Tracked>();
  /** asyncIds pending at the last settle, with what was reported for them. */
  let pendingAtLastSettle = mapOf<PendingWork>();
  let ranSinceSettle: PendingWork[] = [];
  let invocation = 0;
  let invoking = false;

  const noteRan = (asyncId: number): void => {
    const pending = pendingAtLastSettle.get(asyncId);
    if (!pending) return;
    append(ranSinceSettle, pending);
    pendingAtLastSettle.delete(asyncId);
  };

  const hook = createHook({
    init(asyncId, type, triggerAsyncId, resource) {
      const kind = KIND_OF_TYPE[type];
      if (!kind) return;
      if (kind === 'socket' && runtimeSocketsToSkip > 0) {
        runtimeSocketsToSkip -= 1;
        return;
      }
      if (kind === 'promise') {
        // A promise made from another (then/await) is that one's reaction.
        const parent = live.get(triggerAsyncId);
        if (parent && parent.kind === 'promise') parent.hasReaction = true;
        if (!invoking) return;
      }
      const site: Site = {};
      const limit = SavedError.stackTraceLimit;
      SavedError.stackTraceLimit = SITE_FRAMES;
      captureStackTrace(site);
      SavedError.stackTraceLimit = limit;
      const clearable = kind === 'timer' || kind === 'immediate';
      live.set(asyncId, { kind: kind === 'timer' && isInterval(resource) ? 'interval' : kind, site, invocation, hasReaction: false, resource: clearable ? resource : null });
    },
    // Whatever runs after a settle ran, on Lambda, after the thaw: inside the next invocation.
    before(asyncId) {
      noteRan(asyncId);
    },
    after(asyncId) {
      // A timer or immediate is done once its callback ran (its destroy comes later, batched);
      // an interval stays pending.
      const tracked = live.get(asyncId);
      if (tracked && (tracked.kind === 'timer' || tracked.kind === 'immediate')) live.delete(asyncId);
    },
    promiseResolve(asyncId) {
      noteRan(asyncId);
      live.delete(asyncId);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  hook.enable();

  return {
    start() {
      invocation += 1;
      invoking = true;
    },
    settle() {
      invoking = false;
      const pending: PendingWork[] = [];
      const next = mapOf<PendingWork>();
      live.forEach((asyncId, tracked) => {
        if (tracked.kind === 'promise' && (tracked.invocation !== invocation || !tracked.hasReaction)) return;
        if (tracked.resource && isCleared(tracked.resource)) {
          live.delete(asyncId);
          return;
        }
        const createdAt = siteOf(tracked.site, isRuntimeFrame);
        // Created by our runtime or by Node itself with no user frame: not the user's work.
        if (createdAt === null) return;
        const work: PendingWork = { kind: tracked.kind, createdAt };
        append(pending, work);
        next.set(asyncId, work);
      });
      const ran = ranSinceSettle;
      ranSinceSettle = [];
      pendingAtLastSettle = next;
      return { pending, ran };
    },
  };
}

/**
 * A Node Timeout or Immediate that clearTimeout/clearInterval/clearImmediate ended: its destroy
 * event is batched into a later turn of the event loop (a native immediate), which may come after
 * the handler settled. Read from its own data property only.
 */
function isCleared(resource: object): boolean {
  const descriptor = getOwnPropertyDescriptor(resource, '_destroyed');
  return !!descriptor && hasOwn(descriptor, 'value') && descriptor.value === true;
}

/** A Node Timeout with a repeat interval: read from its own data property only. */
function isInterval(resource: object): boolean {
  const descriptor = getOwnPropertyDescriptor(resource, '_repeat');
  return !!descriptor && hasOwn(descriptor, 'value') && typeof descriptor.value === 'number';
}

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
}

/** Our formatter: the frames as data (the CallSite methods are V8's; read once per site). */
function framesOf(_error: unknown, callSites: CallSiteLike[]): Array<{ file: string; line: number }> {
  const result: Array<{ file: string; line: number }> = [];
  for (let index = 0; index < callSites.length; index++) {
    const callSite = itemAt(callSites, index) as CallSiteLike;
    append(result, { file: apply(callSite.getFileName, callSite, []) ?? '', line: apply(callSite.getLineNumber, callSite, []) ?? 0 });
  }
  return result;
}

/** Descriptors without prototype: defineProperty looks each field up through it. */
const formatterDescriptor = { __proto__: null, configurable: true, writable: true, value: framesOf } as PropertyDescriptor;
const savedErrorDescriptor = (template: PropertyDescriptor): PropertyDescriptor =>
  ({ __proto__: null, configurable: template.configurable, enumerable: template.enumerable, writable: true, value: SavedError }) as PropertyDescriptor;
const nullPrototype = (descriptor: PropertyDescriptor): PropertyDescriptor => {
  const copy = objectCreate(null) as PropertyDescriptor;
  if (hasOwn(descriptor, 'value')) copy.value = descriptor.value;
  if (hasOwn(descriptor, 'writable')) copy.writable = descriptor.writable;
  if (hasOwn(descriptor, 'get')) copy.get = descriptor.get;
  if (hasOwn(descriptor, 'set')) copy.set = descriptor.set;
  copy.enumerable = descriptor.enumerable;
  copy.configurable = descriptor.configurable;
  return copy;
};

/** `file:line` of the first frame that is neither ours nor Node's, formatted by us. */
function siteOf(site: Site, isRuntimeFrame: (file: string) => boolean): string | null {
  // Node asks the *global* Error's prepareStackTrace first: a user who replaced Error would
  // format our stacks. For the length of one read, the global is the real Error again.
  const globalError = getOwnPropertyDescriptor(realmGlobal, 'Error');
  const replaced = globalError !== undefined && (!hasOwn(globalError, 'value') || globalError.value !== SavedError);
  if (replaced) defineProperty(realmGlobal, 'Error', savedErrorDescriptor(globalError));
  const previous = getOwnPropertyDescriptor(SavedError, 'prepareStackTrace');
  let frames: Array<{ file: string; line: number }> | null = null;
  defineProperty(SavedError, 'prepareStackTrace', formatterDescriptor);
  try {
    const value = hasOwn(site, 'stack') ? site.stack : undefined;
    if (isArray(value)) frames = value as Array<{ file: string; line: number }>;
  } finally {
    if (previous) defineProperty(SavedError, 'prepareStackTrace', nullPrototype(previous));
    else delete (SavedError as { prepareStackTrace?: unknown }).prepareStackTrace;
    if (replaced) defineProperty(realmGlobal, 'Error', nullPrototype(globalError));
  }
  if (!frames) return null;
  for (let index = 0; index < frames.length; index++) {
    const frame = itemAt(frames, index) as { file: string; line: number };
    if (!frame.file || startsWithText(frame.file, 'node:') || isRuntimeFrame(frame.file)) continue;
    return `${frame.file}:${frame.line}`;
  }
  return null;
}
