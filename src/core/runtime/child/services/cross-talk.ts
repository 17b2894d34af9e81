/**
 * The run-time half of cross-talk tracking (issue 12, Managed Instances): the hooks the
 * instrumented handler calls at each access to module scope (instrument/cross-talk.ts puts
 * them in), and the findings they make, per worker thread.
 *
 * The rule: invocation A sets path p (line Lw); later another invocation B writes p, or a path
 * above or below it (line Li); later A reads p (line Lr): A may see B's value, a finding
 * {variable: p, writer: A@Lw, interloper: B@Li, reader: A@Lr}, reported once per (p, reader
 * invocation). Only A's SETs make it a writer: an update (`count++`, `x ||= v`) reads the value
 * it changes in the same step, so its invocation expects no value of its own back; it can be an
 * interloper. Accesses outside any invocation (init code, stray timers) are ignored.
 *
 * Cost per access: a call for the current request id, a lookup of the invocation by id, and
 * for a read by an invocation that set something, a scan of the (few) paths overlapping the
 * one read. State: per path, its last write; per invocation that set something, the sequence
 * number and line of its last set of each path (dropped by `end`).
 *
 * It never calls user code: no value passing through the hooks is looked at, only site ids
 * (numbers checked as such); per-path state lives in typed arrays and in arrays whose elements
 * are all own (filled with `append` up front), invocations in a null-prototype dictionary,
 * findings are built with `append` (intrinsics.ts).
 */
import type { CrossTalkFinding } from '../../../model/snapshot';
import type { WireCrossTalkFinding } from '../../protocol';
import { CROSS_TALK_HOOKS, SITE_SET } from '../../instrument/cross-talk-sites';
import { append, isArray, itemAt, jsonParse, objectCreate, ownValue, Uint8ArrayCtor } from './intrinsics';

export interface CrossTalkTracker {
  /** Members to add to the hooks channel object (installed by the runtime before user code loads). */
  hooks: Record<string, unknown>;
  /** Findings where `requestId` was the reader since the last take for it; clears them. */
  takeFindings(requestId: string): CrossTalkFinding[];
  /** The invocation ended: forget what it wrote (bounded memory over millions of invocations). Take its findings first. */
  end(requestId: string): void;
}

interface Invocation {
  /** Sequence number of its last set of each path, 0: none. */
  setSeq: Float64Array;
  setLine: Float64Array;
  /** Read paths already reported for it. */
  reported: Uint8Array;
  findings: CrossTalkFinding[];
}

/** The site table, checked, in the shapes the hooks read fast and safely. */
interface Sites {
  count: number;
  paths: string[];
  sitePath: Int32Array;
  siteLine: Float64Array;
  siteKind: Uint8Array;
  /** Per path, the paths overlapping it (itself included), as own-element arrays. */
  overlaps: number[][];
  /** pathCount x pathCount: 1 where two paths overlap. */
  overlapMatrix: Uint8Array;
  lastSeq: Float64Array;
  lastLine: Float64Array;
  lastRequest: string[];
}

// Saved when the runtime loads, before any user code could replace the globals (as intrinsics.ts does).
const Float64ArrayCtor = Float64Array;
const Int32ArrayCtor = Int32Array;

const isIndex = (value: unknown, below: number): value is number => typeof value === 'number' && value >= 0 && value < below && value % 1 === 0;

/** The table the module handed over (a CrossTalkSiteTable as JSON, read as plain data), or null when it is not one. */
function decodeTable(json: unknown): Sites | null {
  if (typeof json !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = jsonParse(json);
  } catch {
    return null;
  }
  const paths = ownValue(parsed, 'paths');
  const sites = ownValue(parsed, 'sites');
  const overlaps = ownValue(parsed, 'overlaps');
  if (!isArray(paths) || !isArray(sites) || !isArray(overlaps) || overlaps.length !== paths.length) return null;
  const pathCount = paths.length;
  const table: Sites = {
    count: sites.length,
    paths: [],
    sitePath: new Int32ArrayCtor(sites.length),
    siteLine: new Float64ArrayCtor(sites.length),
    siteKind: new Uint8ArrayCtor(sites.length),
    overlaps: [],
    overlapMatrix: new Uint8ArrayCtor(pathCount * pathCount),
    lastSeq: new Float64ArrayCtor(pathCount),
    lastLine: new Float64ArrayCtor(pathCount),
    lastRequest: [],
  };
  for (let p = 0; p < pathCount; p++) {
    const path = itemAt(paths as unknown[], p);
    const related = itemAt(overlaps as unknown[], p);
    if (typeof path !== 'string' || !isArray(related)) return null;
    append(table.paths, path);
    append(table.lastRequest, '');
    const list: number[] = [];
    for (let i = 0; i < related.length; i++) {
      const other = itemAt(related as unknown[], i);
      if (!isIndex(other, pathCount)) return null;
      append(list, other);
      table.overlapMatrix[p * pathCount + other] = 1;
    }
    append(table.overlaps, list);
  }
  for (let s = 0; s < sites.length; s++) {
    const site = itemAt(sites as unknown[], s);
    if (!isArray(site)) return null;
    const path = itemAt(site as unknown[], 0);
    const line = itemAt(site as unknown[], 1);
    const kind = itemAt(site as unknown[], 2);
    if (!isIndex(path, pathCount) || typeof line !== 'number' || !isIndex(kind, 3)) return null;
    table.sitePath[s] = path;
    table.siteLine[s] = line;
    table.siteKind[s] = kind;
  }
  return table;
}

export function createCrossTalkTracker(options: { worker: number; currentRequestId: () => string | undefined }): CrossTalkTracker {
  const { worker, currentRequestId } = options;
  let sites: Sites | null = null;
  let sequence = 0;
  /** Invocations that set something, by request id. */
  let invocations = objectCreate(null) as Record<string, Invocation | undefined>;

  function newInvocation(pathCount: number): Invocation {
    return { setSeq: new Float64ArrayCtor(pathCount), setLine: new Float64ArrayCtor(pathCount), reported: new Uint8ArrayCtor(pathCount), findings: [] };
  }

  /** Checks a read of `path` at `line` by `requestId` against the writes before it. */
  function checkRead(table: Sites, invocation: Invocation, requestId: string, path: number, line: number): void {
    if (invocation.reported[path] === 1) return;
    const related = table.overlaps[path] as number[];
    // The reader's latest set of a path overlapping the one read: the value it expects.
    let ownSeq = 0;
    let own = -1;
    for (let i = 0; i < related.length; i++) {
      const q = related[i] as number;
      const seq = invocation.setSeq[q] as number;
      if (seq > ownSeq) {
        ownSeq = seq;
        own = q;
      }
    }
    if (own < 0) return;
    // The latest write after it, by another invocation, to a path overlapping both.
    const pathCount = table.paths.length;
    let interloper = -1;
    let interloperSeq = ownSeq;
    for (let i = 0; i < related.length; i++) {
      const q = related[i] as number;
      const seq = table.lastSeq[q] as number;
      if (seq > interloperSeq && table.lastRequest[q] !== requestId && table.overlapMatrix[q * pathCount + own] === 1) {
        interloperSeq = seq;
        interloper = q;
      }
    }
    if (interloper < 0) return;
    invocation.reported[path] = 1;
    append(invocation.findings, {
      kind: 'cross-talk',
      variable: table.paths[path] as string,
      worker,
      writer: { requestId, line: invocation.setLine[own] as number },
      interloper: { requestId: table.lastRequest[interloper] as string, line: table.lastLine[interloper] as number },
      reader: { requestId, line },
    });
  }

  const hooks: Record<string, unknown> = objectCreate(null) as Record<string, unknown>;
  hooks[CROSS_TALK_HOOKS.sites] = (json: unknown): void => {
    sites = decodeTable(json);
    invocations = objectCreate(null) as Record<string, Invocation | undefined>;
  };
  hooks[CROSS_TALK_HOOKS.read] = (site: unknown, value?: unknown): unknown => {
    const table = sites;
    if (table === null || !isIndex(site, table.count)) return value;
    const requestId = currentRequestId();
    if (requestId === undefined) return value;
    const invocation = invocations[requestId];
    if (invocation !== undefined) checkRead(table, invocation, requestId, table.sitePath[site] as number, table.siteLine[site] as number);
    return value;
  };
  hooks[CROSS_TALK_HOOKS.write] = (site: unknown, value: unknown): unknown => {
    const table = sites;
    if (table === null || !isIndex(site, table.count)) return value;
    const requestId = currentRequestId();
    if (requestId === undefined) return value;
    const path = table.sitePath[site] as number;
    const line = table.siteLine[site] as number;
    sequence += 1;
    table.lastSeq[path] = sequence;
    table.lastLine[path] = line;
    table.lastRequest[path] = requestId;
    if (table.siteKind[site] === SITE_SET) {
      let invocation = invocations[requestId];
      if (invocation === undefined) {
        invocation = newInvocation(table.paths.length);
        invocations[requestId] = invocation;
      }
      invocation.setSeq[path] = sequence;
      invocation.setLine[path] = line;
    }
    return value;
  };

  return {
    hooks,
    takeFindings(requestId) {
      const invocation = invocations[requestId];
      if (invocation === undefined || invocation.findings.length === 0) return [];
      const findings = invocation.findings;
      invocation.findings = [];
      return findings;
    },
    end(requestId) {
      delete invocations[requestId];
    },
  };
}

/**
 * Findings as the result message carries them (protocol.ts): the writer and the reader are the
 * invocation the result is for, so only their lines travel. An array literal defines its
 * elements (no inherited setter is reached); the findings are the tracker's own objects.
 */
export function wireFindings(findings: readonly CrossTalkFinding[]): WireCrossTalkFinding[] {
  const wire: WireCrossTalkFinding[] = [];
  for (let i = 0; i < findings.length; i++) {
    const finding = itemAt(findings, i) as CrossTalkFinding;
    append(wire, [finding.variable, finding.worker, finding.writer.line, finding.interloper.requestId, finding.interloper.line, finding.reader.line]);
  }
  return wire;
}
