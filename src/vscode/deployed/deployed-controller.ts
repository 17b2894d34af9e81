/**
 * Deployed mode's commands and the state they share: invoke the deployed function mapped to
 * a handler (chosen from a searchable list the first time), attach and detach the probe
 * behind a modal confirmation that says exactly what changes, and start/stop the local
 * Lambda endpoint. Registered, with the workspace-trust check, by command-registry.ts.
 *
 * It owns a deployed session per handler and the local endpoint: `dispose()` resolves once
 * both are closed, and `deactivate` awaits it, so no endpoint child outlives the extension.
 */
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../core/model/snapshot';
import type { WarmSession } from '../../core/session';
import type { DeployedError } from '../../core/deployed/errors';
import type { LambdaEndpoint } from '../../core/endpoint/server';
import type { CommandArgs } from '../command-args';
import { targetHandler, type TargetDeps } from '../command-target';
import type { EventService } from '../event-service';
import { handlerKey, type HandlerRef } from '../handler-key';
import { load } from '../lazy';
import type { PanelManager } from '../panel-host';
import type { SessionStore } from '../sessions';
import { mappingKey, readDeployedSettings, splitQualifier, type DeployedSettings } from './deployed-settings';
import { attachConfirmation, errorNotification, functionPickItems, type FunctionPickItem } from './deployed-text';

interface DeployedHandler {
  ref: HandlerRef;
  /** Absolute path of the handler file. */
  file: string;
  /** Workspace-relative path, for the mapping setting. */
  relativePath: string;
}

export interface DeployedControllerDeps extends TargetDeps {
  /** Remembers each handler's chosen function. */
  workspaceState: vscode.Memento;
  events: Pick<EventService, 'load'>;
  /** Deployed sessions share the handler's history: their records join its panel (same numbering and timeline as local ones). */
  sessions: Pick<SessionStore, 'getOrCreate'>;
  panels: TargetDeps['panels'] & Pick<PanelManager, 'show'>;
  log: vscode.LogOutputChannel;
}

const MAPPING_STATE_PREFIX = 'warmState.deployed.function:';

export class DeployedController implements vscode.Disposable {
  /** By handler key: the deployed session, and the function it invokes. */
  private readonly sessions = new Map<string, { target: string; session: WarmSession }>();
  private endpoint: LambdaEndpoint | undefined;

  constructor(private readonly deps: DeployedControllerDeps) {}

  /** Invoke Deployed Function: resolves to the record, undefined when nothing ran (the user was told). */
  invoke(args: CommandArgs): Promise<InvocationRecord | undefined> {
    return this.withHandler(args, async (handler) => {
      const target = await this.targetFor(handler);
      if (!target) return undefined;
      const event = await this.deps.events.load(handler.ref);
      if (!event.ok) {
        void vscode.window.showErrorMessage(`Warm State: ${event.message}`);
        return undefined;
      }
      const session = await this.sessionFor(handler, target);
      const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Warm State: invoking ${target}` }, () => session.invoke(event.event));
      for (const warning of record.deployed?.warnings ?? []) this.deps.log.warn(`${target}: ${warning}`);
      this.deps.sessions.getOrCreate(handler.ref).recorded(record);
      this.deps.panels.show(handler.ref, true);
      return record;
    });
  }

  /** Choose Deployed Function: asks again, even when the handler is mapped. */
  chooseFunction(args: CommandArgs): Promise<string | undefined> {
    return this.withHandler(args, (handler) => this.pickFunction(handler));
  }

  attachProbe(args: CommandArgs): Promise<boolean | undefined> {
    return this.withHandler(args, async (handler) => {
      const target = await this.targetFor(handler);
      if (!target) return false;
      const { functionName, qualifier } = splitQualifier(target);
      const { attachProbe } = await load('probeAttach');
      const { buildProbeLayer } = await load('probeLayer');
      const { locateChildDir } = await load('childLocator');
      const layer = buildProbeLayer(locateChildDir(__dirname));
      const result = await attachProbe({ functionName, qualifier, ...this.connection() }, layer, async (plan) => {
        const text = attachConfirmation(plan);
        const answer = await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail }, text.confirm);
        return answer === text.confirm;
      });
      if (!result) return false;
      this.deps.log.info(`Probe attached to ${result.functionArn}; previous configuration saved in ${result.stateFile}.`);
      void vscode.window.showInformationMessage(`Warm State: probe attached to ${functionName}. The next invocation is a cold start and shows module and handler scope.`);
      return true;
    });
  }

  detachProbe(args: CommandArgs): Promise<boolean | undefined> {
    return this.withHandler(args, async (handler) => {
      const target = await this.targetFor(handler, false);
      if (!target) {
        void vscode.window.showInformationMessage('Warm State: this handler is not mapped to a deployed function.');
        return false;
      }
      const { functionName, qualifier } = splitQualifier(target);
      const { detachProbe } = await load('probeAttach');
      const result = await detachProbe({ functionName, qualifier, ...this.connection() });
      for (const note of result.notes) this.deps.log.warn(note);
      void vscode.window.showInformationMessage(
        result.notes.length ? `Warm State: probe detached from ${functionName}. ${result.notes.join(' ')}` : `Warm State: probe detached; ${functionName}'s layers and variables are back as they were.`,
      );
      return true;
    });
  }

  /** Serves the handler on the local Lambda endpoint (replacing what it served); resolves to its URL. */
  startLocalEndpoint(args: CommandArgs): Promise<string | undefined> {
    return this.withHandler(args, async (handler) => {
      await this.stopLocalEndpoint();
      const { startLambdaEndpoint, requestLine, functionLogLines } = await load('endpointServer');
      const { createBackendFactory } = await load('endpointBackends');
      const { createLocalEnvironment } = await load('localEnvironment');
      const { localEndpointKeyFile } = await load('localEndpointKey');
      const { callerRegion } = await load('callerRegion');
      const { dirname, basename, extname } = await import('node:path');
      const name = basename(handler.file, extname(handler.file)).replace(/[^A-Za-z0-9_-]/g, '-');
      const log = this.deps.log;
      this.endpoint = await startLambdaEndpoint({
        port: this.settings().localEndpointPort,
        region: await callerRegion(process.env),
        backendFactory: createBackendFactory({ createEnvironment: createLocalEnvironment }),
        // The run's key pair, where Warm State's own clients (and the user) find it.
        keyFile: (port) => localEndpointKeyFile(port),
        functions: [{ name, code: { taskRoot: dirname(handler.file), file: handler.file, handlerExport: handler.ref.exportName } }],
        onRequest: (entry) => log.info(`local endpoint: ${requestLine(entry)}`),
        onFunctionLogs: (fnName, logs) => {
          for (const line of functionLogLines(fnName, logs)) log.info(`local endpoint: ${line}`);
        },
      });
      const url = this.endpoint.url;
      log.info(`Local Lambda endpoint on ${url}: function ${name} -> ${handler.relativePath}:${handler.ref.exportName}`);
      log.info(`Requests must be signed with the key pair of this run (key id ${this.endpoint.credentials.accessKeyId}), in ${this.endpoint.keyFile}; Warm State's commands use it by themselves.`);
      void vscode.window.showInformationMessage(`Warm State: local Lambda endpoint on ${url} (function "${name}").`, 'Copy URL').then((choice) => {
        if (choice) void vscode.env.clipboard.writeText(url);
      });
      return url;
    });
  }

  async stopLocalEndpoint(): Promise<void> {
    const endpoint = this.endpoint;
    this.endpoint = undefined;
    await endpoint?.close();
  }

  /** Closes the endpoint (ending its environments) and the deployed sessions; safe to call twice. */
  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled([this.stopLocalEndpoint(), ...sessions.map(({ session }) => session.dispose())]);
  }

  /** Runs a command on its handler; failures are shown (with their next step), never thrown. */
  private async withHandler<T>(args: CommandArgs, run: (handler: DeployedHandler) => Promise<T>): Promise<T | undefined> {
    const ref = await targetHandler(this.deps, args);
    if (!ref) return undefined;
    const uri = vscode.Uri.parse(ref.fileUri);
    try {
      return await run({ ref, file: uri.fsPath, relativePath: vscode.workspace.asRelativePath(uri, false) });
    } catch (error) {
      return this.showFailure(error);
    }
  }

  /** The handler's deployed session, new when the handler now maps to another function. */
  private async sessionFor(handler: DeployedHandler, target: string): Promise<WarmSession> {
    const key = handlerKey(handler.ref);
    let entry = this.sessions.get(key);
    if (!entry || entry.target !== target) {
      await entry?.session.dispose();
      const { createDeployedSession } = await load('session');
      const { functionName, qualifier } = splitQualifier(target);
      entry = {
        target,
        session: createDeployedSession(
          {
            functionName,
            qualifier,
            ...this.connection(),
            onAttemptFailed: (failure) => this.deps.log.warn(`${failure.operation} attempt ${failure.attempt} failed (${failure.errorName}); the SDK retries with backoff if attempts remain`),
          },
          await this.deps.sessions.getOrCreate(handler.ref).sharedHistory(),
        ),
      };
      this.sessions.set(key, entry);
    }
    return entry.session;
  }

  /** The function for a handler: the setting, else the remembered choice, else ask. */
  private async targetFor(handler: DeployedHandler, ask = true): Promise<string | undefined> {
    const mapped = this.settings().functions[mappingKey(handler.relativePath, handler.ref.exportName)];
    if (mapped) return mapped;
    const remembered = this.deps.workspaceState.get<string>(MAPPING_STATE_PREFIX + handlerKey(handler.ref));
    if (remembered) return remembered;
    return ask ? this.pickFunction(handler) : undefined;
  }

  private async pickFunction(handler: DeployedHandler): Promise<string | undefined> {
    const { listFunctions } = await load('listFunctions');
    const quickPick = vscode.window.createQuickPick<FunctionPickItem>();
    quickPick.title = `Deployed function for ${handler.relativePath}:${handler.ref.exportName}`;
    quickPick.placeholder = 'Type to search; Enter accepts a name or ARN that is not listed';
    quickPick.matchOnDescription = true;
    quickPick.busy = true;
    quickPick.show();
    listFunctions(this.connection()).then(
      (list) => {
        quickPick.items = functionPickItems(list.functions);
        if (list.incomplete) quickPick.placeholder = `Showing the first ${list.functions.length} functions; type a name to use one not listed`;
        quickPick.busy = false;
      },
      async (error: unknown) => {
        quickPick.busy = false;
        quickPick.placeholder = 'Could not list functions: type the function name or ARN';
        await this.showFailure(error);
      },
    );
    const chosen = await new Promise<string | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]?.functionName ?? (quickPick.value.trim() || undefined)));
      quickPick.onDidHide(() => resolve(undefined));
    });
    quickPick.dispose();
    if (chosen) await this.deps.workspaceState.update(MAPPING_STATE_PREFIX + handlerKey(handler.ref), chosen);
    return chosen;
  }

  private async showFailure(error: unknown): Promise<undefined> {
    const { DeployedError: DeployedErrorClass } = await load('remoteErrors');
    if (error instanceof DeployedErrorClass) {
      const { message, detail } = errorNotification(error as DeployedError);
      this.deps.log.warn(`${message} ${detail}`);
      void vscode.window.showErrorMessage(message, { detail, modal: false });
    } else {
      const text = error instanceof Error ? error.message : String(error);
      this.deps.log.error(`Deployed mode failed: ${text}`);
      void vscode.window.showErrorMessage(`Warm State: ${text}`);
    }
    return undefined;
  }

  private settings(): DeployedSettings {
    return readDeployedSettings((key) => vscode.workspace.getConfiguration('warmState').get(key));
  }

  private connection(): { region: string | undefined; profile: string | undefined; endpointUrl: string | undefined } {
    const settings = this.settings();
    return { region: settings.region, profile: settings.profile, endpointUrl: settings.endpointUrl };
  }
}
