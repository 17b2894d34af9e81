/**
 * A deployed function seen through the extension's EngineSession interface, so a handler's
 * session, history and panel can show deployed invocations in the same timeline as local
 * ones (records carry `source: 'deployed'` for the badge). No `vscode` import: tested
 * against the local endpoint like the CLI.
 */
import { InvocationHistory } from '../../core/model/history';
import type { InvocationRecord } from '../../core/model/snapshot';
import type { EnvironmentStatus } from '../../core/runtime/environment-api';
import type { DeployedFunctionOptions } from '../../core/deployed/deployed-environment';
import type { EngineSession } from '../engine';

export async function createDeployedEngineSession(options: DeployedFunctionOptions): Promise<EngineSession> {
  // Loaded on first use: the SDK stays out of activation.
  const { createDeployedFunction } = await import('../../core/deployed/deployed-environment');
  const fn = await createDeployedFunction(options);
  let history = new InvocationHistory({ limit: 1 });
  let status: EnvironmentStatus = { state: 'cold', frozen: false, warmInvocations: 0, generation: 0, nodeVersion: null, lastReset: null };
  const listeners = new Set<(status: EnvironmentStatus) => void>();
  const update = (next: EnvironmentStatus) => {
    status = next;
    for (const listener of listeners) listener(status);
  };
  return {
    status: () => status,
    async invoke(event: unknown): Promise<InvocationRecord> {
      update({ ...status, state: 'invoking' });
      try {
        const record = history.add(await fn.invoke(event));
        update({
          // What the last invocation showed; the cloud may still route the next one elsewhere.
          state: record.reset ? 'cold' : 'warm',
          frozen: false,
          warmInvocations: record.cold ? 1 : status.warmInvocations + 1,
          generation: record.generation,
          nodeVersion: record.runtimeVersion,
          lastReset: record.reset,
        });
        return record;
      } catch (error) {
        update({ ...status, state: status.generation > 0 ? 'warm' : 'cold' });
        throw error;
      }
    },
    /**
     * A deployed environment cannot be ended from here without changing the function's
     * configuration, so reset only starts the analysis over; the panel says the next
     * invocation may still be warm.
     */
    async reset(): Promise<void> {
      history = new InvocationHistory({ limit: 1 });
      update({ ...status, lastReset: 'requested' });
    },
    onStatusChange(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    async dispose(): Promise<void> {
      listeners.clear();
      fn.dispose();
    },
  };
}
