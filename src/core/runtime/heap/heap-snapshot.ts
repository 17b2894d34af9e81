/**
 * Reads a V8 heap snapshot (`.heapsnapshot`, as v8.writeHeapSnapshot writes it) into typed
 * arrays. The nodes and edges sections are long runs of integers: they are scanned byte by
 * byte straight into Uint32Arrays, never through JSON.parse (a 1,000,000-object heap writes
 * ~100 MB of them; JSON.parse would need ten times that). Only the header and the strings
 * go through JSON.parse.
 */

export interface HeapSnapshot {
  nodeCount: number;
  /** Fields per node, flattened (`nodeFieldCount` numbers per node). */
  nodes: Uint32Array;
  nodeFieldCount: number;
  edges: Uint32Array;
  edgeFieldCount: number;
  /** Index of each node's first edge in `edges` (in edges, not numbers); `nodeCount + 1` entries. */
  firstEdge: Uint32Array;
  strings: string[];
  nodeTypes: readonly string[];
  edgeTypes: readonly string[];
  /** Offsets of the fields used here, within a node and within an edge. */
  field: { nodeType: number; nodeName: number; selfSize: number; edgeCount: number; edgeType: number; edgeName: number; toNode: number };
}

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

export class HeapSnapshotFormatError extends Error {
  constructor(message: string) {
    super(`not a V8 heap snapshot: ${message}`);
    this.name = 'HeapSnapshotFormatError';
  }
}

export function parseHeapSnapshot(data: Buffer): HeapSnapshot {
  const nodesKey = indexOfAscii(data, '"nodes":[', 0);
  if (nodesKey < 0) throw new HeapSnapshotFormatError('no nodes section');
  const header = JSON.parse(data.toString('utf8', 0, nodesKey).replace(/,\s*$/, '') + '}') as {
    snapshot?: { meta?: SnapshotMeta; node_count?: number; edge_count?: number };
  };
  const meta = header.snapshot?.meta;
  const nodeCount = header.snapshot?.node_count;
  const edgeCount = header.snapshot?.edge_count;
  if (!meta || typeof nodeCount !== 'number' || typeof edgeCount !== 'number') throw new HeapSnapshotFormatError('no meta, node_count or edge_count');

  const nodeFieldCount = meta.node_fields.length;
  const edgeFieldCount = meta.edge_fields.length;
  const nodes = new Uint32Array(nodeCount * nodeFieldCount);
  const afterNodes = readIntegers(data, nodesKey + '"nodes":['.length, nodes);
  const edgesKey = indexOfAscii(data, '"edges":[', afterNodes);
  if (edgesKey < 0) throw new HeapSnapshotFormatError('no edges section');
  const edges = new Uint32Array(edgeCount * edgeFieldCount);
  const afterEdges = readIntegers(data, edgesKey + '"edges":['.length, edges);
  const stringsKey = indexOfAscii(data, '"strings":[', afterEdges);
  if (stringsKey < 0) throw new HeapSnapshotFormatError('no strings section');
  const stringsEnd = data.lastIndexOf(0x5d); // the strings array's closing ']'
  const strings = JSON.parse(data.toString('utf8', stringsKey + '"strings":'.length, stringsEnd + 1)) as string[];

  const fieldIndex = (fields: string[], name: string): number => {
    const index = fields.indexOf(name);
    if (index < 0) throw new HeapSnapshotFormatError(`no field ${name}`);
    return index;
  };
  const field = {
    nodeType: fieldIndex(meta.node_fields, 'type'),
    nodeName: fieldIndex(meta.node_fields, 'name'),
    selfSize: fieldIndex(meta.node_fields, 'self_size'),
    edgeCount: fieldIndex(meta.node_fields, 'edge_count'),
    edgeType: fieldIndex(meta.edge_fields, 'type'),
    edgeName: fieldIndex(meta.edge_fields, 'name_or_index'),
    toNode: fieldIndex(meta.edge_fields, 'to_node'),
  };

  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let node = 0, edge = 0; node < nodeCount; node++) {
    firstEdge[node] = edge;
    edge += nodes[node * nodeFieldCount + field.edgeCount];
    firstEdge[node + 1] = edge;
  }
  if (firstEdge[nodeCount] !== edgeCount) throw new HeapSnapshotFormatError(`edge counts add up to ${firstEdge[nodeCount]}, not ${edgeCount}`);

  return { nodeCount, nodes, nodeFieldCount, edges, edgeFieldCount, firstEdge, strings, nodeTypes: meta.node_types[0], edgeTypes: meta.edge_types[0], field };
}

/** Fills `into` with the non-negative integers of a JSON array starting at `start`; returns the index after its `]`. */
function readIntegers(data: Buffer, start: number, into: Uint32Array): number {
  let count = 0;
  let value = 0;
  let inNumber = false;
  for (let index = start; index < data.length; index++) {
    const byte = data[index];
    if (byte >= 0x30 && byte <= 0x39) {
      value = value * 10 + (byte - 0x30);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (count >= into.length) throw new HeapSnapshotFormatError('more numbers than the header announced');
      into[count++] = value;
      value = 0;
      inNumber = false;
    }
    if (byte === 0x5d) {
      if (count !== into.length) throw new HeapSnapshotFormatError(`${count} numbers where the header announced ${into.length}`);
      return index + 1;
    }
  }
  throw new HeapSnapshotFormatError('an array is not closed');
}

function indexOfAscii(data: Buffer, text: string, from: number): number {
  return data.indexOf(text, from, 'latin1');
}
