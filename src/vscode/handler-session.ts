/**
 * One HandlerSession per handler the user ran or looked at: the editor's side of a core
 * WarmSession (created on the first invocation), the handler's history (kept across window
 * reloads, bounded by `warmState.historyLength`, shared with deployed invocations of the
 * same handler), what it is doing, and the problems to show. The panel, CodeLens, status
 * bar and test API all read from here. Queueing, numbering and generations are the core
 * session's.
 *
 * Pure of `vscode` (the editor parts come in through SessionDeps), so it is unit-tested
 * with fake environments.
 */
import type { InvocationHistory } from '../core/model/history';
import type { InvocationRecord } from '../core/model/snapshot';
import type { EnvironmentOptions, EnvironmentStatus, ManagedInstancesOptions } from '../core/runtime/environment-api';
import { DEFAULT_CONCURRENCY_PER_VCPU, defaultWorkerCount, MANAGED_INSTANCES_RUNTIME_PROBLEM } from '../core/lambda/defaults';
import type { WarmSession } from '../core/session';
import type { BusyKind, FunctionSettingsView, PanelError } from '../webview-protocol/panel';
import type { FunctionConfig } from '../core/config/types';
import type { Engine } from './engine';
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
  /** The version of that node (`v22.3.0`), for the runtime profile; null when it cannot be run. */
  nodeVersion(runtime: NodeRuntime): Promise<string | null>;
  /** The function a template declares for this file and export, if any. */
  functionFor(file: string, exportName: string): Promise<FunctionConfig | undefined>;
  /** The region local functions run in: the editor's AWS_REGION, else its profile's (caller-region.ts). */
  callerRegion(): Promise<string>;
  engine: Engine;
  history: HistoryStore;
  log: SessionLog;
  /** Absolute path of a file URI string. */
  filePath(fileUri: string): string;
  /** A path as shown to the user (workspace-relative when possible). */
  displayPath(path: string): string;
  /** A warning the user should see now (a notification), beside the log and the panel. */
  notify(message: string): void;
}

/** `throttled`: every environment the function may have was busy; nothing ran (Lambda's 429). */
export type InvokeOutcome = { ok: true; record: InvocationRecord } | { ok: false; message: string; throttled?: true };

export class HandlerSession {
  readonly key: string;
  readonly label: string;
  /**
   * The handler's analysed invocations, local and deployed: the only copy, created with the
   * engine (sharedHistory()). Saved through the history store; the deployed sessions of this
   * handler add to it too (deployed-controller.ts).
   */
  private invocations: InvocationHistory | undefined;
  private historyReady: Promise<InvocationHistory> | undefined;
  /** What the store held when this session was created, shown until the history exists. */
  private restored: readonly InvocationRecord[];
  /** The local session (created on the first invocation) and the options its environments were made with. */
  private session: WarmSession | undefined;
  private sessionKey = '';
  private subscription: { dispose(): void } | undefined;
  /** Getting the session ready (creating it, or new environments after a settings change) happens one at a time. */
  private preparing: Promise<unknown> = Promise.resolve();
  /** What runs now, newest last (invocations may overlap). */
  private readonly busyKinds: Exclude<BusyKind, null>[] = [];
  private lastError: PanelError | undefined;
  private notices: PanelError[] = [];
  private settingsView: FunctionSettingsView | null = null;
  private mismatchWarned = false;
  private mismatchWarning: PanelError | undefined;
  private disposed = false;

  constructor(
    readonly ref: HandlerRef,
    private readonly deps: SessionDeps,
    private readonly changed: (session: HandlerSession) => void,
  ) {
    this.key = handlerKey(ref);
    this.label = handlerLabel(ref);
    this.restored = deps.history.load(ref);
  }

  get file(): string {
    return this.deps.filePath(this.ref.fileUri);
  }

  /** The local environment's status; undefined before the first local invocation. */
  status(): EnvironmentStatus | undefined {
    return this.session?.status();
  }

  history(): readonly InvocationRecord[] {
    return this.invocations?.records() ?? this.restored.slice(-this.deps.settings().historyLength);
  }

  /** The handler's history, for the sessions that add to it (local and deployed); continues what was restored. */
  sharedHistory(): Promise<InvocationHistory> {
    this.historyReady ??= this.deps.engine
      .createHistory({
        limit: () => this.deps.settings().historyLength,
        store: { load: () => [...this.restored], save: (records) => this.deps.history.save(this.ref, records) },
      })
      .then(
        (history) => {
          this.invocations = history;
          this.restored = [];
          return history;
        },
        (error: unknown) => {
          this.historyReady = undefined; // the next invocation tries again
          throw error;
        },
      );
    return this.historyReady;
  }

  busy(): BusyKind {
    return this.busyKinds[this.busyKinds.length - 1] ?? null;
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

  async invoke(event: unknown, cold: boolean): Promise<InvokeOutcome> {
    if (this.disposed) return { ok: false, message: `${this.label}: the session was closed.` };
    return this.busyWith(cold ? 'invoke-cold' : 'invoke-warm', async () => {
      try {
        const prepared = await this.resolve();
        if ('error' in prepared) return this.fail(prepared.error);
        const session = await this.sessionFor(prepared.options, prepared.maxEnvironments);
        const record = await session.invoke(event, { cold });
        this.recorded(record);
        this.checkNodeVersion(record);
        return { ok: true, record };
      } catch (error) {
        // Every environment busy (ThrottledError; matched by name: the engine loads lazily).
        if (error instanceof Error && error.name === 'ThrottledError') return this.fail(`${this.label}: throttled, nothing ran: ${error.message}`, true);
        return this.fail(`${this.label}: the engine failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  /** The Managed Instances options the next invocation runs with (settings, else the template); undefined in the default mode. */
  async managedInstances(): Promise<ManagedInstancesOptions | undefined> {
    return managedInstancesFor(this.deps.settings(), await this.deps.functionFor(this.file, this.ref.exportName));
  }

  /**
   * Retained bytes per module variable of the environment that ran the latest invocation
   * (the core session waits for running invocations). A refusal is shown as a problem with
   * its reason; the environment stays as it was.
   */
  async measureRetained(): Promise<void> {
    const session = this.session;
    if (!session) {
      this.reportProblem('Retained sizes not measured: no warm environment to measure: invoke the handler first.');
      return;
    }
    await this.busyWith('measure-retained', async () => {
      try {
        const record = await session.measureRetained();
        this.lastError = undefined;
        const cost = record.retained;
        this.deps.log.info(`${this.label}: retained sizes measured after invocation ${record.invocation}${cost ? ` (child paused ${cost.snapshotMs.toFixed(0)} ms, analysis ${cost.analysisMs.toFixed(0)} ms)` : ''}.`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // MeasurementRefusedError is the engine's (loaded lazily): known by its name, not imported here.
        const refused = error instanceof Error && error.name === 'MeasurementRefusedError';
        this.lastError = { message: refused ? `Retained sizes not measured: ${message}` : `${this.label}: measuring retained sizes failed: ${message}` };
        this.deps.log.warn(this.lastError.message);
      }
    });
  }

  async reset(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await this.busyWith('reset', async () => {
      await session.reset('requested');
      this.deps.log.info(`${this.label}: environment reset on request; the next invocation is cold.`);
    });
  }

  /**
   * A record just added to this handler's history by another session (a deployed
   * invocation, deployed-commands.ts): log it and refresh the views.
   */
  recorded(record: InvocationRecord): void {
    this.lastError = undefined;
    this.logRecord(record);
    this.changed(this);
  }

  private async busyWith<T>(kind: Exclude<BusyKind, null>, task: () => Promise<T>): Promise<T> {
    this.busyKinds.push(kind);
    this.changed(this);
    try {
      return await task();
    } finally {
      this.busyKinds.splice(this.busyKinds.lastIndexOf(kind), 1);
      this.changed(this);
    }
  }

  private async resolve(): Promise<{ options: EnvironmentOptions; resolved: ResolvedFunctionSettings; node: NodeRuntime; maxEnvironments: number | undefined } | { error: string }> {
    const settings = this.deps.settings();
    const node = this.deps.nodeRuntime();
    const config = await this.deps.functionFor(this.file, this.ref.exportName);
    const nodeVersion = node.ok ? await this.deps.nodeVersion(node.runtime) : null;
    const resolved = resolveFunctionSettings(settings, this.ref.exportName, config, this.deps.displayPath, nodeVersion);
    this.settingsView = resolved.view;
    this.notices = resolved.notes.map((message) => ({ message }));
    if (!node.ok) return { error: node.message };
    const managed = managedInstancesFor(settings, config);
    if (managed && resolved.runtime?.profile === 'nodejs20.x') return { error: `${MANAGED_INSTANCES_RUNTIME_PROBLEM} (set warmState.runtime, or the template's Runtime).` };
    const options: EnvironmentOptions = {
      file: config?.handlerFile ?? this.file,
      handlerExport: resolved.handlerExport,
      // A declared function runs by its Handler setting, loaded as Lambda's runtime client loads it (as the CLI's --resource).
      ...(config?.handler ? { handler: config.handler } : {}),
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
      runtime: resolved.runtime?.profile,
      runtimeSource: resolved.runtime?.source,
      // The region the template deploys to (serverless provider.region), else the one an SDK
      // in the editor's environment would use (AWS_REGION, else the profile's).
      region: config?.region ?? (await this.deps.callerRegion()),
      // Only when on: options are compared as JSON, so environments made before the setting existed stay warm.
      ...(settings.initProfile ? { initProfile: true } : {}),
      ...(managed ? { managedInstances: managed } : {}),
      // The template's warnings about this function: an init failure's record shows them next to Lambda's error.
      ...(config?.problems.some((p) => p.severity === 'warning') ? { handlerWarnings: config.problems.filter((p) => p.severity === 'warning').map((p) => p.message) } : {}),
    };
    // An Invoke Warm while another runs gets an environment of its own, up to the template's
    // reserved concurrency (else the engine's default, 10).
    return { options, resolved, node: node.runtime, maxEnvironments: config?.reservedConcurrency };
  }

  private fail(message: string, throttled?: true): InvokeOutcome {
    this.lastError = { message };
    this.deps.log.error(message);
    return throttled ? { ok: false, message, throttled } : { ok: false, message };
  }

  /** The local session, its environments made with these options; new ones (cold) when the options changed. */
  private sessionFor(options: EnvironmentOptions, maxEnvironments: number | undefined): Promise<WarmSession> {
    const next = this.preparing.then(() => this.prepare(options, maxEnvironments));
    this.preparing = next.catch(() => undefined);
    return next;
  }

  private async prepare(options: EnvironmentOptions, maxEnvironments: number | undefined): Promise<WarmSession> {
    const key = JSON.stringify({ options, maxEnvironments });
    if (this.session && this.sessionKey === key) return this.session;
    const environments = await this.deps.engine.localEnvironments(options);
    if (this.session) {
      this.deps.log.info(`${this.label}: settings changed; starting a new environment.`);
      await this.session.replaceEnvironments(environments, maxEnvironments);
    } else {
      const session = await this.deps.engine.createSession({ environments, history: await this.sharedHistory(), maxEnvironments });
      if (this.disposed) {
        await session.dispose();
        throw new Error('the session was closed');
      }
      this.session = session;
      this.subscription = session.onStatusChange(() => this.changed(this));
    }
    this.sessionKey = key;
    this.deps.log.info(`${this.label}: environment for ${options.file} (export ${options.handlerExport}) with ${options.nodePath}, timeout ${options.timeoutSeconds} s, memory ${options.memoryMB} MB, freeze ${options.freeze ? 'on' : 'off'}.`);
    return this.session;
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

  /** The node that ran is not the profile's major (a node-major choice said so in its own note). */
  private checkNodeVersion(record: InvocationRecord): void {
    const warning = record.nodeMismatch;
    if (!warning || record.runtimeSource === 'node-major' || this.mismatchWarned) return;
    this.mismatchWarned = true;
    this.mismatchWarning = { message: warning };
    this.deps.log.warn(`${this.label}: ${warning}`);
    this.deps.notify(`Warm State: ${warning}`);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.subscription?.dispose();
    const session = this.session;
    this.session = undefined;
    await session?.dispose();
  }
}

/**
 * Managed Instances for a handler: `warmState.managedInstances.concurrency` when above 0, else
 * the declaring template's CapacityProviderConfig; undefined in the default mode.
 */
function managedInstancesFor(settings: WarmSettings, config: FunctionConfig | undefined): ManagedInstancesOptions | undefined {
  const concurrency = settings.managedConcurrency > 0 ? settings.managedConcurrency : config?.managedInstances ? (config.managedInstances.concurrency ?? DEFAULT_CONCURRENCY_PER_VCPU) : 0;
  return concurrency > 0 ? { concurrency, workers: defaultWorkerCount(settings.maxWorkers) } : undefined;
}
