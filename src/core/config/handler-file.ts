/**
 * From a Lambda handler string to the file and export it names, checked against the file's
 * actual exports with the handler detector.
 *
 * Lambda splits `src/app.handler` at the first dot of the last path segment: module
 * `src/app`, export `handler`. It tries `.js`, `.mjs`, `.cjs`; TypeScript sources built by
 * esbuild (SAM's esbuild build method, serverless-esbuild) are found as `.ts`, `.mts`, `.cts`.
 */
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { detectHandlersWithDiagnostics } from '../handlers/detect';

export const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

export interface ParsedHandlerString {
  /** Module path without extension, relative to the code folder (`src/app`). */
  modulePath: string;
  exportName: string;
  nestedPath: string[];
}

/** Split a handler string; null when it has no `module.export` form. */
export function parseHandlerString(handler: string): ParsedHandlerString | null {
  const trimmed = handler.trim();
  const slash = trimmed.lastIndexOf('/');
  const directory = trimmed.slice(0, slash + 1);
  const last = trimmed.slice(slash + 1);
  const dot = last.indexOf('.');
  if (dot <= 0 || dot === last.length - 1) return null;
  const [exportName, ...nestedPath] = last.slice(dot + 1).split('.');
  if (!exportName) return null;
  return { modulePath: directory + last.slice(0, dot), exportName, nestedPath };
}

export interface HandlerFileCheck {
  file: string | null;
  parsed: ParsedHandlerString | null;
  /**
   * What is wrong, as a sentence; null when the file exists and exports the name. `file` and
   * `line` are set when the problem is inside the handler file (it does not parse).
   */
  problem: { severity: 'error' | 'warning'; message: string; file?: string; line?: number } | null;
}

/** Find the handler's file under `codeDir` and check that it exports the handler. */
export async function checkHandlerFile(handler: string, codeDir: string): Promise<HandlerFileCheck> {
  const parsed = parseHandlerString(handler);
  if (!parsed) {
    return { file: null, parsed, problem: { severity: 'error', message: `Handler "${handler}" is not of the form file.export (e.g. app.handler).` } };
  }
  const base = resolve(codeDir, parsed.modulePath);
  const outside = relative(codeDir, base);
  if (outside.startsWith('..') || outside.split(sep).includes('..')) {
    return { file: null, parsed, problem: { severity: 'error', message: `Handler "${handler}" points outside its code folder ${codeDir}; Lambda rejects "..".` } };
  }
  let file: string | null = null;
  for (const extension of HANDLER_EXTENSIONS) {
    if (await isFile(base + extension)) {
      file = base + extension;
      break;
    }
  }
  if (!file) {
    const tried = HANDLER_EXTENSIONS.map((e) => parsed.modulePath + e).join(', ');
    return { file, parsed, problem: { severity: 'error', message: `Handler "${handler}": no file ${tried} in ${codeDir}.` } };
  }
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    return { file, parsed, problem: { severity: 'error', file, message: `Handler file ${file} cannot be read: ${(err as Error).message}` } };
  }
  const detection = detectHandlersWithDiagnostics(source, file);
  if (detection.error) {
    const where = detection.error.line ? `:${detection.error.line}` : '';
    return {
      file,
      parsed,
      problem: { severity: 'warning', file, line: detection.error.line, message: `Handler file ${file}${where} does not parse (${detection.error.message}), so its export "${parsed.exportName}" could not be checked.` },
    };
  }
  if (!detection.candidates.some((c) => c.exportName === parsed.exportName)) {
    const exported = detection.candidates.map((c) => c.exportName);
    const list = exported.length ? `it exports ${exported.join(', ')}` : 'it exports no functions';
    return { file, parsed, problem: { severity: 'error', message: `Handler "${handler}": ${file} has no exported function "${parsed.exportName}" (${list}).` } };
  }
  return { file, parsed, problem: null };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
