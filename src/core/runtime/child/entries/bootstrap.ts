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
 * Order matters: every built-in used once user code has loaded is saved as this bundle loads
 * (intrinsics.ts), and the hooks channel (hooks-channel.ts) is installed on `init`, before the
 * handler module loads. The handler scope is captured by hooks put in the source of the user's
 * own files as they load (frame-instrument.ts, frame-hooks.ts): no inspector, no capture thread.
 * Module scope through the reader the handler module hands over as it ends (module-scope.ts).
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
  WORKER_FLAG,
  outputMarker,
  type ChildInitMessage,
  type ChildInvokeMessage,
  type ChildToHost,
  type HostToChild,
  type PreparedHandler,
} from '../../protocol';
import { createCapture } from '../services/serializer';
import { installLambdaConsole } from '../services/lambda-console';
import { watchOutput } from '../services/child-output';
import { openHostChannel } from '../services/host-channel';
import { openParentChannel } from '../services/parent-channel';
import type { PipeLock } from '../services/shared-pipe';
import { startWorkerPool, type WorkerPool } from '../services/worker-pool';
import { createCrossTalkTracker, wireFindings } from '../services/cross-talk';
import { handlerNotFound, hideRuntimeFrames, toInitError, toLambdaError as describeError } from '../../../lambda/errors';
import { isOverPayloadLimit, limitLambdaError, responseSizeTooLarge, TRANSPORT_ERROR_LIMITS } from '../../../lambda/limits';
import { isDependencyFile, isTypeScriptFile } from '../services/runtime-globals';
import { writeModuleHeapSnapshot } from '../services/heap-snapshot';
import { asRuntimeWork, installPendingWorkTracker } from '../services/pending-work';
import { createInitProfile } from '../services/init-profile-marks';
import { preparedCodeFor } from '../services/prepared-source';
import { createModuleProbe, readModuleScope } from '../services/module-scope';
import { installFrameHooks, newFrameState, setFrameBudgets, startFrameCapture, takeFrameCapture, type FrameState } from '../services/frame-hooks';
import { RUNTIME_IMPORT_KEY, SAVE_CODE_CACHE_KEY } from '../services/code-cache-keys';
import {
  append,
  apply,
  isArray,
  isProxy,
  itemAt,
  ownValue,
  dateNow,
  exitProcess,
  joinText,
  jsonParse,
  jsonStringify,
  mathMax,
  maxRssBytes,
  messageOf,
  nowMs,
  parentPid,
  processMemory,
  setIntervalSaved,
  setTimeoutSaved,
  startsWithText,
} from '../services/intrinsics';
import { encodeJson } from '../services/json-encode';
import { deprecatedCallbackError, invokeHandler, type ClientGeneration, type Handler, type InvocationData, type InvocationHooks, type Outcome } from '../services/handler-invocation';
import { installAwsLambdaGlobal, streamingMark, type AwsLambdaGlobal } from '../services/awslambda-global';
import { runtimeProfile } from '../../../lambda/runtime-profiles';
import { initFailureLabel, requestIdOutsideInvocation } from '../../../lambda/log-lines';
import { findHandler, loadPlannedModule, type LoadedModule, planFileLoad, planModuleLoad, plannedHandlerFile } from '../services/client-loader';
import { isHandlerSettingError, parseHandlerSetting, type HandlerSetting } from '../../../lambda/handler-setting';

// ---- before any user code: what we rely on later ----
/**
 * Managed Instances: this bundle also runs in each worker thread the main thread starts
 * (worker-pool.ts), told by its argv. A worker loads the handler and runs many invocations at
 * once, each in its own async context (its request id, its handler-scope capture).
 */
const workerIndex = workerIndexOf(process.argv);
const concurrent = workerIndex !== null;
interface InvocationContext {
  requestId: string;
  frame: FrameState;
}
/* eslint-disable @typescript-eslint/no-require-imports -- loaded only in this mode: the default mode's cold start never pays for them. */
const workerThreads = concurrent ? (require('node:worker_threads') as typeof import('node:worker_threads')) : null;
const invocationContext = concurrent ? new (require('node:async_hooks') as typeof import('node:async_hooks')).AsyncLocalStorage<InvocationContext>() : null;
/* eslint-enable @typescript-eslint/no-require-imports */
const contextNow = invocationContext ? invocationContext.getStore.bind(invocationContext) : (): InvocationContext | undefined => undefined;
/** Managed Instances: which invocation wrote and read which module binding, between awaits (cross-talk.ts). */
const crossTalk = workerIndex !== null ? createCrossTalkTracker({ worker: workerIndex, currentRequestId: () => contextNow()?.requestId }) : null;
const captureValues = createCapture();
const moduleProbe = createModuleProbe();
/** Times the handler module's top-level statements on a profiled cold start (init-profile-marks.ts). */
const initProfile = createInitProfile();
/** The loader's slots (code-cache-loader.ts), taken now: user code could define its own later. */
const globalSlots = globalThis as Record<symbol, unknown>;
const importModule = globalSlots[Symbol.for(RUNTIME_IMPORT_KEY)] as ((specifier: string) => Promise<unknown>) | undefined;
const saveCodeCache = globalSlots[Symbol.for(SAVE_CODE_CACHE_KEY)] as (() => void) | undefined;
delete globalSlots[Symbol.for(SAVE_CODE_CACHE_KEY)];
/** Lambda sets these for the whole life of the environment. */
const logGroupName = process.env.AWS_LAMBDA_LOG_GROUP_NAME;
const logStreamName = process.env.AWS_LAMBDA_LOG_STREAM_NAME;
const executionEnv = process.env.AWS_EXECUTION_ENV;
const noGlobalAwsLambda = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
const nodeVersion = process.version;
const stdout = watchOutput('stdout', 1, concurrent, asRuntimeWork);
const stderr = watchOutput('stderr', 2, concurrent, asRuntimeWork);
// The host went away (end of file, broken pipe): nothing will ever invoke us again.
const channel =
  workerThreads?.parentPort && workerIndex !== null
    ? openParentChannel(workerThreads.parentPort, (workerThreads.workerData as { pipeLock: PipeLock }).pipeLock, workerIndex, onHostMessage)
    : openHostChannel(CHANNEL_FD, onHostMessage, () => exitProcess(0));
const send = (message: ChildToHost): void => channel.send(message);
const lambdaConsole = installLambdaConsole((text) => stdout.write(text), concurrent ? () => contextNow()?.requestId : undefined);
/**
 * Holds the event loop open whenever the handler is not running, as the IPC channel's ref() did:
 * a pending read cannot do it, since none may be pending once an invoke arrived (host-channel.ts),
 * e.g. during the rest of init. Let go (unref) while the handler runs, so that an empty event
 * loop is noticed (callbackWaitsForEmptyEventLoop).
 */
const keepAlive = setIntervalSaved(() => undefined, 0x7fffffff);
/** Timeout.prototype's ref and unref, saved: user code could replace them. */
const holdLoop = keepAlive.ref;
const releaseLoop = keepAlive.unref;
/** The host, to notice its death while the handler runs (the pipe is not read then). */
const hostPid = parentPid();
// Stack traces users see stop at their own code: frames of this bootstrap (and of the
// instrumenter it loads, which throws a TypeScript file's syntax error) are runtime noise.
hideRuntimeFrames(__filename, join(dirname(__filename), 'instrument.js'));
/** What the handler leaves running (capture on only: it costs a stack per timer, promise or socket). */
const runtimeFolder = dirname(__filename);
// Managed Instances never freeze: there is no "pending at the freeze" to tell.
const pendingWork = concurrent || process.argv.includes(NO_CAPTURE_FLAG) ? null : installPendingWorkTracker((file) => startsWithText(file, runtimeFolder));
/** path.dirname, saved: the host's heap-snapshot request is served after user code loaded. */
const folderOf = dirname;

let config: ChildInitMessage | null = null;
/** Managed Instances, main thread: the workers that run the handler. */
let workerPool: WorkerPool | null = null;
let handler: Handler | null = null;
/** How the profile's client calls the handler (set at init): its generation, and whether the handler streams. */
let invocationMode: { client: ClientGeneration; streaming: boolean } = { client: 3, streaming: false };
let awsLambdaGlobal: AwsLambdaGlobal | null = null;
/** Why the hooks channel could not be installed (then nothing is instrumented), else null. */
let channelFailure: string | null = null;
let codeCacheSaved = false;
let currentRequestId: string | undefined;
/** Called when the event loop empties during an invocation (Lambda's `beforeExit` rule). */
let onEmptyEventLoop: (() => void) | null = null;

/**
 * Lambda's `{errorType, errorMessage, trace}` for what the handler threw, as plain strings only:
 * describing it reads the thrown value the way Lambda's runtime does (its `name`, `message`,
 * `stack`, through String.prototype.split...), so what comes back is copied field by field,
 * and nothing of the program's (a getter, an object with a `toJSON`) reaches a record.
 */
function toLambdaError(thrown: unknown): LambdaError {
  return plainError(describeError(thrown));
}

function plainError(error: LambdaError): LambdaError {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const traceIn = ownValue(error, 'trace');
  const trace: string[] = [];
  if (isArray(traceIn) && !isProxy(traceIn)) {
    for (let i = 0; i < traceIn.length; i++) {
      const line = itemAt(traceIn, i);
      if (typeof line === 'string') append(trace, line);
    }
  }
  return { errorType: text(ownValue(error, 'errorType')), errorMessage: text(ownValue(error, 'errorMessage')), trace };
}

/**
 * Closes a phase's output with end markers on stdout and stderr, after everything it wrote,
 * user streams included (child-output.ts). With `quiet` (an invocation's end, one environment per
 * process), only on the outputs that may have carried something since their last marker: the
 * others go into `quiet`, and the host ends their phase itself when the result names them
 * (`quietStreams`), which spares a write here and a wake of the host for each. The promise
 * resolves with nothing: resolving with an object would look up its `then`, user code's to define.
 */
async function writeMarkers(id: string, quiet: Array<'stdout' | 'stderr'> | null = null): Promise<void> {
  const marker = outputMarker(id);
  const out = quiet && !stdout.mayHaveWritten() ? (append(quiet, 'stdout'), null) : stdout.writeAndFlush(marker);
  const err = quiet && !stderr.mayHaveWritten() ? (append(quiet, 'stderr'), null) : stderr.writeAndFlush(marker);
  await out;
  await err;
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
  lambdaConsole.line('ERROR', `${reason === 'unhandled-rejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception'} \t${encodeJson(error)}`);
  const exit = (): void => exitProcess(129);
  void (async () => {
    await writeMarkers(currentRequestId ?? INIT_MARKER_ID);
    send({ type: 'fatal', reason, error });
    exit();
  })();
  apply(releaseLoop, setTimeoutSaved(exit, 1000), []);
}
const onUncaughtException = (error: unknown): void => fatal('uncaught-exception', error);
const onUnhandledRejection = (reason: unknown): void => fatal('unhandled-rejection', reason);
process.on('uncaughtException', onUncaughtException);
process.on('unhandledRejection', onUnhandledRejection);
/**
 * The 4.x client listens for neither: an uncaught exception or unhandled rejection ends the
 * process with exit status 1, and Lambda reports Runtime.ExitError (the host does, from the
 * exit). Called at init, before the handler module loads.
 */
function leaveFatalErrorsToNode(): void {
  process.off('uncaughtException', onUncaughtException);
  process.off('unhandledRejection', onUnhandledRejection);
}
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
 * needs it in the child. The build makes it a bundle of its own (dist/child/instrument.js):
 * acorn was more than half of runtime.js, which every cold start reads and decodes (about
 * 5 ms on a busy two-core machine) only to leave acorn unused.
 */
function instrumenter(): typeof import('../../instrument/instrument') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../instrument/instrument') as typeof import('../../instrument/instrument');
}

/** `[first, second, ...rest]` without spread: it runs the array iterator, which user code may have replaced by now. */
function argumentList(first: unknown, second: unknown, rest: readonly unknown[]): unknown[] {
  const list: unknown[] = [first, second];
  for (let i = 0; i < rest.length; i++) append(list, rest[i]);
  return list;
}

/**
 * `hooks`: the hooks channel's name, or null when it could not be installed: then nothing is
 * instrumented (code calling a channel that does not exist would fail), TypeScript only stripped.
 */
function installCommonJsHooks(handlerFile: string, hooks: string | null, frames: boolean, prepared: PreparedHandler | null, handlerInFile: boolean, initProfile: boolean): void {
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
    const resolveAs = (name: string): string => apply(originalResolve, this, argumentList(name, parent, rest)) as string;
    try {
      return resolveAs(request);
    } catch (error) {
      const match = /^(\.{1,2}\/.*)\.(c?)js$/.exec(request);
      if (!match || !parent?.filename || !isTypeScriptFile(parent.filename)) throw error;
      return resolveAs(`${match[1]}.${match[2] ?? ''}ts`);
    }
  };
  const originalCompile = Module.prototype._compile;
  // Node passes more than the source and the name (Node 20.19+: the module's format, from the
  // extension and package type); dropping it made Node guess by syntax, so ESM syntax in a
  // .cjs file ran instead of failing as it does on Lambda. Everything is passed on.
  Module.prototype._compile = function compile(this: CompilableModule, content: string, filename: string, ...rest: unknown[]) {
    // With the handler written in its file, only that file gets hooks; otherwise every user file does.
    const framed = hooks !== null && frames && (filename === handlerFile || (!handlerInFile && isUserFile(filename)));
    const probe = hooks !== null && filename === handlerFile;
    const ready = probe ? preparedCodeFor(content, prepared) : null;
    if (ready !== null) {
      content = ready;
    } else if (probe || isTypeScriptFile(filename) || framed) {
      const frameKeyPrefix = framed ? `c${++instrumentedFiles}_` : null;
      content = instrumenter().instrumentModule(content, filename, 'commonjs', { hooks: hooks ?? '', probe, frameKeyPrefix, initProfile: probe && initProfile, crossTalk: probe && crossTalk !== null && frames }).code;
    }
    return apply(originalCompile, this, argumentList(content, filename, rest));
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

/** Installs the hooks channel; its name, or null (and the reason kept) when that failed. */
function openHooksChannel(init: ChildInitMessage): string | null {
  try {
    const frameOfInvocation = concurrent ? () => contextNow()?.frame : undefined;
    installFrameHooks(init.hooksName, captureValues, { module: moduleProbe.register, profileMark: initProfile.mark, profileEnd: initProfile.end, ...(crossTalk?.hooks ?? {}) }, frameOfInvocation);
    return init.hooksName;
  } catch (error) {
    channelFailure = `capture unavailable: ${messageOf(error)}`;
    return null;
  }
}

/**
 * What the handler module exported, boxed: resolving a promise with an object looks its `then`
 * up, on Object.prototype for plain exports (a getter the module put there would run).
 */
/**
 * Loads the handler module the way the profile's runtime interface client does
 * (client-loader.ts says which file and how), with the capture hooks in place for whichever
 * way it loads: require hooks for CommonJS (also reached when import() loads a CommonJS file),
 * the ESM hooks (registered before the first import()) for ES modules.
 */
async function loadHandlerModule(init: ChildInitMessage, client: ClientGeneration, setting: HandlerSetting | null): Promise<LoadedModule> {
  const hooks = openHooksChannel(init);
  // The clients' own require: its require stack names /var/runtime/index.mjs, here the same file in our runtime folder.
  const runtimeRequire = createRequire(join(init.childDir, 'index.mjs'));
  const warn = (text: string, error: unknown): void => console.warn(text, error);
  const plan = setting ? planModuleLoad(client, process.cwd(), setting, warn) : planFileLoad(client, init.file, warn);
  // Nothing found by name: the last resort resolves now (its failure is the init error).
  const handlerFile = realPath(plannedHandlerFile(plan, runtimeRequire) ?? init.file);
  installCommonJsHooks(handlerFile, hooks, init.capture, init.prepared, init.handlerInFile, init.initProfile);
  // Loaded before any user code runs, and before the ESM hooks are registered (they would take
  // it for a user file); only when the plan imports at all.
  const clientImport = plan.steps.some((step) => step.via === 'import') ? await loadClientImport(init) : null;
  // Awaited here, not returned: an async function that returns a promise calls its then(), which
  // the handler module may have replaced by now.
  const loaded = await loadPlannedModule(plan, {
    require: runtimeRequire,
    import: (file) => {
      if (!esmHooksRegistered) registerEsmHooks(init, hooks, pathToFileURL(handlerFile).href);
      esmHooksRegistered = true;
      return (clientImport as (url: string) => Promise<unknown>)(pathToFileURL(file).href);
    },
  });
  return loaded;
}

let esmHooksRegistered = false;

/** The import() of dist/child/index.mjs (client-import.ts), else the loader's own. */
async function loadClientImport(init: ChildInitMessage): Promise<(url: string) => Promise<unknown>> {
  // Compiled by the loader's vm.Script (code-cache-loader.ts), this bundle has no import() of
  // its own: the loader lends one.
  const loaderImport = (url: string): Promise<unknown> => (importModule ? importModule(url) : import(url));
  try {
    const loaded = (await loaderImport(pathToFileURL(join(init.childDir, 'index.mjs')).href)) as { importModule?: unknown };
    if (typeof loaded.importModule === 'function') return loaded.importModule as (url: string) => Promise<unknown>;
  } catch {
    // An incomplete build: the loader's import() still loads the handler.
  }
  return loaderImport;
}

function registerEsmHooks(init: ChildInitMessage, hooks: string | null, handlerUrl: string): void {
  const register = (nodeModule as { register?: (specifier: string, options?: object) => void }).register;
  if (typeof register !== 'function') {
    throw Object.assign(new Error(`ES module handlers need Node.js 20.6 or later (module.register); this is ${process.version}`), {
      code: 'MODULE_NOT_FOUND',
    });
  }
  register(pathToFileURL(join(init.childDir, 'esm-hooks.mjs')).href, { data: { handlerUrl, hooks, frames: init.capture, handlerInFile: init.handlerInFile, initProfile: init.initProfile, crossTalk: crossTalk !== null && init.capture } });
}

function resolveHandler(moduleExports: unknown, init: ChildInitMessage, client: ClientGeneration, exportPath: string[]): Handler | LambdaError {
  const value = findHandler(client, moduleExports, exportPath);
  // Both clients: any falsy value is "not exported".
  if (!value) return handlerNotFound(init.handlerString, 'missing');
  if (typeof value !== 'function') return handlerNotFound(init.handlerString, 'not-function');
  return value as Handler;
}

/**
 * What the profile's client sets up before the handler module loads: the `awslambda` global,
 * and under 4.x no listeners for uncaught errors.
 */
function prepareProfileGlobals(client: ClientGeneration): void {
  awsLambdaGlobal = installAwsLambdaGlobal(client, noGlobalAwsLambda, concurrent);
  if (client === 4) leaveFatalErrorsToNode();
}

/**
 * Reads how the client will call the handler (streaming or not), as both clients do at init;
 * the init error when the profile refuses the handler (a bad streaming mark, a 4.x callback handler).
 */
function setInvocationMode(fn: Handler, client: ClientGeneration): LambdaError | null {
  let streaming: boolean | LambdaError;
  try {
    streaming = streamingMark(fn);
    if (typeof streaming === 'boolean') {
      invocationMode = { client, streaming };
      return deprecatedCallbackError(fn, streaming, client, executionEnv);
    }
  } catch (error) {
    return toLambdaError(error);
  }
  return streaming;
}

/** Loads the handler; true when it is ready to be invoked. */
async function onInit(init: ChildInitMessage): Promise<boolean> {
  config = init;
  process.argv = [process.execPath, join(init.childDir, 'bootstrap.js')];
  // Managed Instances run the 4.x client on every runtime that has them (nodejs22.x too).
  const client = init.managed ? 4 : runtimeProfile(init.runtime).client;
  // Known before anything can log or fail: the init lines are written as this client writes them.
  invocationMode = { client, streaming: false };
  lambdaConsole.setRequestId(requestIdOutsideInvocation(client));
  // The Handler setting read as the client reads it; a malformed one fails init before anything loads.
  const setting = init.loadBy === 'setting' ? parseHandlerSetting(init.handlerString) : null;
  if (setting && isHandlerSettingError(setting)) {
    await failInit(setting);
    return false;
  }
  // Split before any user code runs: the module may replace String.prototype's split.
  const exportPath = (setting ? setting.exportPath : init.handlerExport).split('.');
  let loaded: LoadedModule;
  prepareProfileGlobals(client);
  if (init.initProfile) initProfile.start();
  try {
    loaded = await loadHandlerModule(init, client, setting);
  } catch (error) {
    await failInit(plainError(toInitError(error, init.handlerString)));
    return false;
  }
  const resolved = resolveHandler(loaded.exports, init, client, exportPath);
  if (!(typeof resolved === 'function')) {
    await failInit(resolved);
    return false;
  }
  const refused = setInvocationMode(resolved, client);
  if (refused) {
    await failInit(refused);
    return false;
  }
  handler = resolved;
  const profiled = init.initProfile ? (initProfile.finish() ?? undefined) : undefined;
  const initDurationMs = nowMs();
  if (init.capture) setFrameBudgets(init.budgets);
  await writeMarkers(INIT_MARKER_ID);
  send({ type: 'ready', initDurationMs, nodeVersion, maxRssBytes: maxRssBytes(), ...(profiled ? { initProfile: profiled } : {}) });
  return true;
}

async function failInit(thrown: LambdaError): Promise<void> {
  const error = forHost(thrown);
  lambdaConsole.line('ERROR', `${initFailureLabel(invocationMode.client)} \t${encodeJson(error)}`);
  const initDurationMs = nowMs();
  await writeMarkers(INIT_MARKER_ID);
  send({ type: 'init-error', initDurationMs, nodeVersion, error, maxRssBytes: maxRssBytes() });
  // A worker's message reaches the main thread only if the worker lives on: the main thread ends the process.
  if (!concurrent) exitProcess(1);
}

// ---- one invocation ----
const invocationHooks: InvocationHooks = {
  describe: toLambdaError,
  onEmptyEventLoop: (hook) => {
    onEmptyEventLoop = hook;
  },
  beforeCall: (event, context) => {
    if (config?.capture) startFrameCapture(event, context, contextNow()?.frame);
  },
  warn: (text) => lambdaConsole.line('WARN', text),
};

function invocationData(message: ChildInvokeMessage, deadlineMs: number): InvocationData {
  const init = config as ChildInitMessage;
  return {
    event: message.event,
    requestId: message.requestId,
    invokedFunctionArn: message.invokedFunctionArn,
    clientContext: message.clientContext,
    deadlineMs,
    functionName: init.functionName,
    memoryMB: init.memoryMB,
    logGroupName,
    logStreamName,
  };
}

/**
 * An error as it leaves the child (log line and message): within TRANSPORT_ERROR_LIMITS, so a
 * 20 MB message neither floods the log nor overflows the host's message limit. The host cuts it
 * again to the record's limits and says so.
 */
function forHost(error: LambdaError): LambdaError {
  return limitLambdaError(error, TRANSPORT_ERROR_LIMITS).error;
}

/**
 * The response as Lambda's runtime makes it: JSON text from the global JSON.stringify, the one
 * call of a user-replaceable built-in the runtime makes on purpose (a handler may rely on its
 * toJSON). The text travels as it is: it is Invoke's payload, and only the host's record parses
 * it. A value JSON leaves out (undefined, a function) is `null`, as Lambda answers.
 *
 * A JSON.stringify the program replaced may give any text (pretty-printed, not JSON at all): then
 * the text is parsed with the saved JSON.parse (not JSON: Runtime.SerializationError) and written
 * again by encodeJson, so that the payload is the compact text the record's parsed value gives,
 * on every path (early answer, log tail, Managed Instances).
 */
function toJsonResponse(value: unknown): string | LambdaError {
  try {
    if (value === undefined) return 'null';
    const json = JSON;
    const stringify = json.stringify;
    const made: unknown = apply(stringify, json, [value]);
    if (typeof made !== 'string') return 'null';
    const text = stringify === jsonStringify ? made : encodeJson(jsonParse(made));
    // Lambda's payload limit: the response never travels, Lambda answers with an error instead.
    return isOverPayloadLimit(text) ? responseSizeTooLarge() : text;
  } catch (error) {
    return { errorType: 'Runtime.SerializationError', errorMessage: messageOf(error), trace: [] };
  }
}

function captureModuleScope(budgets: CaptureBudgets): { variables: CapturedVariable[] | null; error: string | null } {
  if (channelFailure) return { variables: null, error: channelFailure };
  const registered = moduleProbe.registered();
  if (!registered) return { variables: null, error: 'module scope unavailable: the handler module did not run to its end (top-level return?)' };
  return { variables: readModuleScope(registered.reader, registered.bindings, captureValues, budgets), error: null };
}

async function onInvoke(message: ChildInvokeMessage): Promise<void> {
  const init = config as ChildInitMessage;
  const fn = handler as Handler;
  // Lambda's clock starts with the invocation (for the first one: after init, not at its send).
  const deadlineMs = dateNow() + message.timeoutMs;
  // Managed Instances: other invocations run meanwhile; this one's state lives in its async context.
  const context: InvocationContext | null = concurrent ? { requestId: message.requestId, frame: newFrameState() } : null;
  if (!concurrent) {
    currentRequestId = message.requestId;
    lambdaConsole.setRequestId(message.requestId);
    // While the handler runs nothing of ours may keep the loop alive, so that an empty event
    // loop is noticed (callbackWaitsForEmptyEventLoop); it is held again right after. (Managed
    // Instances: the loop stays held, as the 4.x client's pending request for the next
    // invocation holds it there, and the main thread notices the host's end.)
    apply(releaseLoop, keepAlive, []);
  }
  pendingWork?.start();
  const started = nowMs();
  const data = invocationData(message, deadlineMs);
  const call = (): Promise<Outcome> => invokeHandler(fn, data, invocationHooks, invocationMode);
  const inContext = (): Promise<Outcome> => (awsLambdaGlobal ? awsLambdaGlobal.runInvocation(message.requestId, call) : call());
  const outcome = await (invocationContext && context ? invocationContext.run(context, inContext) : inContext());
  let durationMs = nowMs() - started;
  const pending = pendingWork?.settle() ?? null;
  if (!concurrent) apply(holdLoop, keepAlive, []);
  // Taken before anything else runs here (nothing else may call the handler in between).
  const handlerFailed = outcome.error !== undefined;
  const frame = init.capture ? takeFrameCapture(handlerFailed, context?.frame) : null;
  // The time the conditions spent capturing is ours, not the handler's.
  if (frame) durationMs = mathMax(0, durationMs - frame.spentMs);
  // Capture comes next, and it is ours: the host stops the Lambda clock here. Without capture
  // the result follows at once and stops it itself (one message and one wake of the host less).
  if (init.capture) send({ type: 'settled', requestId: message.requestId, durationMs });
  let error = outcome.error;
  let responseJson: string | null = null;
  if (!error) {
    const made = toJsonResponse(outcome.response);
    if (typeof made === 'string') responseJson = made;
    else error = made;
  }
  if (error) error = forHost(error);
  if (error) lambdaConsole.line('ERROR', `Invoke Error \t${encodeJson(error)}`);

  let moduleScope: CapturedVariable[] | null = null;
  let handlerScope: CapturedVariable[] | null = null;
  let parameters: CapturedVariable[] | null = null;
  const errors: string[] = [];
  const captureStarted = nowMs();
  if (init.capture && channelFailure) {
    append(errors, channelFailure);
  } else if (init.capture) {
    try {
      const module = captureModuleScope(init.budgets);
      moduleScope = module.variables;
      if (module.error) append(errors, module.error);
    } catch (error) {
      append(errors, `module scope capture failed: ${messageOf(error)}`);
    }
    if (frame?.capture) {
      handlerScope = frame.capture.handlerScope;
      parameters = frame.capture.parameters;
    } else {
      append(
        errors,
        frame?.error ??
          (handlerFailed
            ? 'the handler failed before reaching any statement where its scope is captured'
            : 'the handler neither reached a return nor threw, so its scope was not captured'),
      );
    }
  }
  const captureMs = nowMs() - captureStarted;
  const usage = init.capture ? (concurrent ? sharedMemoryReading() : processMemory()) : null;
  // First result of a runtime without a code cache: the loader writes it now (once), before the
  // host can freeze or end us, so the next cold start skips compiling what this one compiled.
  if (saveCodeCache && !codeCacheSaved) {
    codeCacheSaved = true;
    saveCodeCache();
  }
  // Taken before end(), which drops them with the rest of this invocation's record.
  const findings = crossTalk?.takeFindings(message.requestId) ?? [];
  crossTalk?.end(message.requestId);
  // Managed Instances sort output by request id and wait for both markers of each (concurrent-output.ts).
  const quietStreams: Array<'stdout' | 'stderr'> = [];
  await writeMarkers(message.requestId, concurrent ? null : quietStreams);
  // The console keeps this invocation's id for what runs before the next (both clients do).
  if (!concurrent) currentRequestId = undefined;
  send({
    type: 'result',
    requestId: message.requestId,
    durationMs,
    responseJson,
    error: error ?? null,
    moduleScope,
    handlerScope,
    parameters,
    captureError: errors.length ? joinText(errors, '; ') : null,
    captureMs,
    pendingAtFreeze: pending?.pending ?? null,
    pendingRan: pending?.ran ?? null,
    memory: usage && { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external },
    maxRssBytes: maxRssBytes(),
    ...(findings.length > 0 ? { findings: wireFindings(findings) } : {}),
    ...(quietStreams.length > 0 ? { quietStreams } : {}),
  });
}

/**
 * The pipe is not read while the handler runs, so its end of file cannot tell that the host
 * died: POSIX reparents an orphan, so a changed parent pid does. One timer for the process's
 * life, unref'd (the check itself never keeps the loop alive), rather than one per invocation:
 * in a frozen environment it can only fire during init and invocations (between them the
 * thread waits in a read); unfrozen, it also fires while idle, where the pipe's end of file
 * would tell as well. Windows keeps the old parent pid, so there is no timer: the host's death
 * is noticed after the invocation, when the pipe is read again.
 */
function watchHost(): void {
  const timer = setIntervalSaved(() => {
    if (parentPid() !== hostPid) exitProcess(0);
  }, 1000);
  apply(releaseLoop, timer, []);
}
if (!concurrent && process.platform !== 'win32') watchHost();

/**
 * Managed Instances: invocations of a worker share its heap and the process, and under load many
 * end within the same millisecond; they share one reading taken within the last millisecond
 * instead of paying its system calls each (process.memoryUsage() reads /proc on Linux).
 */
const SHARED_READING_MS = 1;
let lastReading: { at: number; usage: ReturnType<typeof processMemory> } | null = null;
function sharedMemoryReading(): ReturnType<typeof processMemory> {
  const now = nowMs();
  if (!lastReading || now - lastReading.at > SHARED_READING_MS) lastReading = { at: now, usage: processMemory() };
  return lastReading.usage;
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
  if (message.type === 'init' && message.managed && !concurrent) {
    // Managed Instances, main thread: the workers load and run the handler; nothing of the user's runs here.
    workerPool = startWorkerPool({ ...message, managed: message.managed }, send, (text) => lambdaConsole.line('ERROR', text), exitProcess);
  } else if (message.type === 'init') {
    if (message.frozenBetweenInvocations) channel.frozenBetweenInvocations();
    initialized = onInit(message);
  } else if (message.type === 'invoke' && workerPool) {
    workerPool.dispatch(message);
  } else if (message.type === 'invoke' && concurrent) {
    void invokeAfterInit(message);
  } else if (message.type === 'invoke') {
    // Nothing more comes before our result; no read may be pending while the handler runs.
    channel.pause();
    void invokeAfterInit(message);
  } else if (message.type === 'heap-snapshot') {
    const registered = moduleProbe.registered();
    send({ type: 'heap-snapshot-written', ...writeModuleHeapSnapshot(registered?.reader ?? null, registered?.bindings ?? [], message.file, folderOf(message.file), message.anchorKey) });
  }
}

channel.resume();

function workerIndexOf(argv: readonly string[]): number | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith(WORKER_FLAG)) return Number(arg.slice(WORKER_FLAG.length));
  }
  return null;
}
