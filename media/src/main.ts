/**
 * Webview entry point: wires the panel to VS Code's webview API. Everything else is in
 * panel-view.ts so it can be tested without VS Code. Messages are validated before use.
 */
import type { PanelUiState, PersistedPanelState, WebviewToHostMessage } from '../../src/webview-protocol/panel';
import { isHostToWebviewMessage, isPersistedPanelState, PERSISTED_UI_VERSION } from '../../src/webview-protocol/panel';
import { mountPanel } from './panel-view';

interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
  getState(): unknown;
  setState(state: PersistedPanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved = vscode.getState();
const restored: PersistedPanelState | null = isPersistedPanelState(saved) ? saved : null;
const root = document.getElementById('root') ?? document.body;

const panel = mountPanel(root, {
  post: (message) => vscode.postMessage(message),
  ui: restored?.ui,
  saveUi: (ui: PanelUiState, state) => {
    const handler = state ? { file: state.handler.file, exportName: state.handler.exportName } : restored?.handler;
    if (handler) vscode.setState({ version: PERSISTED_UI_VERSION, handler, ui });
  },
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostToWebviewMessage(event.data)) panel.receive(event.data);
});

vscode.postMessage({ type: 'ready' });
