/**
 * `warm-state invoke` and `warm-state check` in local mode: resolve the handler (file and
 * export, or a template's function), read and parse the event before anything runs, drive a
 * WarmSession for N invocations and print records (human text or one JSON object per line).
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { chooseDefaultHandler, missingExportWarning } from './default-handler';
import { handlerFileProblem, templateHandler } from './handler-file';
import { ConfigError, findDeclaringFunction, resolveTemplateFunction, type FunctionConfig } from '../core/config';
import { callbackRefusal, detectHandlersWithDiagnostics } from '../core/handlers';
import { chooseRuntime, describeRuntimeSource, type RuntimeProfileName } from '../core/lambda/runtime-profiles';
import { InvalidEventError, parseEvent } from '../core/events';
import type { CrossTalkFinding, InvocationRecord, ModuleVariable } from '../core/model/snapshot';
import { callerRegion } from '../core/lambda/caller-region';
import type { EnvironmentOptions } from '../core/runtime/environment-api';
import { probeNode } from '../core/runtime/node-probe';
import { localEnvironments, ThrottledError, WarmSession } from '../core/session';
import { CliUsageError, type LocalRunOptions } from './args';
import { crossTalkLine, growthLine, invokeSummary, legend, palette, renderInvocation, type Layout } from './render';
import { latestPerEnvironment } from '../core/model/history';
import { formatBytes } from '../core/model/memory-trend';
import { MeasurementRefusedError } from '../core/runtime/local-environment';
import { terminalSafe, terminalSafeWriter } from './terminal-text';
import { DEFAULT_CONCURRENCY_PER_VCPU, defaultWorkerCount, MANAGED_INSTANCES_RUNTIME_PROBLEM } from '../core/lambda/defaults';
import { errorHint } from '../core/lambda/error-hints';
import { shellWords } from './shell-words';

export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  readStdin(): Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  layout: Layout;
}

/** What to run, once files, templates and defaults are resolved. */
export interface ResolvedTarget {
  environment: EnvironmentOptions;
  /** For messages: the file relative to the working directory and the export. */
  label: string;
  /** The runtime profile and where it came from: `nodejs22.x from template.yaml`. */
  runtimeLabel: string;
  /** Said before anything runs: a runtime chosen as a fallback, a callback handler the runtime refuses. */
  warnings: string[];
  /**
   * Environments the function may have: --max-environments, lowered by the template's
   * reserved concurrency (Lambda throttles beyond it), so possibly 0.
   */
  maxEnvironments: number;
  /** Why that many, for the throttle messages: `--max-environments 10`, `ReservedConcurrentExecutions 2 in template.yaml`. */
  limitLabel: string;
  /** Invocations the driver keeps in flight: --parallel, or in Managed Instances mode --in-flight (default: the concurrency). */
  inFlight: number;
}

/** Exit codes: 0 fine, 1 a failed invocation or growing state (check), 2 bad usage or input. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export async function resolveTarget(options: LocalRunOptions, io: Pick<CliIO, 'cwd' | 'env' | 'stderr'>): Promise<ResolvedTarget> {
  // Read once: a template's AWS::Region, and the region of a function no template places.
  const region = await callerRegion(io.env);
  const common = {
    freeze: options.freeze,
    nodePath: options.nodePath,
    initProfile: options.initProfile,
    region,
  };
  if (options.resource !== undefined) {
    let fn;
    try {
      fn = await resolveTemplateFunction({ template: options.template, resource: options.resource, cwd: io.cwd, env: stringEnv(io.env), region });
    } catch (error) {
      // Its message names the functions found, where that helps.
      if (error instanceof ConfigError) throw new CliUsageError(error.message);
      throw error;
    }
    const run = templateHandler(fn);
    if ('problem' in run) throw new CliUsageError(`cannot run ${fn.id}:\n  ${run.problem}`);
    for (const [name, text] of Object.entries(fn.unresolvedEnvironment)) {
      io.stderr.write(`warning: environment variable ${name} (${text}) cannot be resolved locally and is not set; pass --env ${name}=VALUE\n`);
    }
    const { file, handlerExport, handler, warnings: checks } = run;
    const target = await withRuntime(
      {
        ...common,
        file,
        handlerExport,
        handler,
        handlerWarnings: checks,
        taskRoot: fn.codeDir,
        timeoutSeconds: options.timeoutSeconds ?? fn.timeoutSeconds,
        memoryMB: options.memoryMB ?? fn.memoryMB,
        env: { ...fn.environment, ...options.env },
        functionName: fn.functionName ?? fn.id,
      },
      `${fn.id} (${relative(io.cwd, file) || file}, handler ${handler})`,
      options,
      fn,
      io,
    );
    // The template's static checks, said before the run (they never stop it).
    return { ...target, warnings: [...checks, ...target.warnings] };
  }

  const file = resolve(io.cwd, options.file);
  const problem = await handlerFileProblem(file, options.file);
  if (problem !== null) throw new CliUsageError(problem);
  const handlerExport = options.handler ?? (await defaultHandler(file));
  // The file runs with its own settings, but a template that declares it says which runtime
  // (unless --runtime does) and how many environments it may have.
  const declaring = await findDeclaringFunction(file, handlerExport, stringEnv(io.env), { region });
  const missing = options.handler === undefined ? null : await missingExportWarning(file, options.file, handlerExport);
  const checks = missing === null ? [] : [missing];
  // The header says which settings came from the template, and how to have all of them.
  let declaredAs = '';
  if (declaring) {
    const templateFile = relative(io.cwd, declaring.configFile) || declaring.configFile;
    // The template is looked for in the working folder; elsewhere it must be named.
    const flags = shellWords(dirname(declaring.configFile) === resolve(io.cwd) ? ['--resource', declaring.id] : ['--template', templateFile, '--resource', declaring.id]);
    declaredAs = ` (${declaring.id} in ${templateFile}: ${flags} for its memory, timeout and variables)`;
  }
  const target = await withRuntime(
    { ...common, file, handlerExport, handlerWarnings: checks, timeoutSeconds: options.timeoutSeconds, memoryMB: options.memoryMB, env: options.env },
    `${relative(io.cwd, file) || file}, export ${handlerExport}${declaredAs}`,
    options,
    declaring,
    io,
  );
  return { ...target, warnings: [...checks, ...target.warnings] };
}

/**
 * Completes a target with its runtime profile: `--runtime` > the declaring template's Runtime >
 * the major of the node that will run it (asked now; the environment reuses the answer). Warns
 * about a fallback choice and, before anything runs, about a callback handler the profile refuses.
 */
async function withRuntime(
  environment: EnvironmentOptions,
  label: string,
  options: LocalRunOptions,
  declaring: FunctionConfig | undefined,
  io: Pick<CliIO, 'cwd'>,
): Promise<ResolvedTarget> {
  const node = await probeNode(options.nodePath ?? 'node');
  // The region the template deploys to (serverless provider.region), else the caller's.
  const region = declaring?.region ?? environment.region;
  const nodeVersion = node.version ?? process.version;
  const choice = chooseRuntime({ flag: options.runtime, template: declaring?.runtime, nodeVersion });
  const templateFile = declaring && (relative(io.cwd, declaring.configFile) || declaring.configFile);
  const warnings = choice.warning ? [choice.warning] : [];
  const refusal = await callbackWarning(environment.file, environment.handlerExport, choice.profile);
  if (refusal) warnings.push(refusal);
  const managed = managedMode(options, declaring);
  // With one invocation at a time (concurrency 1) there is no cross-talk to miss.
  const atOnce = managed ? Math.min(managed.inFlight, managed.concurrency) : 0;
  if (managed && options.command === 'check' && managed.concurrency > 1 && atOnce < 2 * managed.workers) {
    const fix = atOnce >= 2 ? `--workers ${Math.floor(atOnce / 2)}` : '--in-flight 2 --workers 1';
    warnings.push(
      `cross-talk shows only where one worker runs two invocations at once, which ${atOnce} at once on ${managed.workers} worker${managed.workers === 1 ? '' : 's'} may never do: check can pass or fail from run to run (${fix} makes the overlap certain)`,
    );
  }
  if (managed && choice.profile === 'nodejs20.x') {
    throw new CliUsageError(`${MANAGED_INSTANCES_RUNTIME_PROBLEM} (the profile is nodejs20.x ${describeRuntimeSource(choice.source, { templateFile, nodeVersion })}; --runtime nodejs22.x or nodejs24.x)`);
  }
  const reserved = declaring?.reservedConcurrency;
  const byTemplate = reserved !== undefined && reserved < options.maxEnvironments;
  const maxEnvironments = byTemplate ? reserved : options.maxEnvironments;
  const limitLabel = byTemplate && declaring ? `the reserved concurrency ${reserved} in ${templateFile}` : `--max-environments ${maxEnvironments}`;
  if (maxEnvironments === 0) {
    warnings.push(`${limitLabel} turns the function off: Lambda throttles every invocation, and so does this run`);
  } else if (options.parallel > maxEnvironments) {
    warnings.push(`--parallel ${options.parallel} is more than the ${maxEnvironments} environment${maxEnvironments === 1 ? '' : 's'} the function may have (${limitLabel}): invocations beyond them are throttled, as Lambda throttles them`);
  }
  return {
    environment: { ...environment, region, runtime: choice.profile, runtimeSource: choice.source, ...(managed ? { managedInstances: { concurrency: managed.concurrency, workers: managed.workers } } : {}) },
    inFlight: managed ? managed.inFlight : options.parallel,
    label,
    runtimeLabel: `${choice.profile} ${describeRuntimeSource(choice.source, { templateFile, nodeVersion })}`,
    warnings,
    maxEnvironments,
    limitLabel,
  };
}

/**
 * Managed Instances: from the flags, else from the declaring template's CapacityProviderConfig
 * (its per-environment concurrency, else Lambda's default for Node.js); null in the default mode.
 * `check` runs at least two invocations at once on every worker unless told the worker count:
 * cross-talk needs that overlap, and with one invocation per worker (the engine spreads them
 * evenly) its verdict would depend on timing.
 */
function managedMode(options: LocalRunOptions, declaring: FunctionConfig | undefined): { concurrency: number; workers: number; inFlight: number } | null {
  const declared = declaring?.managedInstances;
  if (!options.managed && !declared) return null;
  const concurrency = options.managed?.concurrency ?? declared?.concurrency ?? DEFAULT_CONCURRENCY_PER_VCPU;
  const inFlight = options.managed?.inFlight ?? concurrency;
  // One environment never runs more than its concurrency at once, however many are in flight.
  const perEnvironment = Math.min(inFlight, concurrency);
  const defaultWorkers = options.command === 'check' ? Math.min(defaultWorkerCount(), Math.max(1, Math.floor(perEnvironment / 2))) : defaultWorkerCount();
  return { concurrency, workers: options.managed?.workers ?? defaultWorkers, inFlight };
}

/** The nodejs24.x warning for a callback-style handler (a nested export path is not looked into). */
async function callbackWarning(file: string, handlerExport: string, profile: RuntimeProfileName): Promise<string | null> {
  const source = await readFile(file, 'utf8').catch(() => null);
  if (source === null) return null;
  const candidate = detectHandlersWithDiagnostics(source, file).candidates.find((c) => c.exportName === handlerExport);
  return candidate ? callbackRefusal(candidate, profile) : null;
}

/** The one handler-looking export, else `handler`; ambiguous or missing: an error listing the candidates. */
async function defaultHandler(file: string): Promise<string> {
  const choice = await chooseDefaultHandler(file);
  if ('error' in choice) throw new CliUsageError(choice.error);
  return choice.handler;
}

export async function readEventOption(options: LocalRunOptions, io: Pick<CliIO, 'cwd' | 'readStdin'>): Promise<unknown> {
  if (options.event === undefined) return {};
  let text: string;
  let source: string;
  if (options.event === '-') {
    text = await io.readStdin();
    source = 'the event on stdin';
  } else {
    const path = resolve(io.cwd, options.event);
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new CliUsageError(`cannot read the event file ${options.event}`);
    }
    source = `the event file ${options.event}`;
  }
  try {
    return parseEvent(text, source);
  } catch (error) {
    if (error instanceof InvalidEventError) throw new CliUsageError(error.message);
    throw error;
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}

function failed(record: InvocationRecord): boolean {
  return record.error !== null || record.reset !== null;
}

/** Runs `invoke` or `check`; returns the exit code. Usage problems come back as exit 2 with a message. */
export async function runLocal(options: LocalRunOptions, cli: CliIO): Promise<number> {
  // Messages quote file names, template text and errors: none of it may drive the terminal.
  const io: CliIO = { ...cli, stderr: terminalSafeWriter(cli.stderr) };
  let target: ResolvedTarget;
  let event: unknown;
  try {
    target = await resolveTarget(options, io);
    event = await readEventOption(options, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`warm-state ${options.command}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }

  const session = new WarmSession({ environments: localEnvironments(target.environment), maxEnvironments: target.maxEnvironments });
  const records: InvocationRecord[] = [];
  const p = palette(io.layout.color);
  const managed = target.environment.managedInstances;
  const inFlight = managed
    ? `, Managed Instances: ${managed.workers} worker${managed.workers === 1 ? '' : 's'}, concurrency ${managed.concurrency}, ${target.inFlight} in flight`
    : options.parallel > 1
      ? `, ${options.parallel} in flight`
      : '';
  const layout: Layout = { ...io.layout, showEnvironment: options.parallel > 1 };
  let throttled = 0;
  const runOne = async (index: number): Promise<void> => {
    let record: InvocationRecord;
    try {
      record = await session.invoke(event);
    } catch (error) {
      if (!(error instanceof ThrottledError)) throw error;
      throttled += 1;
      const line = `throttled: ${error.errorType} (${error.reason}): ${error.message} (${target.limitLabel})`;
      if (options.json) io.stderr.write(`warm-state ${options.command}: ${line}\n`);
      else io.stdout.write(`${p.red(terminalSafe(options.command === 'check' ? `  ${line}` : `✗ ${line}`))}\n${options.command === 'check' ? '' : '\n'}`);
      return;
    }
    if (measuresRetained(options, index, target.environment.managedInstances !== undefined)) record = await measureRetained(session, record, io);
    records.push(record);
    if (records.length === 1) warnNodeMismatch(target, record, io);
    if (options.command === 'check') {
      if (!options.json) io.stdout.write(`${terminalSafe(checkProgressLine(record, layout.showEnvironment === true))}\n`);
    } else if (options.json) io.stdout.write(`${JSON.stringify(record)}\n`);
    else io.stdout.write(`${renderInvocation(record, layout)}\n\n`);
  };
  try {
    for (const warning of target.warnings) io.stderr.write(`warning: ${warning}\n`);
    if (options.command === 'invoke' && !options.json) {
      io.stdout.write(`${p.bold('warm-state')} ${terminalSafe(target.label)} · ${terminalSafe(target.runtimeLabel)} · ${options.times} invocation${options.times === 1 ? '' : 's'}${inFlight}\n${legend(io.layout)}\n\n`);
    } else if (options.command === 'check' && !options.json) {
      io.stdout.write(`${p.bold('warm-state check')} ${terminalSafe(target.label)} · ${terminalSafe(target.runtimeLabel)} · ${options.times} invocations${inFlight}\n`);
    }
    await keepInFlight(options.times, target.inFlight, runOne);
  } catch (error) {
    io.stderr.write(`warm-state ${options.command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  } finally {
    await session.dispose();
  }

  if (throttled > 0 && !options.json) {
    io.stdout.write(`${p.yellow(`note: ${throttled} of ${options.times} invocations throttled: every environment the function may have was busy (${terminalSafe(target.limitLabel)})`)}\n`);
  }
  if (options.command === 'check' && options.json) return reportCheckJson(records, throttled, io);
  if (options.command === 'check') return reportCheck(records, throttled, io, layout.showEnvironment === true);
  const summary = options.json ? null : invokeSummary(records, io.layout);
  if (summary) io.stdout.write(`${summary}\n`);
  return records.some(failed) || throttled > 0 ? EXIT_FAILED : EXIT_OK;
}

/**
 * Runs `run(0)` to `run(times - 1)`, keeping `parallel` of them in flight: a new one starts as
 * soon as one ends, as a load driver does. The first failure of `run` ends the drive.
 */
export async function keepInFlight(times: number, parallel: number, run: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < times) await run(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, times)) }, lane));
}

/** check measures retained bytes after its last invocations: three points to call them growing. */
export const RETAINED_IN_CHECK = 3;

function measuresRetained(options: LocalRunOptions, index: number, managed: boolean): boolean {
  // Managed Instances: each worker has a heap of its own, and another invocation is always in flight.
  if (managed) return false;
  // A heap snapshot waits until every environment is idle: it would hold back --parallel.
  if (options.parallel > 1) return false;
  if (options.retained) return true;
  return options.command === 'check' && index >= options.times - RETAINED_IN_CHECK;
}

/** The record with retained bytes, or as it was (with a warning) when the measurement was refused. */
async function measureRetained(session: WarmSession, record: InvocationRecord, io: CliIO): Promise<InvocationRecord> {
  if (record.reset || record.captureError) return record;
  try {
    return await session.measureRetained();
  } catch (error) {
    if (!(error instanceof MeasurementRefusedError)) throw error;
    io.stderr.write(`warning: ${error.message}\n`);
    return record;
  }
}

/**
 * The node that ran is not the profile's major (the record says so too). Not repeated when the
 * local node chose the profile: the choice's own warning said it.
 */
function warnNodeMismatch(target: ResolvedTarget, record: InvocationRecord, io: CliIO): void {
  if (record.nodeMismatch && target.environment.runtimeSource !== 'node-major') io.stderr.write(`warning: ${record.nodeMismatch}\n`);
}

function checkProgressLine(record: InvocationRecord, showEnvironment: boolean): string {
  const parts = [
    `  #${record.invocation}`,
    ...(showEnvironment ? [`environment ${record.environment ?? 0}`] : []),
    ...(record.worker !== undefined ? [`worker ${record.worker}`] : []),
    record.cold ? 'cold' : 'warm',
    `${record.durationMs.toFixed(1)} ms`,
  ];
  if (record.error) parts.push(`${record.error.errorType}: ${record.error.errorMessage}`);
  if (record.reset) parts.push(`environment reset (${record.reset})`);
  if (record.captureError) parts.push(`scopes not captured: ${record.captureError}`);
  if (record.findings?.length) parts.push(`${record.findings.length} cross-talk finding${record.findings.length === 1 ? '' : 's'}`);
  return parts.join('  ');
}

/**
 * The variables still growing at the end of the run, in each environment: those flagged in
 * the environment's last invocation whose module scope was captured (an environment's
 * growth is judged on its own invocations only). A cache that filled up over the first
 * invocations and then stopped is not reported; state lost to a reset is judged by what
 * came before.
 */
export function growingVariables(records: readonly InvocationRecord[]): Array<ModuleVariable & { environment: number; worker?: number }> {
  const captured = records.filter((record) => record.moduleScope.length > 0);
  return latestPerEnvironment(captured).flatMap((record) =>
    record.moduleScope
      .filter((v) => v.growing)
      .map((variable) => ({ ...variable, environment: record.environment ?? 0, ...(record.worker !== undefined ? { worker: record.worker } : {}) })),
  );
}

/** Cross-talk findings printed by check; the rest are counted (all are in --json). */
const SHOWN_FINDINGS = 5;

/** Every cross-talk finding of the run (Managed Instances), in the order the readers finished. */
export function crossTalkFindings(records: readonly InvocationRecord[]): CrossTalkFinding[] {
  return records.flatMap((record) => record.findings ?? []);
}

/** `check --json`: one summary object on stdout; the exit code as without --json. */
function reportCheckJson(records: readonly InvocationRecord[], throttled: number, io: CliIO): number {
  const growing = growingVariables(records).map((v) => ({ name: v.name, environment: v.environment, ...(v.worker !== undefined ? { worker: v.worker } : {}), sizeSeries: v.sizeSeries }));
  const findings = crossTalkFindings(records);
  const captured = records.some((r) => r.captureError === null && r.reset !== 'init-error');
  const failures = records.filter(failed).length;
  // As the exit codes say: a failed or throttled invocation fails the check, as growth does.
  const ok = captured && growing.length === 0 && findings.length === 0 && failures === 0 && throttled === 0;
  const summary = {
    ok,
    invocations: records.length,
    failed: failures,
    throttled,
    environments: new Set(records.map((r) => r.environment ?? 0)).size,
    workers: new Set(records.filter((r) => r.worker !== undefined).map((r) => `${r.environment ?? 0}:${r.worker}`)).size,
    growing,
    findings,
    ...(captured ? {} : { error: records.find((r) => r.error)?.error?.errorMessage ?? records.find((r) => r.captureError)?.captureError ?? 'no invocation was captured' }),
  };
  io.stdout.write(`${JSON.stringify(summary)}\n`);
  return ok ? EXIT_OK : EXIT_FAILED;
}

/**
 * check's verdict: growth, cross-talk, nothing captured, and (as the exit codes say) a failed or
 * throttled invocation each fail it; growth is still judged when invocations failed.
 */
function reportCheck(records: readonly InvocationRecord[], throttled: number, io: CliIO, showEnvironment: boolean): number {
  const p = palette(io.layout.color);
  const failures = records.filter(failed).length;
  if (failures > 0) io.stdout.write(`${p.red(`✗ ${failures} of ${records.length} invocations failed (see above)`)}\n`);
  const findings = crossTalkFindings(records);
  // Every reader has its own finding: a burst of 64 in flight would print 63 alike lines.
  for (const finding of findings.slice(0, SHOWN_FINDINGS)) io.stdout.write(`${p.red(terminalSafe(`✗ ${crossTalkLine(finding)}`))}\n`);
  if (findings.length > SHOWN_FINDINGS) io.stdout.write(`${p.red(`  ... and ${findings.length - SHOWN_FINDINGS} more (warm-state check --json lists them all)`)}\n`);
  if (findings.length > 0) {
    const variables = new Set(findings.map((f) => f.variable));
    io.stdout.write(`${findings.length} cross-talk finding${findings.length === 1 ? '' : 's'} on ${[...variables].join(', ')}: concurrent invocations of one worker share its module scope (keep per-request state in the handler or in AsyncLocalStorage).\n`);
  }
  const growing = growingVariables(records);
  if (growing.length > 0) {
    for (const variable of growing) {
      const where = variable.worker !== undefined ? ` [environment ${variable.environment}, worker ${variable.worker}]` : showEnvironment ? ` [environment ${variable.environment}]` : '';
      io.stdout.write(`${p.red(`✗ ${growthLine(variable).replace(/^⚠ /, '')}${where}`)}\n`);
    }
    const names = new Set(growing.map((variable) => variable.name)).size;
    const environments = new Set(growing.map((variable) => variable.environment)).size;
    const where = showEnvironment ? ` (in ${environments} environment${environments === 1 ? '' : 's'})` : '';
    io.stdout.write(`${names === 1 ? '1 module-scope variable keeps' : `${names} module-scope variables keep`} growing between warm invocations${where}.\n`);
    writeInvocationsLeft(records, io, showEnvironment);
    return EXIT_FAILED;
  }
  if (findings.length > 0) return EXIT_FAILED;
  const captured = records.filter((r) => r.captureError === null && r.reset !== 'init-error');
  if (captured.length === 0) {
    const failure = records.find((r) => r.error)?.error;
    const reason = failure?.errorMessage ?? records.find((r) => r.captureError)?.captureError ?? 'no invocation was captured';
    io.stdout.write(`${p.red(terminalSafe(`✗ could not check: ${reason}`))}\n`);
    const hint = failure ? errorHint(failure) : null;
    if (hint) io.stdout.write(`${p.yellow(`hint: ${hint}`)}\n`);
    return EXIT_FAILED;
  }
  io.stdout.write(`${p.green(`✓ no module-scope variable kept growing over ${records.length} invocations`)}\n`);
  writeInvocationsLeft(records, io, showEnvironment);
  return failures > 0 || throttled > 0 ? EXIT_FAILED : EXIT_OK;
}

/**
 * `invocations left: 812 (estimate ...)`: never changes check's exit code. The estimate is of
 * the environment that ran last (each environment's memory is its own), named when several ran.
 */
function writeInvocationsLeft(records: readonly InvocationRecord[], io: CliIO, showEnvironment: boolean): void {
  const last = records[records.length - 1];
  const estimate = last?.memoryEstimate;
  if (!last || !estimate) return;
  const where = showEnvironment ? ` in environment ${last.environment ?? 0}` : '';
  if (estimate.invocationsLeft === null) {
    io.stdout.write(`invocations left${where}: no estimate (memory grows by less than 1 KB per invocation)\n`);
    return;
  }
  const basis = estimate.basis === 'heap' ? 'heap used' : 'retained bytes';
  io.stdout.write(`invocations left${where}: ${estimate.invocationsLeft} before ${last.memorySizeMB} MB (an estimate from ${basis}: +${formatBytes(estimate.bytesPerInvocation)} per invocation)\n`);
}
