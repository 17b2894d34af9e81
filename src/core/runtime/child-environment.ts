/**
 * The environment variables a local child process gets, merged in one place so that what
 * its records are masked for (local-secrets.ts) is exactly what the child sees: the host's
 * pass-through variables, Lambda's own, the user's, then what the chosen `node` executable
 * itself needs (e.g. ELECTRON_RUN_AS_NODE for the editor's runtime).
 */
import { lambdaEnvironment, type LambdaEnvInput } from '../lambda/environment';
import type { EnvironmentOptions } from './environment-api';

/** Lambda's own variables for this function and process. */
export type LambdaVariables = Omit<LambdaEnvInput, 'user' | 'host' | 'platform'>;

export function childEnvironment(options: Pick<EnvironmentOptions, 'env' | 'nodeEnv'>, lambda: LambdaVariables, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { ...lambdaEnvironment({ ...lambda, user: options.env ?? {}, host, platform: process.platform }), ...(options.nodeEnv ?? {}) };
}
