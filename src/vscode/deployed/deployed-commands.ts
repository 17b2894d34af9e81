/**
 * VS Code commands for deployed functions: invoke the deployed function mapped to a handler
 * (chosen from a searchable list the first time), attach and detach the probe behind a modal
 * confirmation that says exactly what changes, and start/stop the local Lambda endpoint.
 *
 * Wiring (extension.ts): `context.subscriptions.push(...registerDeployedCommands(context, deps))`
 * with deps from the existing session store, event service and handler resolution.
 */
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../core/model/snapshot';
import type { DeployedError } from '../../core/deployed/errors';
import type { LambdaEndpoint } from '../../core/endpoint/server';
import { handlerKey, type HandlerRef } from '../handler-key';
import { load } from '../lazy';
import type { EngineSession } from '../engine';
import { mappingKey, splitQualifier, type DeployedSettings } from './deployed-settings';
import { attachConfirmation, errorNotification, functionPickItems, type FunctionPickItem } from './deployed-text';

export const DEPLOYED_COMMANDS = {
  /** Invoke the deployed function mapped to the handler; resolves to the InvocationRecord. */
  invokeDeployed: 'warmState.invokeDeployed',
  /** Choose (again) which deployed function a handler maps to. */
  chooseDeployedFunction: 'warmState.chooseDeployedFunction',
  attachProbe: 'warmState.attachProbe',
  detachProbe: 'warmState.detachProbe',
  startLocalEndpoint: 'warmState.startLocalEndpoint',
  stopLocalEndpoint: 'warmState.stopLocalEndpoint',
} as const;

export interface DeployedHandler {
  ref: HandlerRef;
  /** Absolute path of the handler file. */
  file: string;
  /** Workspace-relative path, for the mapping setting. */
  relativePath: string;
}

export interface DeployedCommandDeps {
  /** The handler a command applies to (from its arguments or the cursor); undefined when none, the user was told. */
  handlerFor(args: unknown[]): Promise<DeployedHandler | undefined>;
  /** The event selected for the handler. */
  eventFor(ref: HandlerRef): Promise<{ ok: true; event: unknown } | { ok: false; message: string }>;
  /** Adds a deployed record to the handler's history and panel (same timeline as local ones). */
  recordDeployed(ref: HandlerRef, record: InvocationRecord): void;
  settings(): DeployedSettings;
  log: vscode.LogOutputChannel;
}

const MAPPING_STATE_PREFIX = 'warmState.deployed.function:';

export function registerDeployedCommands(context: vscode.ExtensionContext, deps: DeployedCommandDeps): vscode.Disposable[] {
  const sessions = new Map<string, { target: string; session: EngineSession }>();
  let endpoint: LambdaEndpoint | undefined;

  const connection = () => {
    const settings = deps.settings();
    return { region: settings.region, profile: settings.profile, endpointUrl: settings.endpointUrl };
  };

  const showFailure = async (error: unknown): Promise<undefined> => {
    const { DeployedError: DeployedErrorClass } = await load('remoteErrors');
    if (error instanceof DeployedErrorClass) {
      const { message, detail } = errorNotification(error as DeployedError);
      deps.log.warn(`${message} ${detail}`);
      void vscode.window.showErrorMessage(message, { detail, modal: false });
    } else {
      const text = error instanceof Error ? error.message : String(error);
      deps.log.error(`Deployed mode failed: ${text}`);
      void vscode.window.showErrorMessage(`Warm State: ${text}`);
    }
    return undefined;
  };

  const pickFunction = async (handler: DeployedHandler): Promise<string | undefined> => {
    const { listFunctions } = await load('listFunctions');
    const quickPick = vscode.window.createQuickPick<FunctionPickItem>();
    quickPick.title = `Deployed function for ${handler.relativePath}:${handler.ref.exportName}`;
    quickPick.placeholder = 'Type to search; Enter accepts a name or ARN that is not listed';
    quickPick.matchOnDescription = true;
    quickPick.busy = true;
    quickPick.show();
    listFunctions(connection()).then(
      (list) => {
        quickPick.items = functionPickItems(list.functions);
        if (list.incomplete) quickPick.placeholder = `Showing the first ${list.functions.length} functions; type a name to use one not listed`;
        quickPick.busy = false;
      },
      async (error: unknown) => {
        quickPick.busy = false;
        quickPick.placeholder = 'Could not list functions: type the function name or ARN';
        await showFailure(error);
      },
    );
    const chosen = await new Promise<string | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]?.functionName ?? (quickPick.value.trim() || undefined)));
      quickPick.onDidHide(() => resolve(undefined));
    });
    quickPick.dispose();
    if (chosen) await context.workspaceState.update(MAPPING_STATE_PREFIX + handlerKey(handler.ref), chosen);
    return chosen;
  };

  /** The function for a handler: the setting, else the remembered choice, else ask. */
  const targetFor = async (handler: DeployedHandler, ask = true): Promise<string | undefined> => {
    const mapped = deps.settings().functions[mappingKey(handler.relativePath, handler.ref.exportName)];
    if (mapped) return mapped;
    const remembered = context.workspaceState.get<string>(MAPPING_STATE_PREFIX + handlerKey(handler.ref));
    if (remembered) return remembered;
    return ask ? pickFunction(handler) : undefined;
  };

  const withHandler =
    <T>(run: (handler: DeployedHandler) => Promise<T>) =>
    async (...args: unknown[]): Promise<T | undefined> => {
      const handler = await deps.handlerFor(args);
      if (!handler) return undefined;
      try {
        return await run(handler);
      } catch (error) {
        return showFailure(error);
      }
    };

  const invoke = async (handler: DeployedHandler): Promise<InvocationRecord | undefined> => {
    const target = await targetFor(handler);
    if (!target) return undefined;
    const event = await deps.eventFor(handler.ref);
    if (!event.ok) {
      void vscode.window.showErrorMessage(`Warm State: ${event.message}`);
      return undefined;
    }
    const key = handlerKey(handler.ref);
    let entry = sessions.get(key);
    if (!entry || entry.target !== target) {
      await entry?.session.dispose();
      const { createDeployedEngineSession } = await load('deployedEngine');
      const { functionName, qualifier } = splitQualifier(target);
      entry = {
        target,
        session: await createDeployedEngineSession({
          functionName,
          qualifier,
          ...connection(),
          onAttemptFailed: (failure) => deps.log.warn(`${failure.operation} attempt ${failure.attempt} failed (${failure.errorName}); the SDK retries with backoff if attempts remain`),
        }),
      };
      sessions.set(key, entry);
    }
    const session = entry.session;
    const record = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Warm State: invoking ${target}` },
      () => session.invoke(event.event),
    );
    for (const warning of record.deployed?.warnings ?? []) deps.log.warn(`${target}: ${warning}`);
    deps.recordDeployed(handler.ref, record);
    return record;
  };

  const attach = async (handler: DeployedHandler): Promise<boolean> => {
    const target = await targetFor(handler);
    if (!target) return false;
    const { functionName, qualifier } = splitQualifier(target);
    const { attachProbe } = await load('probeAttach');
    const { buildProbeLayer } = await load('probeLayer');
    const { locateChildDir } = await load('childLocator');
    const layer = buildProbeLayer(locateChildDir(__dirname));
    const result = await attachProbe({ functionName, qualifier, ...connection() }, layer, async (plan) => {
      const text = attachConfirmation(plan);
      const answer = await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail }, text.confirm);
      return answer === text.confirm;
    });
    if (!result) return false;
    deps.log.info(`Probe attached to ${result.functionArn}; previous configuration saved in ${result.stateFile}.`);
    void vscode.window.showInformationMessage(`Warm State: probe attached to ${functionName}. The next invocation is a cold start and shows module and handler scope.`);
    return true;
  };

  const detach = async (handler: DeployedHandler): Promise<boolean> => {
    const target = await targetFor(handler, false);
    if (!target) {
      void vscode.window.showInformationMessage('Warm State: this handler is not mapped to a deployed function.');
      return false;
    }
    const { functionName, qualifier } = splitQualifier(target);
    const { detachProbe } = await load('probeAttach');
    const result = await detachProbe({ functionName, qualifier, ...connection() });
    for (const note of result.notes) deps.log.warn(note);
    void vscode.window.showInformationMessage(
      result.notes.length ? `Warm State: probe detached from ${functionName}. ${result.notes.join(' ')}` : `Warm State: probe detached; ${functionName}'s layers and variables are back as they were.`,
    );
    return true;
  };

  const startEndpoint = async (handler: DeployedHandler): Promise<string | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Warm State: the local endpoint runs your handler; trust the workspace first.');
      return undefined;
    }
    await endpoint?.close();
    const { startLambdaEndpoint } = await load('endpointServer');
    const { createBackendFactory } = await load('endpointBackends');
    const { createLocalEnvironment } = await load('localEnvironment');
    const { dirname, basename, extname } = await import('node:path');
    const name = basename(handler.file, extname(handler.file)).replace(/[^A-Za-z0-9_-]/g, '-');
    endpoint = await startLambdaEndpoint({
      port: deps.settings().localEndpointPort,
      backendFactory: createBackendFactory({ createEnvironment: createLocalEnvironment }),
      functions: [{ name, code: { taskRoot: dirname(handler.file), file: handler.file, handlerExport: handler.ref.exportName } }],
      onRequest: (entry) => deps.log.info(`local endpoint: ${entry.method} ${entry.path} -> ${entry.status}${entry.errorType ? ` ${entry.errorType}` : ''} (${entry.ms} ms)`),
    });
    const url = endpoint.url;
    deps.log.info(`Local Lambda endpoint on ${url}: function ${name} -> ${handler.relativePath}:${handler.ref.exportName}`);
    void vscode.window.showInformationMessage(`Warm State: local Lambda endpoint on ${url} (function "${name}").`, 'Copy URL').then((choice) => {
      if (choice) void vscode.env.clipboard.writeText(url);
    });
    return url;
  };

  return [
    vscode.commands.registerCommand(DEPLOYED_COMMANDS.invokeDeployed, withHandler(invoke)),
    vscode.commands.registerCommand(DEPLOYED_COMMANDS.chooseDeployedFunction, withHandler(pickFunction)),
    vscode.commands.registerCommand(DEPLOYED_COMMANDS.attachProbe, withHandler(attach)),
    vscode.commands.registerCommand(DEPLOYED_COMMANDS.detachProbe, withHandler(detach)),
    vscode.commands.registerCommand(DEPLOYED_COMMANDS.startLocalEndpoint, withHandler(startEndpoint)),
    vscode.commands.registerCommand(DEPLOYED_COMMANDS.stopLocalEndpoint, async () => {
      await endpoint?.close();
      endpoint = undefined;
    }),
    {
      dispose: () => {
        void endpoint?.close();
        for (const { session } of sessions.values()) void session.dispose();
        sessions.clear();
      },
    },
  ];
}
