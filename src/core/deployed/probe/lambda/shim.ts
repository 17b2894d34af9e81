/**
 * The Warm State probe inside Lambda (bundled to `probe-shim.mjs`, shipped in the probe layer
 * as /opt/warm-state/shim.mjs). The layer's wrapper script (AWS_LAMBDA_EXEC_WRAPPER) points
 * `_HANDLER` here and keeps the function's own handler string in WARM_STATE_HANDLER; Lambda's
 * runtime then loads this module as the handler. It loads the user's handler by Lambda's
 * rules through the same capture machinery as the local engine (saved built-ins and a hooks
 * channel of its own, installed before user code; the module-scope reader appended at compile
 * time; a capture worker with an inspector session breaking at the handler's exits, which reaches
 * the serializer and the handler through that channel) and, after each invocation, writes one
 * log line: the snapshot, masked, compressed, sized for the 4 KB log tail.
 *
 * It must never break the function: if the capture machinery fails, the handler still runs
 * and the line carries the reason in `captureError`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { realpathSync, writeSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { CapturedVariable } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../../runtime/environment-api';
import { instrumentModule } from '../../../runtime/instrument/instrument';
import { hooksNameFrom, isTypeScriptFile } from '../../../runtime/child/services/runtime-globals';
import { installHooksChannel } from '../../../runtime/child/services/hooks-channel';
import { createModuleProbe, readModuleScope } from '../../../runtime/child/services/module-scope';
import { findHandler, loadPlannedModule, planModuleLoad, plannedHandlerFile } from '../../../runtime/child/services/client-loader';
import { createCapture } from '../../../runtime/child/services/serializer';
import { installPendingWorkTracker, type PendingWorkTracker } from '../../../runtime/child/services/pending-work';
import type { MainToWorker, StopReport, WorkerData, WorkerToMain } from './worker-protocol';
import { handlerNotFound } from '../../../lambda/errors';
import { isHandlerSettingError, parseHandlerSetting } from '../../../lambda/handler-setting';
import { deployedClientGeneration } from '../../../lambda/runtime-profiles';
import { maskCapturedVariables, SecretForms, secretValuesOf } from '../../../lambda/mask';
import { encodeProbeLine, limitPending } from '../probe-line';

type Handler = (event: unknown, context: { awsRequestId?: string }, callback: (error?: unknown, result?: unknown) => void) => unknown;

/** Smaller than the local defaults: the snapshot must fit a log line. */
const PROBE_BUDGETS: CaptureBudgets = { depth: 3, items: 20, stringLength: 120, nodes: 400 };

// ---- before any user code ----
const captureValues = createCapture();
const moduleProbe = createModuleProbe();
const hooksName = hooksNameFrom(randomBytes(16));
/**
 * The probe's hooks channel: the module reader's `module`, and for the capture worker (which
 * evaluates `<name>.capture` and `<name>.handler` in this realm) the serializer and, while it
 * arms, the user's handler.
 */
const probeHooks: { module: unknown; capture: unknown; handler: Handler | null } = { module: moduleProbe.register, capture: captureValues, handler: null };
const problems: string[] = [];
try {
  installHooksChannel(hooksName, probeHooks);
} catch (error) {
  problems.push(`capture unavailable: ${(error as Error).message}`);
}
const channelReady = problems.length === 0;
const here = dirname(fileURLToPath(import.meta.url));
/**
 * The runtime's own frames (Lambda's runtime client in LAMBDA_RUNTIME_DIR, this probe: the
 * tracker runs in this bundle) are not the user's work. An ES module's frames name their file by URL.
 */
const runtimeDir = `${(process.env.LAMBDA_RUNTIME_DIR || '/var/runtime').replace(/\/+$/, '')}/`;
const RUNTIME_FRAME_PREFIXES = [here, pathToFileURL(here).href, runtimeDir, pathToFileURL(runtimeDir).href];
/** Work still alive when the handler settles, as the local engine lists it (pending-work.ts), installed before user code. */
let pendingWork: PendingWorkTracker | null = null;
try {
  pendingWork = installPendingWorkTracker((file) => RUNTIME_FRAME_PREFIXES.some((prefix) => file.startsWith(prefix)));
} catch (error) {
  problems.push(`pending work unavailable: ${(error as Error).message}`);
}
const environmentId = randomUUID();
let invocationCount = 0;

class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function installCommonJsHook(handlerFile: string): void {
  type CompilableModule = { _compile(content: string, filename: string, ...rest: unknown[]): unknown };
  const Module = nodeModule.Module as unknown as { prototype: CompilableModule };
  const originalCompile = Module.prototype._compile;
  // Every argument forwarded: Node 20.19+/22.12+ pass the module's format third, and without it
  // fall back to syntax detection (ESM syntax in a .cjs would run instead of failing).
  Module.prototype._compile = function compile(this: CompilableModule, content: string, filename: string, ...rest: unknown[]) {
    if (filename === handlerFile && channelReady) {
      try {
        content = instrumentModule(content, filename, 'commonjs', { hooks: hooksName, probe: true }).code;
      } catch (error) {
        problems.push(`module scope unavailable: ${(error as Error).message}`);
      }
    }
    return originalCompile.call(this, content, filename, ...rest);
  };
}

function registerEsmHooks(handlerFile: string): void {
  const register = (nodeModule as { register?: (specifier: string, options?: object) => void }).register;
  if (typeof register === 'function') register(pathToFileURL(join(here, 'esm-hooks.mjs')).href, { data: { handlerUrl: pathToFileURL(handlerFile).href, hooks: channelReady ? hooksName : null } });
  else problems.push(`module scope unavailable: ES module handlers need Node.js 20.6 or later (${process.version})`);
}

function realPathOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * Loads the user's handler as the runtime client of the function's generation would have
 * (the local engine's client-loader.ts: its files in the client's order, require or import()
 * each, the last-resort require.resolve, the export path walk), with the capture hooks in place.
 * A loading error is thrown as is: the client that loaded this module maps it as it would have
 * mapped the user's (ImportModuleError, UserCodeSyntaxError).
 */
async function loadUserHandler(): Promise<Handler> {
  const handlerString = process.env.WARM_STATE_HANDLER ?? '';
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const setting = parseHandlerSetting(handlerString);
  if (isHandlerSettingError(setting)) throw new RuntimeError(setting.errorType, setting.errorMessage);
  const client = deployedClientGeneration(process.env);
  // The clients' require: a MODULE_NOT_FOUND's require stack names the runtime's index.mjs, as theirs does.
  const runtimeRequire = createRequire(join(runtimeDir, 'index.mjs'));
  const planned = planModuleLoad(client, taskRoot, setting, (text, error) => console.warn(text, error));
  // TypeScript sources are the local engine's addition: Lambda's clients never load them.
  const plan = { ...planned, steps: planned.steps.filter((step) => !isTypeScriptFile(step.file)) };
  const handlerFile = realPathOf(plannedHandlerFile(plan, runtimeRequire) ?? '');
  installCommonJsHook(handlerFile);
  let esmHooksRegistered = false;
  const { exports } = await loadPlannedModule(plan, {
    require: runtimeRequire,
    import: (file) => {
      if (!esmHooksRegistered) registerEsmHooks(handlerFile);
      esmHooksRegistered = true;
      return import(pathToFileURL(file).href);
    },
  });
  const value = findHandler(client, exports, setting.exportPath.split('.'));
  if (!value || typeof value !== 'function') {
    const { errorType, errorMessage } = handlerNotFound(handlerString, value ? 'not-function' : 'missing');
    throw new RuntimeError(errorType, errorMessage);
  }
  return value as Handler;
}

// ---- the capture worker (same one the local engine uses) ----
let worker: Worker | null = null;
/** The worker posts one report per stop here before resuming us; drained synchronously after the handler. */
let capturePort: MessagePort | null = null;

function drainStopReports(): StopReport[] {
  const reports: StopReport[] = [];
  for (;;) {
    const received = capturePort ? receiveMessageOnPort(capturePort) : undefined;
    if (!received) return reports;
    reports.push(received.message as StopReport);
  }
}

function askWorker(message: MainToWorker): Promise<WorkerToMain | null> {
  const current = worker;
  if (!current) return Promise.resolve(null);
  return new Promise((resolveReply) => {
    const timer = setTimeout(() => finish(null), 2000);
    function finish(reply: WorkerToMain | null): void {
      clearTimeout(timer);
      current!.off('message', finish);
      current!.off('exit', onExit);
      resolveReply(reply);
    }
    const onExit = (): void => finish(null);
    current.on('message', finish);
    current.once('exit', onExit);
    current.postMessage(message);
  });
}

async function armWorker(handler: Handler): Promise<void> {
  try {
    const channel = new MessageChannel();
    capturePort = channel.port1;
    capturePort.unref();
    const data: WorkerData = { capturePort: channel.port2, hooks: hooksName };
    worker = new Worker(join(here, 'capture-worker.js'), { workerData: data, transferList: [channel.port2] });
    worker.unref();
    worker.on('error', (error) => {
      problems.push(`capture worker failed: ${error.message}`);
      worker = null;
    });
  } catch (error) {
    problems.push(`capture worker could not start: ${(error as Error).message}`);
    return;
  }
  probeHooks.handler = handler;
  const reply = await askWorker({ type: 'arm', budgets: PROBE_BUDGETS });
  probeHooks.handler = null;
  if (reply?.type === 'armed' && reply.error) problems.push(`handler scope unavailable: ${reply.error}`);
  else if (!reply) problems.push('handler scope unavailable: the capture worker did not answer');
}

let secretForms = SecretForms.NONE;
let secretFormsKey = '';
/** What to mask: derived once, again only when the handler changed a secret-named variable. */
function secretFormsOf(env: NodeJS.ProcessEnv): SecretForms {
  const values = secretValuesOf(env);
  const key = values.join('\u0000');
  if (key !== secretFormsKey) {
    secretForms = new SecretForms(values);
    secretFormsKey = key;
  }
  return secretForms;
}

function captureModuleScope(): CapturedVariable[] | null {
  const registered = moduleProbe.registered();
  if (!registered) return null;
  return readModuleScope(registered.reader, registered.bindings, captureValues, PROBE_BUDGETS);
}

/**
 * Writes the snapshot line for the invocation that just ended, synchronously (so a
 * synchronous handler stays synchronous, and the line precedes the response). Never throws.
 */
function emitSnapshot(requestId: string): void {
  try {
    // Taken first: the module-scope capture below could stop on exceptions of its own, and
    // creates work of its own that is not the handler's.
    const pending = pendingWork?.settle() ?? null;
    const memory = process.memoryUsage();
    const reports = drainStopReports();
    invocationCount += 1;
    const errors = [...problems];
    let moduleScope: CapturedVariable[] | null = null;
    try {
      moduleScope = captureModuleScope();
      if (!moduleScope && !errors.some((e) => e.startsWith('module scope'))) errors.push('module scope unavailable: the handler module did not run to its end');
    } catch (error) {
      errors.push(`module scope capture failed: ${(error as Error).message}`);
    }
    // The last capture wins: a return after a caught exception replaces the capture at the throw.
    const last = [...reports].reverse().find((report) => report.capture !== null);
    const handlerScope = last?.capture?.handlerScope ?? null;
    const parameters = last?.capture?.parameters ?? null;
    if (!last) {
      const failure = [...reports].reverse().find((report) => report.error !== null);
      if (worker) errors.push(failure?.error ?? 'the handler neither reached a return nor threw, so its scope was not captured');
      else if (!errors.some((e) => e.includes('capture worker') || e.startsWith('handler scope'))) errors.push('handler scope unavailable: the capture worker is not running');
    }
    const secrets = secretFormsOf(process.env);
    const truncated: string[] = [];
    const line = encodeProbeLine({
      requestId,
      moduleScope: maskCapturedVariables(moduleScope, secrets),
      handlerScope: maskCapturedVariables(handlerScope, secrets),
      // The event and context parameters are the caller's; masked like the rest.
      parameters: maskCapturedVariables(parameters, secrets),
      captureError: errors.length ? [...new Set(errors)].join('; ') : null,
      nodeVersion: process.version,
      environmentId,
      invocationInEnvironment: invocationCount,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, externalBytes: memory.external },
      ...(pending ? { pendingAtFreeze: limitPending(pending.pending, 'pendingAtFreeze', truncated), pendingRan: limitPending(pending.ran, 'pendingRan', truncated) } : {}),
      truncated,
    });
    // Straight to stdout, synchronously: not subject to the function's log level, and written
    // before the response so it lands in this invocation's log tail.
    writeSync(1, `${line}\n`);
  } catch (error) {
    try {
      writeSync(2, `warm-state probe: could not write the snapshot: ${(error as Error).message}\n`);
    } catch {
      // nothing left to do
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/** What `awslambda.streamifyResponse` marks a handler with, in both runtime clients. */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

type Context = { awsRequestId?: string } | undefined;

/**
 * The handler the runtime sees in place of the user's, shaped so that the runtime client
 * treats it exactly as the user's: the same streaming marks (the client reads symbols on the
 * function), a callback handler for a callback handler (the client counts parameters), and a
 * synchronous return kept synchronous (the 3.x client ignores its value and answers null,
 * the 4.x client answers it: a wrapper that made it a promise would change the response).
 */
function wrap(user: Handler): Handler {
  const streaming = Boolean((user as unknown as Record<symbol, unknown>)[STREAMING]);
  const wrapped = streaming ? passThrough(user, true) : user.length >= 3 ? callbackWrapper(user) : passThrough(user, false);
  for (const key of Object.getOwnPropertySymbols(user)) (wrapped as unknown as Record<symbol, unknown>)[key] = (user as unknown as Record<symbol, unknown>)[key];
  return wrapped;
}

function callbackWrapper(user: Handler): Handler {
  return function warmStateCallbackHandler(this: unknown, event, context, callback) {
    let settled: { error?: unknown; result?: unknown } | null = null;
    let callReturned = false;
    let reported = false;
    // The snapshot waits until the handler function itself has returned: a callback called
    // synchronously comes before the handler reaches its exit, where its scope is captured.
    const report = (): void => {
      if (reported || !settled || !callReturned) return;
      reported = true;
      const outcome = settled;
      emitSnapshot(context?.awsRequestId ?? '');
      callback(outcome.error, outcome.result);
    };
    const finish = (error?: unknown, result?: unknown): void => {
      if (settled) return;
      settled = { error, result };
      report();
    };
    drainStopReports(); // nothing from before this invocation counts
    pendingWork?.start();
    let returned: unknown;
    try {
      returned = user.call(this, event, context, finish);
    } catch (error) {
      finish(error);
    }
    callReturned = true;
    if (isThenable(returned)) returned.then((value) => finish(null, value), (error: unknown) => finish(error ?? new Error('rejected')));
    report();
    return undefined;
  };
}

/** Calls the user's handler with the runtime's arguments as they are; the snapshot follows its outcome. */
function passThrough(user: Handler, streaming: boolean): Handler {
  const run = (self: unknown, args: unknown[], context: Context): unknown => {
    drainStopReports(); // nothing from before this invocation counts
    pendingWork?.start();
    const requestId = context?.awsRequestId ?? '';
    let returned: unknown;
    try {
      returned = (user as (...args: unknown[]) => unknown).apply(self, args);
    } catch (error) {
      emitSnapshot(requestId);
      throw error;
    }
    if (!isThenable(returned)) {
      emitSnapshot(requestId);
      return returned;
    }
    return Promise.resolve(returned).then(
      (value) => {
        emitSnapshot(requestId);
        return value;
      },
      (error: unknown) => {
        emitSnapshot(requestId);
        throw error;
      },
    );
  };
  if (streaming) {
    // (event, responseStream, context): the order the clients call a streaming handler with.
    return function warmStateStreamingHandler(this: unknown, event: unknown, responseStream: unknown, context: Context) {
      return run(this, [event, responseStream, context], context);
    } as unknown as Handler;
  }
  return function warmStateHandler(this: unknown, event: unknown, context: Context) {
    return run(this, [event, context], context);
  } as Handler;
}

const userHandler = await loadUserHandler();
await armWorker(userHandler);

export const handler: Handler = wrap(userHandler);
