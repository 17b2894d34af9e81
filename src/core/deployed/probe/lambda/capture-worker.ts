/**
 * Capture worker of the cloud probe (deployed/probe/lambda/shim.ts); the local engine captures
 * with source hooks instead (frame-instrument.ts), without a thread or an inspector.
 * A worker_thread with an inspector session on the main
 * thread (`connectToMainThread`; Node advises against pausing the main thread from a
 * same-thread session). It puts breakpoints at the handler's exits; when the main thread
 * stops there it reads the paused frame's local, block and catch scopes, serialises them in
 * the debuggee with the bounded serializer (one `Runtime.callFunctionOn`, `returnByValue`)
 * and resumes. Getting properties of scope objects runs no user code; neither does the
 * serializer (it reads descriptors, never calls getters, traps, toString or toJSON).
 */
import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import type { BindingKind, CapturedVariable, ValueNode, SizeMeasure } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../../runtime/environment-api';
import { findHandlerExits, type HandlerExits } from '../../../runtime/instrument/handler-exits';
import type { MainToWorker, StopReport, WorkerData, WorkerToMain } from './worker-protocol';
import { isHooksName } from '../../../runtime/child/services/runtime-globals';
import { nowMs } from '../../../runtime/child/services/intrinsics';

interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  objectId?: string;
}

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  set?: RemoteObject;
}

interface ScopeDescriptor {
  type: string;
  object: RemoteObject;
}

interface Location {
  scriptId: string;
  lineNumber: number;
  columnNumber?: number;
}

interface CallFrame {
  callFrameId: string;
  scopeChain: ScopeDescriptor[];
  location: Location;
  functionLocation?: Location;
}

interface PausedEvent {
  reason: string;
  /** For reason 'ambiguous': the reasons that coincided. */
  data?: { reasons?: Array<{ reason: string }> };
  callFrames: CallFrame[];
  hitBreakpoints?: string[];
}

const CAPTURE_GROUP = 'warm-state-capture';
const ARM_GROUP = 'warm-state-arm';
/** Scope types that belong to the handler's own frame; the rest (closure, module...) is module scope or global. */
const FRAME_SCOPES = new Set(['local', 'block', 'catch']);

const session = new Session();
let connected = false;
let budgets: CaptureBudgets | null = null;
let captureFunctionId: string | null = null;
let parameterNames = new Set<string>();
let handlerLocation: Location | null = null;
let handlerAnalysis: HandlerExits | null = null;
/** Our breakpoint ids, each with the names still in their temporal dead zone at that exit. */
const ourBreakpoints = new Map<string, Set<string>>();
const capturePort = (workerData as WorkerData | null)?.capturePort;
const hooks = (workerData as WorkerData | null)?.hooks;

function post<T>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error: Error | null, result?: object) => {
      if (error) reject(error);
      else resolve(result as T);
    });
  });
}

function send(message: WorkerToMain): void {
  parentPort?.postMessage(message);
}

function toCallArgument(remote: RemoteObject | undefined): object {
  if (!remote) return {};
  if (remote.objectId) return { objectId: remote.objectId };
  if (remote.unserializableValue !== undefined) return { unserializableValue: remote.unserializableValue };
  if (remote.type === 'undefined') return {};
  return { value: remote.value };
}

async function arm(nextBudgets: CaptureBudgets): Promise<void> {
  budgets = nextBudgets;
  if (!connected) {
    session.connectToMainThread();
    connected = true;
  }
  // Enabled only now, after the handler's imports loaded: enabling it earlier makes every
  // module load pay for script parsing notifications. The inspector handles messages in
  // order, so the next requests are sent without waiting for each reply (no round trip each),
  // and the parser warms up here while the main thread does the enabling.
  // Only a name of the channel's form is put in an expression (it is evaluated in the user's realm).
  if (!isHooksName(hooks)) throw new Error('the probe has no hooks channel');
  const enabled = post('Debugger.enable');
  const handlerRequest = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: `${hooks}.handler`, objectGroup: ARM_GROUP });
  const captureRequest = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: `${hooks}.capture`, objectGroup: ARM_GROUP });
  warmUpParser();
  const [, handler, capture] = await Promise.all([enabled, handlerRequest, captureRequest]);
  if (capture.result.type !== 'function' || !capture.result.objectId) throw new Error('the bounded serializer is not installed in the child');
  captureFunctionId = capture.result.objectId;
  if (!handler.result.objectId) throw new Error('handler function not found');
  const props = await post<{ internalProperties?: Array<{ name: string; value?: RemoteObject }> }>('Runtime.getProperties', {
    objectId: handler.result.objectId,
    ownProperties: true,
  });
  const location = props.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
    | { scriptId: string; lineNumber: number; columnNumber: number }
    | undefined;
  if (!location) throw new Error('the handler has no source location (native or bound function)');
  const { scriptSource } = await post<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId: location.scriptId });
  const exits = findHandlerExits(scriptSource, location);
  if (!exits) throw new Error('could not find the handler function in its script');
  parameterNames = new Set(exits.parameters);
  // All breakpoints requested at once; their replies are then handled in exit order.
  const placed = await Promise.all(
    exits.exits.map((exit) =>
      post<{ breakpointId: string; actualLocation: { lineNumber: number; columnNumber?: number } }>('Debugger.setBreakpoint', {
        location: { scriptId: location.scriptId, lineNumber: exit.position.lineNumber, columnNumber: exit.position.columnNumber },
      }),
    ),
  );
  exits.exits.forEach((exit, index) => {
    const result = placed[index];
    // V8 moves a breakpoint at an unreachable position (the closing brace after an endless
    // loop or a final `throw`) to some other statement, which would stop the handler midway.
    const actual = result.actualLocation;
    if (actual.lineNumber !== exit.position.lineNumber || (actual.columnNumber ?? 0) !== exit.position.columnNumber) {
      post('Debugger.removeBreakpoint', { breakpointId: result.breakpointId }).catch(() => undefined);
      return;
    }
    // Two exits can snap to one location; the union of their TDZ names would be wrong, keep the first.
    if (!ourBreakpoints.has(result.breakpointId)) ourBreakpoints.set(result.breakpointId, new Set(exit.uninitialized));
  });
  handlerLocation = location;
  handlerAnalysis = exits;
  session.on('Debugger.paused', (message: { params: PausedEvent }) => {
    void onPaused(message.params);
  });
  // Also stop where an exception is thrown while the handler is on the stack, so that a
  // handler that throws still shows its locals (as they were at the throw). Exceptions
  // without the handler on the stack are resumed at once; each still costs one short stop.
  await post('Debugger.setPauseOnExceptions', { state: 'all' });
}

type CapturedValues = Array<{ value: ValueNode; size: SizeMeasure }>;
type FrameEntry = { name: string; kind: BindingKind; wasUndefined: boolean };

/** One `Runtime.callFunctionOn` on a function of the debuggee, its result by value. */
async function callInDebuggee<T>(objectId: string, functionDeclaration: string, args: object[]): Promise<T | undefined> {
  const reply = await post<{ result: { value?: T }; exceptionDetails?: { text?: string; exception?: { description?: string } } }>('Runtime.callFunctionOn', {
    objectId,
    functionDeclaration,
    arguments: args,
    returnByValue: true,
    silent: true,
    objectGroup: CAPTURE_GROUP,
  });
  if (reply.exceptionDetails) {
    throw new Error(`serializer failed: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text ?? 'unknown error'}`);
  }
  return reply.result.value;
}

/** The bindings of the frame's own scopes (innermost first, shadowed names dropped) and their serialised values. */
async function readFrame(frame: CallFrame): Promise<{ entries: FrameEntry[]; values: CapturedValues }> {
  const scopes: ScopeDescriptor[] = [];
  for (const scope of frame.scopeChain) {
    if (!FRAME_SCOPES.has(scope.type)) break;
    if (scope.object.objectId) scopes.push(scope);
  }
  const kindOf = (scopeType: string, name: string): BindingKind => (scopeType === 'local' && parameterNames.has(name) ? 'parameter' : (scopeType as BindingKind));
  // One getProperties per scope, then one call that serialises every value in the debuggee.
  const remotes: Array<RemoteObject | undefined> = [];
  const entries: FrameEntry[] = [];
  const seen = new Set<string>();
  for (const scope of scopes) {
    const props = await post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', {
      objectId: scope.object.objectId,
      ownProperties: true,
      objectGroup: CAPTURE_GROUP,
    });
    for (const prop of props.result) {
      // Inner scopes shadow outer ones: the first binding of a name is the visible one.
      if (seen.has(prop.name)) continue;
      seen.add(prop.name);
      entries.push({ name: prop.name, kind: kindOf(scope.type, prop.name), wasUndefined: !prop.value || prop.value.type === 'undefined' });
      remotes.push(prop.value);
    }
  }
  const values = await callInDebuggee<CapturedValues>(captureFunctionId as string, 'function (budgets, ...values) { return this(budgets, values); }', [
    { value: budgets },
    ...remotes.map((remote) => toCallArgument(remote)),
  ]);
  return { entries, values: values ?? [] };
}

async function captureFrame(frame: CallFrame, inDeadZone: Set<string>): Promise<StopReport['capture']> {
  if (!budgets || !captureFunctionId) return null;
  const { entries, values } = await readFrame(frame);
  // A let/const/class still in its temporal dead zone reads as undefined in a scope object;
  // which ones are is known from the source (see handler-exits.ts).
  const uninitialized = new Set<number>();
  entries.forEach((entry, index) => {
    if (entry.kind !== 'parameter' && inDeadZone.has(entry.name) && entry.wasUndefined) uninitialized.add(index);
  });
  const handlerScope: CapturedVariable[] = [];
  const parameters: CapturedVariable[] = [];
  entries.forEach((entry, index) => {
    const captured = values[index];
    let value: ValueNode = captured?.value ?? { type: 'undefined' };
    let size: SizeMeasure = captured?.size ?? { total: 0, exact: true };
    if (uninitialized.has(index)) {
      value = { type: 'uninitialized' };
      size = { total: 0, exact: true };
    }
    const variable: CapturedVariable = { name: entry.name, kind: entry.kind, value, size };
    (entry.kind === 'parameter' ? parameters : handlerScope).push(variable);
  });
  return { handlerScope, parameters };
}

/**
 * With the debugger enabled, V8 raises the heap limit when it is nearly reached and pauses
 * with reason 'OOM' (so a developer could inspect the heap). Lambda would have died at the
 * memory size: do what V8 would have done without us, and say so on stderr like V8 does.
 */
function outOfMemory(): never {
  writeSync(2, '\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n');
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: the process was killed');
}

async function onPaused(event: PausedEvent): Promise<void> {
  const pausedAt = nowMs();
  const report: StopReport = { capture: null, error: null, pausedMs: 0 };
  try {
    const hit = (event.hitBreakpoints ?? []).find((id) => ourBreakpoints.has(id));
    const frame = event.callFrames[0];
    if (event.reason === 'OOM' || (event.data?.reasons ?? []).some((r) => r.reason === 'OOM')) outOfMemory();
    if (hit !== undefined && frame) {
      report.capture = await captureFrame(frame, ourBreakpoints.get(hit) ?? new Set());
    } else if ((event.reason === 'exception' || event.reason === 'promiseRejection') && handlerLocation && handlerAnalysis) {
      const location = handlerLocation;
      const handlerFrame = event.callFrames.find(
        (f) => f.functionLocation?.scriptId === location.scriptId && f.functionLocation.lineNumber === location.lineNumber && (f.functionLocation.columnNumber ?? 0) === (location.columnNumber ?? 0),
      );
      if (handlerFrame) {
        const position = { lineNumber: handlerFrame.location.lineNumber, columnNumber: handlerFrame.location.columnNumber ?? 0 };
        report.capture = await captureFrame(handlerFrame, new Set(handlerAnalysis.deadZoneAt(position)));
      }
    }
  } catch (error) {
    report.error = `handler scope capture failed: ${(error as Error).message}`;
  } finally {
    // Not awaited: the inspector handles messages in order, and waiting for the replies would
    // only keep the main thread stopped longer.
    post('Runtime.releaseObjectGroup', { objectGroup: CAPTURE_GROUP }).catch(() => undefined);
    // Counted before resuming: the main thread may finish the invocation before resume's reply.
    report.pausedMs = nowMs() - pausedAt;
    // Handed over before the main thread runs again, so it is there when the handler settles.
    capturePort?.postMessage(report);
    // Any pause, ours or a stray `debugger;` statement, must end: the main thread is stopped.
    post('Debugger.resume').catch(() => undefined);
  }
}

let parserWarm = false;
/**
 * The first acorn parse is much slower than the next ones (lazy compilation). Run while the
 * main thread enables the debugger, so the two overlap on the cold-start path.
 */
function warmUpParser(): void {
  if (parserWarm) return;
  parserWarm = true;
  findHandlerExits('async function warmUp(event) { const a = 1; if (a) { return a; } }', { lineNumber: 0, columnNumber: 0 });
}

// Connected at once, so arming starts with the first request.
session.connectToMainThread();
connected = true;

parentPort?.on('message', (message: MainToWorker) => {
  if (message.type === 'arm') {
    arm(message.budgets).then(
      () => send({ type: 'armed', error: null }),
      (error: Error) => send({ type: 'armed', error: `handler scope capture unavailable: ${error.message}` }),
    );
  }
});
