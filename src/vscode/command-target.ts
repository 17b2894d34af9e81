/**
 * The handler a command works on: its explicit `(fileUri, exportName)` arguments, the active
 * panel's handler, or the active editor's (the one under the cursor, else the only one in the
 * file, else a quick pick). Shared by the local and the deployed commands.
 */
import * as vscode from 'vscode';
import type { HandlerCandidate } from '../core/handlers/types';
import { resolveHandler, type CommandArgs } from './command-args';
import { HANDLER_LANGUAGES } from './command-ids';
import type { HandlerIndex } from './handler-index';
import type { HandlerRef } from './handler-key';
import type { PanelManager } from './panel-host';

export interface TargetDeps {
  panels: Pick<PanelManager, 'activeHandler'>;
  handlers: Pick<HandlerIndex, 'detect'>;
}

/** Undefined when there is none or the user cancelled the pick (the user was told why). */
export async function targetHandler(deps: TargetDeps, args: CommandArgs): Promise<HandlerRef | undefined> {
  if (args.handler) return { fileUri: vscode.Uri.parse(args.handler.fileUri).toString(), exportName: args.handler.exportName };
  let document: vscode.TextDocument | undefined;
  let cursorLine = 1;
  if (args.fileUri) {
    const uri = vscode.Uri.parse(args.fileUri);
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.uri.toString() === uri.toString()) {
      document = editor.document;
      cursorLine = editor.selection.active.line + 1;
    } else {
      document = await vscode.workspace.openTextDocument(uri);
    }
  } else {
    const active = deps.panels.activeHandler();
    if (active) return active;
    const editor = vscode.window.activeTextEditor;
    document = editor?.document;
    cursorLine = editor ? editor.selection.active.line + 1 : 1;
  }
  const isHandlerLanguage = document !== undefined && (HANDLER_LANGUAGES as readonly string[]).includes(document.languageId);
  const detection = document && isHandlerLanguage ? await deps.handlers.detect(document) : undefined;
  const resolution = resolveHandler({ fileUri: document?.uri.toString(), isHandlerLanguage, cursorLine, candidates: detection?.candidates ?? [], parseError: detection?.parseError });
  switch (resolution.kind) {
    case 'handler':
      return resolution.handler;
    case 'none':
      void vscode.window.showInformationMessage(`Warm State: ${resolution.message}`);
      return undefined;
    case 'pick': {
      const picked = await vscode.window.showQuickPick(
        resolution.candidates.map((candidate) => ({ label: candidate.exportName, description: describeCandidate(candidate), candidate })),
        { title: 'Warm State: which handler?', placeHolder: 'This file exports several functions Lambda could call' },
      );
      return picked ? { fileUri: resolution.fileUri, exportName: picked.candidate.exportName } : undefined;
    }
  }
}

function describeCandidate(candidate: HandlerCandidate): string {
  const certainty = candidate.confidence === 'certain' ? 'declared in a template' : candidate.confidence;
  return `line ${candidate.line} · ${certainty}`;
}
