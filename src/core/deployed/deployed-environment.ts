/**
 * Deployed mode: invokes a function in AWS (or behind an endpoint URL) with LogType Tail and
 * turns the answer into the same RawInvocation the local engine produces, so the history,
 * the panel and `--json` treat both alike. Scopes come from the probe's log line when the
 * probe layer is attached. Every failure is a DeployedError with a next step.
 *
 * It is a WarmEnvironment like the local child process, so one session type drives both; its
 * status is what the last invocation showed (the cloud may route the next one elsewhere).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { CapturedVariable, DeployedDetails, LambdaError, MemoryReading, PendingWork, PendingWorkKind, RawInvocation, ResetReason } from '../model/snapshot';
import type { EnvironmentStatus, WarmEnvironment } from '../runtime/environment-api';
import { DeployedError, toDeployedError, toDeployedErrorAt } from './errors';
import { createLambdaClient, loadLambdaSdk, resolvedRegion, type AttemptFailure, type ConnectionOptions } from './lambda-client';
import { maskCapturedVariables, maskEnvironment, maskJson, maskSecrets, SecretForms, secretValuesOf } from '../lambda/mask';
import { PROBE_WRAPPER_PATH } from './probe/probe-layer';
import { decodeProbeLine } from './probe/probe-line';
import { decodeLogResult, parseLogTail } from '../lambda/report';

export interface DeployedFunctionOptions extends ConnectionOptions {
  /** Name, ARN or name:alias. */
  functionName: string;
  /** Version or alias; default $LATEST. */
  qualifier?: string;
  /** Told about every failed attempt before the SDK retries it (throttling backoff). */
  onAttemptFailed?: (failure: AttemptFailure) => void;
}

/** What the panel and the CLI show about a deployed function. Environment values that look secret are masked. */
export interface FunctionSummary {
  functionName: string;
  functionArn: string;
  runtime: string | null;
  handler: string | null;
  memorySizeMB: number | null;
  timeoutSeconds: number | null;
  layers: string[];
  environment: Record<string, string>;
  isNode: boolean;
  probeAttached: boolean;
}

export interface DeployedFunction extends WarmEnvironment {
  readonly options: Readonly<DeployedFunctionOptions>;
  /** GetFunctionConfiguration, summarised. */
  describe(): Promise<FunctionSummary>;
  /**
   * A deployed environment cannot be ended from here without changing the function's
   * configuration: reset only says so in the status (the session starts the analysis over),
   * and the next invocation may still be warm.
   */
  reset(reason?: string): Promise<void>;
  /** Closes the SDK client's sockets. */
  dispose(): Promise<void>;
}


export function isNodeRuntime(runtime: string | null | undefined): boolean {
  return typeof runtime === 'string' && /^nodejs\d/.test(runtime);
}

/** The SDK and its client are loaded on the first call, so creating one costs nothing. */
export function createDeployedFunction(options: DeployedFunctionOptions): DeployedFunction {
  return new Deployed(options);
}

class Deployed implements DeployedFunction {
  readonly source = 'deployed';
  /** One request at a time from here; the cloud scales out on its own. */
  readonly capacity = 1;
  private current: EnvironmentStatus = { state: 'cold', frozen: false, warmInvocations: 0, generation: 0, nodeVersion: null, lastReset: null };
  private readonly listeners = new Set<(status: EnvironmentStatus) => void>();
  private readonly failures: AttemptFailure[] = [];
  private clientPromise: Promise<LambdaClient> | null = null;
  private summary: FunctionSummary | null = null;
  private summaryError: DeployedError | null = null;
  private knownSecrets: string[] = [];
  /** Every form of the known secrets, derived once each time the list grows. */
  private secrets = SecretForms.NONE;
  private generation = 0;
  private invocations = 0;
  private lastEnvironmentId: string | null = null;
  private region: string | null = null;

  constructor(readonly options: Readonly<DeployedFunctionOptions>) {}

  private client(): Promise<LambdaClient> {
    this.clientPromise ??= createLambdaClient(this.options, (failure) => {
      this.failures.push(failure);
      this.options.onAttemptFailed?.(failure);
    });
    return this.clientPromise;
  }

  status(): EnvironmentStatus {
    return this.current;
  }

  onStatusChange(listener: (status: EnvironmentStatus) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private update(status: EnvironmentStatus): void {
    this.current = status;
    for (const listener of [...this.listeners]) listener(status);
  }

  async reset(reason = 'requested'): Promise<void> {
    this.update({ ...this.current, lastReset: reason });
  }

  async invoke(event: unknown): Promise<RawInvocation> {
    const before = this.current;
    this.update({ ...before, state: 'invoking' });
    let raw: RawInvocation;
    try {
      raw = await this.invokeOnce(event);
    } catch (error) {
      this.update({ ...this.current, state: before.generation > 0 ? 'warm' : 'cold' });
      throw error;
    }
    this.update({
      state: raw.reset ? 'cold' : 'warm',
      frozen: false,
      warmInvocations: raw.cold ? 1 : before.warmInvocations + 1,
      generation: raw.generation,
      nodeVersion: raw.runtimeVersion,
      lastReset: raw.reset,
    });
    return raw;
  }

  private context(operation: string, extra: { payloadBytes?: number; attempts?: number } = {}) {
    return {
      operation,
      functionName: this.options.functionName,
      qualifier: this.options.qualifier,
      region: this.options.region ?? this.region ?? undefined,
      profile: this.options.profile,
      endpointUrl: this.options.endpointUrl,
      ...extra,
    };
  }

  /** Resolves credentials up front so that a missing or expired login fails clearly, and learns what to mask. */
  private async resolveCredentials(): Promise<void> {
    const client = await this.client();
    try {
      const credentials = await client.config.credentials();
      this.knownSecrets = [credentials.secretAccessKey, credentials.sessionToken ?? '', credentials.accessKeyId].filter((s) => s !== '');
      this.secrets = new SecretForms(this.knownSecrets);
    } catch (error) {
      throw await toDeployedErrorAt(error, this.context('ResolveCredentials'));
    }
    this.region = await resolvedRegion(client);
    if (this.region === null) throw await toDeployedErrorAt(new Error('Region is missing'), this.context('ResolveRegion'));
  }

  async describe(): Promise<FunctionSummary> {
    const { GetFunctionConfigurationCommand } = await loadLambdaSdk();
    if (this.knownSecrets.length === 0) await this.resolveCredentials();
    let configuration;
    try {
      configuration = await (await this.client()).send(new GetFunctionConfigurationCommand({ FunctionName: this.options.functionName, Qualifier: this.options.qualifier }));
    } catch (error) {
      throw toDeployedError(error, this.context('GetFunctionConfiguration'));
    }
    const variables = configuration.Environment?.Variables ?? {};
    this.knownSecrets = [...new Set([...this.knownSecrets, ...secretValuesOf(variables)])];
    this.secrets = new SecretForms(this.knownSecrets);
    const layers = (configuration.Layers ?? []).map((layer) => layer.Arn ?? '').filter((arn) => arn !== '');
    this.summary = {
      functionName: configuration.FunctionName ?? this.options.functionName,
      functionArn: configuration.FunctionArn ?? '',
      runtime: configuration.Runtime ?? null,
      handler: configuration.Handler ?? null,
      memorySizeMB: configuration.MemorySize ?? null,
      timeoutSeconds: configuration.Timeout ?? null,
      layers,
      environment: maskEnvironment(variables),
      isNode: isNodeRuntime(configuration.Runtime),
      probeAttached: variables.AWS_LAMBDA_EXEC_WRAPPER === PROBE_WRAPPER_PATH && layers.some((arn) => /:layer:warm-state-probe/.test(arn)),
    };
    return this.summary;
  }

  private async invokeOnce(event: unknown): Promise<RawInvocation> {
    const { InvokeCommand } = await loadLambdaSdk();
    const client = await this.client();
    if (this.knownSecrets.length === 0) await this.resolveCredentials();
    const warnings: string[] = [];
    // The configuration gives the runtime and the values to mask; invoking must not depend on
    // the extra permission (lambda:GetFunctionConfiguration), so a refusal only becomes a note.
    if (!this.summary && !this.summaryError) {
      try {
        await this.describe();
      } catch (error) {
        this.summaryError = toDeployedError(error, this.context('GetFunctionConfiguration'));
      }
    }
    if (this.summaryError) warnings.push(`Could not read the function's configuration (${this.summaryError.message}); runtime shown as unknown.`);

    const payload = Buffer.from(JSON.stringify(event ?? {}));
    this.failures.length = 0;
    const startedAt = new Date();
    const started = Date.now();
    let output;
    try {
      output = await client.send(
        new InvokeCommand({ FunctionName: this.options.functionName, Qualifier: this.options.qualifier, LogType: 'Tail', InvocationType: 'RequestResponse', Payload: payload }),
      );
    } catch (error) {
      throw toDeployedError(error, this.context('Invoke', { payloadBytes: payload.length, attempts: this.failures.length }));
    }
    const roundTripMs = Date.now() - started;
    const attempts = output.$metadata.attempts ?? 1;
    const retryDelayMs = output.$metadata.totalRetryDelay ?? 0;
    if (attempts > 1) {
      const reasons = [...new Set(this.failures.map((f) => f.errorName))].join(', ');
      warnings.push(`Retried: ${attempts - 1} failed attempt(s) (${reasons || 'retryable error'}), waited ${retryDelayMs} ms in backoff before it succeeded.`);
    }

    const secrets = this.secrets;
    let logs = decodeLogResult(output.LogResult);
    let scopes: { module: CapturedVariable[] | null; handler: CapturedVariable[] | null; parameters: CapturedVariable[] | null } = { module: null, handler: null, parameters: null };
    let probe: DeployedDetails['probe'] = this.summary && !this.summary.isNode ? 'not-node' : 'absent';
    let truncated: string[] = [];
    let captureError: string | null = null;
    let environmentId: string | null = null;
    let nodeVersion: string | null = null;
    let probeRequestId: string | null = null;
    let memory: MemoryReading | null = null;
    let pending: Pick<RawInvocation, 'pendingAtFreeze' | 'pendingRan'> = {};
    try {
      const found = decodeProbeLine(logs);
      if (found) {
        probeRequestId = found.snapshot.requestId;
        logs = found.logs;
        probe = 'attached';
        scopes = { module: found.snapshot.moduleScope, handler: found.snapshot.handlerScope, parameters: found.snapshot.parameters };
        truncated = found.snapshot.truncated;
        captureError = found.snapshot.captureError;
        environmentId = found.snapshot.environmentId;
        nodeVersion = found.snapshot.nodeVersion;
        memory = probeMemory(found.snapshot.memory);
        pending = probePending(found.snapshot);
      }
    } catch (error) {
      captureError = error instanceof Error ? error.message : String(error);
    }
    if (probe === 'absent' && captureError === null) {
      captureError = 'module and handler scope need the Warm State probe, which is not attached to this function (attach it with --attach-probe or the "Attach probe" command)';
    } else if (probe === 'not-node') {
      captureError = `module and handler scope need the Warm State probe, which only runs on Node.js runtimes; this function runs ${this.summary?.runtime ?? 'another runtime'}`;
    }
    if (output.LogResult === undefined) warnings.push('The endpoint returned no log tail (X-Amz-Log-Result), so cold/warm, durations and memory are unknown.');
    const tail = parseLogTail(logs);
    const report = tail.report;
    const requestId = report?.requestId ?? tail.requestId;
    if (probeRequestId !== null && requestId !== null && probeRequestId !== '' && probeRequestId !== requestId) {
      // Never show another invocation's variables as this one's.
      scopes = { module: null, handler: null, parameters: null };
      memory = null;
      pending = {};
      captureError = `the probe's snapshot belongs to request ${probeRequestId}, not to this invocation (${requestId}); scopes not shown`;
    }
    if (!report && output.LogResult !== undefined) {
      warnings.push('The log tail has no REPORT line (emulators often omit it), so cold/warm, durations and memory are unknown; the duration shown is the client round trip.');
    }

    const rawPayload = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
    let parsed: unknown = null;
    let parsedOk = true;
    try {
      parsed = rawPayload === '' ? null : JSON.parse(rawPayload);
    } catch {
      parsedOk = false;
      warnings.push(`The response is not JSON (${Buffer.byteLength(rawPayload)} bytes); it is shown as text.`);
    }
    let error: LambdaError | null = null;
    let response: unknown = parsedOk ? parsed : rawPayload;
    if (output.FunctionError) {
      error = toLambdaError(parsedOk ? parsed : rawPayload, output.FunctionError);
      response = null;
    }

    const cold = report ? report.initDurationMs !== null || report.restoreDurationMs !== null : false;
    const newEnvironment = cold || (environmentId !== null && environmentId !== this.lastEnvironmentId && this.lastEnvironmentId !== null);
    if (this.invocations === 0 || newEnvironment) this.generation += 1;
    if (environmentId) this.lastEnvironmentId = environmentId;
    this.invocations++;

    const details: DeployedDetails = {
      functionName: this.options.functionName,
      qualifier: this.options.qualifier ?? null,
      executedVersion: output.ExecutedVersion ?? null,
      region: this.region,
      attempts,
      retryDelayMs,
      reportFound: report !== null,
      probe,
      truncated,
      warnings: warnings.map((w) => maskSecrets(w, secrets)),
    };
    return {
      source: 'deployed',
      cold,
      requestId: report?.requestId ?? tail.requestId ?? output.$metadata.requestId ?? '',
      startedAt: startedAt.toISOString(),
      durationMs: report?.durationMs ?? roundTripMs,
      billedDurationMs: report?.billedDurationMs ?? 0,
      initDurationMs: report?.initDurationMs ?? null,
      memorySizeMB: report?.memorySizeMB ?? this.summary?.memorySizeMB ?? 0,
      maxMemoryUsedMB: report?.maxMemoryUsedMB ?? 0,
      response: maskJson(response, secrets),
      error: error && { errorType: error.errorType, errorMessage: maskSecrets(error.errorMessage, secrets), trace: error.trace.map((t) => maskSecrets(t, secrets)) },
      logs: maskSecrets(logs, secrets),
      moduleScope: maskCapturedVariables(scopes.module, secrets),
      handlerScope: maskCapturedVariables(scopes.handler, secrets),
      parameters: maskCapturedVariables(scopes.parameters, secrets),
      memory,
      ...pending,
      reset: resetReasonOf(error, report?.status ?? null),
      captureError,
      runtimeVersion: nodeVersion ? `${this.summary?.runtime ?? 'nodejs'} (${nodeVersion})` : (this.summary?.runtime ?? 'unknown'),
      generation: this.generation,
      deployed: details,
    };
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    const client = this.clientPromise;
    this.clientPromise = null;
    if (client) (await client).destroy();
  }
}

/** The probe's memory reading, when its three figures are numbers (the line comes from the function's logs). */
function probeMemory(value: unknown): MemoryReading | null {
  if (!value || typeof value !== 'object') return null;
  const { rssBytes, heapUsedBytes, externalBytes } = value as Record<string, unknown>;
  if (![rssBytes, heapUsedBytes, externalBytes].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return null;
  return { rssBytes: rssBytes as number, heapUsedBytes: heapUsedBytes as number, externalBytes: externalBytes as number };
}

const PENDING_KINDS: ReadonlySet<string> = new Set<PendingWorkKind>(['timer', 'interval', 'immediate', 'promise', 'socket', 'server', 'child-process']);

/** The probe's pending-work lists, each entry checked (kind and `file:line` only). */
function probePending(snapshot: { pendingAtFreeze?: unknown; pendingRan?: unknown }): Pick<RawInvocation, 'pendingAtFreeze' | 'pendingRan'> {
  const list = (value: unknown): PendingWork[] | undefined => {
    if (!Array.isArray(value)) return undefined;
    const valid = value.filter((entry): entry is PendingWork =>
      !!entry && typeof entry === 'object' && PENDING_KINDS.has((entry as PendingWork).kind) && typeof (entry as PendingWork).createdAt === 'string');
    return valid.map((entry) => ({ kind: entry.kind, createdAt: entry.createdAt }));
  };
  const pendingAtFreeze = list(snapshot.pendingAtFreeze);
  const pendingRan = list(snapshot.pendingRan);
  return { ...(pendingAtFreeze ? { pendingAtFreeze } : {}), ...(pendingRan ? { pendingRan } : {}) };
}

function toLambdaError(body: unknown, functionError: string): LambdaError {
  if (body && typeof body === 'object') {
    const value = body as { errorType?: unknown; errorMessage?: unknown; trace?: unknown; stackTrace?: unknown };
    const trace = Array.isArray(value.trace) ? value.trace : Array.isArray(value.stackTrace) ? value.stackTrace : [];
    return {
      errorType: typeof value.errorType === 'string' ? value.errorType : functionError,
      errorMessage: typeof value.errorMessage === 'string' ? value.errorMessage : JSON.stringify(body),
      trace: trace.map(String),
    };
  }
  return { errorType: functionError, errorMessage: typeof body === 'string' ? body : JSON.stringify(body), trace: [] };
}

function resetReasonOf(error: LambdaError | null, status: string | null): ResetReason | null {
  if (status === 'timeout' || (error && /Task timed out after/.test(error.errorMessage))) return 'timeout';
  if (error?.errorType === 'Runtime.OutOfMemory') return 'out-of-memory';
  if (error?.errorType === 'Runtime.ExitError' || status === 'error') return 'crashed';
  return null;
}
