/** Lambda runtime identifiers as templates declare them (profiles: core/lambda/runtime-profiles.ts). */

/** True for `nodejs`, `nodejs20.x`, `nodejs22.x`, ... */
export function isNodeRuntime(runtime: string): boolean {
  return /^nodejs(\d+\.x)?$/i.test(runtime.trim());
}

/** The Node.js major version of a runtime such as `nodejs20.x`; null when not a versioned Node runtime. */
export function runtimeNodeMajor(runtime: string): number | null {
  const match = /^nodejs(\d+)\.x$/i.exec(runtime.trim());
  return match ? Number(match[1]) : null;
}
