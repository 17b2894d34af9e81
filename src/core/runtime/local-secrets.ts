/**
 * What to mask in the records of a local environment: the secret-looking variables of the
 * environment the child process is given, which includes the caller's AWS credentials
 * (passed through on purpose: real Lambda gives functions credentials too).
 */
import { SecretMasker } from '../lambda/mask';
import { DEFAULT_MEMORY_MB } from '../lambda/defaults';
import { DEFAULT_REGION } from '../lambda/environment';
import type { EnvironmentOptions } from './environment-api';
import { childEnvironment, type LambdaVariables } from './child-environment';

/** Lambda's own variables have no secret-looking names: only the names and the user's and host's values matter here. */
const ANY_FUNCTION: LambdaVariables = {
  functionName: 'function',
  memoryMB: DEFAULT_MEMORY_MB,
  region: DEFAULT_REGION,
  handler: 'index.handler',
  taskRoot: '.',
  runtimeDir: '.',
  nodeMajor: null,
  logStreamName: '',
};

export function localSecretMasker(options: Pick<EnvironmentOptions, 'env' | 'nodeEnv'>, host: NodeJS.ProcessEnv = process.env): SecretMasker {
  return SecretMasker.fromEnvironment(childEnvironment(options, ANY_FUNCTION, host));
}
