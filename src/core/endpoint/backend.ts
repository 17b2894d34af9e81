/**
 * What runs a function behind the local endpoint. Two kinds exist: the warm local
 * environment (the engine, default) and a Lambda-style process driven through the Lambda
 * Runtime API (used when a function has layers or a wrapper, e.g. the attached probe, or a
 * custom runtime). The endpoint only sees this interface.
 */
import type { ManagedInstancesOptions } from '../runtime/environment-api';
import type { WireFunctionConfiguration } from './state';

export interface BackendInvocation {
  requestId: string;
  /** The parsed event (JSON); the endpoint has already rejected bad JSON. */
  event: unknown;
  /** The raw event bytes, for runtimes that receive the payload verbatim. */
  payload: Buffer;
  configuration: WireFunctionConfiguration;
  /** The caller's ClientContext, decoded (Invoke's base64 JSON), for the handler's `context.clientContext`. */
  clientContext?: unknown;
  /**
   * Called once with the payload as soon as it is known, when that is before the logs are
   * complete (the warm local backend; a backend that cannot tell earlier never calls it).
   */
  onPayload?: (early: BackendPayload) => void;
}

/** What Invoke returns without the log tail. */
export interface BackendPayload {
  /** The request id the logs use (a backend may assign its own). */
  requestId: string;
  /** Response bytes as the runtime produced them (JSON for Node.js runtimes, anything for custom ones). */
  payload: Buffer;
  /** 'Unhandled' when the function failed (threw, timed out, crashed), else null. */
  functionError: 'Unhandled' | null;
}

export interface BackendResult extends BackendPayload {
  /** Lambda-format log text of this invocation, START to REPORT. */
  logs: string;
}

export interface FunctionBackend {
  /**
   * Invocations it runs at once: the environments the function may have for the warm local
   * backend (each concurrent invocation gets its own), 1 for the Runtime API backend (one
   * process). The invoke route throttles beyond it.
   */
  readonly capacity: number;
  invoke(invocation: BackendInvocation): Promise<BackendResult>;
  dispose(): Promise<void>;
}

/** Where a served function's code lives, as a deployment package would hold it. */
export interface FunctionCode {
  /** Absolute folder that plays LAMBDA_TASK_ROOT (/var/task). */
  taskRoot: string;
  /** Absolute path of the handler file (Node.js runtimes). */
  file?: string;
  /** Export name, possibly nested (Node.js runtimes). */
  handlerExport?: string;
  /**
   * The function's Handler setting finds the handler, as Lambda's runtime client finds it (a
   * template's function): `file` and `handlerExport` are then only the host's reading of it.
   * Without it the warm local environment loads `file` as named.
   */
  loadByHandler?: boolean;
}

export interface BackendContext {
  name: string;
  code: FunctionCode;
  configuration: WireFunctionConfiguration;
  /** Folder holding the function's layers extracted in order, the /opt substitute; null without layers. */
  optDir: string | null;
  region: string;
  /** Environments the function may have at once (ServedFunction.reservedConcurrency); default DEFAULT_MAX_ENVIRONMENTS. */
  maxEnvironments?: number;
  /** Lambda Managed Instances: every environment runs this many invocations at once in worker threads. */
  managedInstances?: ManagedInstancesOptions;
}

export type BackendFactory = (context: BackendContext) => FunctionBackend;
