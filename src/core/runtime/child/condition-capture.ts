/**
 * Handler-scope capture without pausing: a conditional breakpoint at each capture site
 * (capture-sites.ts) whose condition, evaluated by V8 IN the handler's frame, reads the
 * frame's bindings by name, hands them to the bounded serializer through the hook installed
 * here, and evaluates to `false`. A false condition never pauses, so no second thread is
 * needed to resume us: the breakpoints are set from a same-thread inspector session (its
 * requests are answered synchronously), and pauses of any other kind (`debugger;`
 * statements) are switched off with `Debugger.setSkipAllPauses` (conditions still run).
 *
 * The condition only reads bindings (a binding read runs no user code; the names come from
 * the handler's own declarations) and calls the hook; the hook uses intrinsics saved before
 * any user code and the serializer, which never runs user code either.
 *
 * Exits and the handler's own `throw` statements serialise at once. An exception from a
 * function the handler calls (or from one of its expressions) cannot be caught in the frame
 * without a pause, so the other statements of the handler outside loops record the
 * REFERENCES of its bindings (nothing serialised; a statement after one that changed no
 * binding is left out, see capture-sites.ts); when the handler then fails, the last record
 * is serialised after it settled: bindings as they were when the failing statement started,
 * objects as the failure left them. Inside a loop nothing is recorded (a condition would
 * cost once per iteration): a failure there shows the bindings at the loop's start, without
 * the loop's own block variables. Variables a direct `eval` adds to the frame are not listed.
 *
 * Cost: V8 compiles and runs each condition at every hit, ~40-60 us each on the bench
 * machine, so a handler pays per exit reached and per recorded statement; a long
 * straight-line handler pays more than one pause at its exit used to cost.
 */
import type { CapturedVariable, ValueNode } from '../../model/snapshot';
import type { CaptureBudgets } from '../environment-api';
import { planCaptureSites, type CaptureSite } from './capture-sites';
import type { CapturedValue, CaptureFunction } from './serializer';

/** Global slot of the hook the exit and throw conditions call: `(site, values | null) => void`. */
export const FRAME_CAPTURE_GLOBAL_KEY = 'warm-state.frame-capture';
/** Global slot of the hook the statement conditions call: `(site, values | null) => void`. */
export const FRAME_RECORD_GLOBAL_KEY = 'warm-state.frame-record';
/** Global slot where the bootstrap leaves the handler function while arming. */
const ARM_HANDLER_KEY = 'warm-state.arm-handler';

export interface FrameCapture {
  handlerScope: CapturedVariable[];
  parameters: CapturedVariable[];
}

interface Taken {
  site: number;
  /** Order of the hook calls within the invocation: the last one wins. */
  sequence: number;
  values: CapturedValue[];
}

interface Recorded {
  site: number;
  sequence: number;
  values: unknown[];
}

let sites: CaptureSite[] = [];
let budgets: CaptureBudgets | null = null;
let latest: Taken | null = null;
let recorded: Recorded | null = null;
let sequence = 0;
let capture: CaptureFunction | null = null;
let failure: string | null = null;
let spentMs = 0;
/** Held for the life of the process: the breakpoints live as long as their session. */
let armedSession: import('node:inspector').Session | null = null;

function unreadable(site: number): string {
  const position = sites[site]?.position;
  return `handler scope capture failed: the handler's variables could not be read at line ${(position?.lineNumber ?? -1) + 1}`;
}

/**
 * Installs the hooks the conditions call. Must run before any user code: they keep their own
 * references to the built-ins they call.
 */
export function installFrameCaptureHook(serialize: CaptureFunction): void {
  const key = Symbol.for(FRAME_CAPTURE_GLOBAL_KEY);
  if (Object.getOwnPropertyDescriptor(globalThis, key)) return;
  capture = serialize;
  const define = Object.defineProperty;
  const apply = Reflect.apply;
  const isArray = Array.isArray;
  const uptime = process.uptime;
  const now = (): number => (apply(uptime, process, []) as number) * 1000;
  const hook = (site: unknown, values: unknown): void => {
    const started = now();
    try {
      if (!budgets || typeof site !== 'number') return;
      if (!isArray(values)) {
        // A name did not resolve: nothing older may stand for this exit.
        latest = null;
        recorded = null;
        failure = unreadable(site);
        return;
      }
      latest = { site, sequence: ++sequence, values: serialize(budgets, values as unknown[]) };
    } catch (error) {
      failure = `handler scope capture failed: ${(error as Error)?.message}`;
    } finally {
      spentMs += now() - started;
    }
  };
  const record = (site: unknown, values: unknown): void => {
    if (typeof site !== 'number') return;
    if (!isArray(values)) {
      recorded = null;
      failure = unreadable(site);
      return;
    }
    recorded = { site, sequence: ++sequence, values: values as unknown[] };
  };
  define(globalThis, key, { value: hook, enumerable: false, writable: false, configurable: false });
  define(globalThis, Symbol.for(FRAME_RECORD_GLOBAL_KEY), { value: record, enumerable: false, writable: false, configurable: false });
}

function conditionFor(index: number, site: CaptureSite): string {
  const key = site.reason === 'statement' ? FRAME_RECORD_GLOBAL_KEY : FRAME_CAPTURE_GLOBAL_KEY;
  const hook = `globalThis[Symbol.for(${JSON.stringify(key)})]`;
  // Kept short: V8 compiles the condition again at every hit. A name that does not resolve
  // (a bug of the site analysis) makes the read throw: the site is then reported, not taken.
  return `try { ${hook}(${index}, [${site.bindings.map((binding) => binding.name).join(', ')}]); } catch { ${hook}(${index}, null); } false`;
}

interface RemoteObject {
  type: string;
  objectId?: string;
  value?: unknown;
}

/**
 * Sets the conditional breakpoints for `handler`. Returns null when armed, or why handler
 * scope capture is unavailable. Synchronous (same-thread session).
 */
export function armFrameCapture(handler: unknown, nextBudgets: CaptureBudgets): string | null {
  if (!Object.getOwnPropertyDescriptor(globalThis, Symbol.for(FRAME_CAPTURE_GLOBAL_KEY))) return 'the frame capture hook is not installed in the child';
  budgets = nextBudgets;
  // Armed again (not done today): the earlier breakpoints go with their session.
  armedSession?.disconnect();
  armedSession = null;
  sites = [];
  let session: import('node:inspector').Session | null = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Session } = require('node:inspector') as typeof import('node:inspector');
    const connected = new Session();
    session = connected;
    connected.connect();
    const post = <T>(method: string, params?: object): T => {
      let reply: { error: Error | null; result?: T } | null = null;
      connected.post(method, params ?? {}, (error: Error | null, result?: object) => {
        reply = { error, result: result as T };
      });
      const answered = reply as { error: Error | null; result?: T } | null;
      if (!answered) throw new Error(`${method} was not answered synchronously`);
      if (answered.error) throw answered.error;
      return answered.result as T;
    };
    // Every condition evaluated is a script to the inspector; with no cache limit it keeps
    // all of them once collected (the process grew ~0.5 KB per evaluation and slowed down).
    post('Debugger.enable', { maxScriptsCacheSize: 0 });
    // Nothing may ever pause this thread: a pause would wait for a resume only this thread could send.
    post('Debugger.setSkipAllPauses', { skip: true });
    const slot = Symbol.for(ARM_HANDLER_KEY);
    (globalThis as Record<symbol, unknown>)[slot] = handler;
    let found: { result: RemoteObject };
    try {
      found = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: `globalThis[Symbol.for(${JSON.stringify(ARM_HANDLER_KEY)})]`, objectGroup: 'warm-state-arm' });
    } finally {
      delete (globalThis as Record<symbol, unknown>)[slot];
    }
    if (!found.result.objectId) return 'handler scope capture unavailable: handler function not found';
    const props = post<{ internalProperties?: Array<{ name: string; value?: RemoteObject }> }>('Runtime.getProperties', { objectId: found.result.objectId, ownProperties: true });
    post('Runtime.releaseObjectGroup', { objectGroup: 'warm-state-arm' });
    const location = props.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      | { scriptId: string; lineNumber: number; columnNumber: number }
      | undefined;
    if (!location) return 'handler scope capture unavailable: the handler has no source location (native or bound function)';
    const { scriptSource } = post<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId: location.scriptId });
    const plan = planCaptureSites(scriptSource, location);
    if (!plan.sites) return `handler scope capture unavailable: ${plan.error}`;
    const armed: CaptureSite[] = [];
    plan.sites.forEach((site) => {
      let placed: { breakpointId: string; actualLocation: { lineNumber: number; columnNumber?: number } };
      try {
        placed = post('Debugger.setBreakpoint', {
          location: { scriptId: location.scriptId, lineNumber: site.position.lineNumber, columnNumber: site.position.columnNumber },
          condition: conditionFor(armed.length, site),
        });
      } catch {
        // V8 put another site's breakpoint where this one would go: that site covers it.
        return;
      }
      // V8 moves a breakpoint at an unreachable position (the closing brace after an endless
      // loop or a final `throw`) elsewhere, where its bindings would be wrong: dropped.
      const actual = { lineNumber: placed.actualLocation.lineNumber, columnNumber: placed.actualLocation.columnNumber ?? 0 };
      const exact = actual.lineNumber === site.position.lineNumber && actual.columnNumber === site.position.columnNumber;
      if (!exact && !(site.accept && !before(actual, site.accept.start) && before(actual, site.accept.end))) {
        post('Debugger.removeBreakpoint', { breakpointId: placed.breakpointId });
        return;
      }
      armed.push(site);
    });
    sites = armed;
    armedSession = connected;
    return null;
  } catch (error) {
    return `handler scope capture unavailable: ${(error as Error).message}`;
  } finally {
    // Not armed: no debugger left enabled, no half-armed breakpoints left behind.
    if (session && armedSession !== session) session.disconnect();
  }
}

function before(a: { lineNumber: number; columnNumber: number }, b: { lineNumber: number; columnNumber: number }): boolean {
  return a.lineNumber < b.lineNumber || (a.lineNumber === b.lineNumber && a.columnNumber < b.columnNumber);
}

/** Forgets captures from before (an invocation starts). */
export function resetFrameCapture(): void {
  latest = null;
  recorded = null;
  sequence = 0;
  failure = null;
  spentMs = 0;
}

/**
 * The last capture since the reset (the last wins: a return after a caught throw replaces it)
 * and the time captures took. When the handler failed after its last capture, the last
 * recorded statement is serialised now. Call right after the handler settled.
 */
export function takeFrameCapture(handlerFailed: boolean): { capture: FrameCapture | null; error: string | null; spentMs: number } {
  let taken = latest;
  const record = recorded;
  recorded = null;
  if (handlerFailed && record && (!taken || record.sequence > taken.sequence) && capture && budgets) {
    try {
      taken = { site: record.site, sequence: record.sequence, values: capture(budgets, record.values) };
    } catch (error) {
      failure = `handler scope capture failed: ${(error as Error).message}`;
    }
  }
  const site = taken ? sites[taken.site] : undefined;
  if (!taken || !site) return { capture: null, error: failure, spentMs };
  const deadZone = new Set(site.uninitialized);
  const handlerScope: CapturedVariable[] = [];
  const parameters: CapturedVariable[] = [];
  site.bindings.forEach((binding, index) => {
    const item = taken.values[index];
    let value: ValueNode = item?.value ?? { type: 'undefined' };
    let size = item?.size ?? { total: 0, exact: true };
    // A let/const/class in its temporal dead zone reads as undefined in the frame.
    if (binding.kind !== 'parameter' && deadZone.has(binding.name) && value.type === 'undefined') {
      value = { type: 'uninitialized' };
      size = { total: 0, exact: true };
    }
    (binding.kind === 'parameter' ? parameters : handlerScope).push({ name: binding.name, kind: binding.kind, value, size });
  });
  return { capture: { handlerScope, parameters }, error: null, spentMs };
}
