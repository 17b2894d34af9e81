/**
 * The host instruments the handler file while the child boots: spawning node takes tens of
 * milliseconds on its own core, parsing and hooking the handler (acorn, frame-instrument.ts)
 * takes a few, so doing it here takes them off the cold start. The child uses the result only
 * if the file it loads is still the one prepared (same length and hash), and otherwise
 * instruments it itself, as it does every other file.
 *
 * Only plain CommonJS JavaScript handlers: TypeScript needs sucrase (a separate bundle the
 * host does not load) and ES modules are instrumented on Node's hooks thread.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fnv1a } from './child/fnv1a';
import { instrumentModule } from './child/instrument';
import type { ModuleLoadFormat, PreparedHandler } from './protocol';

/** Key prefix of the functions hooked by the host (the child numbers its own files `c1_`, ...). */
const HOST_KEY_PREFIX = 'h_';

export function prepareHandler(file: string, format: ModuleLoadFormat, capture: boolean): PreparedHandler | null {
  if (format !== 'commonjs' || !['.js', '.cjs'].includes(extname(file).toLowerCase())) return null;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    // Missing or unreadable: the child reports it the way Lambda would.
    return null;
  }
  const { code } = instrumentModule(source, file, 'commonjs', { probe: true, frameKeyPrefix: capture ? HOST_KEY_PREFIX : null });
  return { sourceLength: source.length, sourceHash: fnv1a(source), code };
}
