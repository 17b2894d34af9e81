/**
 * The probe's log line: one invocation's snapshot (module scope, handler scope, parameters),
 * gzip-compressed and base64-encoded after a fixed prefix, sized to fit Lambda's 4 KB log
 * tail with room for the END and REPORT lines that follow it. What does not fit is cut in
 * steps (shallower trees, fewer items, shorter strings, then whole values replaced by a
 * marker) and every cut is listed in `truncated`: nothing is dropped silently.
 *
 * Shared by the probe running inside Lambda (encode) and the deployed client (decode).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CapturedVariable, MemoryReading, PendingWork, ValueNode } from '../../model/snapshot';

export const PROBE_LINE_PREFIX = 'WARM_STATE_PROBE/1 ';

/**
 * Bytes the whole line may take: the 4096-byte tail minus END (~50 bytes), REPORT (~200,
 * up to ~300 with Init/Restore Duration and Status) and a margin for a console prefix.
 */
export const PROBE_LINE_BUDGET = 3400;

export interface ProbeSnapshot {
  requestId: string;
  moduleScope: CapturedVariable[] | null;
  handlerScope: CapturedVariable[] | null;
  parameters: CapturedVariable[] | null;
  /** Scope-qualified names (`module.cache`, `handler.rows`) whose values were cut to fit. */
  truncated: string[];
  captureError: string | null;
  /** `process.version` inside Lambda. */
  nodeVersion: string;
  /** Random id the probe picks when an execution environment starts: tells environments apart. */
  environmentId: string;
  /** 1 for the environment's first invocation (cold), then 2, 3... */
  invocationInEnvironment: number;
  /** Heap used, external and resident memory when the handler settled; absent from probes before it. */
  memory?: MemoryReading;
  /** Work still alive when the handler settled (at most PROBE_PENDING_LIMIT); absent from probes before it. */
  pendingAtFreeze?: PendingWork[];
  /** Work an earlier invocation left pending that ran during this one (at most PROBE_PENDING_LIMIT). */
  pendingRan?: PendingWork[];
}

/** Pending work listed per line at most: the log budget goes to the scopes first (the rest is named in `truncated`). */
export const PROBE_PENDING_LIMIT = 8;

/** A list kept within PROBE_PENDING_LIMIT, noting the cut in `truncated` under `name`. */
export function limitPending(work: readonly PendingWork[], name: 'pendingAtFreeze' | 'pendingRan', truncated: string[]): PendingWork[] {
  if (work.length <= PROBE_PENDING_LIMIT) return [...work];
  truncated.push(`${name} (${work.length - PROBE_PENDING_LIMIT} more)`);
  return work.slice(0, PROBE_PENDING_LIMIT);
}

interface Limits {
  depth: number;
  items: number;
  stringLength: number;
}

/** Successively smaller trees tried before values are replaced whole. */
const STEPS: Limits[] = [
  { depth: 3, items: 20, stringLength: 120 },
  { depth: 2, items: 8, stringLength: 60 },
  { depth: 1, items: 4, stringLength: 30 },
  { depth: 0, items: 2, stringLength: 16 },
];

function encode(snapshot: ProbeSnapshot): string {
  return PROBE_LINE_PREFIX + gzipSync(Buffer.from(JSON.stringify(snapshot)), { level: 9 }).toString('base64');
}

/** The line to log (without newline), at most `budget` bytes. */
export function encodeProbeLine(snapshot: ProbeSnapshot, budget = PROBE_LINE_BUDGET): string {
  let line = encode(snapshot);
  if (line.length <= budget) return line;
  for (const limits of STEPS) {
    const truncated = new Set(snapshot.truncated);
    const reduced: ProbeSnapshot = {
      ...snapshot,
      moduleScope: pruneScope(snapshot.moduleScope, 'module', limits, truncated),
      handlerScope: pruneScope(snapshot.handlerScope, 'handler', limits, truncated),
      parameters: pruneScope(snapshot.parameters, 'parameter', limits, truncated),
    };
    reduced.truncated = [...truncated];
    line = encode(reduced);
    if (line.length <= budget) return line;
    snapshot = reduced;
  }
  // Still too big: replace values whole, largest first, keeping every name visible. The
  // fewest replacements that fit are found by binary search (each try is one gzip).
  const scopes = ['parameters', 'handlerScope', 'moduleScope'] as const;
  const labels = { moduleScope: 'module', handlerScope: 'handler', parameters: 'parameter' } as const;
  const candidates: Array<{ scope: (typeof scopes)[number]; index: number; weight: number }> = [];
  for (const scope of scopes) {
    snapshot[scope]?.forEach((variable, index) => candidates.push({ scope, index, weight: JSON.stringify(variable.value).length }));
  }
  candidates.sort((a, b) => b.weight - a.weight);
  const base = snapshot;
  const withReplaced = (count: number): ProbeSnapshot => {
    const next: ProbeSnapshot = {
      ...base,
      moduleScope: base.moduleScope?.slice() ?? null,
      handlerScope: base.handlerScope?.slice() ?? null,
      parameters: base.parameters?.slice() ?? null,
      truncated: base.truncated.slice(),
    };
    for (const candidate of candidates.slice(0, count)) {
      const list = next[candidate.scope]!;
      const variable = list[candidate.index];
      list[candidate.index] = { ...variable, value: omitted(variable.value), size: { total: variable.size.total, exact: false } };
      const label = `${labels[candidate.scope]}.${variable.name}`;
      if (!next.truncated.includes(label)) next.truncated.push(label);
    }
    return next;
  };
  const replacedFits = fittingLine(candidates.length, (count) => encode(withReplaced(count)), budget, 'smallest');
  if (replacedFits !== null) return replacedFits;

  // Even the names do not fit (hundreds of variables): keep as many as fit, in scope order
  // (parameters, handler, module), and say how many of each scope were left out.
  const all = withReplaced(candidates.length);
  const order = scopes.flatMap((scope) => (all[scope] ?? []).map((variable) => ({ scope, variable })));
  const withKept = (kept: number): ProbeSnapshot => {
    const keep = order.slice(0, kept);
    const next: ProbeSnapshot = { ...all, truncated: all.truncated.filter((t) => keep.some((k) => t === `${labels[k.scope]}.${k.variable.name}`)) };
    for (const scope of scopes) {
      if (all[scope] === null) continue;
      next[scope] = keep.filter((k) => k.scope === scope).map((k) => k.variable);
      const left = all[scope]!.length - next[scope]!.length;
      if (left > 0) next.truncated.push(`${labels[scope]}: ${left} variable(s) left out, the names alone exceed the log budget`);
    }
    return next;
  };
  const keptFits = fittingLine(order.length, (kept) => encode(withKept(kept)), budget, 'largest');
  return keptFits ?? encode({ ...all, moduleScope: null, handlerScope: null, parameters: null, truncated: ['everything: the snapshot could not fit the log budget'] });
}

/**
 * Binary search over n in [0, max] for the line that fits `budget`: the smallest such n (fewest
 * values replaced) or the largest (most values kept). Fitting must be monotonic in n.
 */
function fittingLine(max: number, lineFor: (n: number) => string, budget: number, want: 'smallest' | 'largest'): string | null {
  let low = 0;
  let high = max;
  let best: string | null = null;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const line = lineFor(middle);
    const fits = line.length <= budget;
    if (fits) best = line;
    // Keep searching towards the preferred end while it fits, away from it while it does not.
    if (fits === (want === 'smallest')) high = middle - 1;
    else low = middle + 1;
  }
  return best;
}

function omitted(value: ValueNode): ValueNode {
  return { type: 'depth-limit', className: classNameOf(value), summary: 'value left out to fit the 4 KB log tail' };
}

function classNameOf(node: ValueNode): string {
  return 'className' in node ? node.className : node.type;
}

function pruneScope(variables: CapturedVariable[] | null, label: string, limits: Limits, truncated: Set<string>): CapturedVariable[] | null {
  if (variables === null) return null;
  return variables.map((variable) => {
    const state = { cut: false };
    const value = pruneNode(variable.value, limits, 0, state);
    if (!state.cut) return variable;
    truncated.add(`${label}.${variable.name}`);
    return { ...variable, value };
  });
}

/** A smaller copy of `node` within `limits`; sets `state.cut` when anything was removed. */
export function pruneNode(node: ValueNode, limits: Limits, depth: number, state: { cut: boolean }): ValueNode {
  const deeper = (child: ValueNode) => pruneNode(child, limits, depth + 1, state);
  const container = node.type === 'array' || node.type === 'object' || node.type === 'map' || node.type === 'set';
  if (container && depth >= limits.depth) {
    state.cut = true;
    const extent = node.type === 'array' ? `${node.length} items` : node.type === 'object' ? `${node.properties.length}+ properties` : `${node.size} entries`;
    return { type: 'depth-limit', className: node.className, summary: extent };
  }
  switch (node.type) {
    case 'string':
      if (node.value.length <= limits.stringLength) return node;
      state.cut = true;
      return { ...node, value: node.value.slice(0, limits.stringLength), truncated: true };
    case 'array':
    case 'set': {
      const cut = node.items.length > limits.items;
      if (cut) state.cut = true;
      return { ...node, items: node.items.slice(0, limits.items).map(deeper), truncated: node.truncated || cut };
    }
    case 'object': {
      const cut = node.properties.length > limits.items;
      if (cut) state.cut = true;
      return {
        ...node,
        properties: node.properties.slice(0, limits.items).map((p) => ({ name: p.name, value: deeper(p.value) })),
        truncated: node.truncated || cut,
      };
    }
    case 'map': {
      const cut = node.entries.length > limits.items;
      if (cut) state.cut = true;
      return { ...node, entries: node.entries.slice(0, limits.items).map((e) => ({ key: deeper(e.key), value: deeper(e.value) })), truncated: node.truncated || cut };
    }
    case 'binary': {
      const cut = node.preview.length > limits.items;
      if (cut) state.cut = true;
      return cut ? { ...node, preview: node.preview.slice(0, limits.items), truncated: true } : node;
    }
    case 'error': {
      if (node.stack === null && node.message.length <= limits.stringLength) return node;
      state.cut = true;
      return { ...node, message: node.message.slice(0, limits.stringLength), stack: null };
    }
    case 'promise':
      return { ...node, value: node.value ? deeper(node.value) : null };
    default:
      return node;
  }
}

export interface ProbeLineFound {
  snapshot: ProbeSnapshot;
  /** The log text with the probe line removed (what the user's own code logged). */
  logs: string;
}

/**
 * Finds and decodes the probe line in a log tail. The line may carry Lambda's console
 * prefix (time, request id, level) before the marker. Returns null when there is none;
 * throws when a line is present but corrupt (cut by the 4 KB limit, for instance).
 */
export function decodeProbeLine(logs: string): ProbeLineFound | null {
  const lines = logs.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const at = lines[i].indexOf(PROBE_LINE_PREFIX);
    if (at < 0) continue;
    // Base64 only: the line may sit inside a JSON log record or after a console prefix.
    const payload = /^[A-Za-z0-9+/=]*/.exec(lines[i].slice(at + PROBE_LINE_PREFIX.length))?.[0] ?? '';
    let snapshot: ProbeSnapshot;
    try {
      snapshot = JSON.parse(gunzipSync(Buffer.from(payload, 'base64')).toString('utf8')) as ProbeSnapshot;
    } catch (error) {
      throw new Error(`the probe's log line could not be decoded (${error instanceof Error ? error.message : String(error)}); it may have been cut by the 4 KB log tail`);
    }
    if (typeof snapshot !== 'object' || snapshot === null || !Array.isArray(snapshot.truncated)) {
      throw new Error("the probe's log line has an unexpected shape");
    }
    lines.splice(i, 1);
    return { snapshot, logs: lines.join('\n') };
  }
  return null;
}
