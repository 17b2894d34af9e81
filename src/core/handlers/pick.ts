/**
 * Choosing among detected handler candidates: the default handler of a file, and the handler
 * under the editor's cursor.
 */
import type { HandlerCandidate } from './types';

export type PickResult = { handler: HandlerCandidate } | { error: string; candidates: string[] };

/**
 * The handler to run in a file.
 * - `explicit` given: that export, or an error listing the candidates.
 * - otherwise: the only candidate; else the only `certain` one (named by a template); else the
 *   only `likely` one; else the export named `handler`; else an error listing the candidates.
 */
export function pickDefaultHandler(candidates: readonly HandlerCandidate[], explicit?: string): PickResult {
  const names = candidates.map((c) => c.exportName);
  if (explicit !== undefined && explicit !== '') {
    const found = candidates.find((c) => c.exportName === explicit);
    if (found) return { handler: found };
    return { error: `No export named "${explicit}" ${describeChoices(names)}`, candidates: names };
  }
  if (candidates.length === 1) return { handler: candidates[0] };
  for (const level of ['certain', 'likely'] as const) {
    const atLevel = candidates.filter((c) => c.confidence === level);
    if (atLevel.length === 1) return { handler: atLevel[0] };
    if (atLevel.length > 1) {
      const named = atLevel.find((c) => c.exportName === 'handler');
      if (named) return { handler: named };
      return { error: `Several exports could be the handler ${describeChoices(atLevel.map((c) => c.exportName))} Name one.`, candidates: names };
    }
  }
  const named = candidates.find((c) => c.exportName === 'handler');
  if (named) return { handler: named };
  return { error: `No handler could be chosen ${describeChoices(names)}`, candidates: names };
}

function describeChoices(names: readonly string[]): string {
  return names.length === 0 ? '(the file exports no functions).' : `(candidates: ${names.join(', ')}).`;
}

/**
 * The candidate whose code contains `line` (1-based): its export statement or the function it
 * refers to. When several contain the line, the one with the smallest range wins (the most
 * specific). Undefined when the cursor is outside every handler.
 */
export function handlerAt(candidates: readonly HandlerCandidate[], line: number): HandlerCandidate | undefined {
  let best: HandlerCandidate | undefined;
  let bestSize = Infinity;
  for (const candidate of candidates) {
    for (const range of rangesOf(candidate)) {
      if (line < range.line || line > range.endLine) continue;
      const size = range.endLine - range.line;
      if (size < bestSize) {
        best = candidate;
        bestSize = size;
      }
    }
  }
  return best;
}

function rangesOf(candidate: HandlerCandidate): { line: number; endLine: number }[] {
  const ranges = [{ line: candidate.line, endLine: candidate.endLine ?? candidate.line }];
  if (candidate.definition) ranges.push(candidate.definition);
  return ranges;
}

/**
 * Mark the exports a SAM template or serverless.yml names as `certain` handlers (they are what
 * Lambda calls), returning new candidate objects.
 */
export function markDeclaredHandlers(candidates: readonly HandlerCandidate[], declaredExports: Iterable<string>): HandlerCandidate[] {
  const declared = new Set(declaredExports);
  return candidates.map((c) => (declared.has(c.exportName) ? { ...c, confidence: 'certain' } : c));
}
