/**
 * `warm-state invoke --function NAME`: invokes a deployed Lambda function (or one behind
 * an endpoint such as `warm-state serve` or LocalStack) and prints the same records as
 * local invocations. Also attaches and detaches the Warm State probe layer.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidEventError, parseEvent } from '../../core/events';
import type { InvocationRecord } from '../../core/model/snapshot';
import { createDeployedSession } from '../../core/session';
import { DeployedError } from '../../core/deployed/errors';
import { CliUsageError, integerIn, parseFlags } from '../args';
import type { AttemptFailure } from '../../core/deployed/lambda-client';
import { attachProbe, detachProbe, planAttach, type AttachPlan, type ProbeTarget } from '../../core/deployed/probe/attach';
import { buildProbeLayer, ProbeFilesMissingError } from '../../core/deployed/probe/probe-layer';
import { ChildRuntimeMissingError, locateChildDir } from '../../core/runtime/child-locator';
import { invokeSummary, legend, palette, renderInvocation, type Layout } from '../render';
import { terminalSafe, terminalSafeWriter } from '../terminal-text';
import { shellWords } from '../shell-words';

export const INVOKE_DEPLOYED_USAGE = `Usage:
  warm-state invoke --function NAME [--qualifier Q] [--region R] [--profile P]
                    [--endpoint-url URL] [--event FILE] [--times N] [--json]
  warm-state invoke --function NAME --attach-probe [--yes] [connection options]
  warm-state invoke --function NAME --detach-probe [connection options]

Invokes a deployed AWS Lambda function with LogType Tail and prints, per invocation:
cold or warm (Init Duration), Duration, Billed Duration, Memory Size, Max Memory Used,
the response or FunctionError, the decoded log tail, and module/handler scopes when the
Warm State probe is attached. Credentials come from the AWS SDK's standard chain
(environment, shared config/credentials files, SSO, container/instance roles).

Options:
  --function NAME      function name, ARN, or NAME:ALIAS
  --qualifier Q        version or alias to invoke (default $LATEST)
  --region R           AWS region (default: AWS_REGION or the profile's region)
  --profile P          named profile from ~/.aws/config
  --endpoint-url URL   another endpoint, e.g. http://127.0.0.1:3001 (warm-state serve)
  --event FILE         JSON event file (default {}); "-" reads standard input
  --times N            invoke N times in a row (default 1)
  --json               one JSON record per line (the snapshot contract)
  --attach-probe       publish the probe layer and add it to the function (shows the
                       change; applies it only with --yes)
  --detach-probe       restore the configuration saved when the probe was attached
  --yes                confirm --attach-probe
  -h, --help           show this text`;

export interface InvokeDeployedOptions {
  functionName: string;
  qualifier?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Absolute path, or '-' for standard input; undefined means the event {}. */
  eventFile?: string;
  times: number;
  json: boolean;
  action: 'invoke' | 'attach-probe' | 'detach-probe';
  yes: boolean;
}

const OPTIONS = {
  function: { type: 'string', short: 'f' },
  qualifier: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  event: { type: 'string', short: 'e' },
  times: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  'attach-probe': { type: 'boolean' },
  'detach-probe': { type: 'boolean' },
  yes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseInvokeDeployedArgs(args: readonly string[], cwd = process.cwd()): InvokeDeployedOptions | 'help' {
  const { values, positionals } = parseFlags(args[0] === 'invoke' ? args.slice(1) : args, OPTIONS);
  if (values.help) return 'help';
  if (positionals.length > 0) {
    throw new CliUsageError(`unexpected argument ${positionals[0]} (a deployed function is named with --function, not a file)`);
  }
  const functionName = values.function;
  if (!functionName) throw new CliUsageError('--function NAME is required');
  const endpointUrl = values['endpoint-url'];
  if (endpointUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(endpointUrl)) {
    throw new CliUsageError(`--endpoint-url must be an http(s) URL, got "${endpointUrl}"`);
  }
  const attach = values['attach-probe'] === true;
  const detach = values['detach-probe'] === true;
  if (attach && detach) throw new CliUsageError('choose one of --attach-probe and --detach-probe');
  const event = values.event;
  return {
    functionName,
    qualifier: values.qualifier,
    region: values.region,
    profile: values.profile,
    endpointUrl,
    eventFile: event === undefined || event === '-' ? event : resolve(cwd, event),
    times: values.times === undefined ? 1 : integerIn(values.times, '--times', 1, 1000),
    json: values.json === true,
    action: attach ? 'attach-probe' : detach ? 'detach-probe' : 'invoke',
    yes: values.yes === true,
  };
}

export async function runInvokeDeployed(args: string[]): Promise<number> {
  let options: InvokeDeployedOptions | 'help';
  try {
    options = parseInvokeDeployedArgs(args);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`warm-state invoke: ${terminalSafe(error.message)}\n\n${INVOKE_DEPLOYED_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${INVOKE_DEPLOYED_USAGE}\n`);
    return 0;
  }
  const io: DeployedIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin,
    layout: { width: process.stdout.columns ?? 100, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR },
  };
  // Messages quote AWS's (or an endpoint's) answers: none of it may drive the terminal.
  const errors = terminalSafeWriter(io.stderr);
  try {
    if (options.action === 'attach-probe') return await runAttach(options, io);
    if (options.action === 'detach-probe') return await runDetach(options, io);
    return await runInvocations(options, io);
  } catch (error) {
    if (error instanceof DeployedError) {
      errors.write(`warm-state invoke: ${error.message}\nNext step: ${error.nextStep}\n`);
      return 1;
    }
    if (error instanceof CliUsageError) {
      errors.write(`warm-state invoke: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ProbeFilesMissingError || error instanceof ChildRuntimeMissingError) {
      errors.write(`warm-state invoke: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

export interface DeployedIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  readStdin(): Promise<string>;
  layout: Layout;
}

/** Attempts per call, retries included; throttling is retried with backoff within these. */
const MAX_ATTEMPTS = 4;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readEvent(options: InvokeDeployedOptions, io: DeployedIO): Promise<unknown> {
  if (options.eventFile === undefined) return {};
  let text: string;
  try {
    text = options.eventFile === '-' ? await io.readStdin() : await readFile(options.eventFile, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read the event file ${options.eventFile}`);
  }
  try {
    return parseEvent(text, options.eventFile === '-' ? 'the event on stdin' : `the event file ${options.eventFile}`);
  } catch (error) {
    if (error instanceof InvalidEventError) throw new CliUsageError(error.message);
    throw error;
  }
}

function connection(options: InvokeDeployedOptions) {
  return { region: options.region, profile: options.profile, endpointUrl: options.endpointUrl, maxAttempts: MAX_ATTEMPTS };
}

function isRetryable(failure: AttemptFailure): boolean {
  return failure.httpStatus === null || failure.httpStatus === 429 || failure.httpStatus >= 500 || /Throttl|TooManyRequests/.test(failure.errorName);
}

function describeAttempt(failure: AttemptFailure): string {
  const status = failure.httpStatus ? `, HTTP ${failure.httpStatus}` : '';
  const next = failure.attempt > 0 && failure.attempt < MAX_ATTEMPTS ? 'retrying with backoff' : 'no attempts left';
  return `${failure.operation} attempt ${failure.attempt || '?'} of ${MAX_ATTEMPTS} failed (${failure.errorName}${status}); ${next}`;
}

async function runInvocations(options: InvokeDeployedOptions, io: DeployedIO): Promise<number> {
  let event: unknown;
  try {
    event = await readEvent(options, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`warm-state invoke: ${terminalSafe(error.message)}\n`);
      return 2;
    }
    throw error;
  }
  const p = palette(io.layout.color);
  const session = createDeployedSession({
    functionName: options.functionName,
    qualifier: options.qualifier,
    ...connection(options),
    // Only failures the SDK retries are worth a line (throttling, server errors); the others end in one clear error.
    onAttemptFailed: (failure) => {
      if (isRetryable(failure)) io.stderr.write(`${p.yellow(terminalSafe(describeAttempt(failure)))}\n`);
    },
  });
  const records: InvocationRecord[] = [];
  try {
    const where = terminalSafe(options.endpointUrl ? ` at ${options.endpointUrl}` : options.region ? ` in ${options.region}` : '');
    const name = terminalSafe(`${options.functionName}${options.qualifier ? `:${options.qualifier}` : ''}`);
    if (!options.json) {
      io.stdout.write(`${p.bold('warm-state')} ${name} (deployed${where}) · ${options.times} invocation${options.times === 1 ? '' : 's'}\n${legend(io.layout)}\n\n`);
    }
    for (let i = 0; i < options.times; i++) {
      const record = await session.invoke(event);
      records.push(record);
      if (options.json) io.stdout.write(`${JSON.stringify(record)}\n`);
      else io.stdout.write(`${renderDeployed(record, io.layout)}\n\n`);
    }
  } finally {
    await session.dispose();
  }
  const summary = options.json ? null : invokeSummary(records, io.layout);
  if (summary) io.stdout.write(`${summary}\n`);
  return records.some((r) => r.error !== null || r.reset !== null) ? 1 : 0;
}

/** The local block, plus what only a deployed invocation has: billing, memory size, version, notes. */
export function renderDeployed(record: InvocationRecord, layout: Layout): string {
  const p = palette(layout.color);
  const details = record.deployed;
  const lines = [renderInvocation(record, layout)];
  if (details) {
    const facts = [
      'deployed',
      details.executedVersion ? `version ${details.executedVersion}` : null,
      details.reportFound ? `billed ${record.billedDurationMs} ms` : null,
      details.reportFound ? `memory ${record.maxMemoryUsedMB} of ${record.memorySizeMB} MB used (high-water mark)` : null,
      details.attempts > 1 ? `${details.attempts} attempts` : null,
    ].filter((f): f is string => f !== null);
    lines.push(p.dim(terminalSafe(facts.join(' · '))));
    if (details.truncated.length > 0) lines.push(p.yellow(terminalSafe(`cut to fit the 4 KB log tail: ${details.truncated.join(', ')}`)));
    for (const warning of details.warnings) lines.push(p.yellow(terminalSafe(`note: ${warning}`)));
  }
  return lines.join('\n');
}

function target(options: InvokeDeployedOptions): ProbeTarget {
  return { functionName: options.functionName, qualifier: options.qualifier, ...connection(options) };
}

function printPlan(plan: AttachPlan, io: DeployedIO): void {
  const out = terminalSafeWriter(io.stdout);
  out.write(`Attach the Warm State probe to ${plan.functionArn} (${plan.runtime}, ${plan.region}):\n`);
  for (const change of plan.changes) out.write(`  - ${change}\n`);
  out.write(`The current layers and variables are saved in ${plan.stateFile}; --detach-probe restores them exactly.\n`);
}

async function runAttach(options: InvokeDeployedOptions, io: DeployedIO): Promise<number> {
  if (!options.yes) {
    printPlan(await planAttach(target(options)), io);
    io.stdout.write('Nothing was changed. Run again with --yes to apply.\n');
    return 0;
  }
  const layer = buildProbeLayer(locateChildDir());
  const result = await attachProbe(target(options), layer, async (plan) => {
    printPlan(plan, io);
    return true;
  });
  if (!result) return 1;
  const out = terminalSafeWriter(io.stdout);
  out.write(`Probe attached. Layers now: ${result.layers.join(', ')}\n`);
  out.write(`Invoke it to see module and handler scope: ${invokeCommandFor(options)}\n`);
  return 0;
}

/** The command that invokes the same function the same way (endpoint, profile, region, version), ready to paste into a POSIX shell. */
export function invokeCommandFor(options: Pick<InvokeDeployedOptions, 'functionName' | 'qualifier' | 'region' | 'profile' | 'endpointUrl'>): string {
  const words = ['warm-state', 'invoke', '--function', options.functionName];
  for (const [flag, value] of [['--qualifier', options.qualifier], ['--region', options.region], ['--profile', options.profile], ['--endpoint-url', options.endpointUrl]] as const) {
    if (value !== undefined) words.push(flag, value);
  }
  return shellWords(words);
}

async function runDetach(options: InvokeDeployedOptions, io: DeployedIO): Promise<number> {
  const result = await detachProbe(target(options));
  const out = terminalSafeWriter(io.stdout);
  out.write(`Probe detached from ${result.functionArn}. Layers now: ${result.layers.length ? result.layers.join(', ') : '(none)'}\n`);
  for (const note of result.notes) out.write(`note: ${note}\n`);
  if (result.notes.length === 0) out.write('The layers and environment variables are back exactly as they were before the attach.\n');
  return 0;
}
