/**
 * `warm-state serve`: a local AWS Lambda endpoint on 127.0.0.1, backed by warm local
 * environments, so `aws lambda invoke --endpoint-url` and SDK scripts reach a warm local
 * function. Parses flags here; the endpoint itself lives in src/core/endpoint.
 */
import { dirname, relative, resolve } from 'node:path';
import { localEndpointKeyFile } from '../../core/deployed/local-endpoint-key';
import { createBackendFactory, runtimeApiVariable } from '../../core/endpoint/backend-factory';
import { functionLogLines, requestLine, startLambdaEndpoint, type LambdaEndpoint } from '../../core/endpoint/server';
import { CliUsageError, integerIn, managedFlags, maxEnvironmentsFlag, parseFlags, runtimeFlag, timeoutIn } from '../args';
import { DEFAULT_CONCURRENCY_PER_VCPU, defaultWorkerCount, MANAGED_INSTANCES_RUNTIME_PROBLEM } from '../../core/lambda/defaults';
import type { ManagedInstancesOptions } from '../../core/runtime/environment-api';
import { createLocalEnvironment } from '../../core/runtime/local-environment';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from '../../core/lambda/defaults';
import { chooseDefaultHandler, missingExportWarning } from '../default-handler';
import { handlerFileProblem, templateHandler } from '../handler-file';
import { terminalSafeWriter } from '../terminal-text';
import { callerRegion } from '../../core/lambda/caller-region';
import { chooseRuntime, describeRuntimeSource, type RuntimeProfileName } from '../../core/lambda/runtime-profiles';
import { probeNode } from '../../core/runtime/node-probe';

export const SERVE_USAGE = `Usage:
  warm-state serve [--port N] FILE [--handler EXPORT] [--name NAME] [--memory MB] [--timeout S]
  warm-state serve [--port N] --function NAME=FILE:EXPORT [--function NAME=FILE:EXPORT ...]
  warm-state serve [--port N] [--template FILE] --resource ID [--resource ID ...]

Serves the AWS Lambda Invoke API on http://127.0.0.1:PORT (never on other interfaces):
  POST /2015-03-31/functions/NAME/invocations   (X-Amz-Log-Type: Tail supported)
plus GetFunctionConfiguration, GetFunction, UpdateFunctionConfiguration, ListFunctions,
PublishLayerVersion and GetLayerVersion, kept in memory. Each function runs in warm local
environments: module state survives between invocations, like Lambda, and concurrent
requests scale out to environments of their own.

Requests must be signed (SigV4) with the key pair of this run, printed at start and written
to a file only you can read; warm-state invoke --endpoint-url and the extension use it by
themselves. Other local users cannot call the endpoint.

Options:
  --port N            port to listen on (default 3001; 0 picks a free port)
  FILE                handler file to serve; with --handler EXPORT (default: the one
                      handler-looking export, else "handler", as for invoke)
                      and --name NAME (default: the file name without extension)
  --function N=F:E    serve file F's export E as function N; repeatable
  --template FILE     SAM/CloudFormation template or serverless.yml (default: the one in
                      the current folder); with --resource ID (repeatable): serve that
                      function with its handler, memory, timeout and variables, under its
                      deployed name when the template gives one
  --memory MB         memory size reported and enforced (default 128)
  --timeout S         function timeout in seconds, 0.1 to 900 (default 3)
  --runtime NAME      the Lambda runtime every function behaves as: nodejs20.x,
                      nodejs22.x or nodejs24.x (default: the template's Runtime, else
                      the local node's major version)
  --allow-any-credentials
                      also accept requests signed with any other key (as other local
                      emulators do); those may invoke and read but never make a change
                      that can run code (layers, handler, runtime, NODE_OPTIONS,
                      AWS_LAMBDA_EXEC_WRAPPER and other code-loading variables)
  --max-environments N
                      execution environments each function may have at once (default 10,
                      1 to 1000; a template's ReservedConcurrentExecutions lowers it):
                      concurrent requests each get their own, with its own cold start and
                      module state; one more is throttled (429 TooManyRequestsException).
                      Idle ones end after 5 minutes, except the most recently used
  --concurrency N     Lambda Managed Instances for every function: each environment runs up
                      to N requests at once in worker threads (nodejs22.x or later); a
                      template's CapacityProviderConfig turns it on for its function
  --workers W         worker threads per environment in that mode (default 8 x CPUs
                      as the 4.x client computes, at most 4 here unless given)
  -h, --help          show this text

Then, for example:
  warm-state invoke --function NAME --endpoint-url http://127.0.0.1:3001
  AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... aws lambda invoke \\
    --endpoint-url http://127.0.0.1:3001 --region us-east-1 --function-name NAME --log-type Tail \\
    --cli-binary-format raw-in-base64-out --payload '{}' out.json
  (with the key pair printed at start)
Stop with Ctrl+C.`;

export interface ServedFunctionSpec {
  name: string;
  /** Absolute path of the handler file. */
  file: string;
  handlerExport: string;
  /**
   * True for a FILE given without --handler: runServe picks the export the way `invoke`
   * does (it reads the file); until then handlerExport is empty.
   */
  chooseHandler?: boolean;
  /**
   * From a template: its Handler setting, which the environment loads the handler by (as
   * Lambda's runtime client does); `file` and `handlerExport` are then the template reader's
   * reading of it, for the banner.
   */
  handler?: string;
  /** From a template: the code folder (LAMBDA_TASK_ROOT), settings and variables. */
  taskRoot?: string;
  memoryMB?: number;
  timeoutSeconds?: number;
  environment?: Record<string, string>;
  /** The template's Runtime; runServe replaces it with the profile it chose. */
  runtime?: string;
  /** The template's ReservedConcurrentExecutions (serverless reservedConcurrency). */
  reservedConcurrency?: number;
  /** The region the template deploys to (serverless provider.region). */
  region?: string;
  /** The template's CapacityProviderConfig (Managed Instances): its per-environment concurrency, null for Lambda's default. */
  managedConcurrency?: number | null;
  /** The template that declared the function, as shown to the user. */
  templateFile?: string;
  /** Where the chosen runtime came from, for the banner ("from template.yaml"). */
  runtimeOrigin?: string;
}

export interface ServeOptions {
  port: number;
  functions: ServedFunctionSpec[];
  /** Template functions to serve (resolved in runServe, which reads files). */
  resources: string[];
  template?: string;
  memoryMB: number;
  timeoutSeconds: number;
  /** `--runtime`, over every function's template Runtime. */
  runtime?: RuntimeProfileName;
  /** Let in requests signed with any key, unverified (no changes that can run code). */
  allowAnyCredentials: boolean;
  /** `--max-environments`: environments per function (a template's reserved concurrency may lower it). */
  maxEnvironments: number;
  /** `--concurrency N [--workers W]`: every function in Managed Instances mode. */
  managed?: { concurrency: number; workers?: number };
}

/**
 * Everything serve prints is plain text, and much of it is not ours (file names, template
 * text, a request's method and path from whoever connects): none of it may drive the terminal.
 */
const out = terminalSafeWriter(process.stdout);
const err = terminalSafeWriter(process.stderr);

/** Lambda's own rule for function names (the short form, not an ARN). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  handler: { type: 'string' },
  name: { type: 'string' },
  function: { type: 'string', multiple: true },
  memory: { type: 'string' },
  timeout: { type: 'string' },
  template: { type: 'string' },
  resource: { type: 'string', multiple: true },
  runtime: { type: 'string' },
  'allow-any-credentials': { type: 'boolean' },
  'max-environments': { type: 'string' },
  concurrency: { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseServeArgs(args: readonly string[], cwd = process.cwd()): ServeOptions | 'help' {
  const { values, positionals } = parseFlags(args[0] === 'serve' ? args.slice(1) : args, OPTIONS);
  if (values.help) return 'help';
  const functions: ServedFunctionSpec[] = [];
  for (const spec of values.function ?? []) {
    const match = /^([^=]+)=(.+):([A-Za-z_$][\w$.]*)$/.exec(spec);
    if (!match) throw new CliUsageError(`--function expects NAME=FILE:EXPORT, got "${spec}"`);
    functions.push({ name: match[1], file: resolve(cwd, match[2]), handlerExport: match[3] });
  }
  if (positionals.length > 1) throw new CliUsageError(`one FILE at most (use --function for more), got ${positionals.join(' ')}`);
  if (positionals.length === 1) {
    const file = resolve(cwd, positionals[0]);
    const base = file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
    const name = values.name ?? base.replace(/[^A-Za-z0-9_-]/g, '-');
    const handlerExport = values.handler;
    functions.push(handlerExport !== undefined ? { name, file, handlerExport } : { name, file, handlerExport: '', chooseHandler: true });
  } else if (values.handler !== undefined || values.name !== undefined) {
    throw new CliUsageError('--handler and --name go with a FILE');
  }
  const resources = values.resource ?? [];
  const template = values.template;
  if (template !== undefined && resources.length === 0) throw new CliUsageError('--template goes with --resource ID (the function to serve)');
  if (functions.length === 0 && resources.length === 0) throw new CliUsageError('nothing to serve: give a FILE, --function NAME=FILE:EXPORT or --resource ID');
  const runtime = runtimeFlag(values.runtime);
  const seen = new Set<string>();
  for (const fn of functions) {
    if (!FUNCTION_NAME.test(fn.name)) throw new CliUsageError(`function name "${fn.name}" is not valid in Lambda (letters, digits, - and _, up to 64)`);
    if (seen.has(fn.name)) throw new CliUsageError(`function "${fn.name}" is given twice`);
    seen.add(fn.name);
  }
  return {
    port: values.port === undefined ? 3001 : integerIn(values.port, '--port', 0, 65535),
    functions,
    resources,
    ...(template !== undefined ? { template } : {}),
    memoryMB: values.memory === undefined ? DEFAULT_MEMORY_MB : integerIn(values.memory, '--memory', 128, 10240),
    timeoutSeconds: values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : timeoutIn(values.timeout),
    ...(runtime !== undefined ? { runtime } : {}),
    allowAnyCredentials: values['allow-any-credentials'] === true,
    maxEnvironments: maxEnvironmentsFlag(values['max-environments']),
    ...serveManagedFlags(values.concurrency, values.workers),
  };
}

export async function runServe(args: string[]): Promise<number> {
  let options: ServeOptions | 'help';
  try {
    options = parseServeArgs(args);
  } catch (error) {
    if (error instanceof CliUsageError) {
      err.write(`warm-state serve: ${error.message}\n\n${SERVE_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    out.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  // Read once: templates' AWS::Region, and the endpoint's region when no template places it.
  const caller = await callerRegion(process.env);
  try {
    options.functions.push(...(await resolveResources(options, caller)));
  } catch (error) {
    if (error instanceof CliUsageError) {
      err.write(`warm-state serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const names = new Set<string>();
  for (const fn of options.functions) {
    if (names.has(fn.name)) {
      err.write(`warm-state serve: function "${fn.name}" is given twice\n`);
      return 2;
    }
    names.add(fn.name);
    // A template's function runs by its Handler setting: a module Lambda would not find is the invocation's init error.
    const problem = fn.handler === undefined ? await handlerFileProblem(fn.file, fn.file) : null;
    if (problem !== null) {
      err.write(`warm-state serve: ${problem} (function ${fn.name})\n`);
      return 2;
    }
    if (fn.chooseHandler) {
      // Same choice as `invoke FILE`; refusing here beats serving a function whose every call fails.
      const choice = await chooseDefaultHandler(fn.file);
      if ('error' in choice) {
        err.write(`warm-state serve: ${fn.file}: ${choice.error}\n`);
        return 2;
      }
      fn.handlerExport = choice.handler;
      fn.chooseHandler = false;
    } else if (fn.handler === undefined) {
      // A named export the file does not seem to have: served anyway (it may be made at run
      // time), but said now rather than at the first call, as invoke says it.
      const missing = await missingExportWarning(fn.file, relative(process.cwd(), fn.file) || fn.file, fn.handlerExport);
      if (missing !== null) err.write(`warm-state serve: ${fn.name}: warning: ${missing}\n`);
    }
  }
  await chooseRuntimes(options, caller);
  return serve(options, caller);
}

/**
 * Each function's profile: `--runtime` > its template's Runtime > the local node's major. The
 * endpoint reports it as the function's Runtime, and the function's environment runs as it.
 */
async function chooseRuntimes(options: ServeOptions, caller: string): Promise<void> {
  const nodeVersion = (await probeNode()).version ?? process.version;
  const { findDeclaringFunction } = await import('../../core/config');
  for (const fn of options.functions) {
    if (fn.templateFile === undefined) {
      // A FILE or --function: a template in its folder or above may declare it, as for invoke FILE.
      const declaring = await findDeclaringFunction(fn.file, fn.handlerExport, stringEnv(), { region: caller });
      if (declaring?.runtime) {
        fn.runtime = declaring.runtime;
        fn.templateFile = relative(process.cwd(), declaring.configFile) || declaring.configFile;
      }
      if (declaring?.reservedConcurrency !== undefined) fn.reservedConcurrency = declaring.reservedConcurrency;
      if (declaring?.region) fn.region = declaring.region;
      if (declaring?.managedInstances) fn.managedConcurrency = declaring.managedInstances.concurrency;
    }
    const choice = chooseRuntime({ flag: options.runtime, template: fn.runtime, nodeVersion });
    if (choice.warning) err.write(`warm-state serve: ${fn.name}: ${choice.warning}\n`);
    fn.runtimeOrigin = describeRuntimeSource(choice.source, { templateFile: fn.templateFile, nodeVersion });
    fn.runtime = choice.profile;
    if (managedOf(fn, options) && choice.profile === 'nodejs20.x') throw new CliUsageError(`${fn.name}: ${MANAGED_INSTANCES_RUNTIME_PROBLEM} (--runtime nodejs22.x or nodejs24.x)`);
  }
}

/** `--concurrency`, `--workers`: serve takes them as invoke does (no --parallel, no --in-flight here). */
function serveManagedFlags(concurrency: string | undefined, workers: string | undefined): Pick<ServeOptions, 'managed'> {
  const managed = managedFlags(concurrency, workers, undefined, false, false);
  return managed ? { managed: { concurrency: managed.concurrency, ...(managed.workers !== undefined ? { workers: managed.workers } : {}) } } : {};
}

/** Managed Instances for this function: the flags, else its template's CapacityProviderConfig; undefined in the default mode. */
function managedOf(fn: ServedFunctionSpec, options: ServeOptions): ManagedInstancesOptions | undefined {
  if (!options.managed && fn.managedConcurrency === undefined) return undefined;
  return {
    concurrency: options.managed?.concurrency ?? fn.managedConcurrency ?? DEFAULT_CONCURRENCY_PER_VCPU,
    workers: options.managed?.workers ?? defaultWorkerCount(),
  };
}

/** The --resource functions of the template, as served functions (their settings included). */
async function resolveResources(options: ServeOptions, caller: string): Promise<ServedFunctionSpec[]> {
  if (options.resources.length === 0) return [];
  const { ConfigError, resolveTemplateFunction } = await import('../../core/config');
  const env = stringEnv();
  const specs: ServedFunctionSpec[] = [];
  for (const resource of options.resources) {
    let fn;
    try {
      fn = await resolveTemplateFunction({ template: options.template, resource, cwd: process.cwd(), env, region: caller });
    } catch (error) {
      // Its message names the functions found, where that helps.
      if (error instanceof ConfigError) throw new CliUsageError(error.message);
      throw error;
    }
    const run = templateHandler(fn);
    if ('problem' in run) throw new CliUsageError(`cannot serve ${fn.id}: ${run.problem}`);
    for (const warning of run.warnings) err.write(`warm-state serve: warning: ${warning}\n`);
    for (const [name, text] of Object.entries(fn.unresolvedEnvironment)) {
      err.write(`warm-state serve: ${fn.id}: variable ${name} (${text}) cannot be known locally and is not set\n`);
    }
    const name = (fn.functionName ?? fn.id).replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    specs.push({
      name,
      file: run.file,
      handlerExport: run.handlerExport,
      handler: run.handler,
      taskRoot: fn.codeDir,
      memoryMB: fn.memoryMB,
      timeoutSeconds: fn.timeoutSeconds,
      environment: fn.environment,
      templateFile: relative(process.cwd(), fn.configFile) || fn.configFile,
      ...(fn.runtime ? { runtime: fn.runtime } : {}),
      ...(fn.reservedConcurrency !== undefined ? { reservedConcurrency: fn.reservedConcurrency } : {}),
      ...(fn.managedInstances ? { managedConcurrency: fn.managedInstances.concurrency } : {}),
      ...(fn.region ? { region: fn.region } : {}),
    });
  }
  return specs;
}

/**
 * The line printed per request, written in batches: at most one write every LOG_BATCH_MS, so
 * a busy endpoint makes one system call (and wakes the terminal once) per batch, not per request.
 */
const LOG_BATCH_MS = 50;
function batchedLines(stream: { write(text: string): unknown }): { write(line: string): void; flush(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending) stream.write(pending);
    pending = '';
  };
  return {
    write(line) {
      if (!line) return;
      pending += line;
      timer ??= setTimeout(flush, LOG_BATCH_MS);
    },
    flush,
  };
}

/**
 * The endpoint plays one region (its ARNs, every function's AWS_REGION): the one a served
 * template deploys to (serverless provider.region), else the caller's. A function that would run
 * elsewhere on its own is named, so that a mixed serve does not move it silently.
 */
function endpointRegion(functions: ServedFunctionSpec[], caller: string): string {
  const declaring = functions.find((fn) => fn.region);
  const region = declaring?.region ?? caller;
  const elsewhere = functions.filter((fn) => (fn.region ?? caller) !== region);
  if (declaring && elsewhere.length > 0) {
    const own = elsewhere.map((fn) => `${fn.name} in ${fn.region ?? `${caller} (yours)`}`).join(', ');
    err.write(`warning: the endpoint serves every function in one region, ${region} (${declaring.name}'s ${declaring.templateFile ?? 'template'}); on its own ${own}\n`);
  }
  return region;
}

/** Runs the endpoint until SIGINT/SIGTERM; resolves with the exit code. */
async function serve(options: ServeOptions, caller: string): Promise<number> {
  const requestLog = batchedLines(err);
  const region = endpointRegion(options.functions, caller);
  let endpoint: LambdaEndpoint;
  try {
    endpoint = await startLambdaEndpoint({
      port: options.port,
      region,
      backendFactory: createBackendFactory({ createEnvironment: createLocalEnvironment }),
      access: { allowAnyCredentials: options.allowAnyCredentials },
      keyFile: (port) => localEndpointKeyFile(port),
      functions: options.functions.map((fn) => ({
        name: fn.name,
        code: { taskRoot: fn.taskRoot ?? dirname(fn.file), file: fn.file, handlerExport: fn.handlerExport, ...(fn.handler !== undefined ? { loadByHandler: true } : {}) },
        ...(fn.handler !== undefined ? { handler: fn.handler } : {}),
        memoryMB: fn.memoryMB ?? options.memoryMB,
        timeoutSeconds: fn.timeoutSeconds ?? options.timeoutSeconds,
        ...(fn.environment ? { environment: fn.environment } : {}),
        ...(fn.runtime ? { runtime: fn.runtime } : {}),
        ...servedConcurrency(fn, options),
      })),
      onRequest: (entry) => requestLog.write(`${new Date().toISOString()} ${requestLine(entry)}\n`),
      // Under the request lines, what the function wrote: its console reaches this terminal whoever invoked it.
      onFunctionLogs: (name, logs) => requestLog.write(functionLogLines(name, logs).map((line) => `  ${line}\n`).join('')),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      err.write(`warm-state serve: port ${options.port} on 127.0.0.1 is in use; pick another with --port N (0 = any free port)\n`);
      return 1;
    }
    throw error;
  }
  // Listen for the stop signals before the banner: a script that waits for "Ctrl+C stops"
  // and then sends SIGTERM must never meet Node's default (kill without closing).
  let resolveStop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStop = resolve));
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    resolveStop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  out.write(`Local Lambda endpoint on ${endpoint.url} (127.0.0.1 only)\n`);
  for (const fn of options.functions) {
    const what = fn.handlerExport ? `${fn.file} (export ${fn.handlerExport})` : `handler ${fn.handler ?? ''} in ${fn.taskRoot ?? dirname(fn.file)}`;
    out.write(`  ${fn.name}  ->  ${what} as ${fn.runtime} ${fn.runtimeOrigin ?? ''}, ${describeEnvironments(fn, options)}\n`);
  }
  const { accessKeyId, secretAccessKey } = endpoint.credentials;
  const name = options.functions[0].name;
  out.write(
    [
      `Requests must be signed with the key pair of this run, in ${endpoint.keyFile} (readable by you only),`,
      'where warm-state invoke --endpoint-url and the extension find it by themselves.',
      ...(options.allowAnyCredentials ? ['--allow-any-credentials: requests signed with other keys may invoke and read, never change code.'] : []),
      `Try: warm-state invoke --function ${name} --endpoint-url ${endpoint.url}`,
      ` or: AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} aws lambda invoke --endpoint-url ${endpoint.url} --region ${endpoint.state.region} --function-name ${name} --log-type Tail --cli-binary-format raw-in-base64-out --payload '{}' out.json`,
      'Ctrl+C stops.',
      '',
    ].join('\n'),
  );
  await stopped;
  await endpoint.close();
  requestLog.flush();
  out.write('Stopped.\n');
  return 0;
}

/** Environments (and in Managed Instances mode, invocations) the function may have at once. */
function servedConcurrency(fn: ServedFunctionSpec, options: ServeOptions): { reservedConcurrency: number; managedInstances?: ManagedInstancesOptions } {
  const managed = managedOf(fn, options);
  if (!managed) return { reservedConcurrency: environmentsOf(fn, options) };
  // A reserved concurrency counts invocations; --max-environments environments of `concurrency` each.
  return { reservedConcurrency: Math.min(fn.reservedConcurrency ?? Infinity, options.maxEnvironments * managed.concurrency), managedInstances: managed };
}

/** The smaller of --max-environments and the template's reserved concurrency (Lambda throttles beyond that). */
function environmentsOf(fn: ServedFunctionSpec, options: ServeOptions): number {
  return Math.min(fn.reservedConcurrency ?? options.maxEnvironments, options.maxEnvironments);
}

function describeEnvironments(fn: ServedFunctionSpec, options: ServeOptions): string {
  // The Runtime API backend runs one process, one invocation at a time, Managed Instances or not.
  const viaRuntimeApi = runtimeApiVariable(fn.environment);
  const managed = viaRuntimeApi ? undefined : managedOf(fn, options);
  if (managed) {
    const { reservedConcurrency } = servedConcurrency(fn, options);
    return `Managed Instances: ${managed.workers} worker${managed.workers === 1 ? '' : 's'} per environment, up to ${managed.concurrency} requests at once in each, ${reservedConcurrency} in all`;
  }
  const count = environmentsOf(fn, options);
  if (count === 0) return 'every request throttled (ReservedConcurrentExecutions 0)';
  if (viaRuntimeApi) return `one environment (its ${viaRuntimeApi} runs it through the Lambda Runtime API, one request at a time)`;
  const why = fn.reservedConcurrency !== undefined && fn.reservedConcurrency <= options.maxEnvironments ? ' (reserved concurrency)' : '';
  return `up to ${count} environment${count === 1 ? '' : 's'}${why}`;
}

function stringEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
