/**
 * The local execution environment: one child process per (file, handler), reused across
 * invocations like a Lambda execution environment: cold -> initializing -> warm (frozen) ->
 * invoking -> warm. Faults in user code come back as records; a fault that ends the process
 * (exit, uncaught error, timeout, out of memory, init error) makes the next invocation cold.
 *
 * Freeze: on Linux and macOS no JavaScript of the child runs between invocations (it waits for
 * the next message in a blocking read once its result is out, host-channel.ts), and after a
 * short idle time the host stops its whole process group with SIGSTOP, continued with SIGCONT
 * before the next invocation (child-handle.ts). Module-scope timers do not tick while idle and
 * fire inside the next invocation, as on Lambda. Windows has no way to stop a process from
 * Node (no SIGSTOP): there the `freeze` option is ignored and the child keeps running between
 * invocations (timers tick while idle); everything else behaves the same.
 *
 * The environment is a process group (process-group.ts): freeze, thaw and the end reach every
 * process the handler started, as Lambda freezes and ends the whole sandbox. On Windows the end
 * reaches the process tree and freeze does nothing.
 *
 * Messages travel on a plain pipe, the child's fd 3 (protocol.ts), not on Node's IPC channel,
 * which would cost the child ~5 ms of builtin compiling per cold start. The first invoke is sent
 * right after init, without waiting for `ready`: the child starts it as soon as init is done.
 * User code can write to that pipe too: messages are bounded, checked and taken only in their
 * place in the protocol (child-messages.ts); anything else ends the environment, and the Lambda
 * timeout runs on the host's clock alone.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { extname, isAbsolute, join } from 'node:path';
import type { InitProfileEntry, LambdaError, MemoryReading, RawInvocation, ResetReason, RetainedMeasurement, RuntimeProfileName, RuntimeSource } from '../model/snapshot';
import { analyseSnapshot, snapshotSize, snapshotTarget } from './heap/measure-retained';
import { DEFAULT_BUDGETS, type EnvironmentOptions, type EnvironmentStatus, type InvokeOptions, type WarmEnvironment } from './environment-api';
import { locateChildDir } from './child-locator';
import { nearestPackageType } from './child/services/package-type';
import { defaultFunctionName, defaultTaskRoot, functionArn, handlerString, localRegion, logStreamName, resolveHandlerFile } from '../lambda/environment';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, INIT_LIMIT_MS } from '../lambda/defaults';
import { childEnvironment } from './child-environment';
import { billedDuration, bytesToMB, endLine, initTimeoutError, reportLine, resetDuringInvocationError, startLine, timeoutError, timeoutMessage } from '../lambda/log-lines';
import { applyRecordLimits, limitPayload } from '../lambda/limits';
import { chooseRuntime, lambdaNodeFlags, nodeMajorMismatch, runtimeProfile } from '../lambda/runtime-profiles';
import { probeNode, type NodeFacts } from './node-probe';
import { guardChild, releaseChild } from './orphan-reaper';
import { OutputCollector } from './output-collector';
import { HOST_HOOKS_NAME, prepareHandler } from './prepare-handler';
import { ChildHandle } from './child-handle';
import { ChildMessageGate, ConcurrentMessageGate } from './child-messages';
import { ConcurrentOutput } from './concurrent-output';
import { ManagedInvocations } from './managed-invocations';
import { OWN_PROCESS_GROUP } from './process-group';
import {
  CHANNEL_FD,
  INIT_MARKER_ID,
  NO_CAPTURE_FLAG,
  responseFromWire,
  type ChildInitMessage,
  type ChildResultMessage,
  type ChildToHost,
  type ModuleLoadFormat,
} from './protocol';

/** How long the host waits for capture after the handler settled before giving up on the child. */
const CAPTURE_GRACE_MS = 10_000;
/** How long to wait for the end markers on stdout/stderr once the message arrived. */
const OUTPUT_GRACE_MS = 1_000;
const MEMORY_SAMPLE_MS = 50;
/** Writing a snapshot of a heap near the largest memory size (10 GB) takes minutes. */
const SNAPSHOT_TIMEOUT_MS = 300_000;

interface MemoryBaseline {
  rssBytes: number;
  jsBytes: number;
}

function jsBytes(memory: MemoryReading): number {
  return memory.heapUsedBytes + (memory.externalBytes ?? 0);
}

function estimatedRss(baseline: MemoryBaseline, memory: MemoryReading): number {
  return baseline.rssBytes + Math.max(0, jsBytes(memory) - baseline.jsBytes);
}

/** A retained-size measurement that could not be made; the environment is as it was (unless it says it ended). */
export class MeasurementRefusedError extends Error {
  constructor(reason: string) {
    super(`Retained sizes not measured: ${reason}`);
    this.name = 'MeasurementRefusedError';
  }
}

/** How Lambda loads the file: import() for ES modules, require() otherwise. */
export function moduleFormatOf(file: string): ModuleLoadFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.mjs' || ext === '.mts') return 'module';
  if (ext === '.cjs' || ext === '.cts') return 'commonjs';
  if (ext === '.js' || ext === '.ts') return nearestPackageType(file);
  return 'commonjs';
}

interface ResolvedOptions {
  taskRoot: string;
  timeoutSeconds: number;
  memoryMB: number;
  freeze: boolean;
  capture: boolean;
  functionName: string;
  region: string;
  handlerString: string;
}

export class NodeNotFoundError extends Error {
  constructor(nodePath: string) {
    super(
      nodePath === 'node'
        ? 'Node.js was not found on PATH. Install Node.js 20.6 or later, or set the path of a `node` executable.'
        : `The Node.js executable "${nodePath}" was not found or cannot be run.`,
    );
    this.name = 'NodeNotFoundError';
  }
}

class LocalEnvironment implements WarmEnvironment {
  readonly source = 'local';
  /**
   * A child process runs one invocation at a time, as a Lambda execution environment does; in
   * Managed Instances mode up to the configured concurrency at once.
   */
  readonly capacity: number;
  /** Managed Instances mode: the invocations in flight in this environment's one process. */
  private readonly managed: ManagedInvocations | null;
  readonly options: Readonly<EnvironmentOptions>;
  /** `options.file`, completed with its extension when it was given without one. */
  private readonly file: string;
  private readonly resolved: ResolvedOptions;
  private child: ChildHandle | null = null;
  private state: EnvironmentStatus['state'] = 'cold';
  private generation = 0;
  private warmInvocations = 0;
  private nodeVersion: string | null = null;
  private lastReset: string | null = null;
  private maxRssBytes = 0;
  /** An invocation is running: the session's pool never sends a second one (capacity 1). */
  private running = false;
  private lastMemory: MemoryReading | null = null;
  /**
   * Set by the first heap snapshot of this process. Writing a snapshot leaves its memory
   * resident in the child (the allocator keeps what V8 freed), which is not the function's:
   * from then on Max Memory Used is the resident memory before the snapshot plus what the V8
   * heap and external memory grew since (estimatedRss).
   */
  private memoryBaseline: MemoryBaseline | null = null;
  private readonly listeners = new Set<(status: EnvironmentStatus) => void>();
  private disposed = false;
  /** Set by reset() while an invocation runs, so the record says why the process ended. */
  private resetRequested: string | null = null;
  /** The profile this environment runs as: the options', else chosen from the node's major at the first spawn. */
  private runtime: { profile: RuntimeProfileName; source: RuntimeSource } | null = null;

  constructor(options: EnvironmentOptions) {
    if (!isAbsolute(options.file)) throw new Error(`The handler file must be an absolute path: ${options.file}`);
    if (!options.handlerExport && options.handler === undefined) throw new Error('The handler export name is empty.');
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const memoryMB = options.memoryMB ?? DEFAULT_MEMORY_MB;
    if (!(timeoutSeconds > 0)) throw new Error(`The timeout must be a positive number of seconds, got ${timeoutSeconds}.`);
    if (!(memoryMB >= 16)) throw new Error(`The memory size must be at least 16 MB, got ${memoryMB}.`);
    const managed = options.managedInstances;
    if (managed && !(Number.isInteger(managed.concurrency) && managed.concurrency >= 1 && Number.isInteger(managed.workers) && managed.workers >= 1)) {
      throw new Error(`Managed Instances needs a whole number of workers and a concurrency of at least 1, got ${managed.workers} workers and concurrency ${managed.concurrency}.`);
    }
    if (managed && options.runtime === 'nodejs20.x') throw new Error(MANAGED_NEEDS_NODE_22);
    this.capacity = managed?.concurrency ?? 1;
    this.options = Object.freeze({ ...options });
    this.file = resolveHandlerFile(options.file);
    const taskRoot = options.taskRoot ?? defaultTaskRoot(this.file);
    this.resolved = {
      taskRoot,
      timeoutSeconds,
      memoryMB,
      // Windows cannot stop a process (no SIGSTOP): freeze is off there, see the file comment.
      // Managed Instances environments are never frozen.
      freeze: (options.freeze ?? true) && process.platform !== 'win32' && !managed,
      capture: options.capture ?? true,
      functionName: options.functionName ?? defaultFunctionName(this.file),
      region: options.region ?? localRegion(process.env),
      handlerString: options.handler ?? handlerString(taskRoot, this.file, options.handlerExport),
    };
    this.managed = managed ? new ManagedInvocations(this.managedKit()) : null;
  }

  status(): EnvironmentStatus {
    return {
      state: this.state,
      frozen: this.child?.frozenOrFreezing ?? false,
      warmInvocations: this.warmInvocations,
      generation: this.generation,
      nodeVersion: this.nodeVersion,
      lastReset: this.lastReset,
    };
  }

  onStatusChange(listener: (status: EnvironmentStatus) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  invoke(event: unknown, options: InvokeOptions = {}): Promise<RawInvocation> {
    if (this.disposed) return Promise.reject(new Error('This environment has been disposed.'));
    if (this.managed) return this.invokeManaged(this.managed, event, options.clientContext);
    // Queueing is the session's job (runtime/environment-pool.ts); interleaving two invocations
    // in one child would mix their output and state, so a second one is an engine error.
    if (this.running) return Promise.reject(new Error('This environment is already running an invocation; it runs one at a time (send invocations through a WarmSession).'));
    this.running = true;
    return this.invokeNow(event, options).finally(() => {
      this.running = false;
    });
  }

  /**
   * Retained bytes per module binding (runtime/heap/), between invocations (the session's
   * pool sends it only to an idle environment). The child pauses while it writes the snapshot;
   * a measurement that would not fit is refused with the reason and leaves the environment as it was.
   */
  measureRetained(): Promise<RetainedMeasurement> {
    if (this.disposed) return Promise.reject(new Error('This environment has been disposed.'));
    if (this.managed) return Promise.reject(new MeasurementRefusedError('retained sizes are not measured in Managed Instances mode yet: each worker thread has a heap of its own.'));
    if (this.running) return Promise.reject(new MeasurementRefusedError('an invocation is running; measure between invocations.'));
    this.running = true;
    return this.measureRetainedNow().finally(() => {
      this.running = false;
    });
  }

  private async measureRetainedNow(): Promise<RetainedMeasurement> {
    const child = this.child;
    if (!child || this.state !== 'warm') throw new MeasurementRefusedError('no warm environment to measure: invoke the handler first.');
    const target = snapshotTarget();
    try {
      // Thawed for the length of the snapshot only: timers due meanwhile run now, as they would at the next thaw.
      child.thaw();
      child.send({ type: 'heap-snapshot', file: target.file, anchorKey: target.anchorKey });
      const event = await child.next(SNAPSHOT_TIMEOUT_MS);
      if (this.resolved.freeze) child.freeze();
      this.memoryBaseline ??= this.lastMemory && { rssBytes: this.lastMemory.rssBytes, jsBytes: jsBytes(this.lastMemory) };
      if (event?.kind === 'exit') {
        this.endProcess('crashed');
        throw new MeasurementRefusedError(`the environment ended while writing the heap snapshot (${event.signal ?? `exit ${event.code}`}).`);
      }
      if (event?.kind === 'violation') {
        await child.kill();
        this.endProcess('crashed');
        throw new MeasurementRefusedError(`the environment was ended: its message pipe carried ${event.reason}.`);
      }
      if (!event || event.kind !== 'message' || event.message.type !== 'heap-snapshot-written') {
        throw new MeasurementRefusedError(event ? 'the child answered something else than the heap snapshot.' : 'the heap snapshot took too long.');
      }
      const written = event.message;
      if (!written.ok) throw new MeasurementRefusedError(written.reason);
      const analysed = await analyseSnapshot(
        { nodePath: this.options.nodePath ?? 'node', nodeEnv: this.options.nodeEnv, analyserPath: join(locateChildDir(), 'heap-analyser.js') },
        { file: target.file, anchorKey: written.anchorKey, names: written.bindings.map((binding) => binding.variable) },
      );
      const shown = new Map(written.bindings.map((binding) => [binding.variable, binding.name]));
      const nameOf = (variable: string) => shown.get(variable) ?? variable;
      return {
        ...analysed,
        bindings: analysed.bindings.map((binding) => ({ ...binding, name: nameOf(binding.name), sharedWith: binding.sharedWith.map(nameOf) })),
        snapshotMs: written.durationMs,
        snapshotBytes: snapshotSize(target.file),
      };
    } finally {
      target.dispose();
    }
  }

  async reset(reason?: string): Promise<void> {
    if (this.managed) return this.managed.end('requested');
    const child = this.child;
    if (!child) return;
    if (this.state === 'invoking' || this.state === 'initializing') {
      // The running invocation sees the exit and records it; it clears the state itself.
      this.resetRequested = reason ?? 'requested';
      await child.kill();
      return;
    }
    await child.kill();
    this.endProcess(reason ?? 'requested');
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.reset('disposed');
    this.listeners.clear();
  }

  private setState(state: EnvironmentStatus['state']): void {
    this.state = state;
    this.emit();
  }

  private emit(): void {
    const status = this.status();
    for (const listener of [...this.listeners]) listener(status);
  }

  /** The process is gone. `reason` null: it never really started (the engine failed, not user code). */
  private endProcess(reason: string | null): void {
    this.child = null;
    this.warmInvocations = 0;
    this.maxRssBytes = 0;
    this.lastMemory = null;
    this.memoryBaseline = null;
    if (reason !== null) this.lastReset = reason;
    this.state = 'cold';
    this.emit();
  }

  /** The profile, and the node's facts for its flags (asked once per node executable). */
  private async prepareRuntime(): Promise<{ profile: RuntimeProfileName; node: NodeFacts }> {
    const node = await probeNode(this.options.nodePath ?? 'node', this.options.nodeEnv ?? {});
    if (!this.runtime) {
      this.runtime = this.options.runtime
        ? { profile: this.options.runtime, source: this.options.runtimeSource ?? 'flag' }
        : { profile: chooseRuntime({ nodeVersion: node.version ?? '' }).profile, source: 'node-major' };
    }
    return { profile: this.runtime.profile, node };
  }

  private spawnChild(profileName: RuntimeProfileName, node: NodeFacts, managedOutput?: ConcurrentOutput): ChildHandle {
    const childDir = locateChildDir();
    const nodePath = this.options.nodePath ?? 'node';
    const profile = runtimeProfile(profileName);
    this.generation += 1;
    const env = childEnvironment(this.options, {
      functionName: this.resolved.functionName,
      memoryMB: this.resolved.memoryMB,
      region: this.resolved.region,
      handler: this.resolved.handlerString,
      taskRoot: this.resolved.taskRoot,
      runtimeDir: childDir,
      nodeMajor: profile.nodeMajor,
      logStreamName: logStreamName(new Date(), this.generation),
      ...(this.options.managedInstances ? { managed: this.options.managedInstances } : {}),
    });
    // Lambda's flags for this runtime, minus those the function's NODE_OPTIONS turns back on and
    // those this node does not know (it would refuse to start: Node 20.9 has neither flag).
    const lambdaFlags = lambdaNodeFlags(profile, env.NODE_OPTIONS).filter((flag) => node.knownFlags.has(flag));
    const args = [`--max-old-space-size=${this.resolved.memoryMB}`, ...lambdaFlags, join(childDir, 'bootstrap.js')];
    if (!this.resolved.capture) args.push(NO_CAPTURE_FLAG);
    const child = spawn(nodePath, args, {
      cwd: this.resolved.taskRoot,
      env,
      // fd 3 (CHANNEL_FD): the message pipe, read and written by both sides.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
      // Its own process group: freeze and the end reach whatever the handler starts.
      ...OWN_PROCESS_GROUP,
    });
    if (this.resolved.freeze && child.pid !== undefined) {
      const pid = child.pid;
      guardChild(pid, nodePath, env);
      child.once('exit', () => releaseChild(pid));
    }
    const handle = new ChildHandle(
      child,
      managedOutput ? { gate: new ConcurrentMessageGate(this.resolved.capture), onOutput: (stream, chunk) => managedOutput.push(stream, chunk), batchWrites: true } : { gate: new ChildMessageGate(this.resolved.capture) },
    );
    child.once('close', () => {
      // Ended while idle (freeze off, killed from outside, or a message the runtime did not send): say so now.
      if (this.managed || this.child !== handle || this.state !== 'warm') return;
      const fatal = handle.drain().find((e) => e.kind === 'message' && e.message.type === 'fatal');
      this.endProcess(fatal?.kind === 'message' && fatal.message.type === 'fatal' ? fatal.message.reason : 'crashed');
    });
    const format = moduleFormatOf(this.file);
    // Done while the child boots (spawn has returned; node is starting on its own core).
    const preparation = child.pid !== undefined ? prepareHandler(this.file, format, this.resolved.capture, this.options.handlerExport, this.options.managedInstances !== undefined, this.options.initProfile === true) : { prepared: null, handlerInFile: false };
    const init: ChildInitMessage = {
      type: 'init',
      file: this.file,
      handlerExport: this.options.handlerExport,
      format,
      handlerString: this.resolved.handlerString,
      loadBy: this.options.handler === undefined ? 'file' : 'setting',
      capture: this.resolved.capture,
      budgets: this.options.budgets ?? DEFAULT_BUDGETS,
      runtime: profileName,
      functionName: this.resolved.functionName,
      memoryMB: this.resolved.memoryMB,
      region: this.resolved.region,
      childDir,
      frozenBetweenInvocations: this.resolved.freeze,
      hooksName: HOST_HOOKS_NAME,
      ...preparation,
      initProfile: this.options.initProfile === true,
      ...(this.options.managedInstances ? { managed: { ...this.options.managedInstances } } : {}),
    };
    handle.send(init);
    return handle;
  }

  private sendInvoke(child: ChildHandle, requestId: string, event: unknown, clientContext: unknown): void {
    const timeoutMs = this.resolved.timeoutSeconds * 1000;
    const invokedFunctionArn = functionArn(this.resolved.region, this.resolved.functionName);
    child.send({ type: 'invoke', requestId, event, timeoutMs, invokedFunctionArn, ...(clientContext === undefined ? {} : { clientContext }) });
  }

  /** A record of this environment with the defaults of a local invocation, then `fields`, within the record's limits. */
  private baseRecord(requestId: string, startedAt: string, fields: Partial<RawInvocation>, logsCut: boolean): RawInvocation {
    return applyRecordLimits({
      source: 'local',
      cold: false,
      requestId,
      startedAt,
      durationMs: 0,
      billedDurationMs: 0,
      initDurationMs: null,
      memorySizeMB: this.resolved.memoryMB,
      maxMemoryUsedMB: bytesToMB(this.maxRssBytes),
      response: null,
      error: null,
      logs: '',
      moduleScope: null,
      handlerScope: null,
      parameters: null,
      memory: null,
      reset: null,
      captureError: null,
      runtimeVersion: this.nodeVersion ?? 'unknown',
      ...this.runtimeFields(),
      generation: this.generation,
      ...fields,
    }, logsCut);
  }

  private async invokeManaged(managed: ManagedInvocations, event: unknown, clientContext: unknown): Promise<RawInvocation> {
    if (this.state === 'warm') this.setState('invoking');
    const record = await managed.invoke(event, clientContext);
    if (this.child && !managed.busy) this.setState('warm');
    return record;
  }

  /** What Managed Instances mode (managed-invocations.ts) needs of this environment. */
  private managedKit(): ConstructorParameters<typeof ManagedInvocations>[0] {
    return {
      spawn: async (output) => {
        this.setState('initializing');
        const { profile, node } = await this.prepareRuntime();
        if (profile === 'nodejs20.x') throw new Error(MANAGED_NEEDS_NODE_22);
        const child = this.spawnChild(profile, node, output);
        this.child = child;
        return child;
      },
      awaitInit: async (child) => {
        const outcome = await this.awaitInit(child);
        if (outcome.kind === 'ready') this.maxRssBytes = Math.max(this.maxRssBytes, outcome.maxRssBytes);
        return outcome;
      },
      ended: (reason) => {
        if (reason === null) this.generation -= 1; // no environment was created
        this.endProcess(reason);
      },
      warm: () => this.setState('warm'),
      record: (requestId, startedAt, fields, logsCut) => this.baseRecord(requestId, startedAt, fields, logsCut),
      sendInvoke: (child, requestId, event, clientContext) => this.sendInvoke(child, requestId, event, clientContext),
      timeoutSeconds: this.resolved.timeoutSeconds,
      memoryMB: this.resolved.memoryMB,
      handlerWarnings: this.options.handlerWarnings ?? [],
    };
  }

  private async invokeNow(event: unknown, options: InvokeOptions): Promise<RawInvocation> {
    const { onPayload, clientContext } = options;
    if (this.disposed) throw new Error('This environment has been disposed.');
    const requestId = randomUUID();
    // Formatted when the record is built, after the answer: not on the way to the child.
    const startedAtMs = Date.now();
    /** The output of this invocation's process, once there is one: it says whether logs were cut. */
    let output: OutputCollector | null = null;
    const record = (fields: Partial<RawInvocation>): RawInvocation =>
      this.baseRecord(requestId, new Date(startedAtMs).toISOString(), fields, (output?.takeCutChars() ?? 0) > 0);


    let cold = false;
    let initDurationMs: number | null = null;
    let initProfile: InitProfileEntry[] | undefined;
    let initLogs = '';
    /** When the invocation started (for the host's timeout); cold: when init was done. */
    let invokedAt = 0;
    /** When a cold start spawned its child (its `invokedAt` is when the host read 'ready'). */
    let coldSpawnedAt: number | null = null;
    if (!this.child) {
      cold = true;
      let child: ChildHandle;
      try {
        const { profile, node } = await this.prepareRuntime();
        // Before the spawn: the child's own clocks (its init among them) start after this.
        coldSpawnedAt = performance.now();
        child = this.spawnChild(profile, node);
      } catch (error) {
        // The engine itself cannot start (no built child runtime): nothing ran, stay cold.
        this.setState('cold');
        throw error;
      }
      this.child = child;
      output = child.output;
      this.setState('initializing');
      // Sent now, run by the child as soon as init is done (dropped if init fails): no round
      // trip between `ready` and the invocation.
      this.sendInvoke(child, requestId, event, clientContext);
      const outcome = await this.awaitInit(child);
      // The invocation may have written already: cut at the init marker.
      initLogs = child.output.takeThrough(INIT_MARKER_ID);
      if (outcome.kind === 'engine-error') {
        await child.kill();
        this.generation -= 1; // no environment was created
        this.endProcess(null);
        throw outcome.error;
      }
      initDurationMs = outcome.initDurationMs;
      if (outcome.kind === 'ready') initProfile = outcome.initProfile;
      this.maxRssBytes = Math.max(this.maxRssBytes, outcome.maxRssBytes, child.highWaterMarkBytes() ?? 0);
      if (outcome.kind === 'init-error') {
        await child.kill();
        const hwm = this.maxRssBytes;
        const reset: ResetReason = this.resetRequested ? 'requested' : outcome.reset;
        this.resetRequested = null;
        this.endProcess(reset);
        const durationMs = initDurationMs ?? 0;
        const report = reportLine({ requestId, durationMs, billedDurationMs: billedDuration(durationMs), memorySizeMB: this.resolved.memoryMB, maxMemoryUsedMB: bytesToMB(hwm), initDurationMs });
        return record({
          cold: true,
          durationMs,
          billedDurationMs: billedDuration(durationMs),
          initDurationMs,
          maxMemoryUsedMB: bytesToMB(hwm),
          error: outcome.error,
          logs: initLogs + startLine(requestId) + endLine(requestId) + report,
          reset,
          captureError: outcome.reset === 'init-error' ? 'the handler module failed to load' : 'the environment ended during init; nothing was captured',
          ...(outcome.reset === 'init-error' && this.options.handlerWarnings?.length ? { handlerWarnings: [...this.options.handlerWarnings] } : {}),
        });
      }
      invokedAt = outcome.readyAt;
    }

    const child = this.child as ChildHandle;
    output = child.output;
    if (!cold) {
      // Something may have ended the process while it was idle (a timer that threw after the
      // previous response, a kill from outside, a message the runtime did not send): then this
      // invocation starts a new one.
      const stale = child.drain();
      const fatal = stale.find((e): e is { kind: 'message'; message: Extract<ChildToHost, { type: 'fatal' }> } => e.kind === 'message' && e.message.type === 'fatal');
      if (child.exited || fatal || stale.some((e) => e.kind === 'exit' || e.kind === 'violation')) {
        await child.kill();
        this.endProcess(fatal ? fatal.message.reason : 'crashed');
        return this.invokeNow(event, options);
      }
    }
    const timeoutMs = this.resolved.timeoutSeconds * 1000;
    if (!cold) {
      child.thaw();
      // Output written while thawing (timers that were due) belongs to this invocation, as on Lambda.
      invokedAt = performance.now();
      this.sendInvoke(child, requestId, event, clientContext);
    }
    // Told once the child has the event: the listeners' work overlaps the invocation.
    this.setState('invoking');
    const stopSampling = this.memoryBaseline ? () => undefined : this.sampleMemory(child);
    const outcome = await this.awaitResult(child, invokedAt + timeoutMs, invokedAt, onPayload);
    stopSampling();
    const elapsedMs = performance.now() - invokedAt;
    const invocationOutput = child.output.takeThrough(requestId);

    if (outcome.kind === 'result') {
      const result = outcome.result;
      this.lastMemory = result.memory ?? this.lastMemory;
      // The child's own peak (getrusage) is the kernel's figure that /proc's VmHWM shows: no file
      // read on every warm invocation (that is for a child that cannot report any more).
      this.maxRssBytes = Math.max(this.maxRssBytes, this.memoryBaseline && result.memory ? estimatedRss(this.memoryBaseline, result.memory) : result.maxRssBytes);
      this.warmInvocations += 1;
      // The child's own measure is the finer one, but never more than the host's clock saw. A
      // cold start's host clock starts when the host reads 'ready', late on a loaded machine (a
      // 500 ms handler read 478 ms): there the bound is the time since the spawn, less the init.
      const hostSawMs = coldSpawnedAt === null ? outcome.settledAfterMs : Math.max(outcome.settledAfterMs, invokedAt + outcome.settledAfterMs - coldSpawnedAt - (initDurationMs ?? 0));
      const durationMs = Math.min(result.durationMs, hostSawMs);
      const billed = billedDuration(durationMs, cold ? initDurationMs : null);
      const maxMemoryUsedMB = bytesToMB(this.maxRssBytes);
      const logs =
        initLogs +
        startLine(requestId) +
        invocationOutput +
        endLine(requestId) +
        reportLine({ requestId, durationMs, billedDurationMs: billed, memorySizeMB: this.resolved.memoryMB, maxMemoryUsedMB, initDurationMs: cold ? initDurationMs : null });
      if (this.resolved.freeze) child.freezeSoon();
      this.setState('warm');
      return record({
        cold,
        durationMs,
        billedDurationMs: billed,
        initDurationMs: cold ? initDurationMs : null,
        maxMemoryUsedMB,
        response: result.error ? null : responseFromWire(result.responseJson),
        error: result.error,
        logs,
        moduleScope: result.moduleScope,
        handlerScope: result.handlerScope,
        parameters: result.parameters,
        memory: result.memory,
        captureError: result.captureError,
        ...(result.pendingAtFreeze ? { pendingAtFreeze: result.pendingAtFreeze } : {}),
        ...(result.pendingRan ? { pendingRan: result.pendingRan } : {}),
        ...(cold && initProfile ? { initProfile } : {}),
      });
    }

    // The process ends: timeout, exit, crash, fatal error, out of memory or an invalid message.
    const hwm = Math.max(this.maxRssBytes, child.highWaterMarkBytes() ?? 0);
    await child.kill();
    const tail = child.output.take();
    let reset: ResetReason;
    let error: LambdaError;
    let durationMs = elapsedMs;
    let trailer = '';
    if (this.resetRequested) {
      reset = 'requested';
      error = resetDuringInvocationError(requestId);
    } else if (outcome.kind === 'violation') {
      reset = 'crashed';
      error = invalidMessageError(requestId, outcome.reason);
    } else if (outcome.kind === 'timeout') {
      reset = 'timeout';
      durationMs = timeoutMs;
      error = timeoutError(requestId, this.resolved.timeoutSeconds);
      trailer = `${new Date().toISOString()} ${requestId} ${timeoutMessage(this.resolved.timeoutSeconds)}\n`;
    } else if (child.ranOutOfMemory()) {
      reset = 'out-of-memory';
      error = {
        errorType: 'Runtime.OutOfMemory',
        errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: out of memory (JavaScript heap over the ${this.resolved.memoryMB} MB memory size)`,
        trace: [],
      };
    } else if (outcome.kind === 'fatal') {
      reset = outcome.reason;
      error = outcome.error;
    } else if (outcome.kind === 'exit' && outcome.signal === null) {
      reset = 'process-exit';
      // Lambda's words for a runtime that ended on its own: status 0 gives no reason (the 4.x
      // client leaves the process to end when the event loop empties, a never-settled promise).
      const why = outcome.code === 0 || outcome.code === null ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${outcome.code}`;
      error = { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${why}`, trace: [] };
    } else {
      reset = 'crashed';
      const how = outcome.kind === 'exit' ? `signal: ${outcome.signal}` : 'the child stopped answering';
      error = { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`, trace: [] };
    }
    if (error.errorType === 'Runtime.ExitError' || error.errorType === 'Runtime.OutOfMemory' || error.errorType === INVALID_MESSAGE_ERROR) {
      // What Lambda prints after REPORT when the runtime process died.
      trailer = `${error.errorMessage}\n${error.errorType}\n`;
    }
    this.resetRequested = null;
    const maxMemoryUsedMB = bytesToMB(hwm);
    const billed = billedDuration(outcome.kind === 'timeout' ? timeoutMs : durationMs, cold ? initDurationMs : null);
    const logs =
      initLogs +
      startLine(requestId) +
      invocationOutput +
      tail +
      endLine(requestId) +
      reportLine({ requestId, durationMs, billedDurationMs: billed, memorySizeMB: this.resolved.memoryMB, maxMemoryUsedMB, initDurationMs: cold ? initDurationMs : null }) +
      trailer;
    this.endProcess(reset);
    return record({
      cold,
      durationMs,
      billedDurationMs: billed,
      initDurationMs: cold ? initDurationMs : null,
      maxMemoryUsedMB,
      error,
      logs,
      reset,
      captureError: 'the environment ended during the invocation; nothing was captured',
    });
  }

  /** The record's runtime fields: the profile, its source, and whether the node that ran matches it. */
  private runtimeFields(): Pick<RawInvocation, 'runtime' | 'runtimeSource' | 'nodeMismatch'> {
    if (!this.runtime) return {};
    const mismatch = this.nodeVersion === null ? null : nodeMajorMismatch(this.runtime.profile, this.nodeVersion);
    return { runtime: this.runtime.profile, runtimeSource: this.runtime.source, nodeMismatch: mismatch };
  }

  /**
   * Linux: samples the child's peak RSS (VmHWM) while it runs, so a child that dies (out of
   * memory, timeout) still gets a real Max Memory Used. Elsewhere the child's own reports are used.
   */
  private sampleMemory(child: ChildHandle): () => void {
    if (process.platform !== 'linux') return () => undefined;
    const timer = setInterval(() => {
      this.maxRssBytes = Math.max(this.maxRssBytes, child.highWaterMarkBytes() ?? 0);
    }, MEMORY_SAMPLE_MS);
    return () => clearInterval(timer);
  }

  private async awaitInit(
    child: ChildHandle,
  ): Promise<
    | { kind: 'ready'; initDurationMs: number; maxRssBytes: number; readyAt: number; initProfile?: InitProfileEntry[]; workerInitMs: number[] }
    | { kind: 'init-error'; initDurationMs: number | null; error: LambdaError; maxRssBytes: number; reset: ResetReason }
    | { kind: 'engine-error'; error: Error }
  > {
    const deadline = performance.now() + INIT_LIMIT_MS;
    for (;;) {
      const event = await child.next(Math.max(0, deadline - performance.now()));
      if (!event) {
        return {
          kind: 'init-error',
          reset: 'init-error',
          initDurationMs: INIT_LIMIT_MS,
          maxRssBytes: 0,
          error: initTimeoutError(INIT_LIMIT_MS),
        };
      }
      if (event.kind === 'spawn-error') {
        const code = (event.error as { code?: string }).code;
        if (code === 'ENOENT' || code === 'EACCES') return { kind: 'engine-error', error: new NodeNotFoundError(this.options.nodePath ?? 'node') };
        // The process started but the channel failed (it died at once): its exit says more.
        if (child.process.pid !== undefined) continue;
        return { kind: 'engine-error', error: event.error };
      }
      if (event.kind === 'violation') {
        return { kind: 'init-error', reset: 'crashed', initDurationMs: null, maxRssBytes: 0, error: invalidMessageError(null, event.reason) };
      }
      if (event.kind === 'exit') {
        return {
          kind: 'init-error',
          reset: 'init-error',
          initDurationMs: null,
          maxRssBytes: 0,
          error: child.ranOutOfMemory()
            ? { errorType: 'Runtime.OutOfMemory', errorMessage: 'Runtime exited with error: out of memory during init', trace: [] }
            : { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${event.signal ? `signal: ${event.signal}` : `exit status ${event.code ?? 0}`}`, trace: [] },
        };
      }
      const message = event.message;
      if (message.type === 'ready') {
        // The child starts the invocation sent with init right after this message.
        const readyAt = performance.now();
        this.nodeVersion = message.nodeVersion;
        await child.output.waitFor(INIT_MARKER_ID, OUTPUT_GRACE_MS);
        return {
          kind: 'ready',
          initDurationMs: message.initDurationMs,
          maxRssBytes: message.maxRssBytes,
          readyAt,
          workerInitMs: message.workerInitMs ?? [],
          ...(message.initProfile ? { initProfile: message.initProfile } : {}),
        };
      }
      if (message.type === 'init-error') {
        this.nodeVersion = message.nodeVersion;
        await child.output.waitFor(INIT_MARKER_ID, OUTPUT_GRACE_MS);
        return { kind: 'init-error', reset: 'init-error', initDurationMs: message.initDurationMs, error: message.error, maxRssBytes: message.maxRssBytes };
      }
      if (message.type === 'fatal') {
        await child.output.waitFor(INIT_MARKER_ID, OUTPUT_GRACE_MS);
        return { kind: 'init-error', reset: 'init-error', initDurationMs: null, error: message.error, maxRssBytes: 0 };
      }
    }
  }

  /**
   * `timeoutAt`: performance.now() time of Lambda's timeout for this invocation. The host's timer
   * alone enforces it: the child's one `settled` (child-messages.ts) stops it, and capture then
   * gets CAPTURE_GRACE_MS; nothing the child sends can move either deadline further.
   */
  private async awaitResult(
    child: ChildHandle,
    timeoutAt: number,
    invokedAt: number,
    onPayload: InvokeOptions['onPayload'],
  ): Promise<
    | { kind: 'result'; result: ChildResultMessage; settledAfterMs: number }
    | { kind: 'timeout' }
    | { kind: 'fatal'; reason: 'uncaught-exception' | 'unhandled-rejection'; error: LambdaError }
    | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
    | { kind: 'unresponsive' }
    | { kind: 'violation'; reason: string }
  > {
    let deadline = timeoutAt;
    let settledAfterMs: number | null = null;
    for (;;) {
      const event = await child.next(Math.max(0, deadline - performance.now()));
      if (!event) return settledAfterMs !== null ? { kind: 'unresponsive' } : { kind: 'timeout' };
      if (event.kind === 'exit') return { kind: 'exit', code: event.code, signal: event.signal };
      if (event.kind === 'violation') return { kind: 'violation', reason: event.reason };
      if (event.kind !== 'message') continue;
      // The gate let through only what this invocation expects, for its request id.
      const message = event.message;
      if (message.type === 'settled') {
        // The Lambda clock stops when the handler settles; capture gets its own allowance.
        settledAfterMs = performance.now() - invokedAt;
        deadline = performance.now() + CAPTURE_GRACE_MS;
      } else if (message.type === 'result') {
        // The answer is final now (the record keeps it within the same limits): what follows
        // only completes the logs.
        if (onPayload) {
          onPayload({ requestId: message.requestId, ...limitPayload(message.responseJson, message.error) });
        }
        if (message.quietStreams) {
          // Anything that did reach those outputs before the result (written straight to the
          // descriptor, unseen by the child) arrived with it: it is read in this turn of the loop.
          await new Promise((resolve) => setImmediate(resolve));
          for (const stream of message.quietStreams) child.output.markQuiet(stream, message.requestId);
        }
        await child.output.waitFor(message.requestId, OUTPUT_GRACE_MS);
        return { kind: 'result', result: message, settledAfterMs: settledAfterMs ?? performance.now() - invokedAt };
      } else if (message.type === 'fatal') {
        // Wait (briefly) for the exit so the output is complete.
        await child.next(OUTPUT_GRACE_MS);
        return { kind: 'fatal', reason: message.reason, error: message.error };
      }
    }
  }
}

/** The errorType of an invocation whose environment was ended for a message the runtime did not send. */
const INVALID_MESSAGE_ERROR = 'WarmState.InvalidChildMessage';

function invalidMessageError(requestId: string | null, reason: string): LambdaError {
  const prefix = requestId === null ? '' : `RequestId: ${requestId} Error: `;
  return {
    errorType: INVALID_MESSAGE_ERROR,
    errorMessage: `${prefix}the environment was ended: the runtime's message pipe (fd ${CHANNEL_FD}) carried ${reason}, which the runtime does not send (user code writing to fd ${CHANNEL_FD}?)`,
    trace: [],
  };
}

const MANAGED_NEEDS_NODE_22 = 'Lambda Managed Instances needs Node.js 22 or later: run as nodejs22.x or nodejs24.x (--runtime), not nodejs20.x.';

/** Creates an environment; no process starts until the first invocation. */
export function createLocalEnvironment(options: EnvironmentOptions): WarmEnvironment {
  return new LocalEnvironment(options);
}
