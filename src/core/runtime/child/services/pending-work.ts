/**
 * Pending work at freeze: what is still alive when the handler settles and will run later
 * (timers, intervals, immediates, promises of this invocation still pending with a reaction
 * attached, sockets, servers, child processes), each with the line that created it, and, in
 * the next invocation, which of those ran there (on Lambda: after the thaw, inside another
 * request). Tracked with async_hooks; a creation site is a stack captured unformatted and
 * turned into `file:line` only for what survives, with our own formatter (never the user's
 * Error.prepareStackTrace).
 */
import { createHook } from 'node:async_hooks';
import type { PendingWork, PendingWorkKind } from '../../../model/snapshot';

// Saved before user code runs: it may replace Error or its statics later.
const SavedError = Error;
const captureStackTrace = Error.captureStackTrace;
const defineProperty = Reflect.defineProperty;
const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const hasOwn = Object.prototype.hasOwnProperty;
const apply = Reflect.apply;

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
}

const KIND_OF_TYPE: Record<string, PendingWorkKind | undefined> = {
  Timeout: 'timer',
  Immediate: 'immediate',
  PROMISE: 'promise',
  TCPWRAP: 'socket',
  TLSWRAP: 'socket',
  PIPEWRAP: 'socket',
  UDPWRAP: 'socket',
  TCPSERVERWRAP: 'server',
  PIPESERVERWRAP: 'server',
  PROCESSWRAP: 'child-process',
};

/** Frames read per creation site: enough to get past Node's own frames to the user's line. */
const SITE_FRAMES = 12;

export interface PendingWorkTracker {
  /** Starts an invocation: promises created from now on belong to it. */
  start(): void;
  /** At the handler's settle: what is pending, and which of the last freeze's pending work ran during this invocation. */
  settle(): { pending: PendingWork[]; ran: PendingWork[] };
}

/** `isRuntimeFrame(file)` is true for our own bundle and Node's internals: a site is the first frame after them. */
export function installPendingWorkTracker(isRuntimeFrame: (file: string) => boolean): PendingWorkTracker {
  const live = new Map<number, Tracked>();
  /** asyncIds pending at the last settle, with what was reported for them. */
  let pendingAtLastSettle = new Map<number, PendingWork>();
  const ranSinceSettle: PendingWork[] = [];
  let invocation = 0;
  let invoking = false;

  const noteRan = (asyncId: number): void => {
    const pending = pendingAtLastSettle.get(asyncId);
    if (!pending) return;
    ranSinceSettle[ranSinceSettle.length] = pending;
    pendingAtLastSettle.delete(asyncId);
  };

  const hook = createHook({
    init(asyncId, type, triggerAsyncId, resource) {
      const kind = KIND_OF_TYPE[type];
      if (!kind) return;
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
      live.set(asyncId, { kind: kind === 'timer' && isInterval(resource) ? 'interval' : kind, site, invocation, hasReaction: false });
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
      const next = new Map<number, PendingWork>();
      for (const [asyncId, tracked] of live) {
        if (tracked.kind === 'promise' && (tracked.invocation !== invocation || !tracked.hasReaction)) continue;
        const createdAt = siteOf(tracked.site, isRuntimeFrame);
        // Created by our runtime or by Node itself with no user frame: not the user's work.
        if (createdAt === null) continue;
        const work: PendingWork = { kind: tracked.kind, createdAt };
        pending[pending.length] = work;
        next.set(asyncId, work);
      }
      const ran = ranSinceSettle.splice(0);
      pendingAtLastSettle = next;
      return { pending, ran };
    },
  };
}

/** A Node Timeout with a repeat interval: read from its own data property only. */
function isInterval(resource: object): boolean {
  const descriptor = getOwnPropertyDescriptor(resource, '_repeat');
  return !!descriptor && 'value' in descriptor && typeof descriptor.value === 'number';
}

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
}

/** `file:line` of the first frame that is neither ours nor Node's, formatted by us. */
function siteOf(site: Site, isRuntimeFrame: (file: string) => boolean): string | null {
  // Node asks the *global* Error's prepareStackTrace first: a user who replaced Error would
  // format our stacks. For the length of one read, the global is the real Error again.
  const globalError = getOwnPropertyDescriptor(globalThis, 'Error');
  if (globalError && globalError.value !== SavedError) defineProperty(globalThis, 'Error', { ...globalError, value: SavedError });
  const previous = getOwnPropertyDescriptor(SavedError, 'prepareStackTrace');
  let frames: Array<{ file: string; line: number }> | null = null;
  defineProperty(SavedError, 'prepareStackTrace', {
    configurable: true,
    writable: true,
    value: (_error: unknown, callSites: CallSiteLike[]) => {
      const result: Array<{ file: string; line: number }> = [];
      for (let index = 0; index < callSites.length; index++) {
        const callSite = callSites[index];
        result[result.length] = { file: apply(callSite.getFileName, callSite, []) ?? '', line: apply(callSite.getLineNumber, callSite, []) ?? 0 };
      }
      return result;
    },
  });
  try {
    const value = hasOwn.call(site, 'stack') ? site.stack : undefined;
    if (Array.isArray(value)) frames = value as Array<{ file: string; line: number }>;
  } finally {
    if (previous) defineProperty(SavedError, 'prepareStackTrace', previous);
    else delete (SavedError as { prepareStackTrace?: unknown }).prepareStackTrace;
    if (globalError && globalError.value !== SavedError) defineProperty(globalThis, 'Error', globalError);
  }
  if (!frames) return null;
  for (let index = 0; index < frames.length; index++) {
    const frame = frames[index];
    if (!frame.file || frame.file.startsWith('node:') || isRuntimeFrame(frame.file)) continue;
    return `${frame.file}:${frame.line}`;
  }
  return null;
}
