/**
 * A warm session: one execution environment (by default the local child process) plus the
 * analysed history of its invocations. Editor-agnostic: the CLI drives one per run, the
 * extension one per (file, handler).
 */
import { localSecretMasker } from './runtime/local-secrets';
import { InvocationHistory, type HistoryOptions } from './model/history';
import type { InvocationRecord } from './model/snapshot';
import type { SecretMasker } from './lambda/mask';
import type { EnvironmentOptions, EnvironmentStatus, WarmEnvironment } from './runtime/environment-api';
import { createLocalEnvironment } from './runtime/local-environment';
import { parseEvent } from './events';

export { parseEvent, InvalidEventError } from './events';

export interface WarmSessionOptions {
  environment: EnvironmentOptions;
  history?: HistoryOptions;
  /** Builds the environment; defaults to the local child process. Lets tests and other engines plug in. */
  createEnvironment?: (options: EnvironmentOptions) => WarmEnvironment;
}

export interface Disposable {
  dispose(): void;
}

export class WarmSession {
  readonly history: InvocationHistory;
  readonly environment: WarmEnvironment;
  /**
   * Every record passes through here before the history sees it, so what the CLI prints,
   * the panel shows and the extension saves to disk never holds a credential.
   */
  private readonly masker: SecretMasker;
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  /** Invocations run one at a time, as in a Lambda execution environment. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(options: WarmSessionOptions) {
    this.history = new InvocationHistory(options.history);
    this.environment = (options.createEnvironment ?? createLocalEnvironment)(options.environment);
    this.masker = localSecretMasker(options.environment);
  }

  status(): EnvironmentStatus {
    return this.environment.status();
  }

  /** Runs one invocation with an already parsed event and returns its analysed record. */
  invoke(event: unknown): Promise<InvocationRecord> {
    if (this.disposed) return Promise.reject(new Error('this warm session has been disposed'));
    const run = this.queue.then(async () => {
      const raw = this.masker.invocation(await this.environment.invoke(event));
      const record = this.history.add(raw);
      for (const listener of this.listeners) listener(record);
      return record;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Parses `text` as the event first: invalid JSON is refused (InvalidEventError) and nothing runs. */
  invokeText(text: string, source?: string): Promise<InvocationRecord> {
    let event: unknown;
    try {
      event = parseEvent(text, source);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.invoke(event);
  }

  /** Called with every new record, in order. */
  onRecord(listener: (record: InvocationRecord) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  onStatusChange(listener: (status: EnvironmentStatus) => void): Disposable {
    return this.environment.onStatusChange(listener);
  }

  /** Ends the process; the next invocation is cold. History is kept. */
  reset(reason?: string): Promise<void> {
    const run = this.queue.then(() => this.environment.reset(reason));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    await this.queue;
    await this.environment.dispose();
  }
}
