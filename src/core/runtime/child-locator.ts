/**
 * Finds the bundled child runtime (dist/child). The host runs bundled (dist/extension.js,
 * dist/cli.js: the folder is right beside it) or from TypeScript sources under tests
 * (src/core/runtime: the folder is dist/child at the project root), so walk up from here.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class ChildRuntimeMissingError extends Error {
  constructor(searchedFrom: string) {
    super(`Warm State's child runtime (dist/child/bootstrap.js) was not found above ${searchedFrom}. Run \`npm run build\` first.`);
    this.name = 'ChildRuntimeMissingError';
  }
}

export function locateChildDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    for (const candidate of [join(dir, 'child'), join(dir, 'dist', 'child')]) {
      if (existsSync(join(candidate, 'bootstrap.js'))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new ChildRuntimeMissingError(from);
    dir = parent;
  }
}
