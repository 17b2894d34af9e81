/**
 * Runs a function the way Lambda does, through the Lambda Runtime API: a process started
 * with Lambda's environment (_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API...), wrapped
 * by AWS_LAMBDA_EXEC_WRAPPER when the configuration sets it, with layers extracted into a
 * folder standing in for /opt. Node.js runtimes run a minimal runtime client (or the one given:
 * the differential suite runs the real `aws-lambda-ric` here); `provided*` runtimes run the
 * function's own `bootstrap`. The process is frozen (SIGSTOP) between
 * invocations and kept warm until the configuration changes, it crashes or times out.
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
import { billedDuration, formatEndLine, formatReportLine, formatStartLine } from '../../lambda/report';
import { endProcessTree, endTreeOnExit, OWN_PROCESS_GROUP, signalGroup } from '../../runtime/process-group';
import type { BackendContext, BackendInvocation, BackendResult, FunctionBackend } from '../backend';
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
  deadlineMs: number;
  startedAt: number;
  /** Set when the event has been handed to the runtime. */
  deliveredAt: number | null;
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
  /** One process, one invocation at a time: a function served this way does not scale out. */
  readonly capacity = 1;
  private server: Server | null = null;
  private port = 0;
  private child: ChildProcess | null = null;
  private runtimeDir: string | null = null;
  private output = '';
  /**
   * /next requests waiting for an event, oldest first. A client may hold several open at once
   * (the 4.x client's worker threads each poll); every one waits until there is an event.
   */
  private readonly waiting: ServerResponse[] = [];
  private pending: Pending | null = null;
  private initStartedAt = 0;
  private initDurationMs: number | null = null;
  private initError: Buffer | null = null;
  private frozen = false;
  private exited: Promise<void> | null = null;
  private readonly freeze: boolean;

  constructor(
    private readonly context: BackendContext,
    private readonly options: RuntimeApiBackendOptions,
  ) {
    this.freeze = (options.freeze ?? true) && process.platform !== 'win32';
  }

  async invoke(invocation: BackendInvocation): Promise<RuntimeApiResult> {
    const cold = this.child === null;
    if (cold) await this.start();
    const timeoutMs = this.context.configuration.Timeout * 1000;
    const outcomePromise = new Promise<Outcome>((resolve) => {
      this.pending = {
        requestId: invocation.requestId,
        payload: invocation.payload.length > 0 ? invocation.payload : Buffer.from('{}'),
        deadlineMs: Date.now() + timeoutMs,
        startedAt: performance.now(),
        deliveredAt: null,
        resolve,
      };
    });
    if (this.initError) this.settle({ payload: this.initError, error: true, status: 'error', errorType: 'Runtime.Unknown', initError: true });
    else this.deliver();
    const timer = setTimeout(() => {
      this.settle({
        payload: Buffer.from(JSON.stringify({ errorMessage: `${new Date().toISOString()} ${invocation.requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` })),
        error: true,
        status: 'timeout',
      });
    }, timeoutMs);
    const outcome = await outcomePromise;
    clearTimeout(timer);
    const timing = this.lastSettled;
    // Output written right after the response (still in the same invocation) arrives a moment later.
    if (outcome.status === 'ok' || outcome.status === 'error') await this.quiet();
    const durationMs = timing.deliveredAt != null && timing.endedAt !== undefined ? timing.endedAt - timing.deliveredAt : 0;
    const maxMemoryUsedMB = this.maxMemoryUsedMB();
    const logs = this.takeOutput();
    if (outcome.status === 'timeout' || outcome.status === 'exit' || this.initError) await this.stop();
    else this.suspend();
    const report = formatReportLine({
      requestId: invocation.requestId,
      durationMs,
      billedDurationMs: billedDuration(durationMs),
      memorySizeMB: this.context.configuration.MemorySize,
      maxMemoryUsedMB,
      initDurationMs: cold ? this.initDurationMs : null,
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

  private lastSettled: { deliveredAt?: number | null; endedAt?: number } = {};

  private settle(outcome: Outcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.lastSettled = { deliveredAt: pending.deliveredAt, endedAt: performance.now() };
    pending.resolve(outcome);
  }

  /** Hands the pending event to the oldest waiting /next request, thawing the process first. */
  private deliver(): void {
    const pending = this.pending;
    if (!pending || pending.deliveredAt !== null) return;
    let response = this.waiting.shift();
    // A poll whose connection closed meanwhile (its thread or process ended) cannot take it.
    while (response && (response.destroyed || response.writableEnded)) response = this.waiting.shift();
    if (!response) return;
    this.thaw();
    pending.deliveredAt = performance.now();
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': pending.requestId,
      'Lambda-Runtime-Deadline-Ms': String(pending.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': this.context.configuration.FunctionArn,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
    });
    response.end(pending.payload);
  }

  private async start(): Promise<void> {
    if (this.server) await this.stop(); // the previous process ended between invocations
    this.output = '';
    this.initError = null;
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
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        released?.();
        if (this.child === child) this.child = null;
        this.settle({
          payload: Buffer.from(JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${this.pending?.requestId ?? ''} Error: ${exitReason(code, signal)}` })),
          error: true,
          status: 'exit',
          errorType: 'Runtime.ExitError',
        });
        resolve();
      });
      child.once('error', (error) => {
        this.output += `${error.message}\n`;
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
      if (request.method === 'POST' && result && this.pending?.requestId === decodeURIComponent(result[1] ?? '')) {
        response.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
        this.settle(result[2] === 'error' ? { payload: body, error: true, status: 'error' } : this.responseOutcome(request, body));
        return;
      }
      if (request.method === 'POST' && url.endsWith('/runtime/init/error')) {
        response.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
        this.initError = body;
        if (this.initDurationMs === null) this.initDurationMs = performance.now() - this.initStartedAt;
        const errorType = headerValue(request.headers[ERROR_TYPE_HEADER]) ?? 'Runtime.Unknown';
        this.settle({ payload: body, error: true, status: 'error', errorType, initError: true });
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

  private takeOutput(): string {
    const text = this.output;
    this.output = '';
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
    this.settle({ payload: Buffer.from('{"errorMessage":"environment stopped"}'), error: true, status: 'exit' });
    await this.stop();
  }
}

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
