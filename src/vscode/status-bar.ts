/**
 * A status bar item for the active editor's handler environment (warm/frozen/cold and
 * the invocation count); clicking opens the panel. Hidden for other files.
 */
import * as vscode from 'vscode';
import { commandId, HANDLER_LANGUAGES } from './command-ids';
import type { HandlerIndex } from './handler-index';
import type { HandlerRef } from './handler-key';
import type { SessionStore } from './sessions';
import { statusBarText } from './summary-text';

export class HandlerStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('warmState.environment', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private current: HandlerRef | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Drops answers of an older update that arrive after a newer one. */
  private generation = 0;

  constructor(
    private readonly handlers: HandlerIndex,
    private readonly sessions: SessionStore,
  ) {
    this.item.name = 'Warm State environment';
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor === vscode.window.activeTextEditor) this.schedule();
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === vscode.window.activeTextEditor?.document) this.schedule();
      }),
      sessions.onDidChange(() => this.render()),
      handlers.onDidChange(() => this.schedule()),
    );
    this.schedule();
  }

  /** The handler the item shows: used by Show Panel without arguments. */
  handler(): HandlerRef | undefined {
    return this.current;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.update();
    }, 150);
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const editor = vscode.window.activeTextEditor;
    const document = editor?.document;
    if (!editor || !document || !(HANDLER_LANGUAGES as readonly string[]).includes(document.languageId)) {
      this.current = undefined;
      this.item.hide();
      return;
    }
    const candidate = await this.handlers.defaultHandler(document, editor.selection.active.line + 1);
    if (generation !== this.generation) return;
    this.current = candidate ? { fileUri: document.uri.toString(), exportName: candidate.exportName } : undefined;
    this.render();
  }

  private render(): void {
    const ref = this.current;
    if (!ref) {
      this.item.hide();
      return;
    }
    const { text, tooltip } = statusBarText(ref.exportName, this.sessions.get(ref)?.status());
    this.item.text = text;
    const markdown = new vscode.MarkdownString(`${escapeMarkdown(tooltip)}\n\n[Open panel](command:${commandId('showPanel')}?${encodeArgs(ref)}) · [Go to handler](command:${commandId('revealHandler')}?${encodeArgs(ref)})`);
    markdown.isTrusted = { enabledCommands: [commandId('showPanel'), commandId('revealHandler')] };
    markdown.supportThemeIcons = false;
    this.item.tooltip = markdown;
    this.item.command = { title: 'Show Panel', command: commandId('showPanel'), arguments: [ref.fileUri, ref.exportName] };
    this.item.accessibilityInformation = { label: tooltip };
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function encodeArgs(ref: HandlerRef): string {
  return encodeURIComponent(JSON.stringify([ref.fileUri, ref.exportName]));
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (char) => `\\${char}`);
}
