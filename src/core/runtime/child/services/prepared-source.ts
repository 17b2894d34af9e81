import type { PreparedHandler } from '../../protocol';
import { fnv1a } from '../../instrument/fnv1a';

/**
 * The host's instrumentation of the handler file (prepare-handler.ts), if it was made from
 * this very source; null when there is none or the file changed since the host read it.
 */
export function preparedCodeFor(content: string, prepared: PreparedHandler | null): string | null {
  if (!prepared || prepared.sourceLength !== content.length || prepared.sourceHash !== fnv1a(content)) return null;
  return prepared.code;
}
