/** Number, size and duration formatting for the panel (pure). */
import type { EnvironmentStatus } from '../../src/core/model/environment-status';
import type { ResetReason } from '../../src/core/model/snapshot';
import { formatCount } from '../../src/core/model/preview';
import type { BusyKind } from '../../src/webview-protocol/panel';

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms >= 10 ? 1 : 2)} ms`;
}

/** A billed duration: Lambda bills whole milliseconds and its REPORT line writes them so (`Billed Duration: 2 ms`). */
export function formatBilledMs(ms: number): string {
  return Number.isFinite(ms) ? `${Math.round(ms)} ms` : '?';
}

export function formatMB(mb: number): string {
  if (!Number.isFinite(mb)) return '?';
  return `${mb >= 100 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

export function bytesToMB(bytes: number): number {
  return bytes / (1024 * 1024);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

const RESET_TEXT: Record<ResetReason, string> = {
  requested: 'reset on request',
  timeout: 'timed out',
  'out-of-memory': 'ran out of memory',
  'process-exit': 'process exited',
  'uncaught-exception': 'uncaught exception',
  'unhandled-rejection': 'unhandled promise rejection',
  'init-error': 'failed during init',
  crashed: 'crashed',
};

export function describeReset(reason: string): string {
  return (RESET_TEXT as Record<string, string>)[reason] ?? reason;
}

export interface EnvironmentDescription {
  /** Short label for the header badge. */
  label: string;
  /** Codicon name. */
  icon: string;
  /** CSS modifier: cold, warm, busy. */
  tone: 'cold' | 'warm' | 'busy';
  /** Longer sentence for tooltips and screen readers. */
  detail: string;
}

export function describeEnvironment(status: EnvironmentStatus, busy: BusyKind): EnvironmentDescription {
  if (busy === 'invoke-cold') return { label: 'Cold start…', icon: 'loading', tone: 'busy', detail: 'Starting a new environment and invoking the handler.' };
  if (busy === 'measure-retained') return { label: 'Measuring…', icon: 'loading', tone: 'busy', detail: 'Writing a heap snapshot of the environment and computing retained sizes; the environment is paused meanwhile.' };
  if (busy === 'reset') return { label: 'Resetting…', icon: 'loading', tone: 'busy', detail: 'Ending the environment.' };
  if (busy === 'invoke-warm' || status.state === 'invoking') {
    return { label: 'Invoking…', icon: 'loading', tone: 'busy', detail: 'The handler is running.' };
  }
  if (status.state === 'initializing') return { label: 'Initializing…', icon: 'loading', tone: 'busy', detail: 'Loading the handler module (init phase).' };
  if (status.state === 'warm') {
    const served = plural(status.warmInvocations, 'invocation');
    return status.frozen
      ? { label: 'Warm · frozen', icon: 'flame', tone: 'warm', detail: `Warm and frozen between invocations; module scope is kept. ${served} served by this environment.` }
      : { label: 'Warm', icon: 'flame', tone: 'warm', detail: `Warm; module scope is kept. ${served} served by this environment.` };
  }
  const why = status.lastReset ? ` Last environment ${describeReset(status.lastReset)}.` : '';
  return {
    label: status.lastReset ? `Cold · ${describeReset(status.lastReset)}` : 'Cold',
    icon: 'circle-outline',
    tone: 'cold',
    detail: `No environment is running; the next invocation is a cold start.${why}`,
  };
}

/** `1 → 2 → 3`, eliding the middle of long series. */
export function formatSeries(series: readonly number[], keep = 6): string {
  const values = series.map(formatCount);
  if (values.length <= keep) return values.join(' → ');
  const head = values.slice(0, 2);
  const tail = values.slice(-(keep - 3));
  return [...head, '…', ...tail].join(' → ');
}
