/**
 * Functions declared in a Serverless Framework `serverless.yml`: `provider` defaults merged
 * into each function (function values win, environments merge key by key), variables resolved
 * where a local run can know them, the deployed name `${service}-${stage}-${key}` unless the
 * function sets `name`.
 */
import { dirname } from 'node:path';
import { parseConfigFile, type ConfigFileResult, type ConfigFileText } from './config-file';
import { addProblem, CONCURRENCY, finishFunction, newFunctionConfig, POSITIVE_NUMBER, timeoutProblem, type NumberKind } from './function-builder';
import { isPlainObject } from './intrinsics';
import { isRegionName } from '../lambda/caller-region';
import { ServerlessVariables } from './serverless-variables';
import type { FunctionConfig, SettingName } from './types';

/** Serverless Framework's own defaults (not Lambda's 3 s / 128 MB, nor the shell's region). */
const SERVERLESS_REGION = 'us-east-1';
const SERVERLESS_TIMEOUT = 6;
const SERVERLESS_MEMORY = 1024;

export function isServerlessConfig(value: unknown): boolean {
  return isPlainObject(value) && value.service !== undefined && (isPlainObject(value.functions) || Array.isArray(value.functions) || isPlainObject(value.provider));
}

export async function readServerless(input: ConfigFileText, env: Record<string, string>, options: Record<string, string> = {}): Promise<ConfigFileResult> {
  const parsed = parseConfigFile(input);
  if (parsed.value === undefined) return { functions: [], problems: parsed.problems, recognised: true, ids: [] };
  if (!isServerlessConfig(parsed.value)) return { functions: [], problems: parsed.problems, recognised: false, ids: [] };
  const config = parsed.value as Record<string, unknown>;
  const variables = new ServerlessVariables({ config, env, options });
  const provider = isPlainObject(config.provider) ? config.provider : {};
  const problems = [...parsed.problems];
  const providerName = variables.resolve(provider.name).value;
  if (providerName !== undefined && providerName !== 'aws') {
    problems.push({
      severity: 'warning',
      file: input.file,
      line: parsed.lineOf(['provider', 'name']),
      message: `${input.display}:${parsed.lineOf(['provider', 'name'])}: provider ${String(providerName)} is not aws; its functions are ignored.`,
    });
    return { functions: [], problems, recognised: true, ids: [] };
  }
  const functions: FunctionConfig[] = [];
  const ids: string[] = [];
  for (const [key, definition] of functionEntries(config.functions)) {
    ids.push(key);
    const reader = new ServerlessFunctionReader(input, parsed.lineOf, variables, config, provider, key, isPlainObject(definition) ? definition : {});
    functions.push(await reader.read());
  }
  return { functions, problems, recognised: true, ids };
}

/** `functions` is a map, or (v3) a list of maps. */
function functionEntries(functions: unknown): [string, unknown][] {
  if (isPlainObject(functions)) return Object.entries(functions);
  if (Array.isArray(functions)) return functions.filter(isPlainObject).flatMap((part) => Object.entries(part));
  return [];
}

type Found = { raw: unknown; path: string[] };

class ServerlessFunctionReader {
  private readonly result: FunctionConfig;

  constructor(
    private readonly input: ConfigFileText,
    private readonly lineOf: (path: readonly (string | number)[]) => number,
    private readonly variables: ServerlessVariables,
    private readonly config: Record<string, unknown>,
    private readonly provider: Record<string, unknown>,
    private readonly key: string,
    private readonly definition: Record<string, unknown>,
  ) {
    this.result = newFunctionConfig({
      id: key,
      kind: 'serverless',
      configFile: input.file,
      line: lineOf(['functions', key]),
      codeDir: dirname(input.file),
      timeoutSeconds: SERVERLESS_TIMEOUT,
      memoryMB: SERVERLESS_MEMORY,
      defaultsSource: 'Serverless Framework default',
    });
  }

  async read(): Promise<FunctionConfig> {
    const result = this.result;
    this.readString('runtime', 'runtime', (v) => (result.runtime = v));
    this.readNumber('timeout', 'timeoutSeconds', (v) => (result.timeoutSeconds = v), timeoutProblem);
    this.readNumber('memorySize', 'memoryMB', (v) => (result.memoryMB = v));
    this.readNumber('reservedConcurrency', 'reservedConcurrency', (v) => (result.reservedConcurrency = v), undefined, CONCURRENCY);
    this.readString('architecture', 'architecture', (v) => (result.architecture = v));
    this.readRegion();
    this.readEnvironment();
    this.readFunctionName();
    if (this.definition.image !== undefined) {
      addProblem(result, 'error', 'a container image function has no handler file to run; Warm State runs zip functions.', this.place(['functions', this.key, 'image']));
      return result;
    }
    const handler = this.find('handler', false);
    if (handler) {
      this.readString('handler', 'handler', (v) => (result.handler = v), false);
    } else {
      addProblem(result, 'error', 'no handler is declared.', this.place(['functions', this.key]));
    }
    await finishFunction(result, this.input.display, {
      handler: this.lineOf(handler?.path ?? ['functions', this.key]),
      runtime: this.lineOf(this.find('runtime')?.path ?? ['functions', this.key]),
    });
    return result;
  }

  /** The function's own value, else the provider's (when `inherit`). */
  private find(property: string, inherit = true): Found | null {
    if (this.definition[property] !== undefined) return { raw: this.definition[property], path: ['functions', this.key, property] };
    if (inherit && this.provider[property] !== undefined) return { raw: this.provider[property], path: ['provider', property] };
    return null;
  }

  private place(path: readonly string[]): { display: string; line: number } {
    return { display: this.input.display, line: this.lineOf(path) };
  }

  private sourceOf(path: readonly string[], raw: unknown): string {
    const base = `${this.input.display} ${path.join('.')}`;
    return typeof raw === 'string' && raw.includes('${') ? `${base} (${raw})` : base;
  }

  /** Resolve variables; an unresolved setting is recorded and null returned. */
  private resolved(found: Found, setting: SettingName): unknown {
    const r = this.variables.resolve(found.raw);
    this.result.sources[setting] = this.sourceOf(found.path, found.raw);
    if (r.unresolved) {
      this.result.unresolvedSettings[setting] = typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
      return null;
    }
    return r.value;
  }

  private readString(property: string, setting: SettingName, set: (value: string) => void, inherit = true): void {
    const found = this.find(property, inherit);
    if (!found) return;
    const value = this.resolved(found, setting);
    if (value === null) return;
    if (typeof value !== 'string' || value.trim() === '') {
      this.warnIgnored(found, `${property} should be a text value; it is ignored.`);
      return;
    }
    set(value.trim());
  }

  /** `check`: why an otherwise valid number is refused (out of range), or null. */
  private readNumber(property: string, setting: SettingName, set: (value: number) => void, check: (value: number) => string | null = () => null, kind: NumberKind = POSITIVE_NUMBER): void {
    const found = this.find(property);
    if (!found) return;
    const value = this.resolved(found, setting);
    if (value === null) return;
    const number = kind.parse(value);
    const problem = number === null ? `${JSON.stringify(value)} is not ${kind.expected}` : check(number);
    if (number === null || problem !== null) {
      this.warnIgnored(found, `${property} ${problem}; the default is used.`);
      return;
    }
    set(number);
  }

  /**
   * `provider.region` (a function has none of its own): the region the service deploys to; the
   * Framework's default, us-east-1, when it names none (`serverless deploy` does not use the
   * shell's region, and `${aws:region}` says us-east-1 then too).
   */
  private readRegion(): void {
    if (this.provider.region === undefined) {
      this.result.region = SERVERLESS_REGION;
      this.result.sources.region = 'Serverless Framework default';
      return;
    }
    const found: Found = { raw: this.provider.region, path: ['provider', 'region'] };
    const value = this.resolved(found, 'region');
    if (value === null) return;
    if (typeof value !== 'string' || !isRegionName(value.trim())) {
      this.warnIgnored(found, `region ${JSON.stringify(value)} is not a region name (eu-west-1); it is ignored.`);
      return;
    }
    this.result.region = value.trim();
  }

  private warnIgnored(found: Found, text: string): void {
    const line = this.lineOf(found.path);
    const setting = Object.entries(this.result.sources).find(([, source]) => source.startsWith(`${this.input.display} ${found.path.join('.')}`));
    if (setting) delete this.result.sources[setting[0]];
    addProblem(this.result, 'warning', text, { display: this.input.display, line });
  }

  private readEnvironment(): void {
    const layers: { variables: unknown; path: string[] }[] = [
      { variables: this.provider.environment, path: ['provider', 'environment'] },
      { variables: this.definition.environment, path: ['functions', this.key, 'environment'] },
    ];
    const { environment, unresolvedEnvironment, sources } = this.result;
    for (const layer of layers) {
      if (layer.variables === undefined) continue;
      // `environment: ${file(env.yml)}` or `${self:custom.env}`: resolve the whole map first.
      const whole = this.variables.resolve(layer.variables);
      if (!isPlainObject(whole.value)) {
        const line = this.lineOf(layer.path);
        const shown = typeof whole.value === 'string' ? whole.value : JSON.stringify(whole.value);
        addProblem(this.result, 'warning', `${layer.path.join('.')} (${shown}) could not be read as a map of variables; they are not set locally.`, { display: this.input.display, line });
        continue;
      }
      const rawMap = isPlainObject(layer.variables) ? layer.variables : {};
      for (const [name, value] of Object.entries(whole.value)) {
        delete environment[name];
        delete unresolvedEnvironment[name];
        const path = [...layer.path, name];
        const raw = rawMap[name] ?? layer.variables;
        sources[`environment.${name}`] = this.sourceOf(path, raw);
        if (value === null || value === undefined) {
          delete sources[`environment.${name}`];
          continue;
        }
        const single = this.variables.resolve(raw === layer.variables ? value : raw);
        if (!single.unresolved && (typeof single.value === 'string' || typeof single.value === 'number' || typeof single.value === 'boolean')) {
          environment[name] = String(single.value);
        } else {
          unresolvedEnvironment[name] = typeof single.value === 'string' ? single.value : JSON.stringify(single.value);
        }
      }
    }
  }

  private readFunctionName(): void {
    const result = this.result;
    const explicit = this.find('name', false);
    if (explicit) {
      this.readString('name', 'functionName', (v) => (result.functionName = v), false);
      return;
    }
    const rawService = isPlainObject(this.config.service) ? this.config.service.name : this.config.service;
    const service = this.variables.resolve(rawService);
    const stage = this.variables.stage();
    const serviceText = typeof service.value === 'string' ? service.value : String(service.value);
    const name = `${serviceText}-${stage.value}-${this.key}`;
    result.sources.functionName = `${this.input.display} service-stage-function naming (stage ${stage.value}${stage.known ? '' : ', unresolved'})`;
    if (service.unresolved || !stage.known) result.unresolvedSettings.functionName = name;
    else result.functionName = name;
  }
}
