/**
 * Function settings read from SAM / CloudFormation templates and serverless.yml.
 *
 * Consumers: the CLI (`--template FILE --resource ID`), the extension (CodeLens certainty, the
 * panel's "where this setting came from", the node-version warning). Everything here is plain
 * data; nothing in this folder throws while scanning a workspace: problems are collected.
 */

/** Which kind of file declared a function. */
export type ConfigKind = 'sam' | 'cloudformation' | 'serverless';

/** A setting of `FunctionConfig` whose origin is recorded in `sources`. */
export type SettingName = 'handler' | 'runtime' | 'timeoutSeconds' | 'memoryMB' | 'architecture' | 'functionName' | 'codeDir' | 'reservedConcurrency' | 'region';

export interface ConfigProblem {
  /** `error`: the function cannot be run as declared; `warning`: it runs, but maybe not as deployed. */
  severity: 'error' | 'warning';
  /** Absolute path of the file the problem is about (a template, serverless.yml or handler file). */
  file: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** The function it concerns (logical id or serverless function key), if any. */
  functionId?: string;
  /** A complete sentence for the user, with the file name and line already in it where useful. */
  message: string;
}

export interface FunctionConfig {
  /** Logical id (`HelloFunction`) for SAM/CloudFormation, the function key (`hello`) for serverless.yml. */
  id: string;
  kind: ConfigKind;
  /** Absolute path of the template or serverless.yml. */
  configFile: string;
  /** 1-based line of the resource / function entry in `configFile`. */
  line: number;
  /** The handler string as declared (`src/app.handler`), null when absent (e.g. container images). */
  handler: string | null;
  /**
   * Absolute folder the handler path is relative to: CodeUri (SAM), the CDK asset path or the
   * template folder (CloudFormation), the service folder (serverless).
   */
  codeDir: string;
  /** Absolute path of the existing file the handler string points at; null when not found. */
  handlerFile: string | null;
  /** The export Lambda calls (`handler` in `src/app.handler`), null without a handler string. */
  exportName: string | null;
  /** Property path after the export for `file.export.a.b` handlers (rare); usually empty. */
  nestedPath: string[];
  /** e.g. `nodejs20.x`; null when not declared. */
  runtime: string | null;
  /** Lambda timeout in seconds; the platform default (3, or 6 for serverless) when not declared. */
  timeoutSeconds: number;
  /** Memory size in MB; the platform default (128, or 1024 for serverless) when not declared. */
  memoryMB: number;
  /** `x86_64` or `arm64`. */
  architecture: string;
  /**
   * Concurrent executions the function may have (SAM/CloudFormation ReservedConcurrentExecutions,
   * serverless.yml reservedConcurrency; 0 throttles every invocation); absent when not declared.
   * Local runs start at most this many environments (and at most --max-environments).
   */
  reservedConcurrency?: number;
  /**
   * Lambda Managed Instances: declared by a CapacityProviderConfig (SAM, or CloudFormation's
   * LambdaManagedInstancesCapacityProviderConfig); `concurrency` is its
   * PerExecutionEnvironmentMaxConcurrency, null when not declared (Lambda's default applies).
   * Absent for functions in the default mode.
   */
  managedInstances?: { concurrency: number | null };
  /** Environment variables with literal (or resolved) values: what a local run should set. */
  environment: Record<string, string>;
  /**
   * Environment variables whose value could not be known locally (`!GetAtt Table.Arn`,
   * `${ssm:/x}`), as readable text. They are NOT set for local runs.
   */
  unresolvedEnvironment: Record<string, string>;
  /** Other settings whose value is an unresolved expression, as readable text (e.g. functionName). */
  unresolvedSettings: Partial<Record<SettingName, string>>;
  /** The deployed function name when it can be known (FunctionName, serverless naming), else null. */
  functionName: string | null;
  /**
   * The region the function is deployed to when its file says so: serverless.yml's
   * `provider.region` (what `serverless deploy` uses unless told otherwise; us-east-1 when not
   * declared). SAM and CloudFormation templates name none (the stack's region is chosen at
   * deploy), nor does a serverless.yml whose region is unknown locally (`${ssm:...}`): absent.
   */
  region?: string;
  /** True when the code is inline in the template (`Code.ZipFile`, `InlineCode`): there is no file to run. */
  inlineCode: boolean;
  /**
   * Where each setting came from, for the panel: e.g.
   * `{ timeoutSeconds: 'template.yaml Globals.Function.Timeout', 'environment.TABLE': 'serverless.yml provider.environment.TABLE' }`.
   * Keys are `SettingName`s or `environment.NAME`. File names are relative to the scanned folder.
   */
  sources: Record<string, string>;
  /** Problems with this function; also included in `ConfigScan.problems`. */
  problems: ConfigProblem[];
}

export interface ConfigScan {
  /** The folder that was scanned (absolute). */
  root: string;
  /** Absolute paths of the config files that were read (broken ones included). */
  files: string[];
  functions: FunctionConfig[];
  /** Every problem: file-level (broken YAML, unknown tags) and each function's own. */
  problems: ConfigProblem[];
}
