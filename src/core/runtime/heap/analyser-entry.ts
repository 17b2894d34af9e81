/**
 * `node dist/child/heap-analyser.js`: reads {file, anchorKey, names} as JSON on stdin, prints
 * the retained bytes per binding as JSON on stdout. A process of its own (running only our
 * code, never the user's): parsing a snapshot of a large heap takes hundreds of megabytes
 * for a moment, which go back to the system when it exits, not into the editor's host.
 */
import { readFileSync } from 'node:fs';
import { parseHeapSnapshot } from './heap-snapshot';
import { retainedByBindings } from './retained-bindings';
import type { AnalyserReply, AnalyserRequest } from './analyser-protocol';

function reply(message: AnalyserReply): void {
  process.stdout.write(JSON.stringify(message));
}

try {
  const request = JSON.parse(readFileSync(0, 'utf8')) as AnalyserRequest;
  const started = performance.now();
  const snapshot = parseHeapSnapshot(readFileSync(request.file));
  const bindings = retainedByBindings(snapshot, request.anchorKey, request.names);
  reply({ ok: true, bindings, nodeCount: snapshot.nodeCount, analysisMs: performance.now() - started });
} catch (error) {
  reply({ ok: false, reason: error instanceof Error ? error.message : String(error) });
}
