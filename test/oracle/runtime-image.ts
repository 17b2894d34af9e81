/**
 * What the managed runtime image adds around the client, as far as it changes what a handler
 * sees: the node flags its bootstrap passes. They are inputs of the oracle, not checked by it
 * (the client package does not contain the bootstrap); docs/runtime-profiles.md cites the
 * sources. The V8 heap sizes the bootstrap derives from the memory size are left out: no case
 * here depends on them.
 */
import type { OracleProfile } from '../../scripts/oracle/clients';

export function bootstrapNodeArgs(profile: OracleProfile): string[] {
  // --expose-gc: the 4.x client strips it (with the heap flags) from the flags its worker
  // threads inherit (WorkerManager.getFilteredExecArgv), so the bootstrap passes it.
  const args = ['--expose-gc'];
  // Lambda's Node.js runtime page, "experimental features that Lambda disables".
  if (profile === 'nodejs20.x' || profile === 'nodejs22.x') args.push('--no-experimental-require-module');
  if (profile === 'nodejs22.x') args.push('--no-experimental-detect-module');
  return args;
}
