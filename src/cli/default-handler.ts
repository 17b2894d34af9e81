/**
 * The export a command runs when the user names a file but no handler: the one
 * handler-looking export, else `handler`. Shared by `invoke`/`check` and `serve`, so both
 * pick the same function from the same file.
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
