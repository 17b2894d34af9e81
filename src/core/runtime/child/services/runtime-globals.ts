/**
 * Names the instrumented user code reaches the runtime by. Kept apart from the instrumenters
 * (instrument.ts, frame-instrument.ts) so that the runtime bundle can load those, and acorn
 * with them, only when a file has to be instrumented in the child.
 */

/** The global the frame hooks are reached through (frame-hooks.ts); a script declaring it would shadow it. */
export const FRAME_HOOKS_GLOBAL = '__warmState';

/** The global the init-profile marks call (init-profile.ts); present only on a profiled cold start. */
export const INIT_PROFILE_GLOBAL = '__warmStateInitProfile';

/** Global registry key the module-scope probe calls: `(probe, bindings) => void`. */
export const PROBE_REGISTRY_KEY = 'warm-state.probe';

/**
 * Global registry key of the capture function (serializer.ts installs it, non-enumerable and
 * read-only): the runtime and the cloud probe's shim call it, the probe's capture worker
 * reaches it through the inspector.
 */
export const CAPTURE_GLOBAL_KEY = 'warm-state.capture';

/** A file of a dependency (under node_modules): its functions never get handler-scope hooks. */
export function isDependencyFile(filename: string): boolean {
  return /[\\/]node_modules[\\/]/.test(filename);
}

export function isTypeScriptFile(filename: string): boolean {
  return /\.(ts|mts|cts)$/i.test(filename) && !/\.d\.(ts|mts|cts)$/i.test(filename);
}
