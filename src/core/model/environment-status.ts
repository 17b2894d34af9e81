/** What an execution environment is doing: shared by the engine, the CLI, the extension and the panel. */

/** cold: no process; initializing: loading the module; warm: idle (frozen when freeze is on); invoking: running the handler. */
export type EnvironmentState = 'cold' | 'initializing' | 'warm' | 'invoking';

export interface EnvironmentStatus {
  state: EnvironmentState;
  frozen: boolean;
  /** Invocations served by the current process (0 when cold). */
  warmInvocations: number;
  generation: number;
  /** e.g. "v20.20.2", once a process has started. */
  nodeVersion: string | null;
  /** Why the last process ended, when it did. */
  lastReset: string | null;
}
