/**
 * Where a local endpoint (`warm-state serve`, or the extension's Start Local Lambda Endpoint)
 * leaves the key pair of its run, and how Warm State's own clients find it: a request to
 * http://127.0.0.1:PORT (or localhost) is signed with the key in the file for PORT, when one
 * exists, instead of the user's AWS credentials. The file lives in the user's cache folder
 * (or under WARM_STATE_HOME), readable by the user only.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface LocalEndpointKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The key file of the endpoint on `port`: `$WARM_STATE_HOME/endpoints/PORT.json`, else the
 * platform's cache folder: `$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on
 * macOS, `%LOCALAPPDATA%` on Windows, then `warm-state/endpoints/PORT.json`.
 */
export function localEndpointKeyFile(port: number, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WARM_STATE_HOME) return join(env.WARM_STATE_HOME, 'endpoints', `${port}.json`);
  const cache =
    platform === 'win32'
      ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : (env.XDG_CACHE_HOME || join(homedir(), '.cache'));
  return join(cache, 'warm-state', 'endpoints', `${port}.json`);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The URL when it names an endpoint on this machine over plain HTTP (where `warm-state serve` listens), else null. */
function localEndpointUrl(endpointUrl: string | undefined): URL | null {
  if (!endpointUrl) return null;
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    return null;
  }
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname) ? url : null;
}

/** The run key for a local endpoint URL, or null for other endpoints and when no key file is there. */
export function localEndpointKey(endpointUrl: string | undefined): LocalEndpointKey | null {
  const url = localEndpointUrl(endpointUrl);
  if (!url) return null;
  try {
    const key = JSON.parse(readFileSync(localEndpointKeyFile(Number(url.port || 80)), 'utf8')) as Partial<LocalEndpointKey>;
    return typeof key.accessKeyId === 'string' && typeof key.secretAccessKey === 'string' ? { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } : null;
  } catch {
    return null;
  }
}

/** How long a connection to this machine may take before the endpoint is taken to be there (Linux refuses at once; Windows retries for about 2 s first). */
const LOCAL_CONNECT_MS = 3000;

/**
 * Why nothing answers at a local endpoint URL (the connection's error, e.g. ECONNREFUSED), or
 * null: it accepts connections, or the URL is not a local one. Asked when a call cannot even
 * start (no credentials, no region): with no server on the port (serve stopped, a typo), "no
 * credentials" would send the user to fix the wrong thing.
 */
export function localEndpointRefusal(endpointUrl: string | undefined): Promise<Error | null> {
  const url = localEndpointUrl(endpointUrl);
  if (!url) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) });
    const done = (refusal: Error | null) => {
      socket.destroy();
      resolve(refusal);
    };
    socket.setTimeout(LOCAL_CONNECT_MS, () => done(null));
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(error));
  });
}
