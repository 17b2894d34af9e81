/**
 * The webview panels: one per handler, titled by handler. Each WarmStatePanel owns its
 * disposables, builds its page with the protocol's CSP (a fresh nonce per page), loads
 * only from dist/media, waits for the webview's `ready` before posting state, and drops
 * every message that fails the protocol's guards. History stays in the host (the
 * sessions); the webview keeps only UI state, which the serializer reads back to restore
 * the panel after a window reload.
 */
import * as vscode from 'vscode';
import { createNonce, panelHtml } from '../webview-protocol/html';
import {
  PANEL_VIEW_TYPE,
  isPersistedPanelState,
  ranInNextInvocation,
  isWebviewToHostMessage,
  type HandlerIdentity,
  type HostToWebviewMessage,
  type PanelState,
  type WebviewToHostMessage,
} from '../webview-protocol/panel';
import { commandId } from './command-ids';
import type { EventService } from './event-service';
import { handlerKey, handlerLabel, handlerTitle, type HandlerRef } from './handler-key';
import { allowedSourceLink, buildPanelState, findInvocation } from './panel-state';
import type { HandlerSession, SessionStore } from './sessions';

/** Coalesces bursts of changes (status, busy, record) into one state message. */
const UPDATE_DELAY_MS = 15;

export interface PanelDeps {
  extensionUri: vscode.Uri;
  sessions: SessionStore;
  events: EventService;
  log: vscode.LogOutputChannel;
}

export class WarmStatePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** The last state posted, for the test API. */
  lastState: PanelState | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: HandlerRef,
    private readonly deps: PanelDeps,
    private readonly onDisposed: (panel: WarmStatePanel) => void,
  ) {
    const mediaRoot = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'media');
    const identity = this.identity();
    panel.title = identity.title;
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'resources', 'icon.png');
    panel.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [mediaRoot] };
    const asUri = (name: string): string => panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, name)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      nonce: createNonce(),
      scriptUri: asUri('panel.js'),
      styleUri: asUri('panel.css'),
      codiconUri: asUri('codicon.css'),
      title: identity.title,
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      // A hidden webview is destroyed unless retainContextWhenHidden; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  private session(): HandlerSession {
    return this.deps.sessions.getOrCreate(this.ref);
  }

  private receive(message: unknown): void {
    if (!isWebviewToHostMessage(message)) {
      this.deps.log.warn(`${handlerLabel(this.ref)}: ignored a malformed message from the panel.`);
      return;
    }
    void this.handle(message);
  }

  private async handle(message: WebviewToHostMessage): Promise<void> {
    const { fileUri, exportName } = this.ref;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postState();
        // The template and settings are shown before the first invocation.
        void this.session().refreshSettings();
        return;
      case 'invoke':
        await vscode.commands.executeCommand(message.cold ? commandId('invokeCold') : commandId('invokeWarm'), fileUri, exportName);
        return;
      case 'reset':
        await vscode.commands.executeCommand(commandId('resetEnvironment'), fileUri, exportName);
        return;
      case 'selectEvent':
        await vscode.commands.executeCommand(commandId('selectEvent'), fileUri, exportName);
        return;
      case 'openOutput':
        this.deps.log.show(true);
        return;
      case 'selectInvocation': {
        const history = this.session().history();
        this.post({ type: 'detail', invocation: message.invocation, record: findInvocation(history, message.invocation), ranNext: ranInNextInvocation(history, message.invocation) });
        return;
      }
      case 'measureRetained':
        await this.session().measureRetained();
        return;
      case 'openSource':
        await this.openSource(message.file, message.line);
        return;
    }
  }

  /** Go-to-line from the panel: only the handler's file or a workspace file, opened as text. */
  private async openSource(file: string, line: number): Promise<void> {
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
    const link = allowedSourceLink(file, line, this.identity().file, roots);
    if (!link) {
      this.deps.log.warn(`${handlerLabel(this.ref)}: the panel asked to open a file outside the workspace; ignored.`);
      return;
    }
    const position = new vscode.Position(link.line - 1, 0);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(link.file), { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position), preview: true });
    } catch (error) {
      this.deps.log.warn(`${handlerLabel(this.ref)}: could not open ${link.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Schedules a state message (several changes in a row produce one). */
  update(): void {
    if (this.disposed || this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.postState();
    }, UPDATE_DELAY_MS);
  }

  private postState(): void {
    if (this.disposed || !this.ready) return;
    const session = this.session();
    const state = buildPanelState({
      handler: this.identity(),
      status: session.status(),
      history: session.history(),
      settings: session.settings(),
      eventName: this.deps.events.label(this.ref),
      busy: session.busy(),
      errors: session.errors(),
    });
    this.post({ type: 'state', state });
    this.lastState = state;
  }

  private post(message: HostToWebviewMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private identity(): HandlerIdentity {
    const uri = vscode.Uri.parse(this.ref.fileUri);
    const relativePath = vscode.workspace.asRelativePath(uri, false);
    const inWorkspace = relativePath !== uri.fsPath;
    return {
      file: uri.fsPath,
      exportName: this.ref.exportName,
      title: handlerTitle(this.ref, inWorkspace ? relativePath : undefined),
      relativePath: inWorkspace ? relativePath : undefined,
    };
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.onDisposed(this);
    this.panel.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export class PanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, WarmStatePanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: PanelDeps) {
    this.disposables.push(
      deps.sessions.onDidChange((session) => this.panels.get(session.key)?.update()),
      deps.events.onDidChange((ref) => this.panels.get(handlerKey(ref))?.update()),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this.restore(panel, state),
      }),
    );
  }

  /** Opens the handler's panel beside the editor, or reveals it. */
  show(ref: HandlerRef, preserveFocus = false): WarmStatePanel {
    const existing = this.panels.get(handlerKey(ref));
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, handlerLabel(ref), { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'media')],
    });
    return this.adopt(panel, ref);
  }

  /** The handler of the focused Warm State panel, so palette commands work from the panel too. */
  activeHandler(): HandlerRef | undefined {
    for (const panel of this.panels.values()) if (panel.panel.active) return panel.ref;
    return undefined;
  }

  get(ref: HandlerRef): WarmStatePanel | undefined {
    return this.panels.get(handlerKey(ref));
  }

  private adopt(webviewPanel: vscode.WebviewPanel, ref: HandlerRef): WarmStatePanel {
    const panel = new WarmStatePanel(webviewPanel, ref, this.deps, (gone) => {
      if (this.panels.get(handlerKey(gone.ref)) === gone) this.panels.delete(handlerKey(gone.ref));
    });
    this.panels.set(handlerKey(ref), panel);
    return panel;
  }

  /** After a window reload: reconnect a restored panel to its handler, from the UI state the webview saved. */
  private async restore(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isPersistedPanelState(state)) {
      // Nothing says which handler it showed (closed before its first state): a blank panel helps nobody.
      webviewPanel.dispose();
      return;
    }
    const ref: HandlerRef = { fileUri: vscode.Uri.file(state.handler.file).toString(), exportName: state.handler.exportName };
    const existing = this.panels.get(handlerKey(ref));
    if (existing) {
      webviewPanel.dispose();
      existing.reveal();
      return;
    }
    this.adopt(webviewPanel, ref);
    this.deps.log.info(`${handlerLabel(ref)}: panel restored after reload.`);
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
