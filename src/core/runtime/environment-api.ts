/**
 * The contract between the engine's environments and everything that drives them (the
 * session, the local Lambda endpoint). Implemented by the local child-process environment
 * (local-environment.ts) and the deployed function (deployed/deployed-environment.ts).
 */
import type { RawInvocation, RetainedMeasurement, RuntimeProfileName, RuntimeSource } from '../model/snapshot';

export interface CaptureBudgets {
  /** Levels of nesting expanded below each variable. */
  depth: number;
  /** Elements, entries or properties listed per container. */
  items: number;
  /** Characters kept of a string. */
  stringLength: number;
  /** Nodes in one variable's tree, all levels together. */
  nodes: number;
}

export const DEFAULT_BUDGETS: CaptureBudgets = { depth: 4, items: 50, stringLength: 200, nodes: 1500 };

/** What a local environment runs and how (the local child process's options). */
export interface EnvironmentOptions {
  /** Absolute path of the handler file. */
  file: string;
  /** Export name, possibly nested (`app.handler`). */
  handlerExport: string;
  /**
   * The function's Handler setting as declared (`src/app.handler`, relative to `taskRoot`):
   * when given, the child reads it as Lambda's runtime interface client does (a malformed one, a
   * missing module or export is an init error of the invocation, as on Lambda), and `file` and
   * `handlerExport` are only the host's reading of it (for capture and names); `handlerExport`
   * may then be empty. Without it, `file` is loaded as named.
   */
  handler?: string;
  /**
   * What the caller's static checks of the handler found (template checks): never a reason not
   * to run it; records of an init failure carry them as `handlerWarnings`.
   */
  handlerWarnings?: readonly string[];
  /**
   * Folder that plays LAMBDA_TASK_ROOT (cwd of the child, base of the handler string).
   * Defaults to the nearest folder with a package.json above the file, else its folder.
   */
  taskRoot?: string;
  /** The `node` executable that runs user code. Defaults to `node` on PATH. */
  nodePath?: string;
  /** Extra environment for `nodePath` itself, e.g. ELECTRON_RUN_AS_NODE for the editor's runtime. */
  nodeEnv?: Record<string, string>;
  /** Lambda timeout in seconds (default 3). */
  timeoutSeconds?: number;
  /** Lambda memory size in MB (default 128); enforced on the V8 heap. */
  memoryMB?: number;
  /** User environment variables, on top of Lambda's own. */
  env?: Record<string, string>;
  /** Stop the child between invocations (SIGSTOP) like Lambda's freeze. Default true; ignored on Windows. */
  freeze?: boolean;
  /** Time each top-level statement of the handler module on cold starts (record field initProfile). */
  initProfile?: boolean;
  /** Capture scopes after every invocation (default true). Off is used by benchmarks. */
  capture?: boolean;
  budgets?: CaptureBudgets;
  /**
   * The Lambda runtime to behave as (chooseRuntime in core/lambda/runtime-profiles.ts picks it):
   * its Node flags, AWS_EXECUTION_ENV, and how the child calls the handler (the 3.x or 4.x
   * client's rules, child/services/handler-invocation.ts) on the given Node. Default: the
   * profile of the node's major, source `node-major`.
   */
  runtime?: RuntimeProfileName;
  /** Where `runtime` came from, for the records (default: `flag`, the caller's explicit choice). */
  runtimeSource?: RuntimeSource;
  /**
   * Lambda Managed Instances mode (managed-environment.ts): one process that runs the handler
   * in `workers` worker threads (each loads it once), up to `concurrency` invocations in flight
   * at once (PerExecutionEnvironmentMaxConcurrency), never frozen. Needs a nodejs22.x or later
   * profile (the 4.x client's rules). Absent: the default mode, one invocation at a time.
   */
  managedInstances?: ManagedInstancesOptions;
  /** AWS_LAMBDA_FUNCTION_NAME and friends; default derived from the file name. */
  functionName?: string;
  /** Default: the caller's AWS_REGION or AWS_DEFAULT_REGION, else us-east-1 (localRegion); the CLI and the editor pass callerRegion's, which also reads the profile. */
  region?: string;
}

export interface ManagedInstancesOptions {
  /** Invocations in flight in one environment at once (AWS_LAMBDA_MAX_CONCURRENCY). */
  concurrency: number;
  /** Worker threads (AWS_LAMBDA_NODEJS_WORKER_COUNT). */
  workers: number;
}

export type { EnvironmentState, EnvironmentStatus } from '../model/environment-status';
import type { EnvironmentStatus } from '../model/environment-status';

/**
 * One execution environment of a function: the local child process, or a deployed function
 * seen from here. A session (session.ts) owns the queue in front of its environments
 * (runtime/environment-pool.ts) and gives each at most `capacity` invocations at once.
 */
export interface WarmEnvironment {
  /** Where its invocations run; the `source` of its records. */
  readonly source: RawInvocation['source'];
  /**
   * Invocations it runs at once: 1 for a Lambda execution environment in the default mode
   * (the session never sends more); room for Managed Instances, where one environment runs
   * workers x concurrency invocations.
   */
  readonly capacity: number;
  status(): EnvironmentStatus;
  /**
   * Runs one invocation with `event` (already parsed JSON). Starts the process when cold.
   * Never rejects for faults in user code: those come back as a RawInvocation with `error`
   * and `reset`. Rejects only for faults of the engine itself (node not found, bad options,
   * more invocations at once than `capacity`).
   */
  invoke(event: unknown, options?: InvokeOptions): Promise<RawInvocation>;
  /** Ends the process; the next invocation is cold. */
  reset(reason?: string): Promise<void>;
  /**
   * Retained bytes per module-scope binding, measured between invocations (local environments
   * only: a deployed function's heap cannot be snapshotted from here).
   */
  measureRetained?(): Promise<RetainedMeasurement>;
  onStatusChange(listener: (status: EnvironmentStatus) => void): { dispose(): void };
  /** Ends the process for good. */
  dispose(): Promise<void>;
}

export interface InvokeOptions {
  /**
   * The caller's ClientContext (what Invoke's base64 `ClientContext` decodes to, as JSON): the
   * handler's `context.clientContext`, as Lambda passes it for synchronous invocations.
   */
  clientContext?: unknown;
  /**
   * Called once with what Invoke returns as soon as the runtime's answer is accepted, before
   * the logs are complete and the record is built: a caller that needs only the payload (the
   * endpoint without LogType Tail) answers then, as Lambda answers once the runtime has posted
   * the response. The invocation runs on until its record is complete. Environments that
   * cannot tell earlier than the record (Managed Instances, a deployed function) never call it.
   */
  onPayload?: (early: EarlyPayload) => void;
}

/** Invoke's answer, known before the record: the record's `response`/`error` give the same payload. */
export interface EarlyPayload {
  requestId: string;
  /** The response's JSON text as the runtime made it, or the error's when the function failed (limitPayload: what limitOutcome gives the record's value). */
  payload: string;
  failed: boolean;
}

/** Makes the environment with this 0-based index among a function's environments. */
export type EnvironmentFactory = (index: number) => WarmEnvironment;
