/**
 * The settings a handler's local environment runs with, merged from the `warmState.*`
 * settings and the function a SAM/CloudFormation template or serverless.yml declares for
 * the handler, with where each came from (shown in the panel). Pure: no `vscode`.
 *
 * Precedence: a declared function's timeout and memory size win (they are what the
 * deployed function gets, including the platform's defaults); the settings apply to
 * handlers no template declares. Environment variables: the template's literal values,
 * then `warmState.environmentVariables` on top (a local override, e.g. a local table name).
 * The runtime profile: `warmState.runtime`, else the template's Runtime, else the major of
 * the node that runs the handler (the CLI's --runtime plays the setting's part there).
 */
import type { FunctionConfig } from '../core/config/types';
import { chooseRuntime, describeRuntimeSource, UnknownRuntimeError, type RuntimeProfileName, type RuntimeSource } from '../core/lambda/runtime-profiles';
import type { CaptureBudgets } from '../core/runtime/environment-api';
import type { FunctionSettingsView, RuntimeView, SettingsSource } from '../webview-protocol/panel';
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
  /** The runtime profile; undefined when only the node could choose and its version is unknown. */
  runtime: { profile: RuntimeProfileName; source: RuntimeSource } | undefined;
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

export interface HandlerRuntime {
  profile: RuntimeProfileName;
  source: RuntimeSource;
  view: RuntimeView;
  /** A fallback choice, or a setting value that is no runtime (then ignored): to tell the user. */
  notes: string[];
}

/**
 * The profile a handler runs as: `warmState.runtime` > the declaring template's Runtime > the
 * major of `nodeVersion` (the node that will run it). Null when only the node could choose and
 * `nodeVersion` is unknown (null). A setting that names no profile is ignored with a note (the
 * settings are never a reason not to run).
 */
export function chooseHandlerRuntime(
  settings: Pick<WarmSettings, 'runtime'>,
  config: FunctionConfig | undefined,
  nodeVersion: string | null,
  relative: (path: string) => string = (path) => path,
): HandlerRuntime | null {
  const notes: string[] = [];
  let setting: string | null = settings.runtime;
  const template = config?.runtime ?? null;
  let choice;
  try {
    choice = chooseRuntime({ setting, template, nodeVersion: nodeVersion ?? '' });
  } catch (error) {
    if (!(error instanceof UnknownRuntimeError)) throw error;
    notes.push(`${error.message} It is ignored.`);
    setting = null;
    choice = chooseRuntime({ setting, template, nodeVersion: nodeVersion ?? '' });
  }
  if (choice.source === 'node-major' && nodeVersion === null) return null;
  if (choice.warning) notes.push(choice.warning);
  const origin = describeRuntimeSource(choice.source, { templateFile: config ? relative(config.configFile) : null, nodeVersion });
  return { profile: choice.profile, source: choice.source, view: { profile: choice.profile, source: choice.source, origin }, notes };
}

export function resolveFunctionSettings(
  settings: WarmSettings,
  exportName: string,
  config: FunctionConfig | undefined,
  relative: (path: string) => string = (path) => path,
  /** The version of the node that will run the handler, null when unknown. */
  nodeVersion: string | null = null,
): ResolvedFunctionSettings {
  const handlerRuntime = chooseHandlerRuntime(settings, config, nodeVersion, relative);
  const runtime = handlerRuntime ? { profile: handlerRuntime.profile, source: handlerRuntime.source } : undefined;
  const runtimeView = handlerRuntime ? { runtime: handlerRuntime.view } : {};
  const base = {
    freeze: settings.freeze,
    budgets: settings.budgets,
    runtime,
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
      view: {
        timeoutSeconds: settings.timeoutSeconds,
        memoryMB: settings.memoryMB,
        freeze: settings.freeze,
        source: explicit ? 'settings' : 'defaults',
        sourceDetail: explicit ? 'warmState.* settings (no template declares this handler)' : 'Lambda defaults (no template declares this handler)',
        ...runtimeView,
      },
      notes: handlerRuntime?.notes ?? [],
    };
  }
  const label = configLabel(config, relative);
  const env = { ...config.environment };
  const overridden: string[] = [];
  for (const [name, value] of Object.entries(settings.environmentVariables)) {
    if (name in env && env[name] !== value) overridden.push(name);
    env[name] = value;
  }
  const notes: string[] = [...(handlerRuntime?.notes ?? [])];
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
    describeSource('region', config.sources.region),
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
    view: { timeoutSeconds: config.timeoutSeconds, memoryMB: config.memoryMB, freeze: settings.freeze, source: sourceOf(config), sourceDetail: detail.join('; '), ...runtimeView },
    notes,
  };
}

function describeSource(setting: string, source: string | undefined): string | undefined {
  return source ? `${setting} from ${source}` : undefined;
}
