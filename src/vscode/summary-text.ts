/**
 * Short texts describing a handler's environment: the CodeLens summary
 * (`warm · 3 invocations · arrayB growing`) and the status bar item. Pure: no `vscode`.
 */
import type { EnvironmentStatus } from '../core/runtime/environment-api';

export interface SummaryInput {
  status: EnvironmentStatus | undefined;
  /** Names of growing module variables in the latest invocation of the current environment. */
  growing: readonly string[];
  /** Invocations kept in the history (all environments). */
  historyCount: number;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `arrayB growing`, `arrayB, cache growing`, `arrayB +2 more growing`. */
export function growingText(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  if (names.length <= 2) return `${names.join(', ')} growing`;
  return `${names[0]} +${names.length - 1} more growing`;
}

/**
 * The CodeLens summary, or undefined when there is nothing to say yet (never invoked).
 */
export function lensSummary(input: SummaryInput): string | undefined {
  const { status } = input;
  if (!status) return undefined;
  switch (status.state) {
    case 'initializing':
      return 'starting…';
    case 'invoking':
      return status.warmInvocations > 0 ? `invoking · ${plural(status.warmInvocations, 'invocation')} so far` : 'invoking…';
    case 'warm': {
      const parts = [status.frozen ? 'warm (frozen)' : 'warm', plural(status.warmInvocations, 'invocation')];
      const growing = growingText(input.growing);
      if (growing) parts.push(growing);
      return parts.join(' · ');
    }
    case 'cold':
      if (input.historyCount === 0) return undefined;
      return status.lastReset ? `cold · last reset: ${status.lastReset}` : 'cold';
  }
}

export interface StatusBarText {
  text: string;
  tooltip: string;
}

/** The status bar item for the active editor's handler (`$(flame) test: warm · 3`). */
export function statusBarText(exportName: string, status: EnvironmentStatus | undefined): StatusBarText {
  if (!status || (status.state === 'cold' && status.generation === 0)) {
    return { text: `$(circle-outline) ${exportName}: cold`, tooltip: `Warm State: ${exportName} has no environment yet. Click to open the panel.` };
  }
  const count = status.warmInvocations;
  switch (status.state) {
    case 'initializing':
      return { text: `$(loading~spin) ${exportName}: starting`, tooltip: `Warm State: ${exportName} is starting (cold start).` };
    case 'invoking':
      return { text: `$(sync~spin) ${exportName}: invoking`, tooltip: `Warm State: ${exportName} is running.` };
    case 'warm':
      return {
        text: `$(flame) ${exportName}: ${status.frozen ? 'frozen' : 'warm'} · ${count}`,
        tooltip: `Warm State: ${exportName} is warm${status.frozen ? ' and frozen between invocations' : ''}, ${plural(count, 'invocation')} in this environment${status.nodeVersion ? ` (Node ${status.nodeVersion})` : ''}.`,
      };
    case 'cold':
      return {
        text: `$(circle-outline) ${exportName}: cold`,
        tooltip: `Warm State: ${exportName} is cold${status.lastReset ? ` (last reset: ${status.lastReset})` : ''}; the next invocation starts a new environment.`,
      };
  }
}
