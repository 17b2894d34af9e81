/**
 * CodeLens above each detected handler: `Invoke Warm`, `Cold Start` and, once the
 * environment is warm, a live summary (`warm · 3 invocations · arrayB growing`) that opens
 * the panel. In a restricted workspace a single lens says why nothing runs. A callback handler
 * under a runtime that refuses it (nodejs24.x) also gets a note saying so (callback-check.ts).
 */
import * as vscode from 'vscode';
import type { HandlerCandidate } from '../core/handlers/types';
import type { CallbackNote } from './callback-check';
import { commandId } from './command-ids';
import type { HandlerIndex } from './handler-index';
import { lensSummary } from './summary-text';
import { currentGrowing } from './panel-state';
import type { SessionStore } from './sessions';
import { lensCandidates } from './lens-candidates';

export class HandlerCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly handlers: HandlerIndex,
    private readonly sessions: SessionStore,
    private readonly enabled: () => boolean,
    private readonly callbackNotes: (document: vscode.TextDocument) => Promise<CallbackNote[]>,
  ) {
    this.disposables.push(
      sessions.onDidChange(() => this.refresh()),
      handlers.onDidChange(() => this.refresh()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        // The runtime (and the node whose major may choose it) decide the callback note.
        if (['warmState.codeLens', 'warmState.runtime', 'warmState.nodePath'].some((section) => event.affectsConfiguration(section))) this.refresh();
      }),
    );
  }

  /** Summaries change with every status change: coalesce them. */
  refresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changed.fire();
    }, 50);
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    const candidates = lensCandidates(await this.handlers.candidates(document));
    const notes = await this.callbackNotes(document);
    if (token.isCancellationRequested) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const candidate of candidates) {
      lenses.push(...this.lensesFor(document, candidate));
      const note = notes.find((n) => n.exportName === candidate.exportName);
      if (note) lenses.push(this.callbackLens(document, candidate, note));
    }
    return lenses;
  }

  /** Clicking it opens the Problems panel, where the same warning sits on the parameter list. */
  private callbackLens(document: vscode.TextDocument, candidate: HandlerCandidate, note: CallbackNote): vscode.CodeLens {
    const line = Math.min(Math.max(candidate.line - 1, 0), document.lineCount - 1);
    return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
      title: `$(warning) ${note.profile} refuses callback handlers: make it async`,
      tooltip: note.message,
      command: 'workbench.actions.view.problems',
    });
  }

  private lensesFor(document: vscode.TextDocument, candidate: HandlerCandidate): vscode.CodeLens[] {
    const line = Math.min(Math.max(candidate.line - 1, 0), document.lineCount - 1);
    const range = new vscode.Range(line, 0, line, 0);
    const args = [document.uri.toString(), candidate.exportName];
    if (!vscode.workspace.isTrusted) {
      return [
        new vscode.CodeLens(range, {
          title: '$(shield) Invoke Warm: disabled in Restricted Mode',
          tooltip: 'Warm State runs your handler code in a Node.js process, so it needs a trusted workspace. Click to learn more.',
          command: commandId('explainRestrictedMode'),
        }),
      ];
    }
    const lenses = [
      new vscode.CodeLens(range, { title: '$(flame) Invoke Warm', tooltip: `Invoke ${candidate.exportName} in its warm environment and show the warm-state panel`, command: commandId('invokeWarm'), arguments: args }),
      new vscode.CodeLens(range, { title: '$(debug-restart) Cold Start', tooltip: `Reset the environment, then invoke ${candidate.exportName}`, command: commandId('invokeCold'), arguments: args }),
    ];
    const session = this.sessions.get({ fileUri: args[0], exportName: candidate.exportName });
    if (session) {
      const status = session.status();
      const summary = lensSummary({ status, growing: currentGrowing(session.history(), status), historyCount: session.history().length });
      if (summary) lenses.push(new vscode.CodeLens(range, { title: summary, tooltip: 'Open the warm-state panel', command: commandId('showPanel'), arguments: args }));
    }
    return lenses;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}
