/**
 * The oracle side in Lambda Managed Instances mode: the real 4.x client (`aws-lambda-ric`
 * 4.0.2) with AWS_LAMBDA_MAX_CONCURRENCY (set by the emulator from `concurrency`, as Lambda
 * sets it from PerExecutionEnvironmentMaxConcurrency) and AWS_LAMBDA_NODEJS_WORKER_COUNT
 * pinned, driven by the Runtime API emulator in waves: every invocation of a wave is sent at
 * once (the emulator keeps `concurrency` of them in flight, the rest wait their turn), the next
 * wave once all of its invocations have an outcome, all in one execution environment.
 *
 * `runManagedReal` is the seam for the local engine's Managed Instances mode: the same fixture
 * and {runtime, workers, concurrency, waves} give the real client's outcome per request, to
 * compare exactly with one worker and as invariants with several (which worker takes which
 * request is not deterministic). docs/managed-instances.md records what it observed.
 */
import { randomUUID } from 'node:crypto';
import { clientEntry, PROFILES, profileNode } from '../../scripts/oracle/clients';
import { createRuntimeApiBackend } from '../../src/core/endpoint/runtime/runtime-api-backend';
import { EndpointState } from '../../src/core/endpoint/state';
import type { InvocationOutcome } from './outcome';
import { FUNCTION_NAME, MEMORY_MB, toOutcome } from './real-side';
import { bootstrapNodeArgs } from './runtime-image';

const REGION = 'us-east-1';

/** Managed Instances runs Node.js 22 and later, both on the 4.x client. */
export type ManagedRuntime = 'nodejs22.x' | 'nodejs24.x';

export interface ManagedFixture {
  /** LAMBDA_TASK_ROOT, absolute. */
  taskRoot: string;
  /** Lambda's `Handler` setting. */
  handler: string;
}

export interface ManagedRunOptions {
  runtime: ManagedRuntime;
  /** AWS_LAMBDA_NODEJS_WORKER_COUNT: pinned, so the run does not depend on this machine's CPUs. */
  workers: number;
  /** PerExecutionEnvironmentMaxConcurrency (AWS_LAMBDA_MAX_CONCURRENCY). */
  concurrency: number;
  /** One invocation per event; the events of a wave are sent at once, the waves one after the other. */
  waves: unknown[][];
  /** The function's timeout; default 3 s, Lambda's default. */
  timeoutSeconds?: number;
  /** More environment variables of the function. */
  environment?: Record<string, string>;
}

export interface ManagedInvocation {
  requestId: string;
  event: unknown;
  outcome: InvocationOutcome;
  /**
   * 0-based index of the worker thread that ran it, when observable: the response carries the
   * `threadId` of node:worker_threads (the client starts its workers in order in a process with
   * no other worker, so worker i has thread id i + 1).
   */
  worker?: number;
  /** The Lambda-format log of the invocation as the emulator attributed it (START to REPORT). */
  logs: string;
}

/** The real client's outcome per event, by wave, in the events' order. */
export async function runManagedReal(root: string, fixture: ManagedFixture, options: ManagedRunOptions): Promise<ManagedInvocation[][]> {
  const served = new EndpointState(REGION).addFunction({
    name: FUNCTION_NAME,
    code: { taskRoot: fixture.taskRoot },
    runtime: options.runtime,
    handler: fixture.handler,
    memoryMB: MEMORY_MB,
    timeoutSeconds: options.timeoutSeconds ?? 3,
    environment: { ...options.environment, AWS_LAMBDA_NODEJS_WORKER_COUNT: String(options.workers) },
  });
  const { configuration } = served;
  const backend = createRuntimeApiBackend(
    { name: FUNCTION_NAME, code: served.code, configuration, optDir: null, region: REGION },
    {
      // The runtime's Node (22 or 24) with the 4.x client: Managed Instances uses 4.x on both.
      nodePath: await profileNode(root, options.runtime),
      clientEntry: clientEntry(root, PROFILES['nodejs24.x'].client),
      nodeArgs: bootstrapNodeArgs(options.runtime),
      maxConcurrency: options.concurrency,
    },
  );
  const invoke = async (event: unknown): Promise<ManagedInvocation> => {
    const requestId = randomUUID();
    const result = await backend.invoke({ requestId, event, payload: Buffer.from(JSON.stringify(event)), configuration });
    const outcome = toOutcome(result, false);
    const worker = workerOf(outcome.response);
    return { requestId, event, outcome, ...(worker !== undefined ? { worker } : {}), logs: result.logs };
  };
  const waves: ManagedInvocation[][] = [];
  try {
    for (const wave of options.waves) waves.push(await Promise.all(wave.map(invoke)));
    return waves;
  } finally {
    await backend.dispose();
  }
}

function workerOf(response: unknown): number | undefined {
  if (response === null || typeof response !== 'object') return undefined;
  const { threadId } = response as { threadId?: unknown };
  return typeof threadId === 'number' ? threadId - 1 : undefined;
}
