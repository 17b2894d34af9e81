/**
 * What the `node` that will run a handler is, asked once per executable and host process:
 * its version (the runtime profile falls back to its major when nothing else chooses one) and
 * which of the profiles' Node flags it knows. Lambda starts Node with flags such as
 * `--no-experimental-detect-module`; a Node that predates a flag refuses to start with it
 * ("bad option"), so the host passes only the flags this node lists in
 * `process.allowedNodeEnvironmentFlags` (which also answers for the `--no-` forms).
 *
 * Costs one short node start per executable; the answer is cached for the life of the host
 * (a failed probe is not, so a node installed later is seen).
 */
import { execFile } from 'node:child_process';
import { ALL_PROFILE_NODE_FLAGS } from '../lambda/runtime-profiles';

export interface NodeFacts {
  /** `process.version` of that node (`v22.3.0`), null when it could not be run. */
  version: string | null;
  /** The profiles' flags this node accepts. */
  knownFlags: ReadonlySet<string>;
}

const PROBE_TIMEOUT_MS = 15_000;
const cache = new Map<string, Promise<NodeFacts>>();

/**
 * Never rejects: a node that cannot be run gives `version: null` and no flags, and the spawn
 * that follows reports the real problem (NodeNotFoundError).
 */
export function probeNode(nodePath = 'node', nodeEnv: Record<string, string> = {}): Promise<NodeFacts> {
  // A bare command is looked up on PATH: another PATH may find another node.
  const key = JSON.stringify([nodePath, nodeEnv, /[\\/]/.test(nodePath) ? '' : (process.env.PATH ?? '')]);
  let facts = cache.get(key);
  if (!facts) {
    facts = runProbe(nodePath, nodeEnv);
    cache.set(key, facts);
    void facts.then((result) => {
      if (result.version === null) cache.delete(key);
    });
  }
  return facts;
}

function runProbe(nodePath: string, nodeEnv: Record<string, string>): Promise<NodeFacts> {
  const script = `process.stdout.write(JSON.stringify({ version: process.version, known: ${JSON.stringify(ALL_PROFILE_NODE_FLAGS)}.filter((flag) => process.allowedNodeEnvironmentFlags.has(flag)) }))`;
  // Only what finding and starting node needs: never the host's NODE_OPTIONS, which could make it fail.
  const env: Record<string, string> = { ...nodeEnv };
  for (const name of ['PATH', 'Path', 'SystemRoot', 'HOME', 'USERPROFILE']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return new Promise((resolve) => {
    execFile(nodePath, ['-e', script], { env, timeout: PROBE_TIMEOUT_MS, windowsHide: true, encoding: 'utf8' }, (error, stdout) => {
      if (error) return resolve({ version: null, knownFlags: new Set() });
      try {
        const parsed = JSON.parse(stdout) as { version?: unknown; known?: unknown };
        const known = Array.isArray(parsed.known) ? parsed.known.filter((flag): flag is string => typeof flag === 'string') : [];
        resolve({ version: typeof parsed.version === 'string' ? parsed.version : null, knownFlags: new Set(known) });
      } catch {
        resolve({ version: null, knownFlags: new Set() });
      }
    });
  });
}
