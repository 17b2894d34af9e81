/**
 * The handler named on the command line, checked before anything runs: shared by
 * `invoke`/`check` and `serve`, so both say the same thing about a missing file or a folder,
 * and run a template's function by its Handler setting alike.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FunctionConfig } from '../core/config';

/** Why `file` cannot be the handler file (`shown`: as the user typed it), or null. */
export async function handlerFileProblem(file: string, shown: string): Promise<string | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return `no such file: ${shown}`;
  if (info.isDirectory()) return `${shown} is a directory, not a handler file: name the file in it (e.g. ${join(shown, 'index.js')})`;
  if (!info.isFile()) return `${shown} is not a regular file`;
  return null;
}

/** How a template's function runs locally: by its Handler setting, as Lambda's runtime client loads it. */
export interface TemplateHandler {
  /** The Handler setting: the child reads it (a missing module or export is the invocation's init error). */
  handler: string;
  /** The host's reading of it, for names, capture and messages: the file the setting points at, or where it would be. */
  file: string;
  /** The export path the template reader found; empty when it found no file. */
  handlerExport: string;
  /** The template reader's static checks: said before the run, never a refusal. */
  warnings: string[];
}

/**
 * A template function's handler for `invoke --template --resource` and `serve --resource`, or
 * why nothing can run it (no Node.js runtime, no Handler, inline code). A handler Lambda would
 * fail to load is not refused: it runs, and its init error is the invocation's.
 */
export function templateHandler(fn: FunctionConfig): TemplateHandler | { problem: string } {
  const errors = fn.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || fn.handler === null || fn.inlineCode) {
    return { problem: errors.map((p) => p.message).join('\n  ') || `${fn.id} has no runnable handler file.` };
  }
  return {
    handler: fn.handler,
    file: fn.handlerFile ?? guessedHandlerFile(fn.codeDir, fn.handler),
    handlerExport: fn.exportName === null ? '' : [fn.exportName, ...fn.nestedPath].join('.'),
    warnings: fn.problems.filter((p) => p.severity === 'warning').map((p) => p.message),
  };
}

/** Where the Handler setting points when no file is there (the child looks it up itself): for names and messages. */
function guessedHandlerFile(codeDir: string, handler: string): string {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  return resolve(codeDir, dot < 0 ? handler : handler.slice(0, dot));
}
