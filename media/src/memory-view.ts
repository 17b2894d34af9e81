/**
 * The panel's memory truth (docs/memory.md): what a module variable retains and shares, the
 * estimate of invocations left, the work left pending at freeze and where init time went.
 * The view models are pure functions (unit-tested); the renderers build text nodes only: a
 * `createdAt` or a statement's text is the user's and is never markup, and a go-to-line is a
 * message to the host, which decides whether to open anything.
 */
import type { InitProfileEntry, InvocationRecord, ModuleVariable, PendingWork } from '../../src/core/model/snapshot';
import { formatBytes, type MemoryEstimate } from '../../src/core/model/memory-trend';
import { formatCount } from '../../src/core/model/preview';
import { codicon, el, spaced, svg } from './dom';
import { formatMs } from './format';

// ---------------------------------------------------------------------------------------
// View models (pure)
// ---------------------------------------------------------------------------------------

/** `retains 1.2 MB`, `retains 48 B, shared with a, b`; null before a measurement. */
export function retainedText(variable: Pick<ModuleVariable, 'retainedBytes' | 'sharedWith'>): string | null {
  if (variable.retainedBytes === undefined) return null;
  const shared = variable.sharedWith?.length ? `, shared with ${variable.sharedWith.join(', ')}` : '';
  return `retains ${formatBytes(variable.retainedBytes)}${shared}`;
}

/** `invocations left: 812 before 128 MB (an estimate)`, null without a trend. */
export function estimateText(estimate: MemoryEstimate | null | undefined, memorySizeMB: number): string | null {
  if (!estimate || estimate.invocationsLeft === null) return null;
  return `invocations left: ${formatCount(estimate.invocationsLeft)} before ${memorySizeMB} MB (an estimate)`;
}

/** What the estimate is based on, for its tooltip. */
export function estimateBasis(estimate: MemoryEstimate): string {
  const from = estimate.basis === 'heap' ? 'heap used after each invocation' : 'retained bytes of the growing variables';
  return `From the growth of the ${from}: +${formatBytes(estimate.bytesPerInvocation)} per invocation, until Max Memory Used reaches the memory size.`;
}

/** A `file:line` site split in two; null when it has no line (the file may hold colons: a Windows drive). */
export function parseSite(site: string): { file: string; line: number } | null {
  const colon = site.lastIndexOf(':');
  if (colon <= 0) return null;
  const line = Number(site.slice(colon + 1));
  if (!Number.isSafeInteger(line) || line < 1) return null;
  return { file: site.slice(0, colon), line };
}

/**
 * The folder the handler's workspace-relative path is relative to (`/w/project/` for
 * `/w/project/api/handler.js` shown as `api/handler.js`), or null outside a workspace.
 */
export function workspaceRootOf(handler: { file: string; relativePath?: string }): string | null {
  if (!handler.relativePath) return null;
  const file = handler.file.replace(/\\/g, '/');
  const relative = handler.relativePath.replace(/\\/g, '/');
  return file.endsWith(`/${relative}`) ? handler.file.slice(0, handler.file.length - relative.length) : null;
}

/** A site as shown: relative to the workspace when inside it (`api/handler.js:19`), else as recorded. */
export function displaySite(site: string, workspaceRoot: string | null): string {
  return workspaceRoot && site.startsWith(workspaceRoot) && site.length > workspaceRoot.length ? site.slice(workspaceRoot.length) : site;
}

export interface PendingRow extends PendingWork {
  /** True when it ran in the next invocation, false when that one ran without it, null while there is none yet. */
  ran: boolean | null;
}

/**
 * Work left pending at this freeze, each marked with whether it ran in the next invocation.
 * Matched by kind and site, each of `ranNext` at most once (two timers from one line are two).
 */
export function pendingRows(left: readonly PendingWork[], ranNext: readonly PendingWork[] | null): PendingRow[] {
  const counts = new Map<string, number>();
  for (const work of ranNext ?? []) counts.set(workKey(work), (counts.get(workKey(work)) ?? 0) + 1);
  return left.map((work) => {
    if (ranNext === null) return { kind: work.kind, createdAt: work.createdAt, ran: null };
    const key = workKey(work);
    const available = counts.get(key) ?? 0;
    if (available > 0) counts.set(key, available - 1);
    return { kind: work.kind, createdAt: work.createdAt, ran: available > 0 };
  });
}

function workKey(work: PendingWork): string {
  return `${work.kind}\u0000${work.createdAt}`;
}

/** `ran in the next invocation`, `did not run in the next invocation`, `runs later: the next invocation tells`. */
export function pendingStatus(ran: boolean | null): string {
  if (ran === null) return 'still pending: the next invocation tells whether it runs there';
  return ran ? 'ran in the next invocation' : 'did not run in the next invocation';
}

export interface InitProfileRow extends InitProfileEntry {
  rank: number;
  /** Share of the init duration, 0..1 (of the profiled total when the duration is unknown). */
  share: number;
}

/** The init profile, slowest first, with each statement's share of the init time. */
export function initProfileRows(profile: readonly InitProfileEntry[], initDurationMs: number | null): InitProfileRow[] {
  const total = initDurationMs !== null && initDurationMs > 0 ? initDurationMs : profile.reduce((sum, entry) => sum + entry.ms, 0);
  return [...profile]
    .sort((a, b) => b.ms - a.ms || a.line - b.line)
    .map((entry, index) => ({ what: entry.what, line: entry.line, ms: entry.ms, rank: index + 1, share: total > 0 ? Math.min(1, entry.ms / total) : 0 }));
}

/** The part of the init time no top-level statement took (Node start-up, the runtime), when known. */
export function initOutsideText(initDurationMs: number | null, profile: readonly InitProfileEntry[]): string | null {
  if (initDurationMs === null) return null;
  const rest = initDurationMs - profile.reduce((sum, entry) => sum + entry.ms, 0);
  return rest > 0 ? `${formatMs(rest)} outside the module's top-level statements: starting Node, the runtime, loading the module` : null;
}

/** `Where the 480 ms of init went`. */
export function initProfileTitle(initDurationMs: number | null, profile: readonly InitProfileEntry[]): string {
  const ms = initDurationMs ?? profile.reduce((sum, entry) => sum + entry.ms, 0);
  return `Where the ${formatMs(ms)} of init went`;
}

// ---------------------------------------------------------------------------------------
// Renderers (text nodes only)
// ---------------------------------------------------------------------------------------

export interface SourceLinks {
  /** The handler's file: the init profile's lines are in it. */
  handlerFile: string;
  /** What sites are shown relative to (workspaceRootOf), null to show them whole. */
  workspaceRoot: string | null;
  openSource(file: string, line: number): void;
}

/** A button that asks the host to open `file` at `line`. */
export function lineButton(doc: Document, links: SourceLinks, file: string, line: number, text: string, label: string): HTMLButtonElement {
  const button = el(doc, 'button', { class: 'ws-link ws-source-link', attrs: { type: 'button', title: `Open ${file} at line ${line}`, 'aria-label': label } },
    codicon(doc, 'go-to-file'), el(doc, 'span', { text }));
  button.addEventListener('click', () => links.openSource(file, line));
  return button;
}

/** The decorations of a module variable's row once retained sizes were measured. */
export function retainedDecoration(doc: Document, variable: ModuleVariable): HTMLElement | null {
  const text = retainedText(variable);
  if (text === null) return null;
  return el(doc, 'span', { class: 'ws-retained', attrs: { title: 'Bytes freed if this variable alone were cleared (retained size, from a heap snapshot)' } },
    codicon(doc, 'database'), el(doc, 'span', { text }));
}

/** Pending work at this freeze, and what an earlier invocation left that ran in this one. */
export function pendingBody(doc: Document, links: SourceLinks, record: InvocationRecord, ranNext: readonly PendingWork[] | null): HTMLElement {
  const rows = pendingRows(record.pendingAtFreeze ?? [], ranNext);
  const item = (work: PendingWork, status: string | null, ran: boolean | null): HTMLElement => {
    const site = parseSite(work.createdAt);
    return el(doc, 'li', { class: `ws-pending-item${ran === true ? ' is-ran' : ''}` }, ...spaced(doc,
      el(doc, 'span', { class: 'ws-kind', text: work.kind }),
      site
        ? lineButton(doc, links, site.file, site.line, displaySite(work.createdAt, links.workspaceRoot), `${work.kind} created at ${work.createdAt}: open`)
        : el(doc, 'span', { class: 'ws-site', text: work.createdAt }),
      status ? el(doc, 'span', { class: `ws-pending-status${ran === true ? ' ws-pending-ran' : ''}`, text: status }) : null));
  };
  const ranHere = record.pendingRan ?? [];
  return el(doc, 'div', { class: 'ws-pending' },
    rows.length
      ? el(doc, 'ul', { class: 'ws-pending-list', attrs: { 'aria-label': 'Work left pending when the handler returned' } }, ...rows.map((row) => item(row, pendingStatus(row.ran), row.ran)))
      : el(doc, 'p', { class: 'ws-muted', text: 'Nothing was left pending when the handler returned.' }),
    ranHere.length
      ? el(doc, 'div', { class: 'ws-pending-ran-here' },
        el(doc, 'p', { class: 'ws-pending-caption', text: 'Left pending by an earlier invocation, ran during this one:' }),
        el(doc, 'ul', { class: 'ws-pending-list', attrs: { 'aria-label': 'Work from an earlier invocation that ran during this one' } }, ...ranHere.map((work) => item(work, null, true))))
      : null);
}

const BAR_WIDTH = 120;

/** The init profile ranked, each statement with its time, share and a go-to-line. */
export function initProfileBody(doc: Document, links: SourceLinks, record: InvocationRecord): HTMLElement {
  const rows = initProfileRows(record.initProfile ?? [], record.initDurationMs);
  const outside = initOutsideText(record.initDurationMs, record.initProfile ?? []);
  const list = el(doc, 'ol', { class: 'ws-init-profile', attrs: { 'aria-label': 'Top-level statements, slowest first' } }, ...rows.map((row) => {
    const bar = svg(doc, 'svg', { class: 'ws-init-bar', width: BAR_WIDTH, height: 8, 'aria-hidden': 'true', focusable: 'false' },
      svg(doc, 'rect', { class: 'ws-init-bar-track', x: 0, y: 0, width: BAR_WIDTH, height: 8, rx: 2 }),
      svg(doc, 'rect', { class: 'ws-init-bar-fill', x: 0, y: 0, width: Math.max(1, Math.round(row.share * BAR_WIDTH)), height: 8, rx: 2 }));
    return el(doc, 'li', { class: 'ws-init-row' },
      el(doc, 'span', { class: 'ws-init-ms', text: formatMs(row.ms) }),
      bar,
      el(doc, 'span', { class: 'ws-init-share', text: `${Math.round(row.share * 100)}%` }),
      el(doc, 'code', { class: 'ws-init-what', text: row.what }),
      lineButton(doc, links, links.handlerFile, row.line, `line ${row.line}`, `${row.what}, line ${row.line}: go to line`));
  }));
  return el(doc, 'div', { class: 'ws-init' }, list, outside ? el(doc, 'p', { class: 'ws-muted ws-init-outside', text: outside }) : null);
}
