/** Messages between the child's main thread and its capture worker. */
import type { CapturedVariable } from '../../model/snapshot';
import type { CaptureBudgets } from '../environment-api';

/** Global slot where the bootstrap leaves the handler function for the worker to locate. */
export const HANDLER_GLOBAL_KEY = 'warm-state.handler';

/** Global slot of the scope lister (scope-capture.ts); absent where only the serializer is installed. */
export const SCOPE_CAPTURE_GLOBAL_KEY = 'warm-state.capture-scopes';

/** What the scope lister returns: one entry per visible binding, innermost scope first. */
export interface ScopeCaptureResult {
  names: string[];
  /** Index of the scope (in the list passed in) that holds each binding. */
  scopeIndex: number[];
  /** The binding read as undefined (a let/const in its temporal dead zone reads so too). */
  wasUndefined: boolean[];
  captured: Array<{ value: CapturedVariable['value']; size: CapturedVariable['size'] }>;
}

/** Over parentPort. */
export type MainToWorker = { type: 'arm'; budgets: CaptureBudgets };
export type WorkerToMain = { type: 'armed'; error: string | null };

/** What the worker hands over through the capture port (`workerData.capturePort`). */
export interface StopReport {
  /** A capture of the handler's frame, or null when this stop was not one (a foreign exception). */
  capture: { handlerScope: CapturedVariable[]; parameters: CapturedVariable[] } | null;
  error: string | null;
  /** Time the main thread spent stopped, taken off the reported Duration. */
  pausedMs: number;
}

/**
 * Posted before the worker resumes the main thread, so that once the handler has settled
 * the main thread can drain the port synchronously (receiveMessageOnPort): no round trip.
 */
export interface WorkerData {
  capturePort: import('node:worker_threads').MessagePort;
}
