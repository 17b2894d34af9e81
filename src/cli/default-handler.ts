/**
 * The export a command runs when the user names a file but no handler: the one
 * handler-looking export, else `handler`; and the warning for a named export the file does not
 * seem to have. Shared by `invoke`/`check` and `serve`, so both pick and warn alike.
 */
import { readFile } from 'node:fs/promises';
import { detectHandlersWithDiagnostics, pickDefaultHandler } from '../core/handlers';

/** The chosen export, or why none could be chosen (ambiguous or missing, candidates listed). */
export type DefaultHandlerChoice = { handler: string } | { error: string };

export async function chooseDefaultHandler(file: string): Promise<DefaultHandlerChoice> {
  const source = await readFile(file, 'utf8');
  const detection = detectHandlersWithDiagnostics(source, file);
  // A file that does not parse still runs, so the user sees Lambda's own Runtime.UserCodeSyntaxError.
  if (detection.error) return { handler: 'handler' };
  const picked = pickDefaultHandler(detection.candidates);
  if ('handler' in picked) return { handler: picked.handler.exportName };
  const notes = detection.notes.length ? `\n${detection.notes.join('\n')}` : '';
  return { error: `${picked.error} Pass --handler EXPORT.${notes}` };
}

/**
 * `--handler NAME` that the file does not seem to export: a warning, never a refusal (an export
 * made at run time still runs); Lambda's own error is the record's. Dotted paths are not looked into.
 */
export async function missingExportWarning(file: string, shown: string, handlerExport: string): Promise<string | null> {
  if (handlerExport.includes('.')) return null;
  const source = await readFile(file, 'utf8').catch(() => null);
  if (source === null) return null;
  const detection = detectHandlersWithDiagnostics(source, file);
  if (detection.error || detection.candidates.some((c) => c.exportName === handlerExport)) return null;
  const exported = detection.candidates.map((c) => c.exportName);
  const list = exported.length ? `it exports ${exported.join(', ')}` : 'it exports no functions';
  return `${shown} has no exported function "${handlerExport}" (${list}); unless it is made at run time, Lambda fails with Runtime.HandlerNotFound.`;
}
