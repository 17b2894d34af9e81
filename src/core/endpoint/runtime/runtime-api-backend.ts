/**
 * Runs a function the way Lambda does, through the Lambda Runtime API: a process started
 * with Lambda's environment (_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API...), wrapped
 * by AWS_LAMBDA_EXEC_WRAPPER when the configuration sets it, with layers extracted into a
 * folder standing in for /opt. Node.js runtimes run a minimal runtime client (or the one given:
 * the differential suite runs the real `aws-lambda-ric` here); `provided*` runtimes run the
 * function's own `bootstrap`. The process is frozen (SIGSTOP) between
 * invocations and kept warm until the configuration changes, it crashes or times out.
 *
 * With `maxConcurrency` (Lambda Managed Instances, `PerExecutionEnvironmentMaxConcurrency`)
 * the process gets AWS_LAMBDA_MAX_CONCURRENCY, as Lambda sets it, and up to that many
 * invocations are in flight at once, handed to whichever /next polls are open (the 4.x client
 * polls from each worker thread). As on Managed Instances (docs/managed-instances.md): no
 * freeze, and a timeout fails that invocation only, the process keeps running.
 *
 * Used by the local endpoint for functions with layers or a wrapper (the attached probe)
 * and for custom runtimes; plain Node.js functions use the warm local environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { INIT_LIMIT_MS } from '../../lambda/defaults';
import { billedDuration, formatEndLine, formatReportLine, formatStartLine } from '../../lambda/report';
import { initTimeoutError, resetDuringInvocationError, timeoutError } from '../../lambda/log-lines';
import { ConcurrentOutput } from '../../runtime/concurrent-output';
import { HeadTailText } from '../../runtime/head-tail-text';
import { endProcessTree, endTreeOnExit, OWN_PROCESS_GROUP, signalGroup } from '../../runtime/process-group';
import type { BackendContext, BackendInvocation, BackendResult, FunctionBackend } from '../backend';
import { takeLiveResponse } from '../http';
import { RUNTIME_CLIENT_SOURCE } from './runtime-client-source';

export interface RuntimeApiBackendOptions {
  /** `node` used for Node.js runtimes; default the one running Warm State. */
  nodePath?: string;
  /** Freeze the process between invocations like Lambda (default true; ignored on Windows). */
  freeze?: boolean;
  /**
   * The runtime client `node` starts for Node.js runtimes instead of the built-in minimal one,
   * e.g. the entry of a real `aws-lambda-ric` (the differential suite, test/oracle).
   */
  clientEntry?: string;
  /** Flags `node` gets before the client, as the runtime image's bootstrap passes them. */
  nodeArgs?: string[];
  /**
   * Lambda Managed Instances: invocations in flight at once in the one process (its
   * AWS_LAMBDA_MAX_CONCURRENCY). Unset: one at a time, Lambda's default mode.
   */
  maxConcurrency?: number;
}

/** An invocation as the Runtime API saw it: the Invoke API's answer plus what the runtime reported. */
export interface RuntimeApiResult extends BackendResult {
  /** This invocation started the runtime process. */
  cold: boolean;
  /** 'init' when the runtime posted `/runtime/init/error`, 'invoke' for any other failure, null on success. */
  failedPhase: 'init' | 'invoke' | null;
}

export interface RuntimeApiFunctionBackend extends FunctionBackend {
  invoke(invocation: BackendInvocation): Promise<RuntimeApiResult>;
}

interface Outcome {
  payload: Buffer;
  error: boolean;
  status: 'ok' | 'error' | 'timeout' | 'exit';
  errorType?: string;
  /** The runtime reported an init error rather than an invocation result. */
  initError?: boolean;
}

interface Pending {
  requestId: string;
  payload: Buffer;
  /**
   * Starts the invocation's clock, as the event is handed to the runtime; returns its deadline
   * (the Lambda-Runtime-Deadline-Ms header, epoch ms): the function's timeout from then.
   */
  startClock: () => number;
  /** The caller's ClientContext as JSON text (the Lambda-Runtime-Client-Context header), or null. */
  clientContext: string | null;
  /** Set when the event has been handed to the runtime. */
  deliveredAt: number | null;
  /** Set when the invocation got its outcome. */
  endedAt: number | null;
  resolve: (outcome: Outcome) => void;
}

const STREAMING_MODE_HEADER = 'lambda-runtime-function-response-mode';
const ERROR_TYPE_HEADER = 'lambda-runtime-function-error-type';
/** Trailer a streaming runtime sends when the handler failed mid-stream: the error document, base64. */
const ERROR_BODY_TRAILER = 'lambda-runtime-function-error-body';

/** True when the function's runtime is a Node.js managed runtime (nodejs20.x...). */
export function isNodeRuntime(runtime: string): boolean {
  return /^nodejs\d/.test(runtime);
}

export function createRuntimeApiBackend(context: BackendContext, options: RuntimeApiBackendOptions = {}): RuntimeApiFunctionBackend {
  return new RuntimeApiBackend(context, options);
}

class RuntimeApiBackend implements RuntimeApiFunctionBackend {
  /**
   * One process: one invocation at a time (a function served this way does not scale out), or
   * up to `maxConcurrency` in Managed Instances mode.
   */
  readonly capacity: number;
  /** Managed Instances mode: several invocations in flight, no freeze, timeouts spare the process. */
  private readonly concurrent: boolean;
  private server: Server | null = null;
  private port = 0;
  private child: ChildProcess | null = null;
  private runtimeDir: string | null = null;
  /** One invocation at a time: the runtime's output since the last invocation's was taken, its first and last MB kept. */
  private readonly log = new HeadTailText();
  /** Managed Instances: the output of the invocations in flight, each line given to the one it names (bounded per invocation). */
  private inFlightOutput = new ConcurrentOutput();
  /**
   * /next requests waiting for an event, oldest first. A client may hold several open at once
   * (the 4.x client's worker threads each poll); every one waits until there is an event.
   */
  private readonly waiting: ServerResponse[] = [];
  /** Invocations not settled yet, by request id, in arrival order (the undelivered ones wait their turn). */
  private readonly pending = new Map<string, Pending>();
  /** The process being started, so that invocations arriving meanwhile share one start. */
  private starting: Promise<void> | null = null;
  private initStartedAt = 0;
  private initDurationMs: number | null = null;
  private initError: Buffer | null = null;
  private initErrorType = 'Runtime.Unknown';
  private frozen = false;
  private exited: Promise<void> | null = null;
  private readonly freeze: boolean;

  constructor(
    private readonly context: BackendContext,
    private readonly options: RuntimeApiBackendOptions,
  ) {
    this.concurrent = options.maxConcurrency !== undefined;
    this.capacity = Math.max(1, options.maxConcurrency ?? 1);
    // Managed Instances environments are never frozen between invocations.
    this.freeze = (options.freeze ?? true) && !this.concurrent && process.platform !== 'win32';
  }

  async invoke(invocation: BackendInvocation): Promise<RuntimeApiResult> {
    const cold = this.child === null || this.starting !== null;
    if (cold) await (this.starting ??= this.start().finally(() => (this.starting = null)));
    const timeoutMs = this.context.configuration.Timeout * 1000;
    const { requestId } = invocation;
    const timeOut = () =>
      this.settle(requestId, {
        // The payload the local backend answers (Lambda's), whichever backend runs the function.
        payload: Buffer.from(JSON.stringify(timeoutError(requestId, timeoutMs / 1000))),
        error: true,
        status: 'timeout',
      });
    // Lambda's timeout counts from the event's delivery: init does not use it up, it has a limit
    // of its own (INIT_LIMIT_MS, as in the local environment). Until the delivery a guard: an
    // init past its limit fails every invocation waiting for it; otherwise the timeout runs.
    const initUnderWay = this.initUnderWay();
    let timer: NodeJS.Timeout | undefined;
    const clientContext = invocation.clientContext === undefined ? null : asciiJson(invocation.clientContext);
    let pending!: Pending;
    const outcomePromise = new Promise<Outcome>((resolve) => {
      pending = {
        requestId,
        payload: invocation.payload.length > 0 ? invocation.payload : Buffer.from('{}'),
        startClock: () => {
          clearTimeout(timer);
          timer = setTimeout(timeOut, timeoutMs);
          return Date.now() + timeoutMs;
        },
        clientContext,
        deliveredAt: null,
        endedAt: null,
        resolve,
      };
    });
    this.pending.set(requestId, pending);
    if (this.initError) this.settle(requestId, { payload: this.initError, error: true, status: 'error', errorType: this.initErrorType, initError: true });
    else this.deliver();
    if (pending.deliveredAt === null && pending.endedAt === null) {
      timer = setTimeout(() => (this.initUnderWay() ? this.initTimedOut() : timeOut()), initUnderWay ? INIT_LIMIT_MS : timeoutMs);
    }
    let outcome: Outcome;
    try {
      outcome = await outcomePromise;
    } finally {
      clearTimeout(timer);
    }
    // A cold start bills its init (Lambda, since August 2025), and all of the time so far when init never finished.
    const initDurationMs = cold ? this.initDurationMs : null;
    const initBilledMs = cold && !this.concurrent ? (this.initDurationMs ?? performance.now() - this.initStartedAt) : null;
    // Output written right after the response (still in the same invocation) arrives a moment later.
    if (outcome.status === 'ok' || outcome.status === 'error') await this.quiet();
    // A timeout's duration is the timeout (the timer may fire a little late), as the local environment says.
    const durationMs = pending.deliveredAt === null || pending.endedAt === null ? 0 : outcome.status === 'timeout' ? timeoutMs : pending.endedAt - pending.deliveredAt;
    const maxMemoryUsedMB = this.maxMemoryUsedMB();
    const logs = this.takeOutput(requestId);
    // A timeout ends the process, except on Managed Instances: there it fails this invocation only.
    if ((outcome.status === 'timeout' && !this.concurrent) || outcome.status === 'exit' || this.initError) await this.stop();
    else this.suspend();
    const report = formatReportLine({
      requestId: invocation.requestId,
      durationMs,
      // Managed Instances bill instances, not durations: their figure stays the invocation's own.
      billedDurationMs: billedDuration(durationMs, initBilledMs),
      memorySizeMB: this.context.configuration.MemorySize,
      maxMemoryUsedMB,
      initDurationMs,
      status: outcome.status === 'timeout' ? 'timeout' : outcome.status === 'exit' ? 'error' : null,
      errorType: outcome.errorType ?? null,
    });
    const timeoutLine = outcome.status === 'timeout' ? `${JSON.parse(outcome.payload.toString()).errorMessage}\n` : '';
    return {
      requestId: invocation.requestId,
      payload: outcome.payload,
      functionError: outcome.error ? 'Unhandled' : null,
      logs: `${formatStartLine(invocation.requestId)}\n${logs}${timeoutLine}${formatEndLine(invocation.requestId)}\n${report}\n`,
      cold,
      failedPhase: outcome.initError ? 'init' : outcome.error ? 'invoke' : null,
    };
  }

  private settle(requestId: string, outcome: Outcome): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    pending.endedAt = performance.now();
    pending.resolve(outcome);
    // A slot is free again (Managed Instances mode): the next undelivered event may go.
    this.deliver();
  }

  /** The process started has neither asked for an event nor reported an init error yet. */
  private initUnderWay(): boolean {
    return this.initDurationMs === null && this.initError === null;
  }

  /**
   * Init ran past its limit without asking for an event: an init error for every invocation
   * waiting (the process is stopped as after any init error), as the local environment fails it.
   */
  private initTimedOut(): void {
    const error = initTimeoutError(INIT_LIMIT_MS);
    const payload = Buffer.from(JSON.stringify(error));
    this.initError = payload;
    this.initErrorType = error.errorType;
    this.initDurationMs = INIT_LIMIT_MS;
    this.settleAll(() => ({ payload, error: true, status: 'error', errorType: error.errorType, initError: true }));
  }

  /** Every invocation not settled yet gets the same outcome (the process ended, init failed). */
  private settleAll(outcome: (requestId: string) => Outcome): void {
    for (const requestId of [...this.pending.keys()]) this.settle(requestId, outcome(requestId));
  }

  /**
   * Hands undelivered events, oldest first, to the oldest waiting /next requests, thawing the
   * process first, while fewer than `capacity` delivered invocations are still running.
   */
  private deliver(): void {
    for (;;) {
      const all = [...this.pending.values()];
      const running = all.filter((pending) => pending.deliveredAt !== null).length;
      const next = all.find((pending) => pending.deliveredAt === null);
      if (!next || running >= this.capacity || !this.deliverTo(next)) return;
    }
  }

  private deliverTo(pending: Pending): boolean {
    // A poll whose connection closed meanwhile (its thread or process ended) cannot take it.
    const response = takeLiveResponse(this.waiting);
    // None yet: a process frozen before it polled again (quiet() gave up) must run to poll.
    this.thaw();
    if (!response) return false;
    pending.deliveredAt = performance.now();
    const deadlineMs = pending.startClock();
    if (this.concurrent) this.inFlightOutput.open(pending.requestId);
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': pending.requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': this.context.configuration.FunctionArn,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
      ...(pending.clientContext === null ? {} : { 'Lambda-Runtime-Client-Context': pending.clientContext }),
    });
    response.end(pending.payload);
    return true;
  }

  private async start(): Promise<void> {
    if (this.server) await this.stop(); // the previous process ended between invocations
    this.log.take();
    this.inFlightOutput = new ConcurrentOutput();
    this.initError = null;
    this.initErrorType = 'Runtime.Unknown';
    this.initDurationMs = null;
    this.runtimeDir = mkdtempSync(join(tmpdir(), 'warm-state-runtime-'));
    this.server = createServer((request, response) => this.onRuntimeApi(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;

    const configuration = this.context.configuration;
    const userVariables = configuration.Environment?.Variables ?? {};
    const optDir = this.context.optDir;
    let command: string[];
    if (isNodeRuntime(configuration.Runtime)) {
      let client = this.options.clientEntry;
      if (!client) {
        client = join(this.runtimeDir, 'index.js');
        writeFileSync(client, RUNTIME_CLIENT_SOURCE);
      }
      command = [this.options.nodePath ?? process.execPath, ...(this.options.nodeArgs ?? []), client];
      const wrapper = userVariables.AWS_LAMBDA_EXEC_WRAPPER;
      if (wrapper) command = [this.resolveOpt(wrapper), ...command];
    } else {
      const bootstrap = join(this.context.code.taskRoot, 'bootstrap');
      if (!existsSync(bootstrap)) throw new Error(`custom runtime ${configuration.Runtime}: no bootstrap file in ${this.context.code.taskRoot}`);
      chmodSync(bootstrap, 0o755);
      command = [bootstrap];
    }
    const nodePaths = [optDir ? join(optDir, 'nodejs', 'node_modules') : null, optDir ? join(optDir, 'nodejs', 'node20', 'node_modules') : null]
      .filter((p): p is string => p !== null)
      .join(':');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      ...userVariables,
      // Lambda's own variables win over user ones, as in Lambda.
      _HANDLER: configuration.Handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${configuration.Runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: configuration.FunctionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(configuration.MemorySize),
      AWS_LAMBDA_FUNCTION_VERSION: configuration.Version,
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${configuration.FunctionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${this.port}`,
      AWS_REGION: this.context.region,
      AWS_DEFAULT_REGION: this.context.region,
      LAMBDA_TASK_ROOT: this.context.code.taskRoot,
      LAMBDA_RUNTIME_DIR: this.runtimeDir,
      NODE_PATH: nodePaths,
      // Not in Lambda: where /opt really is here, so layer scripts can find their files.
      ...(optDir ? { WARM_STATE_OPT_DIR: optDir } : {}),
      // Set by Lambda on Managed Instances (PerExecutionEnvironmentMaxConcurrency); its presence
      // is what puts the 4.x client in its multi-concurrent mode.
      ...(this.concurrent ? { AWS_LAMBDA_MAX_CONCURRENCY: String(this.capacity) } : {}),
    };
    delete env.AWS_LAMBDA_EXEC_WRAPPER;
    if (userVariables.NODE_OPTIONS) env.NODE_OPTIONS = this.mapOptPaths(userVariables.NODE_OPTIONS);
    this.initStartedAt = performance.now();
    const child = spawn(command[0], command.slice(1), {
      cwd: this.context.code.taskRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so freezing reaches a wrapper's children too. It would also outlive
      // us: the tree is ended when the host exits for any reason (Ctrl+C in `warm-state serve`).
      ...OWN_PROCESS_GROUP,
    });
    this.child = child;
    const released = child.pid ? endTreeOnExit(child.pid) : null;
    // Decoded as streams: a character split between two chunks arrives whole.
    for (const [name, stream] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => this.collect(name, text));
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        released?.();
        if (this.child === child) this.child = null;
        this.settleAll((requestId) => ({
          payload: Buffer.from(JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${exitReason(code, signal)}` })),
          error: true,
          status: 'exit',
          errorType: 'Runtime.ExitError',
        }));
        resolve();
      });
      child.once('error', (error) => {
        this.collect('stderr', `${error.message}\n`);
        if (child.pid !== undefined) return;
        // It never started (the wrapper or bootstrap is missing or cannot be run), and no 'exit'
        // follows: Lambda fails the init with its entrypoint error. Kept for an invocation that
        // registers after this, so that none waits for its timeout.
        released?.();
        if (this.child === child) this.child = null;
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : error.message;
        this.initError = Buffer.from(JSON.stringify({ errorType: ENTRYPOINT_ERROR, errorMessage: `fork/exec ${command[0]}: ${why}` }));
        this.initErrorType = ENTRYPOINT_ERROR;
        const initError = this.initError;
        this.settleAll(() => ({ payload: initError, error: true, status: 'error', errorType: ENTRYPOINT_ERROR, initError: true }));
        resolve();
      });
    });
  }

  /** Maps an `/opt/...` path to the extracted layers folder (this machine has no /opt layers). */
  private resolveOpt(path: string): string {
    const optDir = this.context.optDir;
    return optDir && path.startsWith('/opt/') ? join(optDir, path.slice('/opt/'.length)) : path;
  }

  private mapOptPaths(text: string): string {
    const optDir = this.context.optDir;
    return optDir ? text.replace(/(^|\s|=)\/opt\//g, `$1${optDir}/`) : text;
  }

  private onRuntimeApi(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = request.url ?? '';
      if (request.method === 'GET' && url.endsWith('/runtime/invocation/next')) {
        if (this.initDurationMs === null) this.initDurationMs = performance.now() - this.initStartedAt;
        this.waiting.push(response);
        this.nextPolled?.();
        this.deliver();
        return;
      }
      const result = /\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      const resultFor = result ? this.pending.get(decodeURIComponent(result[1] ?? '')) : undefined;
      if (request.method === 'POST' && result && resultFor?.deliveredAt != null) {
        response.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
        this.settle(resultFor.requestId, result[2] === 'error' ? { payload: body, error: true, status: 'error' } : this.responseOutcome(request, body));
        return;
      }
      if (request.method === 'POST' && url.endsWith('/runtime/init/error')) {
        response.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
        this.initError = body;
        if (this.initDurationMs === null) this.initDurationMs = performance.now() - this.initStartedAt;
        const errorType = headerValue(request.headers[ERROR_TYPE_HEADER]) ?? 'Runtime.Unknown';
        this.settleAll(() => ({ payload: body, error: true, status: 'error', errorType, initError: true }));
        return;
      }
      response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errorMessage":"unknown runtime API route"}');
    });
  }

  /**
   * A posted response. In the streaming mode (`awslambda.streamifyResponse`) the body arrives
   * chunked as the handler writes it, and a handler that fails mid-stream ends it with the error
   * in trailers instead: then the invocation failed with that error.
   */
  private responseOutcome(request: IncomingMessage, body: Buffer): Outcome {
    if (headerValue(request.headers[STREAMING_MODE_HEADER])?.toLowerCase() === 'streaming') {
      const errorType = headerValue(request.trailers[ERROR_TYPE_HEADER]);
      if (errorType) {
        const errorBody = headerValue(request.trailers[ERROR_BODY_TRAILER]);
        const payload = errorBody ? Buffer.from(errorBody, 'base64') : Buffer.from(JSON.stringify({ errorType, errorMessage: '' }));
        return { payload, error: true, status: 'error', errorType };
      }
    }
    return { payload: body, error: false, status: 'ok' };
  }

  private nextPolled: (() => void) | null = null;

  /** Waits until the runtime asks for the next event (its work for this one is done), 1 s at most. */
  private async quiet(): Promise<void> {
    if (this.concurrent) {
      // Its workers poll again without waiting for their invocations: a poll says nothing here.
      await new Promise((resolve) => setTimeout(resolve, 10));
      return;
    }
    if (!this.child || this.waiting.length > 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1000);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.nextPolled = () => {
        this.nextPolled = null;
        done();
      };
      void this.exited?.then(done);
    });
    // Let piped output written just before the poll reach us.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private collect(stream: 'stdout' | 'stderr', text: string): void {
    if (this.concurrent) this.inFlightOutput.push(stream, text);
    else this.log.push(text);
  }

  /**
   * The runtime's output for this invocation. One at a time: all of it, within HeadTailText's
   * bounds. In Managed Instances mode the lines of invocations in flight interleave; each of the
   * 4.x client's console lines names its request id (its InvokeStore), and ConcurrentOutput gives
   * an invocation the lines naming it, continuation lines with the line they continue, and
   * what names none in flight (init, a worker's crash) to the next one taken; within the same
   * bounds per invocation.
   */
  private takeOutput(requestId: string): string {
    let text: string;
    if (this.concurrent) {
      // A line the process left unfinished when it ended is its last.
      if (!this.child) this.inFlightOutput.flush();
      text = this.inFlightOutput.take(requestId).text;
    } else {
      text = this.log.take().text;
    }
    return text === '' || text.endsWith('\n') ? text : `${text}\n`;
  }

  /** Peak resident memory of the process (VmHWM), like Lambda's Max Memory Used; 0 where /proc is missing. */
  private maxMemoryUsedMB(): number {
    const pid = this.child?.pid;
    if (!pid) return 0;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      return Math.ceil(kb / 1024);
    } catch {
      return 0;
    }
  }

  private suspend(): void {
    if (!this.freeze || !this.child?.pid || this.frozen) return;
    // False when the process just ended; the next invoke starts a new one.
    this.frozen = signalGroup(this.child.pid, 'SIGSTOP');
  }

  private thaw(): void {
    if (!this.frozen || !this.child?.pid) return;
    signalGroup(this.child.pid, 'SIGCONT');
    this.frozen = false;
  }

  private async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid) {
      this.thaw();
      endProcessTree(child.pid);
      await this.exited;
    }
    this.child = null;
    for (const response of this.waiting.splice(0)) response.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    this.server = null;
    if (this.runtimeDir) rmSync(this.runtimeDir, { recursive: true, force: true });
    this.runtimeDir = null;
  }

  async dispose(): Promise<void> {
    // The local backend's words for an invocation its environment's end cut off.
    this.settleAll((requestId) => {
      const { errorType, errorMessage } = resetDuringInvocationError(requestId);
      return { payload: Buffer.from(JSON.stringify({ errorType, errorMessage })), error: true, status: 'exit', errorType };
    });
    await this.stop();
  }
}

/** Lambda's errorType when the runtime's entrypoint (bootstrap, exec wrapper) cannot be started. */
const ENTRYPOINT_ERROR = 'Runtime.InvalidEntrypoint';

/**
 * Lambda's words for a runtime process that ended during an invocation. A clean exit (status 0,
 * e.g. the 4.x client once a never-settling promise leaves the event loop empty) is "without
 * providing a reason".
 */
function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `Runtime exited with error: signal: ${signal}`;
  return code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${code}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** JSON with every character past ASCII escaped (\uXXXX): the same value, and a valid header (node refuses others). */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
