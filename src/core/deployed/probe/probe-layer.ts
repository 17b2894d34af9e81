/**
 * Builds the probe layer archive: the in-Lambda probe (probe-shim.mjs) and the capture code
 * it shares with the local engine (capture-worker.js, esm-hooks.mjs), all from the bundled
 * child runtime folder (dist/child), plus the wrapper script that AWS_LAMBDA_EXEC_WRAPPER
 * names. Laid out under warm-state/, so Lambda mounts them at /opt/warm-state/.
 *
 * The wrapper does not modify the runtime command: it only points `_HANDLER` at the probe
 * and keeps the function's own handler string in WARM_STATE_HANDLER, then execs the runtime.
 * It finds its folder from its own path, so the same layer works under a local /opt stand-in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeZip } from '../../lambda/zip';

export const PROBE_LAYER_NAME = 'warm-state-probe';
export const PROBE_WRAPPER_PATH = '/opt/warm-state/wrapper';
/** Files taken from the child runtime folder (dist/child). */
export const PROBE_CHILD_FILES = ['probe-shim.mjs', 'capture-worker.js', 'esm-hooks.mjs'] as const;
/** Runtimes the layer is published for. */
export const PROBE_COMPATIBLE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];

export const WRAPPER_SCRIPT = `#!/bin/sh
# Warm State probe (AWS_LAMBDA_EXEC_WRAPPER). Loads the function's handler through the probe,
# which logs one line per invocation with module and handler scope. Detach the probe to remove.
probe_dir=$(cd "$(dirname "$0")" && pwd)
if [ -z "$WARM_STATE_HANDLER" ]; then
  export WARM_STATE_HANDLER="$_HANDLER"
  export _HANDLER="$probe_dir/shim.handler"
fi
exec "$@"
`;

export class ProbeFilesMissingError extends Error {
  constructor(childDir: string, missing: string[]) {
    super(`The probe's files are missing from ${childDir}: ${missing.join(', ')}. Run \`npm run build\` (child target) first.`);
    this.name = 'ProbeFilesMissingError';
  }
}

export interface ProbeLayer {
  zip: Buffer;
  /** Base64 SHA-256 of the archive, as Lambda reports CodeSha256. */
  sha256: string;
}

export function buildProbeLayer(childDir: string): ProbeLayer {
  const missing = PROBE_CHILD_FILES.filter((file) => !existsSync(join(childDir, file)));
  if (missing.length > 0) throw new ProbeFilesMissingError(childDir, missing);
  const zip = writeZip([
    { path: 'warm-state/wrapper', data: Buffer.from(WRAPPER_SCRIPT), mode: 0o755 },
    { path: 'warm-state/shim.mjs', data: readFileSync(join(childDir, 'probe-shim.mjs')) },
    { path: 'warm-state/capture-worker.js', data: readFileSync(join(childDir, 'capture-worker.js')) },
    { path: 'warm-state/esm-hooks.mjs', data: readFileSync(join(childDir, 'esm-hooks.mjs')) },
  ]);
  return { zip, sha256: createHash('sha256').update(zip).digest('base64') };
}
