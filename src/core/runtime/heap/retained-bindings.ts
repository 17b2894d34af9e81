/**
 * Retained bytes per module-scope binding: the bytes that would be freed if that binding
 * alone were cleared. In the heap graph every binding is an edge from the module's context
 * to its value; each such edge is split by a synthetic vertex, and the binding's retained
 * size is that vertex's retained size in the dominator tree. A value that two bindings (or
 * anything else) also reach is dominated by neither, so each binding retains ~nothing of it:
 * exactly what clearing one of them would free.
 *
 * The module's context is found through an anchor: the child holds its module-scope probe
 * (a closure of the module, see instrument.ts) in a property with a one-off name while it
 * writes the snapshot; the probe's `context` edge leads to the module's context.
 */
import { computeDominance, type Graph } from './dominators';
import type { HeapSnapshot } from './heap-snapshot';

export interface BindingRetention {
  name: string;
  /** Bytes freed if only this binding were cleared (0 for a small integer, which is no heap object). */
  retainedBytes: number;
  /** Other bindings that hold the very same object. */
  sharedWith: string[];
}

export class AnchorNotFoundError extends Error {
  constructor(what: string) {
    super(`the module's context was not found in the heap snapshot (${what})`);
    this.name = 'AnchorNotFoundError';
  }
}

export function retainedByBindings(snapshot: HeapSnapshot, anchorKey: string, names: readonly string[]): BindingRetention[] {
  const { nodes, edges, nodeFieldCount: nf, edgeFieldCount: ef, firstEdge, strings, field } = snapshot;
  const edgeType = (edge: number) => snapshot.edgeTypes[edges[edge * ef + field.edgeType]];
  const edgeName = (edge: number) => strings[edges[edge * ef + field.edgeName]];
  const target = (edge: number) => edges[edge * ef + field.toNode] / nf;

  const probe = findEdgeTarget(snapshot, (edge) => edgeType(edge) === 'property' && edgeName(edge) === anchorKey);
  if (probe < 0) throw new AnchorNotFoundError('no anchor');
  let context = -1;
  for (let edge = firstEdge[probe]; edge < firstEdge[probe + 1]; edge++) {
    if (edgeType(edge) === 'internal' && edgeName(edge) === 'context') context = target(edge);
  }
  if (context < 0) throw new AnchorNotFoundError('the probe has no context');

  // The context edges of the module's bindings, each redirected through its own vertex.
  const wanted = new Map(names.map((name, index) => [name, index]));
  const bindingOfEdge = new Map<number, number>();
  const valueOf = new Int32Array(names.length).fill(-1);
  for (let edge = firstEdge[context]; edge < firstEdge[context + 1]; edge++) {
    if (edgeType(edge) !== 'context') continue;
    const index = wanted.get(edgeName(edge));
    if (index === undefined || valueOf[index] >= 0) continue;
    valueOf[index] = target(edge);
    bindingOfEdge.set(edge, index);
  }

  const real = snapshot.nodeCount;
  const weak = snapshot.edgeTypes.indexOf('weak');
  const successorOfEdge = (edge: number): number => {
    if (edges[edge * ef + field.edgeType] === weak) return -1;
    const binding = bindingOfEdge.get(edge);
    return binding === undefined ? target(edge) : real + binding;
  };
  const graph: Graph = {
    vertexCount: real + names.length,
    forEachSuccessor(vertex, visit) {
      if (vertex >= real) {
        visit(valueOf[vertex - real]);
        return;
      }
      for (let edge = firstEdge[vertex]; edge < firstEdge[vertex + 1]; edge++) {
        const successor = successorOfEdge(edge);
        if (successor >= 0) visit(successor);
      }
    },
    successorAt(vertex, index) {
      if (vertex >= real) return index === 0 ? valueOf[vertex - real] : -1;
      // Weak edges are skipped by handing back an already visited vertex (the root).
      const edge = firstEdge[vertex] + index;
      if (edge >= firstEdge[vertex + 1]) return -1;
      const successor = successorOfEdge(edge);
      return successor < 0 ? 0 : successor;
    },
    selfSize: (vertex) => (vertex >= real ? 0 : nodes[vertex * nf + field.selfSize]),
  };
  const { retained } = computeDominance(graph);

  return names.map((name, index) => {
    const value = valueOf[index];
    const sharedWith = value < 0 ? [] : names.filter((_other, otherIndex) => otherIndex !== index && valueOf[otherIndex] === value);
    return { name, retainedBytes: value < 0 ? 0 : retained[real + index], sharedWith };
  });
}

function findEdgeTarget(snapshot: HeapSnapshot, matches: (edge: number) => boolean): number {
  const { edges, edgeFieldCount, nodeFieldCount, field } = snapshot;
  const total = edges.length / edgeFieldCount;
  for (let edge = 0; edge < total; edge++) {
    if (matches(edge)) return edges[edge * edgeFieldCount + field.toNode] / nodeFieldCount;
  }
  return -1;
}
