/**
 * The region a local function runs in (its AWS_REGION, its ARNs, the local endpoint's) when no
 * template says where it is deployed: the caller's, found as in the caller's shell: AWS_REGION
 * (the SDKs' variable), else AWS_DEFAULT_REGION (the AWS CLI's), else the `region` of the
 * caller's profile (AWS_PROFILE, else `default`) in the shared credentials file, else in the
 * config file, in the JavaScript SDK v3's order, else us-east-1. The caller's credentials reach
 * the function as on Lambda, so an SDK client in the handler calls the region the caller works
 * in; `aws configure` writes the region to the config file only, where the environment-only rule
 * (localRegion) missed it.
 *
 * The files are read with the SDK's own loader (@smithy/core/config, which the deployed commands
 * already use through the Lambda client). The editor asks on every invocation and runs for days:
 * the answer is kept while neither file changes (size, times, inode), so a changed
 * profile takes effect at the next environment and an unchanged one costs two stat calls.
 */
import { stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { DEFAULT_REGION, localRegion } from './environment';

/** us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, ... (the SDK refuses other text). */
const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export function isRegionName(text: string): boolean {
  return REGION_NAME.test(text);
}

export async function callerRegion(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.AWS_REGION || env.AWS_DEFAULT_REGION) return localRegion(env);
  return (await profileRegion(env)) ?? DEFAULT_REGION;
}

let kept: { key: string; region: string | null } | null = null;

/** The profile's region in the shared files; null when none is set, it is no region name, or the files cannot be read. */
async function profileRegion(env: NodeJS.ProcessEnv): Promise<string | null> {
  const { getHomeDir, loadSharedConfigFiles } = await import('@smithy/core/config');
  const profile = env.AWS_PROFILE || 'default';
  // The SDK's home folder, from `env` rather than this process's variables.
  const home = env.HOME || env.USERPROFILE || getHomeDir();
  // The loader expands a leading ~/ itself; the stat calls below need the same path.
  const expand = (path: string) => (path.startsWith(`~${sep}`) || path.startsWith('~/') ? join(home, path.slice(2)) : path);
  const configFilepath = expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'));
  const filepath = expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'));
  const key = [profile, configFilepath, filepath, await fileVersion(configFilepath), await fileVersion(filepath)].join('\n');
  if (kept?.key === key) return kept.region;
  let region: string | undefined;
  try {
    const files = await loadSharedConfigFiles({ configFilepath, filepath, ignoreCache: true });
    // NODE_REGION_CONFIG_FILE_OPTIONS: the region loader prefers the credentials file.
    region = (files.credentialsFile[profile]?.region ?? files.configFile[profile]?.region)?.trim();
  } catch {
    // A file the loader cannot parse gives no region, as it gives the SDK none.
  }
  kept = { key, region: region && isRegionName(region) ? region : null };
  return kept.region;
}

async function fileVersion(path: string): Promise<string> {
  try {
    // Size and times, and the inode a replaced file changes: a same-size edit within the mtime's granularity still counts.
    const info = await stat(path);
    return `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;
  } catch {
    return 'none';
  }
}
