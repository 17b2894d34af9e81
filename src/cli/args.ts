/**
 * Command-line parsing for every `warm-state` command, on node:util's parseArgs. Pure: argv
 * in, typed values out, or a CliUsageError (exit code 2) saying what to fix. Strict on
 * purpose: an unknown flag or a flag missing its value is an error, never silently ignored.
 * Also the options of the local commands, `invoke` and `check`; `serve` and
 * `invoke --function` declare theirs in src/cli/commands.
 */
import { parseArgs } from 'node:util';
import { checkTimeoutSeconds } from '../core/lambda/timeout-range';
import { isRuntimeProfileName, UnknownRuntimeError, type RuntimeProfileName } from '../core/lambda/runtime-profiles';
import { DEFAULT_MAX_ENVIRONMENTS } from '../core/runtime/environment-pool';

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** A command's flags, as parseArgs takes them: `--name value` (string) or `--name` (boolean). */
export type FlagOptions = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean }>>;

type ParsedFlags<O extends FlagOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/**
 * parseArgs in one voice for every command: the flag mistakes are found from its tokens and
 * worded here (Node's own messages differ across versions and carry long hints).
 */
export function parseFlags<const O extends FlagOptions>(args: readonly string[], options: O): ParsedFlags<O> {
  const { values, positionals, tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) throw new CliUsageError(`Unknown option '${token.rawName}'`);
    const flag = `--${token.name}`;
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new CliUsageError(`${flag} takes no value`);
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new CliUsageError(`${flag} needs a value`);
    } else if (!token.inlineValue && token.value.length > 1 && token.value.startsWith('-')) {
      throw new CliUsageError(`${flag} ${token.value} is ambiguous: write ${flag}=${token.value} for a value that starts with a dash`);
    }
  }
  // Every token now has the type its option declares, so the values are what strict mode returns.
  return { values, positionals } as ParsedFlags<O>;
}

/** A flag's value when given, refusing a blank one. */
export function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new CliUsageError(`${flag} needs a value`);
  return value;
}

export function integerIn(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new CliUsageError(`${flag} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new CliUsageError(`${flag} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** `--timeout`: the range every timeout has (core/lambda/timeout-range.ts), or a CliUsageError naming it. */
export function timeoutIn(text: string): number {
  const checked = checkTimeoutSeconds(text);
  if ('problem' in checked) throw new CliUsageError(`--timeout ${checked.problem}`);
  return checked.seconds;
}

export type LocalCommand = 'invoke' | 'check';

export interface LocalRunOptions {
  command: LocalCommand;
  /** The handler file as given (relative to the working directory); '' with --resource. */
  file: string;
  handler?: string;
  /** A file path, `-` for stdin, or undefined for the default `{}`. */
  event?: string;
  times: number;
  timeoutSeconds?: number;
  memoryMB?: number;
  env: Record<string, string>;
  freeze: boolean;
  json: boolean;
  /** Measure retained bytes per module variable after each invocation (check: after the last RETAINED_IN_CHECK). */
  retained: boolean;
  /** Time each top-level statement of the handler module on the cold start. */
  initProfile: boolean;
  /** `--parallel`: invocations kept in flight (each concurrent one runs in an environment of its own). */
  parallel: number;
  /** `--max-environments`: environments the function may have (a template's reserved concurrency may lower it). */
  maxEnvironments: number;
  /**
   * Lambda Managed Instances (`--concurrency N`, `--workers W`, `--in-flight K`): N invocations
   * per environment, W worker threads, K kept in flight by the driver (default N). Absent: the
   * default mode, unless the template's CapacityProviderConfig turns it on.
   */
  managed?: { concurrency: number; workers?: number; inFlight?: number };
  nodePath?: string;
  /** `--runtime`: the Lambda runtime profile, over the template's and the local node's. */
  runtime?: RuntimeProfileName;
  /** A SAM/CloudFormation template or serverless.yml; found in the working directory when absent. */
  template?: string;
  /** Logical id (or serverless function key) of the function to run with its declared settings. */
  resource?: string;
  help: boolean;
}

export const DEFAULT_TIMES: Record<LocalCommand, number> = { invoke: 1, check: 5 };
/** check needs three sizes in a row to call a variable growing: fewer could never fail. */
const MIN_TIMES: Record<LocalCommand, number> = { invoke: 1, check: 3 };
/** Guards against a typo such as `--times 1000000` starting a very long run. */
export const MAX_TIMES = 10_000;
/**
 * The most environments, or invocations in flight, a flag may ask for: Lambda's default
 * concurrency quota per account and region. Each is a node process here.
 */
export const MAX_CONCURRENCY = 1000;

const OPTIONS = {
  handler: { type: 'string' },
  event: { type: 'string' },
  times: { type: 'string', short: 'n' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  env: { type: 'string', multiple: true },
  'no-freeze': { type: 'boolean' },
  json: { type: 'boolean' },
  node: { type: 'string' },
  runtime: { type: 'string' },
  template: { type: 'string' },
  resource: { type: 'string' },
  retained: { type: 'boolean' },
  'init-profile': { type: 'boolean' },
  parallel: { type: 'string' },
  'max-environments': { type: 'string' },
  concurrency: { type: 'string' },
  workers: { type: 'string' },
  'in-flight': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the arguments that follow `invoke` or `check`. */
export function parseLocalArgs(command: LocalCommand, args: readonly string[]): LocalRunOptions {
  const { values, positionals } = parseFlags(args, OPTIONS);
  const help = values.help === true;
  const fromTemplate = values.resource !== undefined;
  if (!help && positionals.length === 0 && !fromTemplate) {
    throw new CliUsageError(`${command} needs the handler file, e.g. warm-state ${command} handler.js (or --resource LOGICAL_ID)`);
  }
  if (fromTemplate && positionals.length > 0) {
    throw new CliUsageError(`give either a handler file or --resource, not both (--resource takes the file from the template)`);
  }
  if (fromTemplate && values.handler !== undefined) {
    throw new CliUsageError('--handler cannot be used with --resource: the template names the handler');
  }
  if (positionals.length > 1) throw new CliUsageError(`${command} takes one handler file, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.template !== undefined && values.resource === undefined) {
    throw new CliUsageError('--template needs --resource LOGICAL_ID (the function to run)');
  }
  const parallel = values.parallel === undefined ? 1 : integerIn(values.parallel, '--parallel', 1, MAX_CONCURRENCY);
  const managed = managedFlags(values.concurrency, values.workers, values['in-flight'], values.parallel !== undefined, values.retained === true);
  const times = values.times === undefined ? defaultTimes(command, managed ? (managed.inFlight ?? managed.concurrency) : parallel) : integerIn(values.times, '--times', MIN_TIMES[command], MAX_TIMES);
  if (parallel > 1) checkParallel(command, parallel, times, values.retained === true);
  return {
    command,
    file: positionals[0] ?? '',
    handler: nonEmpty(values.handler, '--handler'),
    event: nonEmpty(values.event, '--event'),
    times,
    timeoutSeconds: values.timeout === undefined ? undefined : timeoutIn(values.timeout),
    memoryMB: values.memory === undefined ? undefined : integerIn(values.memory, '--memory', 128, 10240),
    env: parseEnv(values.env ?? []),
    freeze: values['no-freeze'] !== true,
    json: values.json === true,
    retained: values.retained === true,
    initProfile: values['init-profile'] === true,
    parallel,
    maxEnvironments: maxEnvironmentsFlag(values['max-environments']),
    ...(managed ? { managed } : {}),
    nodePath: nonEmpty(values.node, '--node'),
    runtime: runtimeFlag(values.runtime),
    template: nonEmpty(values.template, '--template'),
    resource: nonEmpty(values.resource, '--resource'),
    help,
  };
}

/**
 * `--times` when not given: invoke runs one round of the invocations kept in flight
 * (`--parallel`, `--in-flight` or `--concurrency`); check five rounds (growth needs three sizes
 * in a row in one environment or worker).
 */
function defaultTimes(command: LocalCommand, inFlight: number): number {
  return Math.min(MAX_TIMES, DEFAULT_TIMES[command] * inFlight);
}

/** What `--parallel N` needs from the other flags. */
function checkParallel(command: LocalCommand, parallel: number, times: number, retained: boolean): void {
  if (times < parallel) throw new CliUsageError(`--times ${times} is fewer than --parallel ${parallel}: no more than ${times} would ever be in flight`);
  const needed = MIN_TIMES[command] * parallel;
  if (times < needed) {
    throw new CliUsageError(`check --parallel ${parallel} needs --times ${needed} or more: growth needs three sizes in a row in each of the ${parallel} environments`);
  }
  if (retained) {
    throw new CliUsageError('--retained cannot be combined with --parallel: retained bytes are measured between two invocations of one environment, and with --parallel another one is always running');
  }
}

/** The most worker threads `--workers` may ask for. */
export const MAX_WORKERS = 64;

/**
 * `--concurrency N [--workers W] [--in-flight K]`: Managed Instances mode (invoke, check, serve).
 * Refused: --workers or --in-flight without --concurrency, --concurrency with --parallel (the
 * default mode's scale-out), --retained (each worker has a heap of its own).
 */
export function managedFlags(concurrency: string | undefined, workers: string | undefined, inFlight: string | undefined, parallel: boolean, retained: boolean): LocalRunOptions['managed'] {
  if (concurrency === undefined) {
    if (workers !== undefined) throw new CliUsageError('--workers needs --concurrency N (Managed Instances mode): worker threads exist only there');
    if (inFlight !== undefined) throw new CliUsageError('--in-flight needs --concurrency N (Managed Instances mode); in the default mode use --parallel');
    return undefined;
  }
  if (parallel) throw new CliUsageError('--concurrency cannot be combined with --parallel: --concurrency runs many invocations in one Managed Instances environment, --parallel scales out default-mode environments');
  if (retained) throw new CliUsageError('--retained cannot be combined with --concurrency: each worker thread has a heap of its own, and another invocation is always in flight');
  const n = integerIn(concurrency, '--concurrency', 1, MAX_CONCURRENCY);
  return {
    concurrency: n,
    ...(workers === undefined ? {} : { workers: integerIn(workers, '--workers', 1, MAX_WORKERS) }),
    ...(inFlight === undefined ? {} : { inFlight: integerIn(inFlight, '--in-flight', 1, MAX_CONCURRENCY) }),
  };
}

/** `--max-environments`: 1 to MAX_CONCURRENCY, default DEFAULT_MAX_ENVIRONMENTS (invoke, check and serve). */
export function maxEnvironmentsFlag(value: string | undefined): number {
  return value === undefined ? DEFAULT_MAX_ENVIRONMENTS : integerIn(value, '--max-environments', 1, MAX_CONCURRENCY);
}

/** `--runtime`: one of the profiles; anything else is refused with the list of them. */
export function runtimeFlag(value: string | undefined): RuntimeProfileName | undefined {
  const name = nonEmpty(value, '--runtime')?.trim();
  if (name === undefined) return undefined;
  if (!isRuntimeProfileName(name)) throw new CliUsageError(new UnknownRuntimeError(name, 'flag').message);
  return name;
}

/** `--env K=V` pairs; the value may contain `=`; the name must be a valid variable name. */
export function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new CliUsageError(`--env takes NAME=VALUE, got "${pair}"`);
    }
    env[name] = pair.slice(eq + 1);
  }
  return env;
}
