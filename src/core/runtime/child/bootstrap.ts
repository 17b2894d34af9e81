/**
 * The child: plays the Lambda Node.js runtime for one handler in the user's own `node`.
 * Receives `init` (load the handler, like Lambda's init phase) and then one `invoke` at a
 * time over IPC; the host freezes the whole process (SIGSTOP) between invocations.
 *
 * Order matters: the capture worker is started first (a thread takes tens of milliseconds to
 * boot, so it boots while the rest of this file sets up and the handler loads); the serializer
 * installs its saved intrinsics before any user code; the debugger is enabled only once the
 * handler's imports have loaded (by this thread while the worker still boots, see
 * preEnableDebugger). TypeScript support (sucrase) is a separate bundle loaded on demand.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { types as utilTypes } from 'node:util';
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CapturedVariable, LambdaError, ValueNode } from '../../model/snapshot';
import type { CaptureBudgets } from '../environment-api';
import {
  INIT_MARKER_ID,
  NO_CAPTURE_FLAG,
  outputMarker,
  type ChildInitMessage,
  type ChildInvokeMessage,
  type ChildToHost,
  type HostToChild,
} from '../protocol';
import { CAPTURE_GLOBAL_KEY, installSerializer } from './serializer';
import { installLambdaConsole } from './lambda-console';
import { handlerNotFound, hideRuntimeFrames, toInitError, toLambdaError } from './lambda-errors';
import { instrumentModule, isTypeScriptFile, PROBE_REGISTRY_KEY, type ModuleBinding } from './instrument';
import { HANDLER_GLOBAL_KEY, type MainToWorker, type StopReport, type WorkerData, type WorkerToMain } from './worker-protocol';
import { nowMs } from './clock';
import { installScopeCapture } from './scope-capture';

type CaptureFn = (budgets: CaptureBudgets, values: unknown[]) => Array<{ value: ValueNode; size: { total: number; exact: boolean } }>;
type Handler = (event: unknown, context: object, callback: (error?: unknown, result?: unknown) => void) => unknown;

let worker: Worker | null = null;
/** Where the worker's StopReports arrive; drained synchronously, never listened to. */
let capturePort: MessagePort | null = null;
let workerError: string | null = null;
/** The worker thread runs JavaScript (it has booted); see preEnableDebugger. */
let workerOnline = false;

// First of all, the capture worker: a thread takes tens of milliseconds to boot, and it does
// so while this thread sets up, receives the init message and loads the handler. It is
// dropped again when the host turns capture off.
if (!process.argv.includes(NO_CAPTURE_FLAG)) startWorker();

// ---- before any user code: intrinsics we rely on later ----
installSerializer();
const captureValues = (globalThis as Record<symbol, unknown>)[Symbol.for(CAPTURE_GLOBAL_KEY)] as CaptureFn | undefined;
if (captureValues) installScopeCapture(captureValues);
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const enqueueMicrotask = queueMicrotask;
const isProxy = utilTypes.isProxy;
const stdoutWrite = process.stdout.write.bind(process.stdout);
const stderrWrite = process.stderr.write.bind(process.stderr);
const send = (message: ChildToHost, done?: () => void): void => {
  process.send?.(message, undefined, undefined, done);
};
const lambdaConsole = installLambdaConsole((text) => stdoutWrite(text));
// Stack traces users see stop at their own code: frames of this bootstrap are runtime noise.
hideRuntimeFrames(__filename);

let config: ChildInitMessage | null = null;
let handler: Handler | null = null;
let probe: ((name: string) => unknown) | null = null;
let probeBindings: ModuleBinding[] = [];
let currentRequestId: string | undefined;
/** Called when the event loop empties during an invocation (Lambda's `beforeExit` rule). */
let onEmptyEventLoop: (() => void) | null = null;

// The probe appended to the handler module calls this once the module body has run.
(globalThis as Record<symbol, unknown>)[Symbol.for(PROBE_REGISTRY_KEY)] = (fn: (name: string) => unknown, bindings: ModuleBinding[]): void => {
  probe = fn;
  probeBindings = bindings;
};

function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function writeMarkers(id: string): Promise<void> {
  const marker = outputMarker(id);
  return Promise.all([
    new Promise<void>((resolve) => stdoutWrite(marker, () => resolve())),
    new Promise<void>((resolve) => stderrWrite(marker, () => resolve())),
  ]).then(() => undefined);
}

// ---- fatal errors: reported, then the process ends (the host resets the environment) ----
let fatalReported = false;
function fatal(reason: 'uncaught-exception' | 'unhandled-rejection', thrown: unknown): void {
  // Only the first fault is reported; the process is on its way out.
  if (fatalReported) return;
  fatalReported = true;
  const base = toLambdaError(thrown);
  const error: LambdaError =
    reason === 'unhandled-rejection'
      ? { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${base.errorType}: ${base.errorMessage}`, trace: base.trace }
      : base;
  lambdaConsole.line('ERROR', `${reason === 'unhandled-rejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception'} \t${JSON.stringify(error)}`);
  const exit = (): void => process.exit(129);
  void writeMarkers(currentRequestId ?? INIT_MARKER_ID).then(() => send({ type: 'fatal', reason, error }, exit));
  setTimeout(exit, 1000).unref();
}
process.on('uncaughtException', (error) => fatal('uncaught-exception', error));
process.on('unhandledRejection', (reason) => fatal('unhandled-rejection', reason));
process.on('beforeExit', () => {
  const hook = onEmptyEventLoop;
  onEmptyEventLoop = null;
  hook?.();
});
// The host went away: nothing will ever invoke us again.
process.on('disconnect', () => process.exit(0));

// ---- worker ----
function startWorker(): void {
  try {
    const channel = new MessageChannel();
    capturePort = channel.port1;
    capturePort.unref();
    const data: WorkerData = { capturePort: channel.port2 };
    worker = new Worker(join(__dirname, 'capture-worker.js'), { workerData: data, transferList: [channel.port2] });
    worker.unref();
    worker.once('online', () => {
      workerOnline = true;
    });
    worker.on('error', (error) => {
      workerError = `capture worker failed: ${error.message}`;
      worker = null;
    });
    worker.on('exit', () => {
      worker = null;
      workerError ??= 'capture worker exited';
    });
  } catch (error) {
    workerError = `capture worker could not start: ${(error as Error).message}`;
  }
}

/** Every stop report waiting on the capture port (the worker posts them before resuming us). */
function drainStopReports(): StopReport[] {
  const reports: StopReport[] = [];
  for (;;) {
    const received = capturePort ? receiveMessageOnPort(capturePort) : undefined;
    if (!received) return reports;
    reports.push(received.message as StopReport);
  }
}

/**
 * Most of what Debugger.enable costs is the first enabling in the isolate (measured: ~14 ms of
 * the cold start when the worker does it, ~5 ms for the worker's own enable after another
 * session did it), and it runs on this thread. When the handler has loaded while the worker
 * is still booting, this thread would only wait: a same-thread session does that first
 * enabling now, overlapping the worker's boot, and is disconnected once the worker is armed
 * (so no pause ever involves it). When the worker already runs, it would be work done twice.
 * Returns the disconnect.
 */
function preEnableDebugger(): () => void {
  if (workerOnline || !worker) return () => undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Session } = require('node:inspector') as typeof import('node:inspector');
    const session = new Session();
    session.connect();
    // A same-thread session answers synchronously.
    session.post('Debugger.enable', () => undefined);
    return () => session.disconnect();
  } catch {
    return () => undefined;
  }
}

/** How long arming may take before the environment runs without handler-scope capture. */
const ARM_TIMEOUT_MS = 5000;

function askWorker(message: MainToWorker): Promise<WorkerToMain | null> {
  const current = worker;
  if (!current) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (reply: WorkerToMain | null): void => {
      clearTimeout(timer);
      current.off('message', done);
      current.off('exit', onExit);
      resolve(reply);
    };
    const onExit = (): void => done(null);
    const timer = setTimeout(() => {
      workerError ??= `capture worker did not answer within ${ARM_TIMEOUT_MS} ms`;
      done(null);
    }, ARM_TIMEOUT_MS);
    current.on('message', done);
    current.once('exit', onExit);
    current.postMessage(message);
  });
}

// ---- loading the handler (Lambda's init phase) ----
function installCommonJsHooks(handlerFile: string): void {
  type CompilableModule = { _compile(content: string, filename: string): unknown };
  type ResolveFilename = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
  const Module = nodeModule.Module as unknown as {
    prototype: CompilableModule;
    _extensions: Record<string, (module: CompilableModule, filename: string) => void>;
    _resolveFilename: ResolveFilename;
  };
  // TypeScript convention: `import './lib.js'` (compiled to require) names `./lib.ts`.
  const originalResolve = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(this: unknown, request, parent, ...rest) {
    try {
      return originalResolve.call(this, request, parent, ...rest);
    } catch (error) {
      const match = /^(\.{1,2}\/.*)\.(c?)js$/.exec(request);
      if (!match || !parent?.filename || !isTypeScriptFile(parent.filename)) throw error;
      return originalResolve.call(this, `${match[1]}.${match[2] ?? ''}ts`, parent, ...rest);
    }
  };
  const originalCompile = Module.prototype._compile;
  Module.prototype._compile = function compile(this: CompilableModule, content: string, filename: string) {
    if (filename === handlerFile || isTypeScriptFile(filename)) {
      const result = instrumentModule(content, filename, 'commonjs', { probe: filename === handlerFile });
      content = result.code;
    }
    return originalCompile.call(this, content, filename);
  };
  const loadTypeScript = (module: CompilableModule, filename: string): void => {
    module._compile(readFileSync(filename, 'utf8'), filename);
  };
  Module._extensions['.ts'] = loadTypeScript;
  Module._extensions['.cts'] = loadTypeScript;
}

async function loadHandlerModule(init: ChildInitMessage): Promise<unknown> {
  if (init.format === 'commonjs') {
    installCommonJsHooks(init.file);
    const requireFromTaskRoot = createRequire(join(process.cwd(), 'index.js'));
    return requireFromTaskRoot(init.file);
  }
  const register = (nodeModule as { register?: (specifier: string, options?: object) => void }).register;
  if (typeof register !== 'function') {
    throw Object.assign(new Error(`ES module handlers need Node.js 20.6 or later (module.register); this is ${process.version}`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
  }
  // CommonJS files imported by the ESM handler (.cts) still go through require hooks.
  installCommonJsHooks('');
  const handlerUrl = pathToFileURL(init.file).href;
  register(pathToFileURL(join(init.childDir, 'esm-hooks.mjs')).href, { data: { handlerUrl } });
  return import(handlerUrl);
}

function resolveHandler(moduleExports: unknown, init: ChildInitMessage): Handler | LambdaError {
  let value: unknown = moduleExports;
  for (const part of init.handlerExport.split('.')) {
    if (value === null || value === undefined) break;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return handlerNotFound(init.handlerString, 'missing');
  if (typeof value !== 'function') return handlerNotFound(init.handlerString, 'not-function');
  return value as Handler;
}

async function onInit(init: ChildInitMessage): Promise<void> {
  config = init;
  process.argv = [process.execPath, join(init.childDir, 'bootstrap.js')];
  if (!init.capture) {
    void worker?.terminate();
    worker = null;
  }
  let loaded: unknown;
  try {
    loaded = await loadHandlerModule(init);
  } catch (error) {
    return failInit(toInitError(error, init.handlerString));
  }
  const resolved = resolveHandler(loaded, init);
  if (!(typeof resolved === 'function')) return failInit(resolved);
  handler = resolved;
  const initDurationMs = nowMs();
  if (init.capture) {
    (globalThis as Record<symbol, unknown>)[Symbol.for(HANDLER_GLOBAL_KEY)] = handler;
    const endPreEnable = preEnableDebugger();
    const reply = await askWorker({ type: 'arm', budgets: init.budgets });
    endPreEnable();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for(HANDLER_GLOBAL_KEY)];
    if (reply?.type === 'armed' && reply.error) workerError = reply.error;
    else if (!reply) workerError ??= 'capture worker did not answer';
  }
  await writeMarkers(INIT_MARKER_ID);
  send({ type: 'ready', initDurationMs, nodeVersion: process.version, captureError: init.capture ? workerError : null, maxRssBytes: maxRssBytes() });
}

async function failInit(error: LambdaError): Promise<void> {
  lambdaConsole.line('ERROR', `Init Error \t${JSON.stringify(error)}`);
  const initDurationMs = nowMs();
  await writeMarkers(INIT_MARKER_ID);
  send({ type: 'init-error', initDurationMs, nodeVersion: process.version, error, maxRssBytes: maxRssBytes() }, () => process.exit(1));
}

// ---- one invocation ----
interface Outcome {
  response?: unknown;
  error?: LambdaError;
}

function makeContext(message: ChildInvokeMessage, settle: (outcome: Outcome) => void): Record<string, unknown> {
  const init = config as ChildInitMessage;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: String(init.memoryMB),
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    // Legacy completion methods the runtime still provides.
    done: (error?: unknown, result?: unknown) => settle(error != null ? { error: toLambdaError(error) } : { response: result }),
    succeed: (result?: unknown) => settle({ response: result }),
    fail: (error?: unknown) => settle({ error: toLambdaError(error ?? 'handled') }),
  };
}

/** Runs the handler the way the runtime does: a returned promise or the callback settles it. */
function runHandler(fn: Handler, message: ChildInvokeMessage): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let finished = false;
    let callbackOutcome: Outcome | null = null;
    const finish = (outcome: Outcome): void => {
      if (finished) return;
      finished = true;
      onEmptyEventLoop = null;
      resolve(outcome);
    };
    const context = makeContext(message, (outcome) => finish(outcome));
    const callback = (error?: unknown, result?: unknown): void => {
      if (finished || callbackOutcome) return;
      callbackOutcome = error != null ? { error: toLambdaError(error) } : { response: result };
      // Default true: the response waits until the event loop is empty, as on Lambda.
      if (context.callbackWaitsForEmptyEventLoop) onEmptyEventLoop = () => finish(callbackOutcome as Outcome);
      else finish(callbackOutcome);
    };
    // Nothing pending and nothing settled: Lambda answers null.
    onEmptyEventLoop = () => finish(callbackOutcome ?? { response: null });
    // Called from a fresh microtask: a shallow stack makes every stop at the handler's exits
    // cheaper (the inspector describes each frame on the stack).
    enqueueMicrotask(() => {
      let returned: unknown;
      try {
        returned = fn(message.event, context, callback);
      } catch (error) {
        finish({ error: toLambdaError(error) });
        return;
      }
      if (returned !== null && typeof returned === 'object' && typeof (returned as { then?: unknown }).then === 'function') {
        (returned as Promise<unknown>).then(
          (value) => finish({ response: value }),
          (error: unknown) => finish({ error: toLambdaError(error) }),
        );
      }
    });
  });
}

function toJsonResponse(value: unknown): Outcome {
  if (value === undefined) return { response: null };
  try {
    const text = JSON.stringify(value);
    return { response: text === undefined ? null : (JSON.parse(text) as unknown) };
  } catch (error) {
    return { error: { errorType: 'Runtime.SerializationError', errorMessage: (error as Error).message, trace: [] } };
  }
}

function captureModuleScope(budgets: CaptureBudgets): { variables: CapturedVariable[] | null; error: string | null } {
  if (!captureValues) return { variables: null, error: 'the bounded serializer is not installed in the child' };
  const read = probe;
  if (!read) return { variables: null, error: 'module scope unavailable: the handler module did not run to its end (top-level return?) or redeclares eval, globalThis or Symbol' };
  const values: unknown[] = [];
  const special = new Map<number, ValueNode>();
  probeBindings.forEach((binding, index) => {
    try {
      let value = read(binding.binding);
      if (binding.property !== undefined) {
        // A rewritten import `_mod.x`: read the own data property only, never a getter.
        if ((typeof value === 'object' || typeof value === 'function') && value !== null && !isProxy(value)) {
          const descriptor = getOwnPropertyDescriptor(value, binding.property);
          if (descriptor && !('value' in descriptor)) special.set(index, { type: 'accessor', hasGetter: !!descriptor.get, hasSetter: !!descriptor.set });
          value = descriptor && 'value' in descriptor ? descriptor.value : undefined;
        } else {
          value = undefined;
        }
      }
      values.push(value);
    } catch {
      // A top-level let/const/class read before its declaration ran: temporal dead zone.
      special.set(index, { type: 'uninitialized' });
      values.push(undefined);
    }
  });
  const captured = captureValues(budgets, values);
  const variables = probeBindings.map((binding, index): CapturedVariable => {
    const replacement = special.get(index);
    const item = captured[index];
    return {
      name: binding.name,
      kind: binding.kind,
      value: replacement ?? item?.value ?? { type: 'undefined' },
      size: replacement ? { total: 0, exact: true } : (item?.size ?? { total: 0, exact: true }),
    };
  });
  return { variables, error: null };
}

async function onInvoke(message: ChildInvokeMessage): Promise<void> {
  const init = config as ChildInitMessage;
  const fn = handler as Handler;
  currentRequestId = message.requestId;
  lambdaConsole.setRequestId(message.requestId);
  // While the handler runs, our IPC channel must not keep the loop alive, so that an empty
  // event loop is noticed (callbackWaitsForEmptyEventLoop); it is held again right after.
  process.channel?.unref();
  drainStopReports(); // nothing from before this invocation counts
  const started = nowMs();
  let outcome = await runHandler(fn, message);
  let durationMs = nowMs() - started;
  process.channel?.ref();
  // Taken before anything else runs here (module-scope capture can stop on its own exceptions).
  const reports = init.capture ? drainStopReports() : [];
  durationMs = Math.max(0, durationMs - reports.reduce((sum, report) => sum + report.pausedMs, 0));
  send({ type: 'settled', requestId: message.requestId, durationMs });
  if (!outcome.error) outcome = toJsonResponse(outcome.response);
  if (outcome.error) lambdaConsole.line('ERROR', `Invoke Error \t${JSON.stringify(outcome.error)}`);

  let moduleScope: CapturedVariable[] | null = null;
  let handlerScope: CapturedVariable[] | null = null;
  let parameters: CapturedVariable[] | null = null;
  const errors: string[] = [];
  const captureStarted = nowMs();
  if (init.capture) {
    try {
      const module = captureModuleScope(init.budgets);
      moduleScope = module.variables;
      if (module.error) errors.push(module.error);
    } catch (error) {
      errors.push(`module scope capture failed: ${(error as Error).message}`);
    }
    // The last capture wins: a return after a caught exception replaces the capture at the throw.
    const last = [...reports].reverse().find((report) => report.capture !== null);
    if (last?.capture) {
      handlerScope = last.capture.handlerScope;
      parameters = last.capture.parameters;
    } else if (!worker) {
      errors.push(workerError ?? 'capture worker unavailable');
    } else {
      const failure = [...reports].reverse().find((report) => report.error !== null);
      errors.push(failure?.error ?? 'the handler neither reached a return nor threw, so its scope was not captured');
    }
  }
  const captureMs = nowMs() - captureStarted;
  const usage = process.memoryUsage();
  await writeMarkers(message.requestId);
  lambdaConsole.setRequestId(undefined);
  currentRequestId = undefined;
  send({
    type: 'result',
    requestId: message.requestId,
    durationMs,
    response: outcome.error ? null : outcome.response,
    error: outcome.error ?? null,
    moduleScope,
    handlerScope,
    parameters,
    captureError: errors.length ? errors.join('; ') : null,
    captureMs,
    memory: { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed },
    maxRssBytes: maxRssBytes(),
  });
}

process.on('message', (message: HostToChild) => {
  if (message.type === 'init') void onInit(message);
  else if (message.type === 'invoke') void onInvoke(message);
});
