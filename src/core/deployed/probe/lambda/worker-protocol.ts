/** Messages between the child's main thread and its capture worker. */
import type { CapturedVariable } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../../runtime/environment-api';

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
  /**
   * The probe's hooks channel (hooks-channel.ts): `<hooks>.capture` is the serializer,
   * `<hooks>.handler` the user's handler while the worker arms. Evaluating either runs no user
   * code, unlike a lookup through globalThis or Symbol.for, which user code may have replaced.
   */
  hooks: string;
}
