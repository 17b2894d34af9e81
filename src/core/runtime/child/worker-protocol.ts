/** Messages between the child's main thread and its capture worker. */
import type { CapturedVariable } from '../../model/snapshot';
import type { CaptureBudgets } from '../environment-api';

/** Global slot where the bootstrap leaves the handler function for the worker to locate. */
export const HANDLER_GLOBAL_KEY = 'warm-state.handler';

export type MainToWorker =
  | { type: 'arm'; budgets: CaptureBudgets }
  /** Hand over the handler-scope capture of the invocation that just ended, and forget it. */
  | { type: 'collect' };

export type WorkerToMain =
  | { type: 'armed'; error: string | null }
  | {
      type: 'collected';
      handlerScope: CapturedVariable[] | null;
      parameters: CapturedVariable[] | null;
      error: string | null;
      /** Time the main thread spent stopped at our breakpoints, taken off the reported Duration. */
      pausedMs: number;
    };
