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
import { append, freeze, isArray, itemAt, messageOf, nowMs, objectCreate } from './intrinsics';
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

let hooks: FrameHooks | null = null;
let capture: CaptureFunction | null = null;
let budgets: CaptureBudgets | null = null;
let latest: Taken | null = null;
let recorded: Recorded | null = null;
let sequence = 0;
let failure: string | null = null;
let refusal: string | null = null;
let recognised = false;
/**
 * Recognised by a function that names neither the event nor the context (no parameters, a
 * destructured event): a later function that does receive the event or the context (a wrapped
 * handler's base handler after a user middleware) takes its place.
 */
let provisional = false;
/** The recognised function is too long to have its statements recorded (frame-instrument.ts). */
let statementsLeftOut = false;
let spentMs = 0;
let currentEvent: unknown;
let currentContext: unknown;

const unreadable = (site: SiteInfo): string => `handler scope capture failed: the handler's variables could not be read at line ${site.line}`;

/**
 * Installs the hooks channel named `name` (before any user code, see the file comment) with the
 * frame hooks and the given other members (the module probe's `module`).
 */
export function installFrameHooks(name: string, serialize: CaptureFunction, members: Record<string, unknown>): void {
  if (hooks) return;
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
      if (!object.p) return;
      const receives = first === currentEvent || second === currentContext;
      if (!receives && !(first === unknown && second === unknown)) return;
      if (provisional && !receives) return;
      if (provisional) {
        // What the provisional function recorded is not the handler's.
        latest = null;
        recorded = null;
        failure = null;
      }
      object.h = key;
      recognised = true;
      provisional = !receives;
      object.p = provisional;
      statementsLeftOut = leftOut === 1;
    },
    x: (descriptor, values) => {
      const started = nowMs();
      try {
        if (!budgets || typeof descriptor !== 'string') return;
        const site = siteOf(descriptor);
        if (!isArray(values)) {
          // A name did not resolve: nothing older may stand for this exit.
          latest = null;
          recorded = null;
          failure = unreadable(site);
          return;
        }
        latest = { site, sequence: ++sequence, values: serialize(budgets, values as unknown[]) };
      } catch (error) {
        failure = `handler scope capture failed: ${messageOf(error)}`;
      } finally {
        spentMs += nowMs() - started;
      }
    },
    r: (descriptor, values) => {
      // Never throws into the user's code (its catch would call this again).
      try {
        if (typeof descriptor !== 'string') return;
        const site = siteOf(descriptor);
        if (!isArray(values)) {
          recorded = null;
          failure = unreadable(site);
          return;
        }
        recorded = { site, sequence: ++sequence, values: values as unknown[] };
      } catch (error) {
        failure = `handler scope capture failed: ${messageOf(error)}`;
      }
    },
    refused: (reason) => {
      if (typeof reason === 'string') refusal = `handler scope capture unavailable: ${reason}`;
    },
    ...members,
  };
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
export function startFrameCapture(event: unknown, context: unknown): void {
  latest = null;
  recorded = null;
  sequence = 0;
  failure = null;
  spentMs = 0;
  recognised = false;
  provisional = false;
  statementsLeftOut = false;
  currentEvent = event;
  currentContext = context;
  if (!hooks) return;
  hooks.h = null;
  hooks.p = true;
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
export function takeFrameCapture(handlerFailed: boolean): { capture: FrameCapture | null; error: string | null; spentMs: number } {
  if (hooks) {
    hooks.p = false;
    hooks.h = null;
  }
  currentEvent = undefined;
  currentContext = undefined;
  let taken = latest;
  const record = recorded;
  latest = null;
  recorded = null;
  if (handlerFailed && record && (!taken || record.sequence > taken.sequence) && capture && budgets) {
    try {
      taken = { site: record.site, sequence: record.sequence, values: capture(budgets, record.values) };
    } catch (error) {
      failure = `handler scope capture failed: ${messageOf(error)}`;
    }
  }
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
