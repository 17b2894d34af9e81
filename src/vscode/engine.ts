/**
 * The boundary to the engine: the only module that imports the local environment and the
 * session, and only with dynamic imports, so nothing of the engine runs at activation.
 * User code never runs here: the environment runs it in a child `node` process.
 */
import type { InvocationRecord } from '../core/model/snapshot';
import type { EnvironmentOptions, EnvironmentStatus } from '../core/runtime/environment-api';
import { load } from './lazy';

/** What the extension needs of a warm session: one environment plus its analysed history. */
export interface EngineSession {
  status(): EnvironmentStatus;
  /** Resolves to the analysed record; rejects only for faults of the engine itself. */
  invoke(event: unknown): Promise<InvocationRecord>;
  reset(reason?: string): Promise<void>;
  onStatusChange(listener: (status: EnvironmentStatus) => void): { dispose(): void };
  dispose(): Promise<void>;
}

export type EngineFactory = (options: EnvironmentOptions) => Promise<EngineSession>;

/** Creates sessions on the real engine (loaded on first use). */
export const createEngineSession: EngineFactory = async (options) => {
  const { WarmSession } = await load('session');
  // The extension host keeps its own bounded history (it outlives environments and reloads);
  // the session only needs the analysis state of the current environment.
  const session = new WarmSession({ environment: options, history: { limit: 1 } });
  return {
    status: () => session.status(),
    invoke: (event) => session.invoke(event),
    reset: (reason) => session.reset(reason),
    onStatusChange: (listener) => session.onStatusChange(listener),
    dispose: () => session.dispose(),
  };
};
