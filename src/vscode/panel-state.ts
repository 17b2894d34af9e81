/**
 * The panel host's decisions that need no editor: the state message built from what the host
 * keeps (the handler, its environment status, its history and what it is doing), and which
 * file a go-to-line from the webview may open. Pure: no `vscode`.
 */
import { isAbsolute, normalize, relative, sep } from 'node:path';
import type { InvocationRecord } from '../core/model/snapshot';
import type { EnvironmentStatus } from '../core/runtime/environment-api';
import {
  PANEL_PROTOCOL_VERSION,
  growthOf,
  toTimelineEntry,
  type BusyKind,
  type FunctionSettingsView,
  type HandlerIdentity,
  type PanelError,
  type PanelState,
} from '../webview-protocol/panel';

export interface PanelStateInput {
  handler: HandlerIdentity;
  status: EnvironmentStatus | undefined;
  history: readonly InvocationRecord[];
  settings: FunctionSettingsView | null;
  /** Display name of the chosen event; null for the default `{}`. */
  eventName: string | null;
  busy: BusyKind;
  errors: readonly PanelError[];
}

/** The status of a handler that has no environment yet. */
export const NO_ENVIRONMENT: EnvironmentStatus = {
  state: 'cold',
  frozen: false,
  warmInvocations: 0,
  generation: 0,
  nodeVersion: null,
  lastReset: null,
};

export function buildPanelState(input: PanelStateInput): PanelState {
  const latest = input.history.length > 0 ? input.history[input.history.length - 1] : null;
  const environment = input.status ?? NO_ENVIRONMENT;
  return {
    protocolVersion: PANEL_PROTOCOL_VERSION,
    handler: input.handler,
    environment,
    nodeVersion: environment.nodeVersion ?? (latest && latest.source === 'local' ? latest.runtimeVersion : null),
    settings: input.settings,
    eventName: input.eventName,
    timeline: input.history.map(toTimelineEntry),
    selected: latest,
    growth: growthOf(latest),
    estimate: latest?.memoryEstimate ?? null,
    busy: input.busy,
    errors: [...input.errors],
  };
}

/** The record with that 1-based invocation number, or null when it left the bounded history. */
export function findInvocation(history: readonly InvocationRecord[], invocation: number): InvocationRecord | null {
  // Invocation numbers increase along the history: a binary search keeps 5,000 entries cheap.
  let low = 0;
  let high = history.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = history[middle].invocation;
    if (value === invocation) return history[middle];
    if (value < invocation) low = middle + 1;
    else high = middle - 1;
  }
  return null;
}

/** Growing names of the latest record when it belongs to the current environment (for the CodeLens summary). */
export function currentGrowing(history: readonly InvocationRecord[], status: EnvironmentStatus | undefined): readonly string[] {
  const latest = history[history.length - 1];
  if (!latest || !status || status.state === 'cold' || latest.generation !== status.generation) return [];
  return latest.growing;
}

// Go-to-line. The webview shows untrusted values and its messages are only wishes: the host
// opens a file as a text document (nothing runs) and only the handler's own file or a file
// inside one of the workspace folders.

export interface SourceLink {
  /** Absolute, normalised path of the file to open. */
  file: string;
  /** 1-based line. */
  line: number;
}

/**
 * `file` (absolute) at `line` when it is `handlerFile` or inside one of `workspaceRoots`,
 * else null. `..` segments are resolved before the check, so they cannot climb out of a folder.
 */
export function allowedSourceLink(file: string, line: number, handlerFile: string, workspaceRoots: readonly string[]): SourceLink | null {
  if (!Number.isSafeInteger(line) || line < 1) return null;
  if (!isAbsolute(file) || file.includes('\0')) return null;
  const target = normalize(file);
  if (target === normalize(handlerFile)) return { file: target, line };
  for (const root of workspaceRoots) {
    const inside = relative(normalize(root), target);
    if (inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside)) return { file: target, line };
  }
  return null;
}
