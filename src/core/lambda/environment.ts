/**
 * What a Lambda function sees of its configuration: the environment variables the runtime
 * sets, the handler string and the task root. Pure functions, unit-tested.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, sep } from 'node:path';

export const DEFAULT_REGION = 'us-east-1';

/**
 * The region a local function runs in (its AWS_REGION, context ARN): the caller's configured one
 * (AWS_REGION, else AWS_DEFAULT_REGION, as the SDKs read them), else DEFAULT_REGION. The
 * caller's credentials are passed through as on Lambda; an SDK client in the handler then calls
 * the region the caller works in, not us-east-1 regardless.
 */
export function localRegion(host: NodeJS.ProcessEnv): string {
  return host.AWS_REGION || host.AWS_DEFAULT_REGION || DEFAULT_REGION;
}
/**
 * The account in local ARNs (the AWS documentation's example account): one for the handler's
 * context and for everything the local endpoint reports, so that they name the same function.
 */
export const LOCAL_ACCOUNT_ID = '123456789012';

/**
 * The module file for a path given without its extension, in the Lambda runtime's order: the
 * path itself, then `.js`, `.mjs`, `.cjs` (then the TypeScript forms, which Warm State adds).
 * A path that matches nothing is returned unchanged and fails at init with ImportModuleError.
 */
export function resolveHandlerFile(file: string): string {
  const isFile = (path: string): boolean => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (isFile(file)) return file;
  for (const ext of ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']) {
    if (isFile(file + ext)) return file + ext;
  }
  return file;
}

/** Nearest folder with a package.json above the file, else the file's own folder. */
export function defaultTaskRoot(file: string): string {
  let dir = dirname(file);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return dirname(file);
    dir = parent;
  }
}

/** `handler.test` for `<taskRoot>/handler.js` exporting `test`; `src/app.handler` for nested paths. */
export function handlerString(taskRoot: string, file: string, handlerExport: string): string {
  const rel = relative(taskRoot, file);
  const withoutExt = rel.slice(0, rel.length - extname(rel).length).split(sep).join('/');
  return `${withoutExt}.${handlerExport}`;
}

/** Function name derived from the file when none is given: `handler` for handler.js. */
export function defaultFunctionName(file: string): string {
  const name = basename(file, extname(file)).replace(/[^A-Za-z0-9_-]/g, '-');
  return name || 'function';
}

export function functionArn(region: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
}

export function logStreamName(now: Date, generation: number): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]local${String(generation).padStart(8, '0')}`;
}

/**
 * Host variables passed through: what the user's code needs to run on this machine (PATH,
 * the home folder for ~/.aws, proxies, credentials for the AWS SDK). Lambda's own variables
 * and the user's come on top.
 */
const PASS_THROUGH = [
  'PATH', 'Path', 'HOME', 'USERPROFILE', 'SystemRoot', 'SYSTEMROOT', 'TEMP', 'TMP', 'TMPDIR', 'LANG',
  'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS',
];

export interface LambdaEnvInput {
  functionName: string;
  memoryMB: number;
  region: string;
  handler: string;
  taskRoot: string;
  runtimeDir: string;
  nodeMajor: number | null;
  logStreamName: string;
  /** Managed Instances: the environment's concurrency and worker threads, which the 4.x client reads from these variables. */
  managed?: { concurrency: number; workers: number };
  user: Record<string, string>;
  host: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

export function lambdaEnvironment(input: LambdaEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASS_THROUGH) {
    const value = input.host[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, {
    AWS_LAMBDA_FUNCTION_NAME: input.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(input.memoryMB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${input.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${input.nodeMajor ?? 20}.x`,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _HANDLER: input.handler,
    LAMBDA_TASK_ROOT: input.taskRoot,
    LAMBDA_RUNTIME_DIR: input.runtimeDir,
    // Lambda runs in UTC; ':UTC' is how its runtime spells it (Windows only knows 'UTC').
    TZ: input.platform === 'win32' ? 'UTC' : ':UTC',
  });
  if (input.managed) {
    env.AWS_LAMBDA_MAX_CONCURRENCY = String(input.managed.concurrency);
    env.AWS_LAMBDA_NODEJS_WORKER_COUNT = String(input.managed.workers);
  }
  env.LANG ??= 'en_US.UTF-8';
  Object.assign(env, input.user);
  return env;
}
