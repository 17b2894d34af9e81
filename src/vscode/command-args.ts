/**
 * Which handler a command works on. Commands get optional `(fileUri, exportName, ...)`
 * arguments from CodeLens, the status bar, the panel or tests; without them they use the
 * active editor: the handler under the cursor, else the only one in the file, else the
 * user picks. Pure: the caller passes the editor state in.
 */
import { handlerAt } from '../core/handlers/pick';
import type { HandlerCandidate } from '../core/handlers/types';
import type { HandlerRef } from './handler-key';

export interface CommandArgs {
  /** Both handler arguments were given. */
  handler?: HandlerRef;
  /** Only a file was given (the editor-title button passes the editor's URI): resolve the handler in it. */
  fileUri?: string;
  /** Extra string argument (e.g. an event choice id for Select Event). */
  extra?: string;
}

export type ParsedArgs = { ok: true; value: CommandArgs } | { ok: false; message: string };

/**
 * Validates raw command arguments. Anything unexpected (a wrong type, a missing export
 * name next to an extra argument) is reported, never guessed: any extension or keybinding
 * can run a command with arbitrary `args`.
 */
export function parseCommandArgs(args: readonly unknown[]): ParsedArgs {
  const [first, exportName, extra] = args;
  if (first === undefined || first === null) return { ok: true, value: {} };
  const fileUri = uriArgToString(first);
  if (fileUri === undefined) return { ok: false, message: 'The first argument must be a file URI.' };
  // Menus pass (uri, context object): a file without an export name.
  if (typeof exportName !== 'string') {
    if (extra !== undefined) return { ok: false, message: 'The second argument must be the handler\'s export name.' };
    return { ok: true, value: { fileUri } };
  }
  if (!isExportName(exportName)) return { ok: false, message: `"${exportName}" is not a valid export name.` };
  if (extra !== undefined && typeof extra !== 'string') return { ok: false, message: 'The third argument must be a string.' };
  return { ok: true, value: { handler: { fileUri, exportName }, extra } };
}

/** `test`, `default`, `$x`, or a dotted path as in `app.handler`. */
export function isExportName(name: string): boolean {
  return /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]*(\.[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]*)*$/u.test(name);
}

function uriArgToString(value: unknown): string | undefined {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : undefined;
  // A vscode.Uri: its toString() is the canonical spelling.
  if (value !== null && typeof value === 'object' && 'scheme' in value && 'path' in value) {
    const text = String(value);
    if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return text;
  }
  return undefined;
}

export type HandlerResolution =
  | { kind: 'handler'; handler: HandlerRef }
  | { kind: 'pick'; fileUri: string; candidates: readonly HandlerCandidate[] }
  | { kind: 'none'; message: string };

export interface EditorState {
  /** URI string of the active text editor's document, if any. */
  fileUri: string | undefined;
  /** Whether the active document is a JavaScript or TypeScript file. */
  isHandlerLanguage: boolean;
  /** 1-based cursor line. */
  cursorLine: number;
  /** Handlers detected in the active document (empty when none or not yet detected). */
  candidates: readonly HandlerCandidate[];
  /** Why the document could not be parsed, when it could not. */
  parseError?: string;
}

/**
 * Picks the handler for a command run without explicit handler arguments: the handler
 * whose code contains the cursor, else the only one in the file, else a pick.
 */
export function resolveHandler(editor: EditorState): HandlerResolution {
  if (editor.fileUri === undefined) return { kind: 'none', message: 'Open a JavaScript or TypeScript handler file first.' };
  if (!editor.isHandlerLanguage) return { kind: 'none', message: 'The active file is not JavaScript or TypeScript: Warm State runs Node.js Lambda handlers.' };
  const candidates = editor.candidates;
  if (candidates.length === 0 && editor.parseError) return { kind: 'none', message: `This file does not parse, so its handlers cannot be found: ${editor.parseError}` };
  if (candidates.length === 0) return { kind: 'none', message: 'No Lambda handler found in this file: export a function, e.g. `export const handler = async (event) => {...}` or `module.exports.handler = ...`.' };
  const under = handlerAt(candidates, editor.cursorLine);
  if (under) return { kind: 'handler', handler: { fileUri: editor.fileUri, exportName: under.exportName } };
  if (candidates.length === 1) return { kind: 'handler', handler: { fileUri: editor.fileUri, exportName: candidates[0].exportName } };
  return { kind: 'pick', fileUri: editor.fileUri, candidates: orderForPick(candidates) };
}

const CONFIDENCE_ORDER = { certain: 0, likely: 1, possible: 2 } as const;

/** Quick-pick order: certain (template-declared) first, then likely, then possible; source order within. */
export function orderForPick(candidates: readonly HandlerCandidate[]): HandlerCandidate[] {
  return [...candidates].sort((a, b) => CONFIDENCE_ORDER[a.confidence] - CONFIDENCE_ORDER[b.confidence] || a.line - b.line);
}
