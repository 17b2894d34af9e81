/**
 * Functions declared in a SAM or CloudFormation template (YAML or JSON).
 *
 * SAM: `AWS::Serverless::Function` with `Globals.Function` merged in (function values win;
 * environment variables merge key by key). CloudFormation: `AWS::Lambda::Function` with
 * `Handler`, `Runtime`, and `Code.ZipFile` (inline code) or S3 code (CDK asset folders are
 * followed through the `aws:asset:path` metadata).
 */
import { dirname, resolve } from 'node:path';
import { addProblem, CONCURRENCY, finishFunction, newFunctionConfig, POSITIVE_NUMBER, timeoutProblem, type NumberKind } from './function-builder';
import { describeIntrinsic, intrinsicKey, isPlainObject, resolveIntrinsic, type IntrinsicContext } from './intrinsics';
import type { ConfigFileText, ConfigFileResult } from './config-file';
import { parseConfigFile } from './config-file';
import type { FunctionConfig, SettingName } from './types';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from '../lambda/defaults';

const SAM_FUNCTION = 'AWS::Serverless::Function';
const LAMBDA_FUNCTION = 'AWS::Lambda::Function';

/** Does a parsed value look like a CloudFormation/SAM template? */
export function isTemplate(value: unknown): boolean {
  return isPlainObject(value) && isPlainObject(value.Resources);
}

/** Read every Lambda function of a template. Never throws; problems are in the result. */
export async function readTemplate(input: ConfigFileText, env: Record<string, string>, region?: string): Promise<ConfigFileResult> {
  const parsed = parseConfigFile(input);
  if (parsed.value === undefined) return { functions: [], problems: parsed.problems, recognised: true, ids: [] };
  if (!isTemplate(parsed.value)) {
    return { functions: [], problems: parsed.problems, recognised: false, ids: [] };
  }
  const template = parsed.value as Record<string, unknown>;
  const resources = template.Resources as Record<string, unknown>;
  const context: IntrinsicContext = {
    parameterDefaults: parameterDefaults(template.Parameters),
    pseudo: pseudoParameters(env, region),
    conditions: isPlainObject(template.Conditions) ? template.Conditions : {},
  };
  const globals = isPlainObject(template.Globals) && isPlainObject(template.Globals.Function) ? template.Globals.Function : {};
  const functions: FunctionConfig[] = [];
  const ids: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (!isPlainObject(resource) || (resource.Type !== SAM_FUNCTION && resource.Type !== LAMBDA_FUNCTION)) continue;
    ids.push(id);
    const reader = new TemplateFunctionReader(input, parsed.lineOf, context, id, resource, resource.Type === SAM_FUNCTION ? globals : {});
    functions.push(await reader.read());
  }
  return { functions, problems: parsed.problems, recognised: true, ids };
}

function parameterDefaults(parameters: unknown): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  if (!isPlainObject(parameters)) return defaults;
  for (const [name, parameter] of Object.entries(parameters)) {
    if (isPlainObject(parameter) && parameter.Default !== undefined) defaults[name] = parameter.Default;
  }
  return defaults;
}

/** `region`: the one local functions run in (callerRegion, which also reads the profile), else the environment's (an empty AWS_REGION is none). */
function pseudoParameters(env: Record<string, string>, region = env.AWS_REGION || env.AWS_DEFAULT_REGION): Record<string, string> {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
  if (region) pseudo['AWS::Region'] = region;
  return pseudo;
}

type Found = { value: unknown; path: string[]; fromGlobals: boolean };

class TemplateFunctionReader {
  private readonly config: FunctionConfig;
  private readonly properties: Record<string, unknown>;
  private readonly sam: boolean;

  constructor(
    private readonly input: ConfigFileText,
    private readonly lineOf: (path: readonly (string | number)[]) => number,
    private readonly context: IntrinsicContext,
    private readonly id: string,
    private readonly resource: Record<string, unknown>,
    private readonly globals: Record<string, unknown>,
  ) {
    this.sam = resource.Type === SAM_FUNCTION;
    this.properties = isPlainObject(resource.Properties) ? resource.Properties : {};
    this.config = newFunctionConfig({
      id,
      kind: this.sam ? 'sam' : 'cloudformation',
      configFile: input.file,
      line: lineOf(['Resources', id]),
      codeDir: dirname(input.file),
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
      memoryMB: DEFAULT_MEMORY_MB,
      defaultsSource: 'Lambda default',
    });
  }

  async read(): Promise<FunctionConfig> {
    const config = this.config;
    this.readString('Runtime', 'runtime', (v) => (config.runtime = v));
    this.readString('FunctionName', 'functionName', (v) => (config.functionName = v));
    this.readNumber('Timeout', 'timeoutSeconds', (v) => (config.timeoutSeconds = v), timeoutProblem);
    this.readNumber('MemorySize', 'memoryMB', (v) => (config.memoryMB = v));
    this.readNumber('ReservedConcurrentExecutions', 'reservedConcurrency', (v) => (config.reservedConcurrency = v), undefined, CONCURRENCY);
    this.readArchitecture();
    this.readEnvironment();
    this.readCapacityProvider();
    const image = this.find('PackageType');
    if (image && image.value === 'Image') {
      addProblem(config, 'error', 'a container image function (PackageType: Image) has no handler file to run; Warm State runs zip functions.', this.place(image.path));
      return config;
    }
    this.readCode();
    this.readString('Handler', 'handler', (v) => (config.handler = v));
    if (config.handler === null && !config.unresolvedSettings.handler) {
      addProblem(config, 'error', 'no Handler is declared.', this.place(['Resources', this.id]));
    }
    await finishFunction(config, this.input.display, {
      handler: this.lineOf(this.find('Handler')?.path ?? ['Resources', this.id]),
      runtime: this.lineOf(this.find('Runtime')?.path ?? ['Resources', this.id]),
    });
    return config;
  }

  /**
   * Managed Instances: SAM's CapacityProviderConfig, CloudFormation's
   * CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig; the per-environment
   * concurrency when it is a literal whole number.
   */
  private readCapacityProvider(): void {
    const found = this.find('CapacityProviderConfig');
    if (!found || !isPlainObject(found.value)) return;
    const inner = this.sam ? found.value : found.value.LambdaManagedInstancesCapacityProviderConfig;
    if (!isPlainObject(inner)) return;
    const declared = inner.PerExecutionEnvironmentMaxConcurrency;
    const concurrency = typeof declared === 'number' && Number.isInteger(declared) && declared >= 1 ? declared : null;
    this.config.managedInstances = { concurrency };
  }

  /** A property of the function, else of Globals.Function (SAM only). */
  private find(property: string): Found | null {
    if (property in this.properties) return { value: this.properties[property], path: ['Resources', this.id, 'Properties', property], fromGlobals: false };
    if (property in this.globals) return { value: this.globals[property], path: ['Globals', 'Function', property], fromGlobals: true };
    return null;
  }

  private sourceOf(path: readonly string[], via: readonly string[] = []): string {
    const base = `${this.input.display} ${path.join('.')}`;
    return via.length ? `${base} (${via.join(', ')})` : base;
  }

  /** Resolve a found value; records an unresolved setting or returns the value and its source. */
  private resolved(found: Found, setting: SettingName): { value: unknown; source: string } | null {
    const resolution = resolveIntrinsic(found.value, this.context);
    if (!resolution.known) {
      this.config.unresolvedSettings[setting] = resolution.text;
      this.config.sources[setting] = this.sourceOf(found.path);
      return null;
    }
    return { value: resolution.value, source: this.sourceOf(found.path, resolution.via) };
  }

  private readString(property: string, setting: SettingName, set: (value: string) => void): void {
    const found = this.find(property);
    if (!found) return;
    const result = this.resolved(found, setting);
    if (!result) return;
    if (typeof result.value !== 'string' || result.value.trim() === '') {
      addProblem(this.config, 'warning', `${property} should be a text value; it is ignored.`, this.place(found.path));
      return;
    }
    set(result.value.trim());
    this.config.sources[setting] = result.source;
  }

  /** `check`: why an otherwise valid number is refused (out of range), or null. */
  private readNumber(property: string, setting: SettingName, set: (value: number) => void, check: (value: number) => string | null = () => null, kind: NumberKind = POSITIVE_NUMBER): void {
    const found = this.find(property);
    if (!found) return;
    const result = this.resolved(found, setting);
    if (!result) return;
    const number = kind.parse(result.value);
    const problem = number === null ? `${JSON.stringify(result.value)} is not ${kind.expected}` : check(number);
    if (number === null || problem !== null) {
      addProblem(this.config, 'warning', `${property} ${problem}; the default is used.`, this.place(found.path));
      return;
    }
    set(number);
    this.config.sources[setting] = result.source;
  }

  private readArchitecture(): void {
    const found = this.find('Architectures');
    if (!found) return;
    const result = this.resolved(found, 'architecture');
    if (!result) return;
    const first = Array.isArray(result.value) ? result.value[0] : result.value;
    if (first === 'x86_64' || first === 'arm64') {
      this.config.architecture = first;
      this.config.sources.architecture = result.source;
    }
  }

  private readEnvironment(): void {
    const layers: { variables: Record<string, unknown>; path: string[] }[] = [];
    const globalVariables = isPlainObject(this.globals.Environment) ? this.globals.Environment.Variables : undefined;
    if (isPlainObject(globalVariables)) layers.push({ variables: globalVariables, path: ['Globals', 'Function', 'Environment', 'Variables'] });
    const ownVariables = isPlainObject(this.properties.Environment) ? this.properties.Environment.Variables : undefined;
    if (isPlainObject(ownVariables)) layers.push({ variables: ownVariables, path: ['Resources', this.id, 'Properties', 'Environment', 'Variables'] });
    const { environment, unresolvedEnvironment, sources } = this.config;
    for (const layer of layers) {
      for (const [name, raw] of Object.entries(layer.variables)) {
        delete environment[name];
        delete unresolvedEnvironment[name];
        const path = [...layer.path, name];
        if (isPlainObject(raw) && raw.Ref === 'AWS::NoValue') {
          delete sources[`environment.${name}`];
          continue;
        }
        const resolution = resolveIntrinsic(raw, this.context);
        const value = resolution.known ? resolution.value : undefined;
        if (resolution.known && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
          environment[name] = String(value);
          sources[`environment.${name}`] = this.sourceOf(path, resolution.via);
        } else {
          unresolvedEnvironment[name] = resolution.known ? describeIntrinsic(value) : resolution.text;
          sources[`environment.${name}`] = this.sourceOf(path);
        }
      }
    }
  }

  private place(path: readonly string[]): { display: string; line: number } {
    return { display: this.input.display, line: this.lineOf(path) };
  }

  private readCode(): void {
    const config = this.config;
    const templateDir = dirname(this.input.file);
    if (this.sam) {
      if (this.find('InlineCode')) {
        config.inlineCode = true;
        config.sources.codeDir = this.sourceOf(this.find('InlineCode')?.path ?? []);
        return;
      }
      const found = this.find('CodeUri');
      if (!found) return;
      const resolution = resolveIntrinsic(found.value, this.context);
      if (resolution.known && typeof resolution.value === 'string' && !/^s3:\/\//i.test(resolution.value)) {
        config.codeDir = resolve(templateDir, resolution.value);
        config.sources.codeDir = this.sourceOf(found.path, resolution.via);
        return;
      }
      const shown = resolution.known ? describeIntrinsic(resolution.value) : resolution.text;
      config.unresolvedSettings.codeDir = shown;
      addProblem(config, 'warning', `CodeUri ${shown} is not a local folder; the handler is looked up next to the template.`, this.place(found.path));
      return;
    }
    const code = this.properties.Code;
    if (isPlainObject(code) && code.ZipFile !== undefined) {
      config.inlineCode = true;
      config.sources.codeDir = this.sourceOf(['Resources', this.id, 'Properties', 'Code', 'ZipFile']);
      return;
    }
    const metadata = isPlainObject(this.resource.Metadata) ? this.resource.Metadata : {};
    const assetPath = metadata['aws:asset:path'];
    if (typeof assetPath === 'string') {
      config.codeDir = resolve(templateDir, assetPath);
      config.sources.codeDir = this.sourceOf(['Resources', this.id, 'Metadata', 'aws:asset:path']);
      return;
    }
    if (isPlainObject(code) && (code.S3Bucket !== undefined || code.ImageUri !== undefined)) {
      const shown = intrinsicKey(code.S3Bucket) ? describeIntrinsic(code.S3Bucket) : String(code.S3Bucket ?? code.ImageUri);
      addProblem(config, 'warning', `the code is deployed from ${shown}; the handler is looked up next to the template.`, this.place(['Resources', this.id, 'Properties', 'Code']));
    }
  }
}
