/**
 * Invoke Warm Concurrently (issue 12): how many invocations a burst starts, and what its
 * outcomes tell the user in one message each (throttled ones, failed ones) instead of one
 * notification per invocation. Pure of `vscode`.
 */
import type { InvocationRecord } from '../core/model/snapshot';
import type { ManagedInstancesOptions } from '../core/runtime/environment-api';
import type { InvokeOutcome } from './handler-session';

/** One invocation is no burst; more than 100 at once only floods a laptop with processes. */
export const BURST_MIN = 2;
export const BURST_MAX = 100;

/** The input box's check: undefined when `text` is a whole number in range, else why not. */
export function burstSizeProblem(text: string): string | undefined {
  return parseBurstSize(text) === undefined ? `A whole number from ${BURST_MIN} to ${BURST_MAX}.` : undefined;
}

export function parseBurstSize(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const size = Number(trimmed);
  return size >= BURST_MIN && size <= BURST_MAX ? size : undefined;
}

/** What the input box proposes: one environment's worth in Managed Instances mode, else two (scale-out). */
export function defaultBurstSize(managed: Pick<ManagedInstancesOptions, 'concurrency'> | undefined): number {
  return managed ? Math.min(BURST_MAX, Math.max(BURST_MIN, managed.concurrency)) : BURST_MIN;
}

export interface BurstOutcome {
  /** The invocations that ran (an error thrown by the handler included), in the order they were started. */
  records: InvocationRecord[];
  /** Refused because every environment the function may have was busy: nothing ran. */
  throttled: number;
  /** Why the others did not run (the engine failed, the session closed, ...). */
  failures: string[];
}

export function summarizeBurst(outcomes: readonly InvokeOutcome[]): BurstOutcome {
  const summary: BurstOutcome = { records: [], throttled: 0, failures: [] };
  for (const outcome of outcomes) {
    if (outcome.ok) summary.records.push(outcome.record);
    else if (outcome.throttled) summary.throttled += 1;
    else summary.failures.push(outcome.message);
  }
  return summary;
}

/** The one warning for the throttled invocations of a burst of `size`; undefined when none was. */
export function throttledMessage(label: string, size: number, throttled: number): string | undefined {
  if (throttled === 0) return undefined;
  const which = throttled === size ? `All ${size} invocations` : `${throttled} of ${size} invocations`;
  return `Warm State: ${label}: ${which} were throttled and did not run (Rate Exceeded: every environment the function may have was busy, as Lambda answers with 429). Fewer at once, a higher warmState.managedInstances.concurrency or the template's ReservedConcurrentExecutions let more run.`;
}

/** The one error for the invocations that failed to run; undefined when none did. */
export function failedMessage(size: number, failures: readonly string[]): string | undefined {
  if (failures.length === 0) return undefined;
  const more = failures.length > 1 ? ` (${failures.length} of ${size} invocations failed to run; the log has each)` : '';
  return `Warm State: ${failures[0]}${more}`;
}
