/**
 * Retained sizes over a directed graph from its dominator tree, as Chrome DevTools computes
 * them: the retained size of a vertex is the size of everything it dominates (what would be
 * freed if it went away). Lengauer-Tarjan with path compression, iterative throughout (heap
 * graphs have chains of a million vertices: no recursion), on typed arrays.
 */

/** A graph given by its successors; vertex 0 is the root. */
export interface Graph {
  vertexCount: number;
  /** Calls `visit` for each successor of `vertex`. */
  forEachSuccessor(vertex: number, visit: (successor: number) => void): void;
  /** Successor number `index` of `vertex`, or -1 past the last one (for the iterative DFS). */
  successorAt(vertex: number, index: number): number;
  selfSize(vertex: number): number;
}

export interface Dominance {
  /** Retained size per vertex; 0 for vertices the root does not reach. */
  retained: Float64Array;
  /** Immediate dominator per vertex; -1 for the root and for unreachable vertices. */
  immediateDominator: Int32Array;
}

export function computeDominance(graph: Graph): Dominance {
  const total = graph.vertexCount;
  // Depth-first numbering from the root. `order[i]` is the vertex numbered i.
  const number = new Int32Array(total).fill(-1);
  const order = new Uint32Array(total);
  const parent = new Int32Array(total);
  const stackVertex = new Uint32Array(total);
  const stackCursor = new Uint32Array(total);
  let count = 0;
  let top = 0;
  number[0] = count;
  order[count++] = 0;
  parent[0] = -1;
  stackVertex[top] = 0;
  stackCursor[top++] = 0;
  while (top > 0) {
    const vertex = stackVertex[top - 1];
    const next = graph.successorAt(vertex, stackCursor[top - 1]++);
    if (next < 0) {
      top--;
      continue;
    }
    if (number[next] >= 0) continue;
    number[next] = count;
    order[count++] = next;
    parent[next] = number[vertex];
    stackVertex[top] = next;
    stackCursor[top++] = 0;
  }

  // Predecessors of every reached vertex, in DFS numbers (compressed sparse rows).
  const predecessorStart = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) {
    graph.forEachSuccessor(order[i], (successor) => {
      predecessorStart[number[successor] + 1]++;
    });
  }
  for (let i = 0; i < count; i++) predecessorStart[i + 1] += predecessorStart[i];
  const predecessors = new Uint32Array(predecessorStart[count]);
  const fill = predecessorStart.slice(0, count);
  for (let i = 0; i < count; i++) {
    graph.forEachSuccessor(order[i], (successor) => {
      predecessors[fill[number[successor]]++] = i;
    });
  }

  // Lengauer-Tarjan on DFS numbers.
  const semi = new Int32Array(count);
  const label = new Int32Array(count);
  const ancestor = new Int32Array(count).fill(-1);
  const idom = new Int32Array(count);
  const bucketHead = new Int32Array(count).fill(-1);
  const bucketNext = new Int32Array(count).fill(-1);
  const path = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    semi[i] = i;
    label[i] = i;
  }
  const compress = (start: number): void => {
    let length = 0;
    let x = start;
    while (ancestor[ancestor[x]] !== -1) {
      path[length++] = x;
      x = ancestor[x];
    }
    while (length > 0) {
      const y = path[--length];
      const up = ancestor[y];
      if (semi[label[up]] < semi[label[y]]) label[y] = label[up];
      ancestor[y] = ancestor[up];
    }
  };
  const evaluate = (v: number): number => {
    if (ancestor[v] === -1) return v;
    compress(v);
    return label[v];
  };
  for (let w = count - 1; w > 0; w--) {
    for (let p = predecessorStart[w]; p < predecessorStart[w + 1]; p++) {
      const u = evaluate(predecessors[p]);
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    bucketNext[w] = bucketHead[semi[w]];
    bucketHead[semi[w]] = w;
    const p = parent[order[w]];
    ancestor[w] = p;
    for (let v = bucketHead[p]; v !== -1; v = bucketNext[v]) {
      const u = evaluate(v);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let w = 1; w < count; w++) {
    if (idom[w] !== semi[w]) idom[w] = idom[idom[w]];
  }

  // A dominator always has a smaller DFS number: sum sizes from the leaves up.
  const retainedByNumber = new Float64Array(count);
  for (let i = 0; i < count; i++) retainedByNumber[i] = graph.selfSize(order[i]);
  for (let i = count - 1; i > 0; i--) retainedByNumber[idom[i]] += retainedByNumber[i];

  const retained = new Float64Array(total);
  const immediateDominator = new Int32Array(total).fill(-1);
  for (let i = 0; i < count; i++) {
    retained[order[i]] = retainedByNumber[i];
    if (i > 0) immediateDominator[order[i]] = order[idom[i]];
  }
  return { retained, immediateDominator };
}
