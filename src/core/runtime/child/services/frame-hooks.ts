/**
 * The run-time half of handler-scope capture (frame-instrument.ts puts the calls in the
 * user's code): the global hooks object the instrumented functions call, and what the
 * runtime asks of it around each invocation.
 *
 * Which function is the handler: the first instrumented function entered after the runtime
 * calls the handler whose first parameter is the invocation's event, or whose second is its
 * context, or that names neither (`async () => ...`, a destructured event). That is the
 * handler itself when it is the user's own function, and the user's base handler when a
 * library (middy and the like) wraps it. Only that function's site hooks then record.
 *
 * Exits and the function's own `throw` statements serialise at once. An exception from a
 * function it calls cannot be caught where it happens, so its other statements outside loops
 * record the REFERENCES of its bindings (nothing serialised); when the handler then fails, the
 * last record is serialised after it settled: bindings as they were when the failing
 * statement started, objects as the failure left them. Inside a loop nothing is recorded: a
 * failure there shows the bindings at the loop's start, without the loop's own block
 * variables. Variables a direct `eval` adds to the frame are not listed.
 *
 * The hooks never run user code: they call only built-ins saved before any user code
 * (intrinsics.ts) and hand values to the bounded serializer. They are reached through the hooks
 * channel (hooks-channel.ts), whose name user code cannot hit by accident.
 */
import type { CapturedVariable, SizeMeasure, ValueNode } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../environment-api';
import { installHooksChannel } from './hooks-channel';
import { append, defineProperty, freeze, isArray, itemAt, messageOf, nowMs, objectCreate } from './intrinsics';
import type { CapturedValue, CaptureFunction } from './serializer';
import { decodeSite, type SiteInfo } from '../../instrument/site-descriptor';

export interface FrameCapture {
  handlerScope: CapturedVariable[];
  parameters: CapturedVariable[];
}

interface Taken {
  site: SiteInfo;
  /** Order of the hook calls within the invocation: the last one wins. */
  sequence: number;
  values: CapturedValue[];
}

interface Recorded {
  site: SiteInfo;
  sequence: number;
  values: unknown[];
}

/** What the instrumented code reaches through the hooks channel. */
interface FrameHooks {
  /** Pending: the handler has been called and its function not yet recognised. */
  p: boolean;
  /** Key of the recognised function, else null. */
  h: string | null;
  unknown: object;
  enter(key: string, first: unknown, second: unknown, statementsLeftOut?: unknown): void;
  x(descriptor: string, values: unknown): void;
  r(descriptor: string, values: unknown): void;
  refused(reason: unknown): void;
}

/** One invocation's capture: what its handler's hooks recorded so far. */
export interface FrameState {
  /** Pending and recognised key of this invocation (see FrameHooks; mirrored there in the default mode). */
  p: boolean;
  h: string | null;
  latest: Taken | null;
  recorded: Recorded | null;
  /** Order of the hook calls within the invocation: the last one wins. */
  sequence: number;
  failure: string | null;
  recognised: boolean;
  /**
   * Recognised by a function that names neither the event nor the context (no parameters, a
   * destructured event): a later function that does receive the event or the context (a wrapped
   * handler's base handler after a user middleware) takes its place.
   */
  provisional: boolean;
  /** The recognised function is too long to have its statements recorded (frame-instrument.ts). */
  statementsLeftOut: boolean;
  spentMs: number;
  event: unknown;
  context: unknown;
}

export function newFrameState(): FrameState {
  return { p: false, h: null, latest: null, recorded: null, sequence: 0, failure: null, recognised: false, provisional: false, statementsLeftOut: false, spentMs: 0, event: undefined, context: undefined };
}

let hooks: FrameHooks | null = null;
let capture: CaptureFunction | null = null;
let budgets: CaptureBudgets | null = null;
/** Why the module could not be instrumented for capture (set while it loads), else null. */
let refusal: string | null = null;
/** The default mode's one invocation at a time. */
const single = newFrameState();
/**
 * Managed Instances: the state of the invocation whose code is running now (its async context),
 * undefined outside any invocation. Null in the default mode, where `single` is the state.
 */
let concurrentState: (() => FrameState | undefined) | null = null;
const currentState = (): FrameState | undefined => (concurrentState ? concurrentState() : single);

const unreadable = (site: SiteInfo): string => `handler scope capture failed: the handler's variables could not be read at line ${site.line}`;

/**
 * Installs the hooks channel named `name` (before any user code, see the file comment) with the
 * frame hooks and the given other members (the module probe's `module`).
 */
export function installFrameHooks(name: string, serialize: CaptureFunction, members: Record<string, unknown>, stateOfInvocation?: () => FrameState | undefined): void {
  if (hooks) return;
  concurrentState = stateOfInvocation ?? null;
  capture = serialize;
  // Decoded once per site; a null-prototype table, so no user-patched prototype is consulted.
  const sites = objectCreate(null) as Record<string, SiteInfo>;
  const siteOf = (descriptor: string): SiteInfo => (sites[descriptor] ??= decodeSite(descriptor));
  const unknown = freeze(objectCreate(null) as object);
  // An object literal, not a null-prototype one: its fields are read at every entry of every
  // hooked function, and V8 keeps a literal's fields fast (a null-prototype object is a
  // dictionary). Only own fields are ever read, so the prototype plays no part.
  const object: FrameHooks = {
    p: false,
    h: null,
    unknown,
    enter: (key, first, second, leftOut) => {
      const state = currentState();
      if (!state?.p) return;
      const receives = first === state.event || second === state.context;
      if (!receives && !(first === unknown && second === unknown)) return;
      if (state.provisional && !receives) return;
      if (state.provisional) {
        // What the provisional function recorded is not the handler's.
        state.latest = null;
        state.recorded = null;
        state.failure = null;
      }
      state.recognised = true;
      state.provisional = !receives;
      setFlags(state, state.provisional, key);
      state.statementsLeftOut = leftOut === 1;
    },
    x: (descriptor, values) => {
      const state = currentState();
      if (!state) return;
      const started = nowMs();
      try {
        if (!budgets || typeof descriptor !== 'string') return;
        const site = siteOf(descriptor);
        if (!isArray(values)) {
          // A name did not resolve: nothing older may stand for this exit.
          state.latest = null;
          state.recorded = null;
          state.failure = unreadable(site);
          return;
        }
        state.latest = { site, sequence: ++state.sequence, values: serialize(budgets, values as unknown[]) };
      } catch (error) {
        state.failure = `handler scope capture failed: ${messageOf(error)}`;
      } finally {
        state.spentMs += nowMs() - started;
      }
    },
    r: (descriptor, values) => {
      const state = currentState();
      // Never throws into the user's code (its catch would call this again).
      try {
        if (!state || typeof descriptor !== 'string') return;
        const site = siteOf(descriptor);
        if (!isArray(values)) {
          state.recorded = null;
          state.failure = unreadable(site);
          return;
        }
        state.recorded = { site, sequence: ++state.sequence, values: values as unknown[] };
      } catch (error) {
        if (state) state.failure = `handler scope capture failed: ${messageOf(error)}`;
      }
    },
    refused: (reason) => {
      if (typeof reason === 'string') refusal = `handler scope capture unavailable: ${reason}`;
    },
    ...members,
  };
  if (concurrentState) {
    // Many invocations at once: what the instrumented code reads as `p` and `h` is its own
    // invocation's (an accessor per read; the default mode keeps plain, fast fields).
    const flagsOf = concurrentState;
    defineProperty(object, 'p', { get: () => flagsOf()?.p ?? false, set: () => undefined, enumerable: true });
    defineProperty(object, 'h', { get: () => flagsOf()?.h ?? null, set: () => undefined, enumerable: true });
  }
  installHooksChannel(name, object as unknown as Record<string, unknown>);
  hooks = object;
}

export function setFrameBudgets(next: CaptureBudgets): void {
  budgets = next;
}

/**
 * Call right before calling the handler (nothing else may run in between): from here the
 * first function entered with this event or context is the handler's.
 */
export function startFrameCapture(event: unknown, context: unknown, state: FrameState = single): void {
  state.latest = null;
  state.recorded = null;
  state.sequence = 0;
  state.failure = null;
  state.spentMs = 0;
  state.recognised = false;
  state.provisional = false;
  state.statementsLeftOut = false;
  state.event = event;
  state.context = context;
  setFlags(state, true, null);
}

/** The state's `p` and `h`, mirrored on the hooks object in the default mode (the instrumented code reads them there). */
function setFlags(state: FrameState, pending: boolean, key: string | null): void {
  state.p = pending;
  state.h = key;
  if (hooks && !concurrentState) {
    hooks.p = pending;
    hooks.h = key;
  }
}

/** Why the handler's frame went unrecognised. */
function notReached(): string {
  return (
    refusal ??
    "handler scope capture unavailable: none of your code's functions received this invocation's event (a handler from node_modules, or one this runtime could not instrument)"
  );
}

/**
 * The last capture since the start (the last wins: a return after a caught throw replaces it)
 * and the time captures took. When the handler failed after its last capture, the last
 * recorded statement is serialised now. Call right after the handler settled.
 */
export function takeFrameCapture(handlerFailed: boolean, state: FrameState = single): { capture: FrameCapture | null; error: string | null; spentMs: number } {
  setFlags(state, false, null);
  state.event = undefined;
  state.context = undefined;
  let taken = state.latest;
  const record = state.recorded;
  state.latest = null;
  state.recorded = null;
  const { spentMs, recognised, statementsLeftOut } = state;
  if (handlerFailed && record && (!taken || record.sequence > taken.sequence) && capture && budgets) {
    try {
      taken = { site: record.site, sequence: record.sequence, values: capture(budgets, record.values) };
    } catch (error) {
      state.failure = `handler scope capture failed: ${messageOf(error)}`;
    }
  }
  const failure = state.failure;
  if (!taken) {
    const tooLong =
      handlerFailed && statementsLeftOut
        ? 'the handler failed in a call: its variables are recorded only at its own returns and throws, as it is too long for statement records'
        : null;
    return { capture: null, error: failure ?? tooLong ?? (recognised ? null : notReached()), spentMs };
  }
  // Index loops, `append` and own reads only: user code may have replaced Array.prototype's
  // push or iterator, Set, or put accessors on Array.prototype or Object.prototype.
  const { site, values } = taken;
  const handlerScope: CapturedVariable[] = [];
  const parameters: CapturedVariable[] = [];
  let index = 0;
  for (let i = 0; i < site.bindings.length; i++) {
    const binding = itemAt(site.bindings, i) as SiteInfo['bindings'][number];
    let value: ValueNode = { type: 'uninitialized' };
    let size: SizeMeasure = { total: 0, exact: true };
    if (!isListed(site.uninitialized, binding.name)) {
      const item: CapturedValue | undefined = itemAt(values, index++);
      value = item?.value ?? { type: 'undefined' };
      size = item?.size ?? size;
    }
    append(binding.kind === 'parameter' ? parameters : handlerScope, { name: binding.name, kind: binding.kind, value, size });
  }
  return { capture: { handlerScope, parameters }, error: null, spentMs };
}

function isListed(names: readonly string[], name: string): boolean {
  for (let i = 0; i < names.length; i++) if (itemAt(names, i) === name) return true;
  return false;
}
