/**
 * Callback handlers under a runtime that refuses them: Lambda's nodejs24.x runtime fails the
 * init of a handler declaring 3 or more parameters (event, context, callback) with
 * Runtime.CallbackHandlerDeprecated. Such a handler gets a warning on its parameter list (the
 * Problems panel) and, through the CodeLens provider, a note above it. The runtime is the one a
 * local invocation of that export would use (`runtimeFor`); only handlers the detector finds
 * callback-style are looked up, so most files cost nothing beyond detection.
 */
import * as vscode from 'vscode';
import type { HandlerCandidate } from '../core/handlers/types';
import type { RuntimeProfileName } from '../core/lambda/runtime-profiles';
import { HANDLER_LANGUAGES } from './command-ids';
import { load } from './lazy';
import { lensCandidates } from './lens-candidates';

export interface CallbackCheckDeps {
  candidates(document: vscode.TextDocument): Promise<HandlerCandidate[]>;
  /** The profile a local invocation of this export would run as; null while it cannot be known. */
  runtimeFor(file: string, exportName: string): Promise<RuntimeProfileName | null>;
  /** After each of these, every open document is checked again (templates changed, say). */
  changes: vscode.Event<unknown>[];
}

export interface CallbackNote {
  exportName: string;
  profile: RuntimeProfileName;
  message: string;
  /** The handler's parameter list. */
  range: vscode.Range;
}

/** Edits come in bursts: check a document once they pause. */
const EDIT_DELAY_MS = 300;

export class CallbackHandlerCheck implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('warmState');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: CallbackCheckDeps) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((document) => void this.update(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)),
      // What decides the runtime: the setting, the node whose major may choose it, trust (without
      // it the node is not asked).
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('warmState.runtime') || event.affectsConfiguration('warmState.nodePath')) this.updateAll();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.updateAll()),
      ...deps.changes.map((event) => event(() => this.updateAll())),
    );
    this.updateAll();
  }

  /** The notes for a document's handlers (also what the CodeLens provider shows). Never throws. */
  async notes(document: vscode.TextDocument): Promise<CallbackNote[]> {
    if (!isHandlerDocument(document)) return [];
    try {
      const callbackStyle = lensCandidates(await this.deps.candidates(document)).filter((candidate) => candidate.callbackStyle);
      if (callbackStyle.length === 0) return [];
      // Loaded with the heavy half (detection already loaded it): activation stays light.
      const { callbackRefusal } = await load('callbackStyle');
      const notes: CallbackNote[] = [];
      for (const candidate of callbackStyle) {
        if (!candidate.parameterList) continue;
        const profile = await this.deps.runtimeFor(document.uri.fsPath, candidate.exportName);
        const message = profile && callbackRefusal(candidate, profile);
        if (!profile || !message) continue;
        const list = candidate.parameterList;
        notes.push({ exportName: candidate.exportName, profile, message, range: new vscode.Range(list.line - 1, list.column, list.endLine - 1, list.endColumn) });
      }
      return notes;
    } catch {
      return []; // a check that fails says nothing rather than something wrong
    }
  }

  /** Sets the document's diagnostics from its notes. */
  async update(document: vscode.TextDocument): Promise<void> {
    if (!isHandlerDocument(document)) return;
    const version = document.version;
    const notes = await this.notes(document);
    // An edit made meanwhile schedules its own check; a closed document keeps no diagnostics.
    if (document.version !== version || document.isClosed) return;
    this.diagnostics.set(document.uri, notes.map((note) => {
      const diagnostic = new vscode.Diagnostic(note.range, note.message, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'Warm State';
      diagnostic.code = 'Runtime.CallbackHandlerDeprecated';
      return diagnostic;
    }));
  }

  private updateAll(): void {
    for (const document of vscode.workspace.textDocuments) void this.update(document);
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isHandlerDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.update(document);
    }, EDIT_DELAY_MS));
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.diagnostics.delete(document.uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** JavaScript or TypeScript on disk: what a local invocation can load. */
function isHandlerDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && (HANDLER_LANGUAGES as readonly string[]).includes(document.languageId);
}
