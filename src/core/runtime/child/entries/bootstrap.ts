/**
 * The child: plays the Lambda Node.js runtime for one handler in the user's own `node`.
 * Receives `init` (load the handler, like Lambda's init phase) and then one `invoke` at a
 * time on the message pipe (host-channel.ts; the first invoke arrives during init and waits
 * for it); the host freezes the whole process (SIGSTOP) between invocations.
 *
 * Start-up cost: the child runs under --max-old-space-size, a V8 flag that makes Node reject
 * its code cache for builtins, so every builtin loaded beyond the start-up snapshot is compiled
 * from source. Hence no IPC channel and no process.stdout/stderr streams unless user code asks
 * for them (child-output.ts): messages, console lines and markers go out with fs.writeSync.
 *
 * Order matters: the serializer and the frame hooks install their saved intrinsics before
 * any user code. The handler scope is captured by hooks put in the source of the user's own
 * files as they load (frame-instrument.ts, frame-hooks.ts): no inspector, no capture thread.
 * TypeScript support (sucrase) is a separate bundle loaded on demand. Built as
 * dist/child/runtime.js and loaded by dist/child/bootstrap.js (code-cache-loader.ts) through
 * V8's code cache, so cold starts skip compiling this bundle.
 */
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CapturedVariable, LambdaError } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../environment-api';
import {
  CHANNEL_FD,
  INIT_MARKER_ID,
  NO_CAPTURE_FLAG,
  outputMarker,
  type ChildInitMessage,
  type ChildInvokeMessage,
  type ChildToHost,
  type HostToChild,
  type PreparedHandler,
} from '../../protocol';
import { installSerializer, type CaptureFunction } from '../services/serializer';
import { installLambdaConsole } from '../services/lambda-console';
import { watchOutput } from '../services/child-output';
import { openHostChannel } from '../services/host-channel';
import { handlerNotFound, hideRuntimeFrames, toInitError, toLambdaError } from '../../../lambda/errors';
import { isOverPayloadLimit, limitLambdaError, responseSizeTooLarge, TRANSPORT_ERROR_LIMITS } from '../../../lambda/limits';
import type { ModuleBinding } from '../../instrument/instrument';
import { CAPTURE_GLOBAL_KEY, isDependencyFile, isTypeScriptFile, PROBE_REGISTRY_KEY } from '../services/runtime-globals';
import { nowMs } from '../services/clock';
import { writeModuleHeapSnapshot } from '../services/heap-snapshot';
import { installPendingWorkTracker } from '../services/pending-work';
import { installInitProfile } from '../services/init-profile-marks';
import { preparedCodeFor } from '../services/prepared-source';
import { readModuleScope } from '../services/module-scope';
import { installFrameHooks, setFrameBudgets, startFrameCapture, takeFrameCapture } from '../services/frame-hooks';
import { RUNTIME_IMPORT_KEY, SAVE_CODE_CACHE_KEY } from '../services/code-cache-keys';

type Handler = (event: unknown, context: object, callback: (error?: unknown, result?: unknown) => void) => unknown;

// ---- before any user code: intrinsics we rely on later ----
installSerializer();
const captureValues = (globalThis as Record<symbol, unknown>)[Symbol.for(CAPTURE_GLOBAL_KEY)] as CaptureFunction | undefined;
if (captureValues) installFrameHooks(captureValues);
const enqueueMicrotask = queueMicrotask;
const stdout = watchOutput('stdout', 1);
const stderr = watchOutput('stderr', 2);
// The host went away (end of file, broken pipe): nothing will ever invoke us again.
const channel = openHostChannel(CHANNEL_FD, onHostMessage, () => process.exit(0));
const send = (message: ChildToHost): void => channel.send(message);
const lambdaConsole = installLambdaConsole((text) => stdout.write(text));
/**
 * Holds the event loop open whenever the handler is not running, as the IPC channel's ref() did:
 * a pending read cannot do it, since none may be pending once an invoke arrived (host-channel.ts),
 * e.g. during the rest of init. Let go (unref) while the handler runs, so that an empty event
 * loop is noticed (callbackWaitsForEmptyEventLoop).
 */
const keepAlive = setInterval(() => undefined, 0x7fffffff);
/** The host, to notice its death while the handler runs (the pipe is not read then). */
const hostPid = process.ppid;
// Stack traces users see stop at their own code: frames of this bootstrap are runtime noise.
hideRuntimeFrames(__filename);
/** What the handler leaves running (capture on only: it costs a stack per timer, promise or socket). */
const pendingWork = process.argv.includes(NO_CAPTURE_FLAG) ? null : installPendingWorkTracker((file) => file.startsWith(dirname(__filename)));

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

/** Closes a phase's output: after everything it wrote, user streams included (child-output.ts). */
function writeMarkers(id: string): Promise<void> {
  const marker = outputMarker(id);
  return Promise.all([stdout.writeAndFlush(marker), stderr.writeAndFlush(marker)]).then(() => undefined);
}

// ---- fatal errors: reported, then the process ends (the host resets the environment) ----
let fatalReported = false;
function fatal(reason: 'uncaught-exception' | 'unhandled-rejection', thrown: unknown): void {
  // Only the first fault is reported; the process is on its way out.
  if (fatalReported) return;
  fatalReported = true;
  const base = toLambdaError(thrown);
  const error = forHost(
    reason === 'unhandled-rejection'
      ? { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${base.errorType}: ${base.errorMessage}`, trace: base.trace }
      : base,
  );
  lambdaConsole.line('ERROR', `${reason === 'unhandled-rejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception'} \t${JSON.stringify(error)}`);
  const exit = (): void => process.exit(129);
  void writeMarkers(currentRequestId ?? INIT_MARKER_ID).then(() => {
    send({ type: 'fatal', reason, error });
    exit();
  });
  setTimeout(exit, 1000).unref();
}
process.on('uncaughtException', (error) => fatal('uncaught-exception', error));
process.on('unhandledRejection', (reason) => fatal('unhandled-rejection', reason));
process.on('beforeExit', () => {
  const hook = onEmptyEventLoop;
  onEmptyEventLoop = null;
  hook?.();
});

// ---- loading the handler (Lambda's init phase) ----
/**
 * Files of the user's own code: their functions get handler-scope hooks. Not dependencies
 * (node_modules), and not this runtime's own files (sucrase's bundle is required from here).
 */
const runtimeDir = join(__dirname, sep);
function isUserFile(filename: string): boolean {
  return !isDependencyFile(filename) && !filename.startsWith(runtimeDir);
}

let instrumentedFiles = 0;

/**
 * The instrumenter (and acorn with it) loads on first use: a JavaScript handler the host
 * already instrumented (prepare-handler.ts) that requires no other file of the user never
 * needs it in the child.
 */
function instrumenter(): typeof import('../../instrument/instrument') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../instrument/instrument') as typeof import('../../instrument/instrument');
}

function installCommonJsHooks(handlerFile: string, frames: boolean, prepared: PreparedHandler | null, handlerInFile: boolean, initProfile: boolean): void {
  type CompilableModule = { _compile(content: string, filename: string, ...rest: unknown[]): unknown };
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
  // Node passes more than the source and the name (Node 20.19+: the module's format, from the
  // extension and package type); dropping it made Node guess by syntax, so ESM syntax in a
  // .cjs file ran instead of failing as it does on Lambda. Everything is passed on.
  Module.prototype._compile = function compile(this: CompilableModule, content: string, filename: string, ...rest: unknown[]) {
    // With the handler written in its file, only that file gets hooks; otherwise every user file does.
    const framed = frames && (filename === handlerFile || (!handlerInFile && isUserFile(filename)));
    const ready = filename === handlerFile ? preparedCodeFor(content, prepared) : null;
    if (ready !== null) {
      content = ready;
    } else if (filename === handlerFile || isTypeScriptFile(filename) || framed) {
      const frameKeyPrefix = framed ? `c${++instrumentedFiles}_` : null;
      content = instrumenter().instrumentModule(content, filename, 'commonjs', { probe: filename === handlerFile, frameKeyPrefix, initProfile: initProfile && filename === handlerFile }).code;
    }
    return originalCompile.call(this, content, filename, ...rest);
  };
  const loadTypeScript = (module: CompilableModule, filename: string): void => {
    module._compile(readFileSync(filename, 'utf8'), filename);
  };
  Module._extensions['.ts'] = loadTypeScript;
  Module._extensions['.cts'] = loadTypeScript;
}

/** Node names a module by its real path: a handler reached through a symlink is known by that. */
function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file; // missing: loading it reports that
  }
}

async function loadHandlerModule(init: ChildInitMessage): Promise<unknown> {
  if (init.format === 'commonjs') {
    installCommonJsHooks(realPath(init.file), init.capture, init.initProfile ? null : init.prepared, init.handlerInFile, init.initProfile);
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
  installCommonJsHooks('', init.capture, null, init.handlerInFile, false);
  const handlerUrl = pathToFileURL(realPath(init.file)).href;
  register(pathToFileURL(join(init.childDir, 'esm-hooks.mjs')).href, { data: { handlerUrl, frames: init.capture, handlerInFile: init.handlerInFile, initProfile: init.initProfile } });
  // Compiled by the loader's vm.Script (code-cache-loader.ts), this bundle has no import() of
  // its own: the loader lends one.
  const importModule = (globalThis as Record<symbol, unknown>)[Symbol.for(RUNTIME_IMPORT_KEY)] as ((specifier: string) => Promise<unknown>) | undefined;
  return importModule ? importModule(handlerUrl) : import(handlerUrl);
}

function resolveHandler(moduleExports: unknown, init: ChildInitMessage, exportPath: string[]): Handler | LambdaError {
  let value: unknown = moduleExports;
  for (const part of exportPath) {
    if (value === null || value === undefined) break;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return handlerNotFound(init.handlerString, 'missing');
  if (typeof value !== 'function') return handlerNotFound(init.handlerString, 'not-function');
  return value as Handler;
}

/** Loads the handler; true when it is ready to be invoked. */
async function onInit(init: ChildInitMessage): Promise<boolean> {
  config = init;
  process.argv = [process.execPath, join(init.childDir, 'bootstrap.js')];
  // Split before any user code runs: the module may replace String.prototype's split.
  const exportPath = init.handlerExport.split('.');
  let loaded: unknown;
  const profile = init.initProfile ? installInitProfile() : null;
  try {
    loaded = await loadHandlerModule(init);
  } catch (error) {
    await failInit(toInitError(error, init.handlerString));
    return false;
  }
  const resolved = resolveHandler(loaded, init, exportPath);
  if (!(typeof resolved === 'function')) {
    await failInit(resolved);
    return false;
  }
  handler = resolved;
  const initProfile = profile?.finish() ?? undefined;
  const initDurationMs = nowMs();
  if (init.capture) setFrameBudgets(init.budgets);
  await writeMarkers(INIT_MARKER_ID);
  send({ type: 'ready', initDurationMs, nodeVersion: process.version, maxRssBytes: maxRssBytes(), ...(initProfile ? { initProfile } : {}) });
  return true;
}

async function failInit(thrown: LambdaError): Promise<void> {
  const error = forHost(thrown);
  lambdaConsole.line('ERROR', `Init Error \t${JSON.stringify(error)}`);
  const initDurationMs = nowMs();
  await writeMarkers(INIT_MARKER_ID);
  send({ type: 'init-error', initDurationMs, nodeVersion: process.version, error, maxRssBytes: maxRssBytes() });
  process.exit(1);
}

// ---- one invocation ----
interface Outcome {
  response?: unknown;
  error?: LambdaError;
}

function makeContext(message: ChildInvokeMessage, deadlineMs: number, settle: (outcome: Outcome) => void): Record<string, unknown> {
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
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    // Legacy completion methods the runtime still provides.
    done: (error?: unknown, result?: unknown) => settle(error != null ? { error: toLambdaError(error) } : { response: result }),
    succeed: (result?: unknown) => settle({ response: result }),
    fail: (error?: unknown) => settle({ error: toLambdaError(error ?? 'handled') }),
  };
}

/** Runs the handler the way the runtime does: a returned promise or the callback settles it. */
function runHandler(fn: Handler, message: ChildInvokeMessage, deadlineMs: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let finished = false;
    let callbackOutcome: Outcome | null = null;
    const finish = (outcome: Outcome): void => {
      if (finished) return;
      finished = true;
      onEmptyEventLoop = null;
      resolve(outcome);
    };
    const context = makeContext(message, deadlineMs, (outcome) => finish(outcome));
    const callback = (error?: unknown, result?: unknown): void => {
      if (finished || callbackOutcome) return;
      callbackOutcome = error != null ? { error: toLambdaError(error) } : { response: result };
      // Default true: the response waits until the event loop is empty, as on Lambda.
      if (context.callbackWaitsForEmptyEventLoop) onEmptyEventLoop = () => finish(callbackOutcome as Outcome);
      else finish(callbackOutcome);
    };
    // Nothing pending and nothing settled: Lambda answers null.
    onEmptyEventLoop = () => finish(callbackOutcome ?? { response: null });
    // Called from a fresh microtask, as the runtime calls it: no code of anyone else's runs
    // between startFrameCapture and the call (the first function entered is the handler).
    enqueueMicrotask(() => {
      let returned: unknown;
      try {
        if (config?.capture) startFrameCapture(message.event, context);
        returned = fn(message.event, context, callback);
      } catch (error) {
        finish({ error: toLambdaError(error) });
        return;
      }
      // As `await returned` would: a `then` that cannot be read or throws rejects the invocation
      // (a revoked Proxy returned), it never becomes an uncaught exception of the runtime.
      const fail = (error: unknown): void => finish({ error: toLambdaError(error) });
      try {
        const then = returned !== null && typeof returned === 'object' ? (returned as { then?: unknown }).then : undefined;
        if (typeof then === 'function') then.call(returned, (value: unknown) => finish({ response: value }), fail);
      } catch (error) {
        fail(error);
      }
    });
  });
}

/**
 * An error as it leaves the child (log line and message): within TRANSPORT_ERROR_LIMITS, so a
 * 20 MB message neither floods the log nor overflows the host's message limit. The host cuts it
 * again to the record's limits and says so.
 */
function forHost(error: LambdaError): LambdaError {
  return limitLambdaError(error, TRANSPORT_ERROR_LIMITS).error;
}

function toJsonResponse(value: unknown): Outcome {
  if (value === undefined) return { response: null };
  try {
    const text = JSON.stringify(value);
    // Lambda's payload limit: the response never travels, Lambda answers with an error instead.
    if (text !== undefined && isOverPayloadLimit(text)) return { error: responseSizeTooLarge() };
    return { response: text === undefined ? null : (JSON.parse(text) as unknown) };
  } catch (error) {
    return { error: { errorType: 'Runtime.SerializationError', errorMessage: (error as Error).message, trace: [] } };
  }
}

function captureModuleScope(budgets: CaptureBudgets): { variables: CapturedVariable[] | null; error: string | null } {
  if (!captureValues) return { variables: null, error: 'the bounded serializer is not installed in the child' };
  const read = probe;
  if (!read) return { variables: null, error: 'module scope unavailable: the handler module did not run to its end (top-level return?) or redeclares eval, globalThis or Symbol' };
  return { variables: readModuleScope(read, probeBindings, captureValues, budgets), error: null };
}

async function onInvoke(message: ChildInvokeMessage): Promise<void> {
  const init = config as ChildInitMessage;
  const fn = handler as Handler;
  // Lambda's clock starts with the invocation (for the first one: after init, not at its send).
  const deadlineMs = Date.now() + message.timeoutMs;
  currentRequestId = message.requestId;
  lambdaConsole.setRequestId(message.requestId);
  // While the handler runs nothing of ours may keep the loop alive, so that an empty event
  // loop is noticed (callbackWaitsForEmptyEventLoop); it is held again right after.
  keepAlive.unref();
  const stopWatching = watchHost();
  pendingWork?.start();
  const started = nowMs();
  let outcome = await runHandler(fn, message, deadlineMs);
  let durationMs = nowMs() - started;
  const pending = pendingWork?.settle() ?? null;
  stopWatching();
  keepAlive.ref();
  // Taken before anything else runs here (nothing else may call the handler in between).
  const handlerFailed = outcome.error !== undefined;
  const frame = init.capture ? takeFrameCapture(handlerFailed) : null;
  // The time the conditions spent capturing is ours, not the handler's.
  if (frame) durationMs = Math.max(0, durationMs - frame.spentMs);
  send({ type: 'settled', requestId: message.requestId, durationMs });
  if (!outcome.error) outcome = toJsonResponse(outcome.response);
  if (outcome.error) outcome = { error: forHost(outcome.error) };
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
    if (frame?.capture) {
      handlerScope = frame.capture.handlerScope;
      parameters = frame.capture.parameters;
    } else {
      errors.push(
        frame?.error ??
          (handlerFailed
            ? 'the handler failed before reaching any statement where its scope is captured'
            : 'the handler neither reached a return nor threw, so its scope was not captured'),
      );
    }
  }
  const captureMs = nowMs() - captureStarted;
  const usage = process.memoryUsage();
  // First result of a runtime without a code cache: the loader writes it now (once), before the
  // host can freeze or end us, so the next cold start skips compiling what this one compiled.
  const saveCodeCache = (globalThis as Record<symbol, unknown>)[Symbol.for(SAVE_CODE_CACHE_KEY)] as (() => void) | undefined;
  if (saveCodeCache) {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for(SAVE_CODE_CACHE_KEY)];
    saveCodeCache();
  }
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
    pendingAtFreeze: pending?.pending ?? null,
    pendingRan: pending?.ran ?? null,
    memory: { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external },
    maxRssBytes: maxRssBytes(),
  });
}

/**
 * The pipe is not read while the handler runs, so its end of file cannot tell that the host
 * died: POSIX reparents an orphan, so a changed parent pid does (unref'd: the check itself
 * never keeps the loop alive). Windows keeps the old parent pid; there the host's death is
 * noticed after the invocation, when the pipe is read again.
 */
function watchHost(): () => void {
  const timer = setInterval(() => {
    if (process.ppid !== hostPid) process.exit(0);
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Settles when init is done: true when the handler can be invoked. */
let initialized: Promise<boolean> | null = null;

/** The first invoke arrives while init runs: it waits for init and is dropped if init failed. */
async function invokeAfterInit(message: ChildInvokeMessage): Promise<void> {
  if (!initialized || !(await initialized)) return;
  await onInvoke(message);
  channel.resume();
}

function onHostMessage(message: HostToChild): void {
  if (message.type === 'init') {
    if (message.frozenBetweenInvocations) channel.frozenBetweenInvocations();
    initialized = onInit(message);
  } else if (message.type === 'invoke') {
    // Nothing more comes before our result; no read may be pending while the handler runs.
    channel.pause();
    void invokeAfterInit(message);
  } else if (message.type === 'heap-snapshot') {
    send({ type: 'heap-snapshot-written', ...writeModuleHeapSnapshot(probe, probeBindings, message.file, dirname(message.file), message.anchorKey) });
  }
}

channel.resume();
