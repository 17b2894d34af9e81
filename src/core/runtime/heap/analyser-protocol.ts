/** What the host and the heap analyser process (analyser-entry.ts) exchange. */
import type { BindingRetention } from './retained-bindings';

export interface AnalyserRequest {
  file: string;
  anchorKey: string;
  names: string[];
}

export type AnalyserReply = { ok: true; bindings: BindingRetention[]; nodeCount: number; analysisMs: number } | { ok: false; reason: string };
