/**
 * One HandlerSession per handler the user ran or looked at: its engine session (created on
 * the first invocation), the history kept in the extension host (bounded by
 * `warmState.historyLength`), what it is doing, and the problems to show.
 * The panel, CodeLens, status bar and test API all read from here.
 *
 * Pure of `vscode` (the editor parts come in through SessionDeps), so it is unit-tested
 * with a fake engine.
 */
import type { InvocationRecord } from '../core/model/snapshot';
import type { EnvironmentOptions, EnvironmentStatus } from '../core/runtime/environment-api';
import type { BusyKind, FunctionSettingsView, PanelError } from '../webview-protocol/panel';
import { nodeMajorMismatch } from '../core/config/runtime';
import type { FunctionConfig } from '../core/config/types';
import type { EngineFactory, EngineSession } from './engine';
import { resolveFunctionSettings, type ResolvedFunctionSettings } from './function-settings';
import { handlerKey, handlerLabel, type HandlerRef } from './handler-key';
import type { HistoryStore } from './history-store';
import type { NodeRuntime, NodeRuntimeResult } from './node-runtime';
import type { WarmSettings } from './settings';

export interface SessionLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SessionDeps {
  settings(): WarmSettings;
  nodeRuntime(): NodeRuntimeResult;
  /** The function a template declares for this file and export, if any. */
  functionFor(file: string, exportName: string): Promise<FunctionConfig | undefined>;
  createEngine: EngineFactory;
  history: HistoryStore;
  log: SessionLog;
  /** Absolute path of a file URI string. */
  filePath(fileUri: string): string;
  /** A path as shown to the user (workspace-relative when possible). */
  displayPath(path: string): string;
  /** A warning the user should see now (a notification), beside the log and the panel. */
  notify(message: string): void;
}

export type InvokeOutcome = { ok: true; record: InvocationRecord } | { ok: false; message: string };

export class HandlerSession {
  readonly key: string;
  readonly label: string;
  private engine: EngineSession | undefined;
  private engineKey = '';
  private engineSubscription: { dispose(): void } | undefined;
  private records: InvocationRecord[] = [];
  private nextInvocation = 1;
  /**
   * Added to the engine's generation numbers: a new engine session (after a settings change
   * or a window reload) counts environments from 1 again, but the history spans them all.
   */
  private generationOffset = 0;
  private busyKind: BusyKind = null;
  private lastError: PanelError | undefined;
  private notices: PanelError[] = [];
  private settingsView: FunctionSettingsView | null = null;
  private runtimeDeclared: string | null = null;
  private mismatchWarned = false;
  private mismatchWarning: PanelError | undefined;
  /** Serialises invoke/reset: the engine runs one invocation at a time, like Lambda's environment. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    readonly ref: HandlerRef,
    private readonly deps: SessionDeps,
    private readonly changed: (session: HandlerSession) => void,
  ) {
    this.key = handlerKey(ref);
    this.label = handlerLabel(ref);
    const restored = deps.history.load(ref);
    if (restored.length > 0) {
      this.records = restored.slice(-deps.settings().historyLength);
      this.nextInvocation = restored[restored.length - 1].invocation + 1;
    }
  }

  get file(): string {
    return this.deps.filePath(this.ref.fileUri);
  }

  status(): EnvironmentStatus | undefined {
    const status = this.engine?.status();
    return status && { ...status, generation: status.generation + this.generationOffset };
  }

  history(): readonly InvocationRecord[] {
    return this.records;
  }

  busy(): BusyKind {
    return this.busyKind;
  }

  settings(): FunctionSettingsView | null {
    return this.settingsView;
  }

  errors(): PanelError[] {
    return [...this.notices, ...(this.mismatchWarning ? [this.mismatchWarning] : []), ...(this.lastError ? [this.lastError] : [])];
  }

  /** Shows a problem in the panel until the next successful invocation (e.g. invalid event JSON). */
  reportProblem(message: string, detail?: string): void {
    this.lastError = detail ? { message, detail } : { message };
    this.changed(this);
  }

  /** Reads the settings and templates now, so the panel can show them before the first invocation. */
  async refreshSettings(): Promise<void> {
    await this.resolve();
    this.changed(this);
  }

  invoke(event: unknown, cold: boolean): Promise<InvokeOutcome> {
    return this.enqueue(() => this.runInvoke(event, cold));
  }

  reset(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.engine) return;
      this.setBusy('reset');
      try {
        await this.engine.reset('requested');
        this.deps.log.info(`${this.label}: environment reset on request; the next invocation is cold.`);
      } finally {
        this.setBusy(null);
      }
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private setBusy(kind: BusyKind): void {
    this.busyKind = kind;
    this.changed(this);
  }

  private async resolve(): Promise<{ options: EnvironmentOptions; resolved: ResolvedFunctionSettings; node: NodeRuntime } | { error: string }> {
    const settings = this.deps.settings();
    const node = this.deps.nodeRuntime();
    const config = await this.deps.functionFor(this.file, this.ref.exportName);
    const resolved = resolveFunctionSettings(settings, this.ref.exportName, config, this.deps.displayPath);
    this.settingsView = resolved.view;
    this.runtimeDeclared = resolved.runtime;
    this.notices = resolved.notes.map((message) => ({ message }));
    if (!node.ok) return { error: node.message };
    const options: EnvironmentOptions = {
      file: config?.handlerFile ?? this.file,
      handlerExport: resolved.handlerExport,
      taskRoot: resolved.taskRoot,
      nodePath: node.runtime.path,
      nodeEnv: node.runtime.nodeEnv,
      timeoutSeconds: resolved.timeoutSeconds,
      memoryMB: resolved.memoryMB,
      env: resolved.env,
      freeze: resolved.freeze,
      capture: true,
      budgets: resolved.budgets,
      functionName: resolved.functionName,
    };
    return { options, resolved, node: node.runtime };
  }

  private async runInvoke(event: unknown, cold: boolean): Promise<InvokeOutcome> {
    if (this.disposed) return { ok: false, message: `${this.label}: the session was closed.` };
    this.setBusy(cold ? 'invoke-cold' : 'invoke-warm');
    try {
      const prepared = await this.resolve();
      if ('error' in prepared) return this.fail(prepared.error);
      const engine = await this.engineFor(prepared.options);
      if (cold) await engine.reset('requested');
      const raw = await engine.invoke(event);
      const record = this.append({ ...raw, generation: raw.generation + this.generationOffset });
      this.checkNodeVersion(record.runtimeVersion);
      return { ok: true, record };
    } catch (error) {
      return this.fail(`${this.label}: the engine failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.setBusy(null);
    }
  }

  /**
   * Adds a record made by another engine (a deployed invocation) to this handler's
   * history, so the panel shows local and deployed invocations in one timeline.
   */
  addRecord(record: InvocationRecord): InvocationRecord {
    const added = this.append(record);
    this.changed(this);
    return added;
  }

  /** Numbers a record in this handler's history, keeps the history bounded and saved, logs it. */
  private append(record: InvocationRecord): InvocationRecord {
    const numbered: InvocationRecord = { ...record, invocation: this.nextInvocation++ };
    this.records.push(numbered);
    const limit = this.deps.settings().historyLength;
    if (this.records.length > limit) this.records.splice(0, this.records.length - limit);
    this.deps.history.save(this.ref, this.records);
    this.lastError = undefined;
    this.logRecord(numbered);
    return numbered;
  }

  private fail(message: string): InvokeOutcome {
    this.lastError = { message };
    this.deps.log.error(message);
    return { ok: false, message };
  }

  /** The engine session for these options; a new one (cold) when the options changed. */
  private async engineFor(options: EnvironmentOptions): Promise<EngineSession> {
    const key = JSON.stringify(options);
    if (this.engine && this.engineKey === key) return this.engine;
    if (this.engine) {
      this.deps.log.info(`${this.label}: settings changed; starting a new environment.`);
      await this.disposeEngine();
    }
    this.generationOffset = this.records.length > 0 ? this.records[this.records.length - 1].generation : 0;
    this.engine = await this.deps.createEngine(options);
    this.engineKey = key;
    this.engineSubscription = this.engine.onStatusChange(() => this.changed(this));
    this.deps.log.info(`${this.label}: environment for ${options.file} (export ${options.handlerExport}) with ${options.nodePath}, timeout ${options.timeoutSeconds} s, memory ${options.memoryMB} MB, freeze ${options.freeze ? 'on' : 'off'}.`);
    return this.engine;
  }

  private logRecord(record: InvocationRecord): void {
    const kind = record.cold ? `cold, init ${(record.initDurationMs ?? 0).toFixed(1)} ms` : 'warm';
    const outcome = record.error ? `error ${record.error.errorType}: ${record.error.errorMessage}` : 'ok';
    const line = `${this.label}: invocation ${record.invocation} (${kind}) ${record.durationMs.toFixed(1)} ms, ${outcome}${record.reset ? `, environment reset: ${record.reset}` : ''}${record.growing.length > 0 ? `, growing: ${record.growing.join(', ')}` : ''}`;
    if (record.error || record.reset) this.deps.log.warn(line);
    else this.deps.log.info(line);
    if (record.captureError) this.deps.log.warn(`${this.label}: scopes not captured: ${record.captureError}`);
    if (record.logs.trim() !== '') this.deps.log.info(`\n${record.logs.trimEnd()}`);
  }

  private checkNodeVersion(nodeVersion: string): void {
    if (!this.runtimeDeclared || this.mismatchWarned) return;
    const warning = nodeMajorMismatch(this.runtimeDeclared, nodeVersion);
    if (!warning) return;
    this.mismatchWarned = true;
    this.mismatchWarning = { message: warning };
    this.deps.log.warn(`${this.label}: ${warning}`);
    this.deps.notify(`Warm State: ${warning}`);
  }

  private async disposeEngine(): Promise<void> {
    this.engineSubscription?.dispose();
    this.engineSubscription = undefined;
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await engine.dispose();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.disposeEngine();
  }
}
