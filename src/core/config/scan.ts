/**
 * The entry points: scan a workspace folder for declared functions, look one up by handler,
 * or resolve a `--template FILE --resource ID` pair for the CLI.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { ConfigFileResult, ConfigFileText } from './config-file';
import { discoverConfigFiles, SERVERLESS_NAMES, type ConfigFileKind } from './discover';
import { readServerless } from './serverless';
import { readTemplate } from './template';
import type { ConfigProblem, ConfigScan, FunctionConfig } from './types';

/** Deployment options a CLI may pass; a workspace scan normally passes none. */
export interface ScanOptions {
  /** The Serverless stage (`--stage`), used for `${opt:stage}` / `${sls:stage}` and function names. */
  stage?: string;
  /** A template's `AWS::Region`: the region local functions run in (callerRegion); default the env's AWS_REGION. */
  region?: string;
}

/**
 * Every function declared in `root` (top level and one folder down). Never throws: broken or
 * unreadable files become problems, a folder without config gives an empty scan.
 * `env` resolves `${env:NAME}` in serverless.yml and `AWS::Region`; pass `process.env` (as a
 * string map) to use the real environment, nothing to keep scans reproducible.
 */
export async function scanWorkspaceConfigs(root: string, env: Record<string, string> = {}, options: ScanOptions = {}): Promise<ConfigScan> {
  const absoluteRoot = resolve(root);
  const scan: ConfigScan = { root: absoluteRoot, files: [], functions: [], problems: [] };
  for (const discovered of await discoverConfigFiles(absoluteRoot)) {
    const result = await readConfigFile(discovered.file, displayName(absoluteRoot, discovered.file), discovered.kind, env, options);
    if (!result.recognised) continue;
    scan.files.push(discovered.file);
    scan.problems.push(...result.problems);
    scan.functions.push(...result.functions);
  }
  reportDuplicateHandlers(scan.functions, absoluteRoot);
  for (const fn of scan.functions) scan.problems.push(...fn.problems);
  return scan;
}

/** The first declared function whose handler is `exportName` in `file` (the one a local run uses). */
export function findFunctionForHandler(scan: ConfigScan, file: string, exportName: string): FunctionConfig | undefined {
  return findFunctionsForHandler(scan, file, exportName)[0];
}

/** Every declared function whose handler is `exportName` in `file` (several templates may name it). */
export function findFunctionsForHandler(scan: ConfigScan, file: string, exportName: string): FunctionConfig[] {
  const wanted = resolve(file);
  return scan.functions.filter((fn) => fn.handlerFile !== null && resolve(fn.handlerFile) === wanted && fn.exportName === exportName);
}

/**
 * The function a template or serverless.yml declares for `handlerExport` of `file`, looked for in
 * the file's folder and then in each folder above it (where a SAM or Serverless project keeps
 * its template); undefined when none does. For `invoke FILE`, which runs the file with its own
 * settings but takes the declared runtime. Never throws.
 */
export async function findDeclaringFunction(file: string, handlerExport: string, env: Record<string, string> = {}, options: ScanOptions = {}): Promise<FunctionConfig | undefined> {
  const wanted = resolve(file);
  let folder = dirname(wanted);
  for (;;) {
    for (const discovered of await discoverConfigFiles(folder, 0)) {
      const result = await readConfigFile(discovered.file, displayName(folder, discovered.file), discovered.kind, env, options);
      const found = result.functions.find(
        (fn) => fn.handlerFile !== null && resolve(fn.handlerFile) === wanted && fn.exportName !== null && [fn.exportName, ...fn.nestedPath].join('.') === handlerExport,
      );
      if (found) return found;
    }
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** Export names of `file` that some template or serverless.yml declares: certain handlers for CodeLens. */
export function declaredExportsForFile(scan: ConfigScan, file: string): string[] {
  const wanted = resolve(file);
  const names = scan.functions.filter((fn) => fn.handlerFile !== null && resolve(fn.handlerFile) === wanted && fn.exportName !== null).map((fn) => fn.exportName as string);
  return [...new Set(names)];
}

/** Thrown by `resolveTemplateFunction` only: a message for the user plus what was found. */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** Function ids found in the template(s), for listing. */
    readonly resources: string[] = [],
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The function `resource` of `template` (relative to `cwd`), or of the template found in `cwd`
 * (samconfig's template_file, template.yaml|yml|json, serverless.yml|yaml) when `template` is
 * absent. The result carries the function's problems (a missing handler file, a non-Node
 * runtime) plus the file's warnings: the caller decides whether to run. Rejects with a
 * `ConfigError` when no template is found, it cannot be parsed, or has no such function.
 */
export async function resolveTemplateFunction(request: {
  template?: string;
  resource: string;
  cwd: string;
  /** Resolves `${env:...}` and `AWS::Region`; the CLI should pass process.env. Default: none. */
  env?: Record<string, string>;
  stage?: string;
  /** `AWS::Region` (ScanOptions.region). */
  region?: string;
}): Promise<FunctionConfig> {
  const cwd = resolve(request.cwd);
  const env = request.env ?? {};
  let files: { file: string; kind: ConfigFileKind }[];
  if (request.template) {
    const file = resolve(cwd, request.template);
    files = [{ file, kind: SERVERLESS_NAMES.includes(basename(file).toLowerCase()) ? 'serverless' : 'template' }];
  } else {
    files = await discoverConfigFiles(cwd, 0);
    if (files.length === 0) {
      throw new ConfigError(`No template.yaml, template.yml, template.json or serverless.yml in ${cwd}; pass --template FILE.`);
    }
  }
  const matches: { fn: FunctionConfig; problems: ConfigProblem[] }[] = [];
  const allIds: string[] = [];
  const allProblems: ConfigProblem[] = [];
  const brokenMessages: string[] = [];
  for (const { file, kind } of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`Cannot read template ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
    }
    const display = displayName(cwd, file);
    let result = await readKind(kind, { file, display, text }, env, request);
    if (!result.recognised) {
      const other = await readKind(kind === 'template' ? 'serverless' : 'template', { file, display, text }, env, request);
      if (other.recognised) result = other;
    }
    allProblems.push(...result.problems);
    const broken = result.problems.filter((p) => p.severity === 'error');
    if (broken.length > 0) {
      // A broken file only matters if the function is not found elsewhere.
      brokenMessages.push(...broken.map((p) => p.message));
      continue;
    }
    if (!result.recognised) {
      if (request.template) throw new ConfigError(`${display} is neither a SAM/CloudFormation template (no Resources) nor a serverless.yml (no service).`);
      continue;
    }
    allIds.push(...result.ids);
    const fn = result.functions.find((f) => f.id === request.resource);
    if (fn) matches.push({ fn, problems: result.problems });
  }
  if (matches.length === 0 && brokenMessages.length > 0) {
    const found = allIds.length ? `\nFunctions found elsewhere: ${allIds.join(', ')}.` : '';
    throw new ConfigError(`${brokenMessages.join('\n')}${found}`, allIds, allProblems);
  }
  if (matches.length === 0) {
    const where = files.map((f) => displayName(cwd, f.file)).join(', ');
    const found = allIds.length ? `functions found: ${allIds.join(', ')}` : 'it declares no Lambda functions';
    throw new ConfigError(`No function "${request.resource}" in ${where} (${found}).`, allIds, allProblems);
  }
  if (matches.length > 1) {
    const where = matches.map((m) => displayName(cwd, m.fn.configFile)).join(' and ');
    throw new ConfigError(`"${request.resource}" is declared in both ${where}; pass --template FILE to choose.`, allIds, allProblems);
  }
  const { fn, problems } = matches[0];
  return { ...fn, problems: [...fn.problems, ...problems] };
}

async function readConfigFile(file: string, display: string, kind: ConfigFileKind, env: Record<string, string>, options: ScanOptions): Promise<ConfigFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { functions: [], ids: [], recognised: true, problems: [{ severity: 'error', file, message: `${display} cannot be read: ${(err as Error).message}` }] };
  }
  return readKind(kind, { file, display, text }, env, options);
}

function readKind(kind: ConfigFileKind, input: ConfigFileText, env: Record<string, string>, options: ScanOptions): Promise<ConfigFileResult> {
  return kind === 'serverless' ? readServerless(input, env, options.stage ? { stage: options.stage } : {}) : readTemplate(input, env, options.region);
}

/** Same handler (file + export) declared by functions in different files: explain which wins. */
function reportDuplicateHandlers(functions: FunctionConfig[], root: string): void {
  const groups = new Map<string, FunctionConfig[]>();
  for (const fn of functions) {
    if (fn.handlerFile === null || fn.exportName === null) continue;
    const key = `${resolve(fn.handlerFile)}#${fn.exportName}`;
    groups.set(key, [...(groups.get(key) ?? []), fn]);
  }
  for (const group of groups.values()) {
    const files = new Set(group.map((fn) => fn.configFile));
    if (files.size < 2) continue;
    const names = group.map((fn) => `${displayName(root, fn.configFile)} ${fn.id}`);
    for (const [index, fn] of group.entries()) {
      const others = names.filter((_, i) => i !== index).join(' and ');
      fn.problems.push({
        severity: 'warning',
        file: fn.configFile,
        line: fn.line,
        functionId: fn.id,
        message: `${displayName(root, fn.configFile)}:${fn.line} ${fn.id}: its handler (${displayName(root, fn.handlerFile as string)} export ${fn.exportName}) is also declared by ${others}; local runs use the settings of ${names[0]}.`,
      });
    }
  }
}

/** A path relative to `root` with forward slashes, or the absolute path when outside it. */
function displayName(root: string, file: string): string {
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..')) return file;
  return rel.split(sep).join('/');
}
