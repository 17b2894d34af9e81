/**
 * Composition root of the VS Code extension: wires the pieces, nothing else. Everything
 * is disposed through `context.subscriptions`; `deactivate` awaits what must end before the
 * extension host does (child processes, the local endpoint, pending history writes).
 *
 * Activation stays light: the handler detector, the template reader and the engine are
 * loaded on first use (dynamic imports in handler-index, config-index and engine).
 */
import * as vscode from 'vscode';
import { CallbackHandlerCheck } from './vscode/callback-check';
import { HandlerCodeLensProvider } from './vscode/codelens';
import { HANDLER_LANGUAGES } from './vscode/command-ids';
import { registerCommands } from './vscode/command-registry';
import { ConfigIndex } from './vscode/config-index';
import { DeployedController } from './vscode/deployed/deployed-controller';
import { LAZY_ENGINE } from './vscode/engine';
import { load } from './vscode/lazy';
import { EventService } from './vscode/event-service';
import { chooseHandlerRuntime } from './vscode/function-settings';
import { HandlerIndex } from './vscode/handler-index';
import { FileHistoryStore, MEMORY_ONLY_HISTORY } from './vscode/history-store';
import { LocalCommands } from './vscode/local-commands';
import { NodeRuntimeProvider } from './vscode/node-runtime-provider';
import { PanelManager } from './vscode/panel-host';
import { SessionStore } from './vscode/sessions';
import { readSettings } from './vscode/settings';
import { HandlerStatusBar } from './vscode/status-bar';
import { createTestApi } from './vscode/test-api-impl';
import type { WarmStateExports } from './vscode/test-api';

/** What deactivate() awaits, so no child process or history write outlives the extension host. */
let shutdown: (() => Promise<unknown>)[] = [];

export function activate(context: vscode.ExtensionContext): WarmStateExports {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Warm State', { log: true });
  const settings = () => readSettings(configurationReader());
  const nodeRuntime = new NodeRuntimeProvider(() => settings().nodePath, log, context.globalState);
  const configs = new ConfigIndex(log);
  const handlers = new HandlerIndex(configs);
  const history =
    context.storageUri?.scheme === 'file'
      ? new FileHistoryStore(
          vscode.Uri.joinPath(context.storageUri, 'history').fsPath,
          (message) => log.warn(message),
          (message) => void vscode.window.showWarningMessage(message),
        )
      : MEMORY_ONLY_HISTORY;
  const store = new SessionStore({
    settings,
    nodeRuntime: () => nodeRuntime.resolve(),
    nodeVersion: (runtime) => nodeRuntime.version(runtime),
    functionFor: (file, exportName) => configs.functionFor(file, exportName),
    callerRegion: async () => (await load('callerRegion')).callerRegion(process.env),
    engine: LAZY_ENGINE,
    history,
    log,
    filePath: (fileUri) => vscode.Uri.parse(fileUri).fsPath,
    displayPath: (path) => vscode.workspace.asRelativePath(path),
    notify: (message) => void vscode.window.showWarningMessage(message),
  });
  const events = new EventService(context.workspaceState, context.extensionUri);
  const panels = new PanelManager({ extensionUri: context.extensionUri, sessions: store, events, log });
  const statusBar = new HandlerStatusBar(handlers, store);
  const callbacks = new CallbackHandlerCheck({
    candidates: (document) => handlers.candidates(document),
    // The profile a local invocation would use (the same choice as the session's).
    runtimeFor: async (file, exportName) => chooseHandlerRuntime(settings(), await configs.functionFor(file, exportName), await nodeRuntime.currentVersion())?.profile ?? null,
    changes: [handlers.onDidChange],
  });
  const codeLens = new HandlerCodeLensProvider(handlers, store, () => settings().codeLensEnabled, (document) => callbacks.notes(document));
  // Files on disk only: an untitled buffer has no path for the child process to load.
  const selector = HANDLER_LANGUAGES.map((language) => ({ language, scheme: 'file' }));
  const local = new LocalCommands({ sessions: store, events, panels, handlers, log });
  const deployed = new DeployedController({ workspaceState: context.workspaceState, sessions: store, events, panels, handlers, log });
  shutdown = [() => store.disposeAll(), () => deployed.dispose(), () => history.flush()];

  context.subscriptions.push(
    log,
    configs,
    handlers,
    store,
    events,
    panels,
    statusBar,
    callbacks,
    codeLens,
    vscode.languages.registerCodeLensProvider(selector, codeLens),
    deployed,
    ...registerCommands({ local, deployed, log }),
  );
  const exposeTestApi = context.extensionMode !== vscode.ExtensionMode.Production;
  const testApi = exposeTestApi ? createTestApi({ sessions: store, panels, events, nodeRuntime }) : undefined;
  log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms.`);
  return { testApi };
}

export async function deactivate(): Promise<void> {
  await Promise.allSettled(shutdown.map((step) => step()));
}

function configurationReader() {
  const configuration = vscode.workspace.getConfiguration('warmState');
  return {
    get: (key: string) => configuration.get(key),
    isExplicit: (key: string) => {
      const inspected = configuration.inspect(key);
      return inspected !== undefined && [inspected.globalValue, inspected.workspaceValue, inspected.workspaceFolderValue].some((value) => value !== undefined);
    },
  };
}
