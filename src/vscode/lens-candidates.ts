/**
 * Which detected exports get CodeLens. Pure: no `vscode`.
 *
 * Every exported function could be called by Lambda, but lenses over each helper a module
 * exports are noise: when the file has certain (template-declared) or likely handlers,
 * only those get lenses; `possible` ones get them only when nothing better exists.
 */
import type { HandlerCandidate } from '../core/handlers/types';

export function lensCandidates(candidates: readonly HandlerCandidate[]): HandlerCandidate[] {
  const strong = candidates.filter((c) => c.confidence !== 'possible');
  return strong.length > 0 ? strong : [...candidates];
}
