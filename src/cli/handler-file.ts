/**
 * The handler file named on the command line, checked before anything runs: shared by
 * `invoke`/`check` and `serve`, so both say the same thing about a missing file or a folder.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Why `file` cannot be the handler file (`shown`: as the user typed it), or null. */
export async function handlerFileProblem(file: string, shown: string): Promise<string | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return `no such file: ${shown}`;
  if (info.isDirectory()) return `${shown} is a directory, not a handler file: name the file in it (e.g. ${join(shown, 'index.js')})`;
  if (!info.isFile()) return `${shown} is not a regular file`;
  return null;
}
