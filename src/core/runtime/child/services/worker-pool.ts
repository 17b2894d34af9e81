/**
 * Lambda Managed Instances inside the child (the 4.x client's WorkerManager, read from
 * aws-lambda-ric 4.0.2): the process's main thread loads no user code; it starts one worker
 * thread per configured worker, each loading the handler once (bootstrap.ts, worker side), and
 * passes invocations to them. Init's answers come back through this thread; an invocation's
 * messages the worker writes to the host's pipe itself (parent-channel.ts, shared-pipe.ts).
 *
 * Which worker runs an invocation: on Lambda each worker asks the Runtime API for the next
 * invocation as soon as it dispatched the last one, so whichever worker asks first gets it.
 * Here the worker with the fewest invocations in flight gets it (the lowest index on a tie):
 * the same spread on average, and one worker behaves exactly as on Lambda.
 *
 * Workers start without the flags the 4.x client filters out for them (--expose-gc,
 * --max-old-space-size, --max-semi-space-size): their heaps have V8's default limits, as there.
 * Init: the environment is ready once every worker loaded the handler; one that fails fails the
 * environment's init (its error is the first failure's). A worker that ends later (an uncaught
 * exception: the 4.x client leaves it to Node) is logged as the client logs it, and the others
 * go on; its invocations in flight get no answer and time out, as on Lambda. When no worker is
 * left, the process ends.
 */
import type { Worker as WorkerThread } from 'node:worker_threads';
import { createPipeLock } from './shared-pipe';
import { join } from 'node:path';
import { WORKER_FLAG, type ChildInitMessage, type ChildInvokeMessage, type ChildReadyMessage, type ChildToHost, type WorkerToMain } from '../../protocol';

export interface WorkerPool {
  dispatch(message: ChildInvokeMessage): void;
}

/** Flags the 4.x client removes from a worker's execArgv (Node refuses some of them in workers). */
const WORKER_FLAGS_REMOVED = ['--expose-gc', '--max-semi-space-size', '--max-old-space-size'];

export function startWorkerPool(
  init: ChildInitMessage & { managed: NonNullable<ChildInitMessage['managed']> },
  send: (message: ChildToHost) => void,
  log: (text: string) => void,
  exit: (code: number) => void,
): WorkerPool {
  const count = init.managed.workers;
  const inFlight: number[] = [];
  // Loaded here, not with the bundle: a default-mode cold start must not compile this built-in.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const workers: Array<WorkerThread | null> = [];
  const ready: Array<ChildReadyMessage | null> = [];
  /** Invocations sent before every worker was ready (the first ones, sent with init). */
  const waiting: ChildInvokeMessage[] = [];
  const owner = new Map<string, number>();
  /** Held by whichever thread writes a frame to the host's pipe (shared-pipe.ts). */
  const lock = createPipeLock();
  let initDone = false;
  let alive = count;
  const execArgv = process.execArgv.filter((flag) => !WORKER_FLAGS_REMOVED.some((removed) => flag.startsWith(removed)));

  const dispatchNow = (message: ChildInvokeMessage): void => {
    let chosen = -1;
    for (let i = 0; i < count; i++) {
      if (workers[i] && (chosen < 0 || (inFlight[i] as number) < (inFlight[chosen] as number))) chosen = i;
    }
    // No worker left: the process is on its way out; the host times the invocation out.
    if (chosen < 0) return;
    inFlight[chosen] = (inFlight[chosen] as number) + 1;
    owner.set(message.requestId, chosen);
    workers[chosen]?.postMessage(message);
  };

  const onWorkerMessage = (index: number, data: WorkerToMain): void => {
    if (data.type === 'ready') {
      ready[index] = data.message;
      if (!initDone && ready.every((entry) => entry !== null)) {
        initDone = true;
        const entries = ready as ChildReadyMessage[];
        const slowest = entries.reduce((a, b) => (b.initDurationMs > a.initDurationMs ? b : a));
        send({ ...slowest, maxRssBytes: process.resourceUsage().maxRSS * 1024, workerInitMs: entries.map((entry) => entry.initDurationMs) });
        for (const queued of waiting.splice(0)) dispatchNow(queued);
      }
    } else if (data.type === 'init-error') {
      if (initDone) return;
      initDone = true;
      send({ ...data.message, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
      exit(1);
    } else if (data.type === 'done' && owner.get(data.requestId) === index) {
      // User code in a worker can post to this thread too: only an invocation this worker was given counts.
      owner.delete(data.requestId);
      inFlight[index] = Math.max(0, (inFlight[index] as number) - 1);
    }
  };

  for (let index = 0; index < count; index++) {
    inFlight.push(0);
    ready.push(null);
    const worker = new Worker(join(init.childDir, 'bootstrap.js'), { argv: [`${WORKER_FLAG}${index}`], workerData: { pipeLock: lock }, env: process.env, execArgv, stdout: false, stderr: false });
    workers.push(worker);
    worker.on('message', (message: WorkerToMain) => onWorkerMessage(index, message));
    worker.on('error', (error) => log(`Worker ${index} error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    worker.on('exit', (code) => {
      workers[index] = null;
      alive -= 1;
      if (code !== 0) log(`Worker ${index} exit: Error: Worker ${index} exited with code ${code}`);
      if (!initDone) {
        initDone = true;
        send({
          type: 'init-error',
          initDurationMs: 0,
          nodeVersion: process.version,
          error: { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: worker ${index} exited with code ${code} during init`, trace: [] },
          maxRssBytes: process.resourceUsage().maxRSS * 1024,
        });
        exit(1);
        return;
      }
      if (alive === 0) exit(1);
    });
    worker.postMessage(init);
  }

  return {
    dispatch(message) {
      if (initDone) dispatchNow(message);
      else waiting.push(message);
    },
  };
}
