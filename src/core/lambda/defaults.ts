import { availableParallelism } from 'node:os';
/** Lambda's defaults for a function that declares no timeout or memory size (SAM and CloudFormation use them too). */
export const DEFAULT_TIMEOUT_SECONDS = 3;
export const DEFAULT_MEMORY_MB = 128;

/** Lambda's synchronous invocation payload limit, request and response alike: 6 MiB. */
export const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** The init phase's own limit (on-demand functions): it does not count toward the function's timeout. */
export const INIT_LIMIT_MS = 10_000;

// ---- Lambda Managed Instances (AWS's "Node.js runtime for Lambda Managed Instances" and the
// 4.x client's getWorkerCount): what a local run uses when neither the template nor a flag says.

/** PerExecutionEnvironmentMaxConcurrency's default for Node.js: 64 per vCPU (one vCPU assumed locally). */
export const DEFAULT_CONCURRENCY_PER_VCPU = 64;
/** The 4.x client starts 8 workers per CPU it reads from the cgroup. */
export const WORKERS_PER_CPU = 8;
/** Local default cap on workers, so that a laptop is not flooded (each worker loads the handler). */
export const DEFAULT_MAX_WORKERS = 4;

/** The client's default worker count for this machine, at most `cap`. */
export function defaultWorkerCount(cap = DEFAULT_MAX_WORKERS, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(cap, WORKERS_PER_CPU * Math.max(1, cpus)));
}

export const MANAGED_INSTANCES_RUNTIME_PROBLEM = 'Lambda Managed Instances needs Node.js 22 or later: run as nodejs22.x or nodejs24.x, not nodejs20.x';
