/**
 * The `warmState.*` settings, read through a getter so this stays pure (the adapter
 * passes `workspace.getConfiguration('warmState')`). Out-of-range values are clamped to
 * what the engine accepts instead of failing an invocation.
 */
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from '../core/lambda/defaults';
import { MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS } from '../core/lambda/timeout-range';
import { DEFAULT_BUDGETS, type CaptureBudgets } from '../core/runtime/environment-api';
import { DEFAULT_MAX_WORKERS } from '../core/lambda/defaults';

export interface WarmSettings {
  nodePath: string;
  /** `warmState.runtime`: a runtime profile, or '' to choose from the template and the node (checked where it is used). */
  runtime: string;
  timeoutSeconds: number;
  memoryMB: number;
  freeze: boolean;
  budgets: CaptureBudgets;
  codeLensEnabled: boolean;
  environmentVariables: Record<string, string>;
  historyLength: number;
  /** `warmState.initProfile`: time each top-level statement of the handler module on cold starts. */
  initProfile: boolean;
  /**
   * `warmState.managedInstances.concurrency`: run handlers in Lambda Managed Instances mode with
   * this many invocations in flight per environment; 0 = off (unless a template's
   * CapacityProviderConfig turns it on).
   */
  managedConcurrency: number;
  /** `warmState.managedInstances.maxWorkers`: the cap on worker threads (the 4.x client's default is 8 x CPUs). */
  maxWorkers: number;
  /** Which of timeout and memory the user set explicitly (else they are defaults). */
  explicit: { timeoutSeconds: boolean; memoryMB: boolean };
}

export interface SettingsReader {
  /** The effective value of `warmState.<key>`, undefined when unset and without default. */
  get(key: string): unknown;
  /** True when the user set `warmState.<key>` at some level (user, workspace, folder). */
  isExplicit(key: string): boolean;
}

export const SETTING_DEFAULTS = {
  timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  memoryMB: DEFAULT_MEMORY_MB,
  historyLength: 200,
} as const;

export function readSettings(reader: SettingsReader): WarmSettings {
  return {
    nodePath: stringSetting(reader.get('nodePath')),
    runtime: stringSetting(reader.get('runtime')).trim(),
    // The range of --timeout and templates; VS Code warns about values outside it (package.json).
    timeoutSeconds: numberSetting(reader.get('timeoutSeconds'), SETTING_DEFAULTS.timeoutSeconds, MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS),
    memoryMB: Math.round(numberSetting(reader.get('memoryMB'), SETTING_DEFAULTS.memoryMB, 128, 10240)),
    freeze: booleanSetting(reader.get('freeze'), true),
    budgets: {
      depth: Math.round(numberSetting(reader.get('capture.depth'), DEFAULT_BUDGETS.depth, 1, 20)),
      items: Math.round(numberSetting(reader.get('capture.items'), DEFAULT_BUDGETS.items, 1, 10000)),
      stringLength: Math.round(numberSetting(reader.get('capture.stringLength'), DEFAULT_BUDGETS.stringLength, 10, 100000)),
      nodes: Math.round(numberSetting(reader.get('capture.nodes'), DEFAULT_BUDGETS.nodes, 10, 100000)),
    },
    codeLensEnabled: booleanSetting(reader.get('codeLens.enabled'), true),
    environmentVariables: stringRecord(reader.get('environmentVariables')),
    historyLength: Math.round(numberSetting(reader.get('historyLength'), SETTING_DEFAULTS.historyLength, 1, 5000)),
    initProfile: booleanSetting(reader.get('initProfile'), false),
    managedConcurrency: Math.round(numberSetting(reader.get('managedInstances.concurrency'), 0, 0, 1000)),
    maxWorkers: Math.round(numberSetting(reader.get('managedInstances.maxWorkers'), DEFAULT_MAX_WORKERS, 1, 64)),
    explicit: { timeoutSeconds: reader.isExplicit('timeoutSeconds'), memoryMB: reader.isExplicit('memoryMB') },
  };
}

function stringSetting(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function booleanSetting(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function numberSetting(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

/** Only string values are passed on (numbers and booleans are stringified, like the shell would). */
function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return result;
  for (const [key, entry] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    if (typeof entry === 'string') result[key] = entry;
    else if (typeof entry === 'number' || typeof entry === 'boolean') result[key] = String(entry);
  }
  return result;
}
