/**
 * The settings a handler's local environment runs with, merged from the `warmState.*`
 * settings and the function a SAM/CloudFormation template or serverless.yml declares for
 * the handler, with where each came from (shown in the panel). Pure: no `vscode`.
 *
 * Precedence: a declared function's timeout and memory size win (they are what the
 * deployed function gets, including the platform's defaults); the settings apply to
 * handlers no template declares. Environment variables: the template's literal values,
 * then `warmState.environmentVariables` on top (a local override, e.g. a local table name).
 */
import type { FunctionConfig } from '../core/config/types';
import type { CaptureBudgets } from '../core/runtime/environment-api';
import type { FunctionSettingsView, SettingsSource } from '../webview-protocol/panel';
import type { WarmSettings } from './settings';

export interface ResolvedFunctionSettings {
  timeoutSeconds: number;
  memoryMB: number;
  freeze: boolean;
  budgets: CaptureBudgets;
  env: Record<string, string>;
  /** The export path the engine loads (`test`, or `app.nested` for nested handler strings). */
  handlerExport: string;
  /** LAMBDA_TASK_ROOT from the template (CodeUri, service folder); undefined: the engine's default. */
  taskRoot: string | undefined;
  functionName: string | undefined;
  /** The declared runtime, e.g. `nodejs20.x`; null when no template declares the handler. */
  runtime: string | null;
  view: FunctionSettingsView;
  /** Things to tell the user: unresolved variables left unset, template problems. */
  notes: string[];
}

function sourceOf(config: FunctionConfig): SettingsSource {
  return config.kind === 'serverless' ? 'serverless' : 'sam';
}

function configLabel(config: FunctionConfig, relative: (path: string) => string): string {
  const name = relative(config.configFile);
  return config.kind === 'serverless' ? `${name} (function ${config.id})` : `${name} (${config.id})`;
}

export function resolveFunctionSettings(
  settings: WarmSettings,
  exportName: string,
  config: FunctionConfig | undefined,
  relative: (path: string) => string = (path) => path,
): ResolvedFunctionSettings {
  const base = {
    freeze: settings.freeze,
    budgets: settings.budgets,
  };
  if (!config) {
    const explicit = settings.explicit.timeoutSeconds || settings.explicit.memoryMB || Object.keys(settings.environmentVariables).length > 0;
    return {
      ...base,
      timeoutSeconds: settings.timeoutSeconds,
      memoryMB: settings.memoryMB,
      env: { ...settings.environmentVariables },
      handlerExport: exportName,
      taskRoot: undefined,
      functionName: undefined,
      runtime: null,
      view: {
        timeoutSeconds: settings.timeoutSeconds,
        memoryMB: settings.memoryMB,
        freeze: settings.freeze,
        source: explicit ? 'settings' : 'defaults',
        sourceDetail: explicit ? 'warmState.* settings (no template declares this handler)' : 'Lambda defaults (no template declares this handler)',
      },
      notes: [],
    };
  }
  const label = configLabel(config, relative);
  const env = { ...config.environment };
  const overridden: string[] = [];
  for (const [name, value] of Object.entries(settings.environmentVariables)) {
    if (name in env && env[name] !== value) overridden.push(name);
    env[name] = value;
  }
  const notes: string[] = [];
  const unresolved = Object.entries(config.unresolvedEnvironment).filter(([name]) => !(name in settings.environmentVariables));
  if (unresolved.length > 0) {
    notes.push(`Not set locally (unknown outside AWS): ${unresolved.map(([name, text]) => `${name} = ${text}`).join(', ')}. Set them in warmState.environmentVariables if the handler needs them.`);
  }
  for (const problem of config.problems) notes.push(problem.message);
  const detail = [
    `${label}`,
    describeSource('timeout', config.sources.timeoutSeconds),
    describeSource('memory', config.sources.memoryMB),
    describeSource('runtime', config.sources.runtime),
    overridden.length > 0 ? `environment overridden by warmState.environmentVariables: ${overridden.join(', ')}` : undefined,
  ].filter((part): part is string => part !== undefined);
  return {
    ...base,
    timeoutSeconds: config.timeoutSeconds,
    memoryMB: config.memoryMB,
    env,
    handlerExport: [config.exportName ?? exportName, ...config.nestedPath].join('.'),
    taskRoot: config.codeDir,
    functionName: config.functionName ?? config.id,
    runtime: config.runtime,
    view: { timeoutSeconds: config.timeoutSeconds, memoryMB: config.memoryMB, freeze: settings.freeze, source: sourceOf(config), sourceDetail: detail.join('; ') },
    notes,
  };
}

function describeSource(setting: string, source: string | undefined): string | undefined {
  return source ? `${setting} from ${source}` : undefined;
}
