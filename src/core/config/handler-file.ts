/**
 * From a Lambda handler string to the file and export it names, checked against the file's
 * actual exports with the handler detector.
 *
 * Lambda splits `src/app.handler` at the first dot of the last path segment: module
 * `src/app`, export `handler`. It tries the path itself, then `.js`, `.mjs`, `.cjs`; TypeScript
 * sources built by esbuild (SAM's esbuild build method, serverless-esbuild) are found as `.ts`,
 * `.mts`, `.cts`. What the checks find are warnings: the handler still runs, as on Lambda.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { detectHandlersWithDiagnostics } from '../handlers/detect';
import { isHandlerSettingError, parseHandlerSetting } from '../lambda/handler-setting';

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

/**
 * The extensions tried for a handler file, after the path itself (an extensionless file, which
 * the runtime interface clients load first): the clients' `.js`, `.mjs`, `.cjs`, then the
 * TypeScript forms Warm State adds.
 */
const LOOKUP_EXTENSIONS = ['', ...HANDLER_EXTENSIONS] as const;

/**
 * Find the handler's file under `codeDir` and check that it exports the handler. Static checks
 * only: every problem found is a warning with what Lambda would answer, never a reason not to
 * run the handler (the clients may still find it: a package in node_modules, a folder's
 * index.js, an export the detector cannot follow), and running it shows Lambda's own error.
 */
export async function checkHandlerFile(handler: string, codeDir: string): Promise<HandlerFileCheck> {
  const parsed = parseHandlerString(handler);
  const setting = parseHandlerSetting(handler);
  if (isHandlerSettingError(setting)) {
    return { file: null, parsed, problem: { severity: 'warning', message: `Handler "${handler}": Lambda fails every invocation with ${setting.errorType} (${setting.errorMessage}); name it file.export, e.g. app.handler, with a path relative to the code folder.` } };
  }
  const base = resolve(codeDir, setting.moduleRoot, setting.moduleName);
  let file: string | null = null;
  for (const extension of LOOKUP_EXTENSIONS) {
    if (await isFile(base + extension)) {
      file = base + extension;
      break;
    }
  }
  const modulePath = setting.moduleRoot + setting.moduleName;
  if (!file) {
    const tried = LOOKUP_EXTENSIONS.slice(1).map((e) => modulePath + e).join(', ');
    return {
      file,
      parsed,
      problem: { severity: 'warning', message: `Handler "${handler}": no file ${tried} in ${codeDir}; unless a folder or a node_modules package is named ${setting.moduleName}, Lambda fails with Runtime.ImportModuleError.` },
    };
  }
  const exportName = setting.exportPath.split('.')[0] ?? '';
  // A dotted export path goes through objects the detector does not follow: only the first name is checked.
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    return { file, parsed, problem: { severity: 'warning', file, message: `Handler file ${file} cannot be read: ${(err as Error).message}` } };
  }
  const detection = detectHandlersWithDiagnostics(source, file);
  if (detection.error) {
    const where = detection.error.line ? `:${detection.error.line}` : '';
    return {
      file,
      parsed,
      problem: { severity: 'warning', file, line: detection.error.line, message: `Handler file ${file}${where} does not parse (${detection.error.message}), so its export "${exportName}" could not be checked.` },
    };
  }
  if (setting.exportPath === exportName && !detection.candidates.some((c) => c.exportName === exportName)) {
    const exported = detection.candidates.map((c) => c.exportName);
    const list = exported.length ? `it exports ${exported.join(', ')}` : 'it exports no functions';
    return {
      file,
      parsed,
      problem: { severity: 'warning', message: `Handler "${handler}": ${file} has no exported function "${exportName}" (${list}); unless it is made at run time, Lambda fails with Runtime.HandlerNotFound.` },
    };
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
