/**
 * What to mask in the records of a local environment: the secret-looking variables of the
 * environment the child process is given, which includes the caller's AWS credentials
 * (passed through on purpose: real Lambda gives functions credentials too).
 */
import { SecretMasker } from '../lambda/mask';
import type { EnvironmentOptions } from './environment-api';
import { lambdaEnvironment } from '../lambda/environment';

export function localSecretMasker(options: Pick<EnvironmentOptions, 'env' | 'nodeEnv'>, host: NodeJS.ProcessEnv = process.env): SecretMasker {
  // The same merge the child gets (local-environment.ts): host pass-through, Lambda's own
  // variables, the user's, then the Node runtime's. Only the names and the user's and host's
  // values matter here; Lambda's own variables have no secret-looking names.
  const merged = lambdaEnvironment({
    functionName: 'function',
    memoryMB: 128,
    region: 'us-east-1',
    handler: 'index.handler',
    taskRoot: '.',
    runtimeDir: '.',
    nodeMajor: null,
    logStreamName: '',
    user: options.env ?? {},
    host,
    platform: process.platform,
  });
  Object.assign(merged, options.nodeEnv ?? {});
  return SecretMasker.fromEnvironment(merged);
}
