/** Lambda runtime identifiers versus the local Node.js. */

/** True for `nodejs`, `nodejs20.x`, `nodejs22.x`, ... */
export function isNodeRuntime(runtime: string): boolean {
  return /^nodejs(\d+\.x)?$/i.test(runtime.trim());
}

/** The Node.js major version of a runtime such as `nodejs20.x`; null when not a versioned Node runtime. */
export function runtimeNodeMajor(runtime: string): number | null {
  const match = /^nodejs(\d+)\.x$/i.exec(runtime.trim());
  return match ? Number(match[1]) : null;
}

/**
 * A warning when the local Node.js major version differs from the function's runtime, else
 * null (also null for non-Node or unversioned runtimes: other checks report those).
 * `nodeVersion` is `process.version` style (`v22.3.0`) or bare (`22.3.0`).
 */
export function nodeMajorMismatch(runtime: string, nodeVersion: string): string | null {
  const wanted = runtimeNodeMajor(runtime);
  const match = /^v?(\d+)(\.|$)/.exec(nodeVersion.trim());
  if (wanted === null || !match) return null;
  const local = Number(match[1]);
  if (local === wanted) return null;
  const shown = nodeVersion.trim().startsWith('v') ? nodeVersion.trim() : `v${nodeVersion.trim()}`;
  return `The function's runtime is ${runtime} (Node.js ${wanted}) but the local node is ${shown} (Node.js ${local}); behaviour and available APIs may differ from Lambda. Set the node path to a Node.js ${wanted} binary to match.`;
}
