/**
 * The typed protocol between the extension host (panel host, src/vscode) and the panel's
 * webview (media/src). One file, shared by both sides, GitLens style.
 *
 * Rules:
 * - Plain JSON only: everything here crosses `postMessage`.
 * - Imports nothing from `vscode` or Node: the webview bundle includes this file.
 * - Both sides validate what they receive with the guards below and drop anything else:
 *   the webview is a browser page showing untrusted values, the host must not trust it.
 * - The host keeps the history; the webview keeps only UI state (selection, expanded tree
 *   nodes, scroll) through `vscode.getState/setState` (see PersistedPanelState).
 *
 * Flow: the webview posts `ready` once its script runs; the host answers with `state`
 * and sends a fresh `state` after each invocation, reset or status change. `state.selected`
 * is the latest invocation's full record. When the user picks another invocation the
 * webview posts `selectInvocation` and the host answers with `detail` for that one.
 */
import type { BindingKind, Change, CrossTalkFinding, InitProfileEntry, InvocationSite, InvocationRecord, PendingWork, PendingWorkKind, ResetReason, RuntimeProfileName, RuntimeSource } from '../core/model/snapshot';
import type { EnvironmentState, EnvironmentStatus } from '../core/model/environment-status';
import type { MemoryEstimate } from '../core/model/memory-trend';

/** The webview panel's view type (registerWebviewPanelSerializer, createWebviewPanel). */
export const PANEL_VIEW_TYPE = 'warmState.panel';

/**
 * Bumped when a message shape changes incompatibly (2: memory truth, measureRetained and
 * openSource; 3: environments and workers as lanes, cross-talk findings).
 */
export const PANEL_PROTOCOL_VERSION = 3;

/**
 * Version of the UI state the webview saves (PersistedPanelState), apart from the message
 * protocol: its shape did not change with the messages, so a panel saved before an update
 * is still restored after it.
 */
export const PERSISTED_UI_VERSION = 1;

// ---------------------------------------------------------------------------------------
// Host -> webview
// ---------------------------------------------------------------------------------------

export interface HandlerIdentity {
  /** Absolute path of the handler file (used to restore the panel after a reload). */
  file: string;
  /** Export name as in Lambda's handler string (`test`, `default`, `app.handler`). */
  exportName: string;
  /** Display title, e.g. `handler.test`. */
  title: string;
  /** Workspace-relative path for display, when the file is inside the workspace. */
  relativePath?: string;
}

/** Where the function settings came from. */
export type SettingsSource = 'defaults' | 'settings' | 'sam' | 'serverless';

export interface FunctionSettingsView {
  timeoutSeconds: number;
  memoryMB: number;
  freeze: boolean;
  source: SettingsSource;
  /** e.g. `template.yaml` (logical id `HelloFunction`), for a tooltip. */
  sourceDetail?: string;
  /** The Lambda runtime local invocations behave as; absent until the node that runs them is known. */
  runtime?: RuntimeView;
}

/** The runtime profile and where it came from, as the header shows it: `nodejs24.x · from template.yaml`. */
export interface RuntimeView {
  profile: RuntimeProfileName;
  source: RuntimeSource;
  /** Where it came from, as said to the user: `from template.yaml`, `from the local Node 22`. */
  origin: string;
}

/** One invocation in the timeline: small on purpose (1,000 of them travel on every update). */
export interface TimelineEntry {
  invocation: number;
  source: 'local' | 'deployed';
  cold: boolean;
  /** ISO start time. */
  startedAt: string;
  durationMs: number;
  initDurationMs: number | null;
  maxMemoryUsedMB: number;
  memorySizeMB: number;
  /** V8 heap used after the invocation (bytes), when measured. */
  heapUsedBytes: number | null;
  error: boolean;
  reset: ResetReason | null;
  /** Module variables flagged as growing at this invocation. */
  growing: string[];
  generation: number;
  /**
   * The lane it ran in (lanes.ts): its execution environment and, in Managed Instances mode,
   * its worker. Present only when the record has them, so default-mode entries stay small.
   */
  environment?: number;
  worker?: number;
  /** Cross-talk findings of this invocation (the record's `findings`), when it has any. */
  findings?: number;
}

/** A module-scope variable that keeps growing, with its sizes over the current warm run. */
export interface GrowthSeries {
  name: string;
  kind: BindingKind;
  /** Oldest first, the latest last. */
  sizeSeries: number[];
  /** Items the value held after each invocation (oldest first), empty when not countable: what the sparkline draws. */
  itemSeries: number[];
}

export interface PanelError {
  message: string;
  /** Optional longer text (stack, stderr excerpt), shown collapsed. */
  detail?: string;
}

/** What the panel is doing right now; `null` when idle. */
export type BusyKind = 'invoke-warm' | 'invoke-cold' | 'reset' | 'measure-retained' | null;

export interface PanelState {
  protocolVersion: number;
  handler: HandlerIdentity;
  environment: EnvironmentStatus;
  /** Node version that runs the handler (`v20.20.2`), when known. */
  nodeVersion: string | null;
  settings?: FunctionSettingsView | null;
  /** Display name of the selected event (`events/api.json`, `Sample: S3 put`), null for `{}`. */
  eventName: string | null;
  /** All invocations in history, oldest first. */
  timeline: TimelineEntry[];
  /** Full record of the latest invocation, null before the first. */
  selected: InvocationRecord | null;
  /** Growing module variables at the latest invocation. */
  growth: GrowthSeries[];
  /** The latest record's estimate of the warm invocations left (record field memoryEstimate), null without one. */
  estimate: MemoryEstimate | null;
  busy: BusyKind;
  /** Problems to show (engine faults, invalid event JSON...). User-code errors live in records. */
  errors: PanelError[];
}

export interface StateMessage {
  type: 'state';
  state: PanelState;
}

/** Answer to `selectInvocation`: that invocation's full record, or null when it left the history. */
export interface DetailMessage {
  type: 'detail';
  invocation: number;
  record: InvocationRecord | null;
  /**
   * What ran during the next invocation of the same environment (its `pendingRan`), to tell
   * which of this record's `pendingAtFreeze` ran there; null (or absent) while there is none yet.
   */
  ranNext?: PendingWork[] | null;
}

export type HostToWebviewMessage = StateMessage | DetailMessage;

// ---------------------------------------------------------------------------------------
// Webview -> host
// ---------------------------------------------------------------------------------------

export type WebviewToHostMessage =
  | { type: 'ready' }
  | { type: 'invoke'; cold: boolean }
  | { type: 'reset' }
  | { type: 'selectEvent' }
  | { type: 'selectInvocation'; invocation: number }
  /** Show the engine's output channel. */
  | { type: 'openOutput' }
  /** Retained bytes per module variable of the current environment (between invocations). */
  | { type: 'measureRetained' }
  /**
   * Open `file` at `line` in the editor (init profile, pending work). The host opens it only
   * when it is the handler's file or inside the workspace, as a text document.
   */
  | { type: 'openSource'; file: string; line: number };

// ---------------------------------------------------------------------------------------
// Webview-persisted state (vscode.setState); the host's WebviewPanelSerializer reads it.
// ---------------------------------------------------------------------------------------

export interface PanelUiState {
  /** The invocation the user picked; null follows the latest. */
  selectedInvocation: number | null;
  /** Expanded value-tree paths, e.g. `m:arrayB`, `m:arrayB/0`. */
  expanded: string[];
  /** Sections the user collapsed or opened (`parameters`, `logs`...), by id. */
  sections: Record<string, boolean>;
  scrollTop: number;
}

export interface PersistedPanelState {
  version: number;
  /** Which handler the panel shows, so the serializer can reconnect it after a reload. */
  handler: { file: string; exportName: string };
  ui: PanelUiState;
}

// ---------------------------------------------------------------------------------------
// Builders the host uses (pure).
// ---------------------------------------------------------------------------------------

export function toTimelineEntry(record: InvocationRecord): TimelineEntry {
  return {
    invocation: record.invocation,
    source: record.source,
    cold: record.cold,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    initDurationMs: record.initDurationMs,
    maxMemoryUsedMB: record.maxMemoryUsedMB,
    memorySizeMB: record.memorySizeMB,
    heapUsedBytes: record.memory ? record.memory.heapUsedBytes : null,
    error: record.error !== null,
    reset: record.reset,
    growing: record.growing.slice(),
    generation: record.generation,
    ...(record.environment !== undefined ? { environment: record.environment } : {}),
    ...(record.worker !== undefined ? { worker: record.worker } : {}),
    ...(record.findings?.length ? { findings: record.findings.length } : {}),
  };
}

/** Growth series of the module variables flagged as growing in `record`. */
export function growthOf(record: InvocationRecord | null | undefined): GrowthSeries[] {
  if (!record) return [];
  return record.moduleScope
    .filter((variable) => variable.growing)
    .map((variable) => ({
      name: variable.name,
      kind: variable.kind,
      sizeSeries: variable.sizeSeries.slice(),
      itemSeries: (variable.itemSeries ?? []).slice(),
    }));
}

/**
 * The `pendingRan` of the invocation that followed `invocation` in the same environment, or
 * null when none did yet. When the environment ended in between (a later generation), the
 * work left pending never ran: an empty list.
 */
export function ranInNextInvocation(history: readonly InvocationRecord[], invocation: number): PendingWork[] | null {
  const index = history.findIndex((record) => record.invocation === invocation);
  if (index < 0) return null;
  const record = history[index];
  for (let i = index + 1; i < history.length; i++) {
    const next = history[i];
    if (next.source !== record.source || (next.environment ?? 0) !== (record.environment ?? 0)) continue;
    return next.generation === record.generation ? (next.pendingRan ?? []).slice() : [];
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Guards: validate, never trust.
// ---------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isString(value: unknown): value is string {
  return typeof value === 'string';
}
function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
function isInvocationNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
function isNullable<T>(value: unknown, guard: (v: unknown) => v is T): value is T | null {
  return value === null || guard(value);
}
function isArrayOf<T>(value: unknown, guard: (v: unknown) => v is T): value is T[] {
  return Array.isArray(value) && value.every(guard);
}

/**
 * A guard for a string union from a record of ALL its members: the compiler refuses a missing
 * member (and an extra one), so a value the engine can produce, such as a new reset reason,
 * can never make the webview drop every state message that carries it.
 */
function unionGuard<T extends string>(members: Record<T, true>): (value: unknown) => value is T {
  const names = new Set<string>(Object.keys(members));
  return (value): value is T => isString(value) && names.has(value);
}

const isResetReason = unionGuard<ResetReason>({
  requested: true, timeout: true, 'out-of-memory': true, 'process-exit': true, 'uncaught-exception': true,
  'unhandled-rejection': true, 'init-error': true, crashed: true,
});
const isBindingKind = unionGuard<BindingKind>({
  var: true, let: true, const: true, function: true, class: true, import: true, parameter: true, local: true, block: true,
  catch: true, unknown: true,
});
const isChange = unionGuard<Change>({ added: true, changed: true, unchanged: true, removed: true });
const isEnvironmentState = unionGuard<EnvironmentState>({ cold: true, initializing: true, warm: true, invoking: true });
const isSettingsSource = unionGuard<SettingsSource>({ defaults: true, settings: true, sam: true, serverless: true });
const isBusyKind = unionGuard<NonNullable<BusyKind>>({ 'invoke-warm': true, 'invoke-cold': true, reset: true, 'measure-retained': true });
const isPendingWorkKind = unionGuard<PendingWorkKind>({ timer: true, interval: true, immediate: true, promise: true, socket: true, server: true, 'child-process': true });
const isRuntimeProfileName = unionGuard<RuntimeProfileName>({ 'nodejs20.x': true, 'nodejs22.x': true, 'nodejs24.x': true });
const isRuntimeSource = unionGuard<RuntimeSource>({ flag: true, setting: true, template: true, 'node-major': true });

/**
 * A ValueNode's outer shape: an object with a string `type`. The renderer checks each
 * field it reads and shows unknown types as such, so a deep walk here would only cost
 * time on big trees without making rendering safer.
 */
function isValueNodeShape(value: unknown): boolean {
  return isObject(value) && isString(value.type);
}

function isVariable(value: unknown): boolean {
  return (
    isObject(value) &&
    isString(value.name) &&
    isBindingKind(value.kind) &&
    isChange(value.change) &&
    isValueNodeShape(value.value)
  );
}

function isModuleVariable(value: unknown): boolean {
  return (
    isVariable(value) &&
    isObject(value) &&
    isFiniteNumber(value.size) &&
    typeof value.growing === 'boolean' &&
    isArrayOf(value.sizeSeries, isFiniteNumber) &&
    // Added with retained sizes: optional, so history saved before them still loads.
    (value.retainedBytes === undefined || isFiniteNumber(value.retainedBytes)) &&
    (value.sharedWith === undefined || isArrayOf(value.sharedWith, isString)) &&
    (value.itemSeries === undefined || isArrayOf(value.itemSeries, isFiniteNumber)) &&
    (value.retainedSeries === undefined || isArrayOf(value.retainedSeries, isRetainedPoint))
  );
}

function isRetainedPoint(value: unknown): value is { invocation: number; bytes: number } {
  return isObject(value) && isFiniteNumber(value.invocation) && isFiniteNumber(value.bytes);
}

function isPendingWork(value: unknown): value is PendingWork {
  return isObject(value) && isPendingWorkKind(value.kind) && isString(value.createdAt);
}

function isInitProfileEntry(value: unknown): value is InitProfileEntry {
  return isObject(value) && isString(value.what) && isFiniteNumber(value.line) && isFiniteNumber(value.ms);
}

function isLineNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function isInvocationSite(value: unknown): value is InvocationSite {
  return isObject(value) && isString(value.requestId) && isLineNumber(value.line);
}

function isCrossTalkFinding(value: unknown): value is CrossTalkFinding {
  return (
    isObject(value) &&
    value.kind === 'cross-talk' &&
    isString(value.variable) &&
    isNonNegativeInteger(value.worker) &&
    isInvocationSite(value.writer) &&
    isInvocationSite(value.interloper) &&
    isInvocationSite(value.reader)
  );
}

function isMemoryEstimate(value: unknown): value is MemoryEstimate {
  return (
    isObject(value) &&
    isNullable(value.invocationsLeft, isFiniteNumber) &&
    isFiniteNumber(value.bytesPerInvocation) &&
    (value.basis === 'heap' || value.basis === 'retained')
  );
}

function isRetainedCost(value: unknown): boolean {
  return isObject(value) && isFiniteNumber(value.snapshotMs) && isFiniteNumber(value.analysisMs) && isFiniteNumber(value.snapshotBytes) && isFiniteNumber(value.heapObjects);
}

function isLambdaError(value: unknown): boolean {
  return isObject(value) && isString(value.errorType) && isString(value.errorMessage) && isArrayOf(value.trace, isString);
}

function isMemoryReading(value: unknown): boolean {
  return isObject(value) && isFiniteNumber(value.rssBytes) && isFiniteNumber(value.heapUsedBytes) && (value.externalBytes === undefined || isFiniteNumber(value.externalBytes));
}

export function isInvocationRecord(value: unknown): value is InvocationRecord {
  return (
    isObject(value) &&
    isInvocationNumber(value.invocation) &&
    (value.source === 'local' || value.source === 'deployed') &&
    typeof value.cold === 'boolean' &&
    isString(value.requestId) &&
    isString(value.startedAt) &&
    isFiniteNumber(value.durationMs) &&
    isFiniteNumber(value.billedDurationMs) &&
    isNullable(value.initDurationMs, isFiniteNumber) &&
    isFiniteNumber(value.memorySizeMB) &&
    isFiniteNumber(value.maxMemoryUsedMB) &&
    'response' in value &&
    (value.error === null || isLambdaError(value.error)) &&
    isString(value.logs) &&
    Array.isArray(value.moduleScope) && value.moduleScope.every(isModuleVariable) &&
    Array.isArray(value.handlerScope) && value.handlerScope.every(isVariable) &&
    Array.isArray(value.parameters) && value.parameters.every(isVariable) &&
    (value.memory === null || isMemoryReading(value.memory)) &&
    isNullable(value.reset, isResetReason) &&
    isNullable(value.captureError, isString) &&
    isString(value.runtimeVersion) &&
    // Added with runtime profiles: absent in history saved by older versions and in deployed records.
    (value.runtime === undefined || isRuntimeProfileName(value.runtime)) &&
    (value.runtimeSource === undefined || isRuntimeSource(value.runtimeSource)) &&
    (value.nodeMismatch === undefined || isNullable(value.nodeMismatch, isString)) &&
    // Added with init failures as records: absent when no check warned, and in older history.
    (value.handlerWarnings === undefined || isArrayOf(value.handlerWarnings, isString)) &&
    isFiniteNumber(value.generation) &&
    // Optional: records saved by versions before the session numbered environments have none.
    (value.environment === undefined || isNonNegativeInteger(value.environment)) &&
    // Managed Instances mode only: absent in default-mode records and in older history.
    (value.worker === undefined || isNonNegativeInteger(value.worker)) &&
    (value.overlapping === undefined || isArrayOf(value.overlapping, isString)) &&
    (value.findings === undefined || isArrayOf(value.findings, isCrossTalkFinding)) &&
    (value.truncatedFields === undefined || isArrayOf(value.truncatedFields, isString)) &&
    // Memory truth: optional, absent in history saved before it and where not measured.
    (value.pendingAtFreeze === undefined || isArrayOf(value.pendingAtFreeze, isPendingWork)) &&
    (value.pendingRan === undefined || isArrayOf(value.pendingRan, isPendingWork)) &&
    (value.initProfile === undefined || isArrayOf(value.initProfile, isInitProfileEntry)) &&
    (value.memoryEstimate === undefined || isMemoryEstimate(value.memoryEstimate)) &&
    (value.retained === undefined || isRetainedCost(value.retained)) &&
    isArrayOf(value.growing, isString)
  );
}

function isTimelineEntry(value: unknown): value is TimelineEntry {
  return (
    isObject(value) &&
    isInvocationNumber(value.invocation) &&
    (value.source === 'local' || value.source === 'deployed') &&
    typeof value.cold === 'boolean' &&
    isString(value.startedAt) &&
    isFiniteNumber(value.durationMs) &&
    isNullable(value.initDurationMs, isFiniteNumber) &&
    isFiniteNumber(value.maxMemoryUsedMB) &&
    isFiniteNumber(value.memorySizeMB) &&
    isNullable(value.heapUsedBytes, isFiniteNumber) &&
    typeof value.error === 'boolean' &&
    isNullable(value.reset, isResetReason) &&
    isArrayOf(value.growing, isString) &&
    isFiniteNumber(value.generation) &&
    (value.environment === undefined || isNonNegativeInteger(value.environment)) &&
    (value.worker === undefined || isNonNegativeInteger(value.worker)) &&
    (value.findings === undefined || isNonNegativeInteger(value.findings))
  );
}

function isEnvironmentStatus(value: unknown): value is EnvironmentStatus {
  return (
    isObject(value) &&
    isEnvironmentState(value.state) &&
    typeof value.frozen === 'boolean' &&
    isFiniteNumber(value.warmInvocations) &&
    isFiniteNumber(value.generation) &&
    isNullable(value.nodeVersion, isString) &&
    isNullable(value.lastReset, isString)
  );
}

function isHandlerIdentity(value: unknown): value is HandlerIdentity {
  return (
    isObject(value) &&
    isString(value.file) &&
    isString(value.exportName) &&
    isString(value.title) &&
    (value.relativePath === undefined || isString(value.relativePath))
  );
}

function isFunctionSettingsView(value: unknown): value is FunctionSettingsView {
  return (
    isObject(value) &&
    isFiniteNumber(value.timeoutSeconds) &&
    isFiniteNumber(value.memoryMB) &&
    typeof value.freeze === 'boolean' &&
    isSettingsSource(value.source) &&
    (value.sourceDetail === undefined || isString(value.sourceDetail)) &&
    (value.runtime === undefined || isRuntimeView(value.runtime))
  );
}

function isRuntimeView(value: unknown): value is RuntimeView {
  return isObject(value) && isRuntimeProfileName(value.profile) && isRuntimeSource(value.source) && isString(value.origin);
}

function isGrowthSeries(value: unknown): value is GrowthSeries {
  return (
    isObject(value) &&
    isString(value.name) &&
    isBindingKind(value.kind) &&
    isArrayOf(value.sizeSeries, isFiniteNumber) &&
    isArrayOf(value.itemSeries, isFiniteNumber)
  );
}

function isPanelError(value: unknown): value is PanelError {
  return isObject(value) && isString(value.message) && (value.detail === undefined || isString(value.detail));
}

export function isPanelState(value: unknown): value is PanelState {
  return (
    isObject(value) &&
    value.protocolVersion === PANEL_PROTOCOL_VERSION &&
    isHandlerIdentity(value.handler) &&
    isEnvironmentStatus(value.environment) &&
    isNullable(value.nodeVersion, isString) &&
    (value.settings === undefined || value.settings === null || isFunctionSettingsView(value.settings)) &&
    isNullable(value.eventName, isString) &&
    isArrayOf(value.timeline, isTimelineEntry) &&
    (value.selected === null || isInvocationRecord(value.selected)) &&
    isArrayOf(value.growth, isGrowthSeries) &&
    isNullable(value.estimate, isMemoryEstimate) &&
    (value.busy === null || isBusyKind(value.busy)) &&
    isArrayOf(value.errors, isPanelError)
  );
}

/** For the webview: accepts only well-formed host messages. */
export function isHostToWebviewMessage(value: unknown): value is HostToWebviewMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'state':
      return isPanelState(value.state);
    case 'detail':
      return isInvocationNumber(value.invocation) && (value.record === null || isInvocationRecord(value.record)) && (value.ranNext === undefined || isNullable(value.ranNext, (v): v is PendingWork[] => isArrayOf(v, isPendingWork)));
    default:
      return false;
  }
}

/** For the host: accepts only well-formed webview messages. */
export function isWebviewToHostMessage(value: unknown): value is WebviewToHostMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'reset':
    case 'selectEvent':
    case 'openOutput':
    case 'measureRetained':
      return true;
    case 'openSource':
      return isString(value.file) && value.file.length > 0 && value.file.length <= MAX_SOURCE_PATH && Number.isSafeInteger(value.line) && (value.line as number) >= 1;
    case 'invoke':
      return typeof value.cold === 'boolean';
    case 'selectInvocation':
      return isInvocationNumber(value.invocation);
    default:
      return false;
  }
}

/** Longest path an `openSource` may carry (Windows' extended limit); longer ones are dropped. */
const MAX_SOURCE_PATH = 32_767;

/** Expanded tree paths the webview saves at most (it keeps the latest); the host refuses more. */
export const MAX_EXPANDED_PATHS = 2000;

export function isPanelUiState(value: unknown): value is PanelUiState {
  return (
    isObject(value) &&
    (value.selectedInvocation === null || isInvocationNumber(value.selectedInvocation)) &&
    isArrayOf(value.expanded, isString) && value.expanded.length <= MAX_EXPANDED_PATHS &&
    isObject(value.sections) && Object.values(value.sections).every((open) => typeof open === 'boolean') &&
    isFiniteNumber(value.scrollTop) && value.scrollTop >= 0
  );
}

/** For the host's WebviewPanelSerializer: the state the webview saved, if well-formed. */
export function isPersistedPanelState(value: unknown): value is PersistedPanelState {
  return (
    isObject(value) &&
    value.version === PERSISTED_UI_VERSION &&
    isObject(value.handler) &&
    isString(value.handler.file) &&
    isString(value.handler.exportName) &&
    isPanelUiState(value.ui)
  );
}

export function emptyUiState(): PanelUiState {
  return { selectedInvocation: null, expanded: [], sections: {}, scrollTop: 0 };
}
