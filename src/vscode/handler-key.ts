/**
 * One handler = one file + one export. Its key names the session, the panel, the
 * remembered event and the history. Pure: no `vscode`.
 */
export interface HandlerRef {
  /** The file's URI string, normalised by the caller (`vscode.Uri.toString()`). */
  readonly fileUri: string;
  /** The export name as Lambda's handler string uses it (`test`, `default`, `app.handler`). */
  readonly exportName: string;
}

export function handlerKey(ref: HandlerRef): string {
  // A URI never contains a raw space, so the separator cannot be ambiguous.
  return `${ref.fileUri} ${ref.exportName}`;
}

export function parseHandlerKey(key: string): HandlerRef | undefined {
  const at = key.lastIndexOf(' ');
  if (at <= 0 || at === key.length - 1) return undefined;
  return { fileUri: key.slice(0, at), exportName: key.slice(at + 1) };
}

/**
 * The handler as Lambda's handler string spells it (`handler.test` for `test` exported by
 * `handler.js`): the panel's title and the label in pickers.
 */
export function handlerLabel(ref: HandlerRef): string {
  const path = ref.fileUri.replace(/[?#].*$/, '');
  let base = path.slice(path.lastIndexOf('/') + 1);
  try {
    base = decodeURIComponent(base);
  } catch {
    // A malformed escape: show it as it is.
  }
  const dot = base.lastIndexOf('.');
  return `${dot > 0 ? base.slice(0, dot) : base}.${ref.exportName}`;
}

/**
 * The panel's title: the handler string relative to the workspace folder
 * (`freeze-demo/handler.test`), so two `handler.js` files in different folders get
 * different tabs; the plain label for files outside the workspace.
 */
export function handlerTitle(ref: HandlerRef, workspaceRelativePath: string | undefined): string {
  if (!workspaceRelativePath) return handlerLabel(ref);
  const path = workspaceRelativePath.replace(/\\/g, '/');
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return `${path.slice(0, slash + 1)}${dot > 0 ? base.slice(0, dot) : base}.${ref.exportName}`;
}
