/**
 * Shared assembly of a FunctionConfig: defaults, sources, problems, and the handler file check
 * that every config kind ends with.
 */
import { checkTimeoutSeconds } from '../lambda/timeout-range';
import { checkHandlerFile, parseHandlerString } from './handler-file';
import { isNodeRuntime } from './runtime';
import type { ConfigKind, ConfigProblem, FunctionConfig } from './types';

export function newFunctionConfig(fields: {
  id: string;
  kind: ConfigKind;
  configFile: string;
  line: number;
  codeDir: string;
  timeoutSeconds: number;
  memoryMB: number;
  defaultsSource: string;
}): FunctionConfig {
  return {
    id: fields.id,
    kind: fields.kind,
    configFile: fields.configFile,
    line: fields.line,
    handler: null,
    codeDir: fields.codeDir,
    handlerFile: null,
    exportName: null,
    nestedPath: [],
    runtime: null,
    timeoutSeconds: fields.timeoutSeconds,
    memoryMB: fields.memoryMB,
    architecture: 'x86_64',
    environment: {},
    unresolvedEnvironment: {},
    unresolvedSettings: {},
    functionName: null,
    inlineCode: false,
    sources: { timeoutSeconds: fields.defaultsSource, memoryMB: fields.defaultsSource, architecture: fields.defaultsSource },
    problems: [],
  };
}

/**
 * Record a problem about a function. The message starts with `file:line id:` so it reads well
 * on its own (CLI output, notifications). `line` is in the config file unless `file` says else.
 */
export function addProblem(
  config: FunctionConfig,
  severity: ConfigProblem['severity'],
  text: string,
  place: { display: string; line: number; file?: string; fileLine?: number },
): void {
  config.problems.push({
    severity,
    file: place.file ?? config.configFile,
    line: place.file ? place.fileLine : place.line,
    functionId: config.id,
    message: `${place.display}:${place.line} ${config.id}: ${text}`,
  });
}

/** Runtime and handler checks common to every kind; fills handlerFile/exportName. */
export async function finishFunction(config: FunctionConfig, display: string, lines: { runtime: number; handler: number }): Promise<void> {
  const parsed = config.handler === null ? null : parseHandlerString(config.handler);
  if (parsed) {
    config.exportName = parsed.exportName;
    config.nestedPath = parsed.nestedPath;
  }
  if (config.runtime !== null && !isNodeRuntime(config.runtime)) {
    addProblem(config, 'error', `runtime ${config.runtime} is not Node.js; Warm State runs Node.js handlers only.`, { display, line: lines.runtime });
    return;
  }
  if (config.handler === null || config.inlineCode) return;
  const check = await checkHandlerFile(config.handler, config.codeDir);
  config.handlerFile = check.file;
  if (check.problem) {
    addProblem(config, check.problem.severity, check.problem.message, { display, line: lines.handler, file: check.problem.file, fileLine: check.problem.line });
  }
}

/** Numbers in templates are often strings ("30"); anything else is reported by the caller. */
/** Why a declared timeout is not one Warm State runs (the range of --timeout), or null. */
export function timeoutProblem(seconds: number): string | null {
  const checked = checkTimeoutSeconds(seconds);
  return 'problem' in checked ? checked.problem : null;
}

/** How a setting's number is read: the parser and, for the warning, what it expects. */
export interface NumberKind {
  parse(value: unknown): number | null;
  expected: string;
}

export const POSITIVE_NUMBER: NumberKind = { parse: toPositiveNumber, expected: 'a positive number' };

/** Reserved concurrency: 0 is meaningful (the function is turned off), fractions are not. */
export const CONCURRENCY: NumberKind = {
  parse: (value) => {
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    return Number.isInteger(number) && number >= 0 ? number : null;
  },
  expected: 'a whole number, 0 or more',
};

export function toPositiveNumber(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) && number > 0 ? number : null;
}
