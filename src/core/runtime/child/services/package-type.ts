/** The `"type"` of the nearest package.json above a file: how Node (and Lambda) loads a `.js`. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function nearestPackageType(file: string): 'module' | 'commonjs' {
  let dir = dirname(file);
  for (;;) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return parsed.type === 'module' ? 'module' : 'commonjs';
    } catch (error) {
      // Missing file: keep walking up. An unreadable or broken package.json: Node treats it as CommonJS.
      if ((error as { code?: string }).code !== 'ENOENT') return 'commonjs';
    }
    const parent = dirname(dir);
    if (parent === dir) return 'commonjs';
    dir = parent;
  }
}
