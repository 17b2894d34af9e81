/**
 * The region a local function runs in (its AWS_REGION, its ARNs, the local endpoint's), found as
 * an AWS SDK in the caller's shell would find it: AWS_REGION, else AWS_DEFAULT_REGION (the AWS
 * CLI's variable), else the `region` of the caller's profile (AWS_PROFILE, else `default`) in
 * the shared config file (AWS_CONFIG_FILE, else ~/.aws/config) or credentials file, else
 * us-east-1. The caller's credentials reach the function as on Lambda, so an SDK client in the
 * handler calls the region the caller works in; `aws configure` writes the region to the config
 * file only, where the environment-only rule (localRegion) missed it.
 *
 * The files are read with the SDK's own loader (@smithy/core/config, which the deployed commands
 * already use through the Lambda client), fresh on every call: the editor runs for days, and a
 * changed profile takes effect at the next environment.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGION, localRegion } from './environment';

export async function callerRegion(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.AWS_REGION || env.AWS_DEFAULT_REGION) return localRegion(env);
  return (await profileRegion(env)) ?? DEFAULT_REGION;
}

/** The profile's region in the shared files; null when none is set or they cannot be read. */
async function profileRegion(env: NodeJS.ProcessEnv): Promise<string | null> {
  const profile = env.AWS_PROFILE || 'default';
  try {
    const { loadSharedConfigFiles } = await import('@smithy/core/config');
    // Paths given explicitly: the loader would otherwise read this process's variables, not `env`.
    const files = await loadSharedConfigFiles({
      configFilepath: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
      filepath: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
      ignoreCache: true,
    });
    const region = files.configFile[profile]?.region ?? files.credentialsFile[profile]?.region;
    return region ? region : null;
  } catch {
    // An unreadable or malformed file gives no region, as it gives the SDK none.
    return null;
  }
}
